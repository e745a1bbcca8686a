// A real serial round trip through a socat pty pair: framing, back-to-back scans, split scans,
// unplug (kill socat) and replug (restart it at the same link path).
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanEvent, ScannerStatus } from '../contract/scan';
import { composeBarcode } from '../barcode/compose';
import { DEFAULT_TEST_CARD, totpConfigSchema } from '../totp/config';
import { BuiltinTotpVerifier } from '../totp/verifier';
import { scannerConfigSchema } from './config';
import { createScanHub, type ScanHub } from './hub';
import { createPtyPair, waitFor, type PtyPair } from './testing/socat';

const totp = totpConfigSchema.parse({});
const card = DEFAULT_TEST_CARD;
const barcode = (session?: string): string =>
  composeBarcode({ card, cardNumber: '1234567890123', atMs: Date.now(), ...(session ? { cardSession: session } : {}) });

async function openWriter(path: string, baudRate: number): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  return port;
}

const write = (port: SerialPort, data: string): Promise<void> =>
  new Promise((resolve, reject) => port.write(Buffer.from(data, 'latin1'), (e) => (e ? reject(e) : port.drain(() => resolve()))));

const closeWriter = (port: SerialPort | null): Promise<void> =>
  new Promise((resolve) => (port?.isOpen ? port.close(() => resolve()) : resolve()));

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup = [];
});

async function setup(baudRate: number, suffix: 'CR' | 'LF' | 'CRLF' | 'none'): Promise<{ pair: PtyPair; hub: ScanHub; scans: ScanEvent[]; statuses: ScannerStatus[]; writer: () => Promise<SerialPort> }> {
  const pair = await createPtyPair(`b${baudRate}`);
  cleanup.push(() => pair.dispose());
  const config = scannerConfigSchema.parse({ serial: { enabled: true, path: pair.tillPath, baudRate, suffix, reconnectMs: 100, idleTimeoutMs: 30 } });
  const hub = createScanHub(config, new BuiltinTotpVerifier(totp));
  cleanup.push(() => hub.stop());
  const scans: ScanEvent[] = [];
  const statuses: ScannerStatus[] = [];
  hub.onScan((e) => scans.push(e));
  hub.onStatus((s) => statuses.push(s));
  await hub.start();
  let current: SerialPort | null = null;
  cleanup.push(() => closeWriter(current));
  const writer = async (): Promise<SerialPort> => {
    await closeWriter(current);
    current = await openWriter(pair.scannerPath, baudRate);
    return current;
  };
  return { pair, hub, scans, statuses, writer };
}

describe.each([9600, 115200])('serial scanner over a socat pty pair at %i baud', (baudRate) => {
  it('delivers parsed and verified scans, back to back and split, never merged', async () => {
    const { hub, scans, writer } = await setup(baudRate, 'CR');
    expect(hub.status().state).toBe('connected');
    const port = await writer();
    const a = barcode('OK0001');
    const b = barcode('LIM001');
    // two scans in one write
    await write(port, `${a}\r${b}\r`);
    await waitFor(() => scans.length === 2, 10_000, 'two scans');
    // one scan in three writes
    const c = barcode();
    await write(port, c.slice(0, 5));
    await new Promise((r) => setTimeout(r, 20));
    await write(port, c.slice(5, 17));
    await write(port, `${c.slice(17)}\r`);
    await waitFor(() => scans.length === 3, 10_000, 'third scan');
    expect(scans.map((s) => s.raw)).toEqual([a, b, c]);
    expect(scans.map((s) => s.source)).toEqual(['serial', 'serial', 'serial']);
    expect(scans[0]?.parsed).toMatchObject({ ok: true, loyaltyId: '1234567890123', cardSession: 'OK0001', koshelekPay: true, verified: true });
    expect(scans[1]?.parsed).toMatchObject({ ok: true, cardSession: 'LIM001', koshelekPay: true });
    expect(scans[2]?.parsed).toMatchObject({ ok: true, koshelekPay: false, verified: true });
    expect(scans.map((s) => s.seq)).toEqual([0, 1, 2]);
  });

  it('survives unplug and replug, and says so', async () => {
    const { pair, hub, scans, statuses, writer } = await setup(baudRate, 'CRLF');
    let port = await writer();
    await write(port, `${barcode('OK0001')}\r\n`);
    await waitFor(() => scans.length === 1, 10_000, 'first scan');

    // half a scan, then the cable is pulled: the fragment must not be glued to the next scan
    await write(port, 'KP12345');
    await pair.unplug();
    await waitFor(() => hub.status().state !== 'connected', 10_000, 'disconnect');
    expect(statuses.some((s) => s.state === 'disconnected' && s.messageKey === 'scanner.disconnected')).toBe(true);

    await pair.plug();
    await waitFor(() => hub.status().state === 'connected', 10_000, 'reconnect');
    expect(hub.status().messageKey).toBe('scanner.reconnected');
    expect(statuses.map((s) => s.state)).toContain('reconnecting');

    port = await writer();
    const next = barcode('SLOW01');
    await write(port, `${next}\r\n`);
    await waitFor(() => scans.length === 2, 10_000, 'scan after replug');
    expect(scans[1]?.raw).toBe(next);
    expect(scans[1]?.parsed).toMatchObject({ ok: true, cardSession: 'SLOW01' });

    // and a second unplug/replug cycle works too
    await pair.unplug();
    await waitFor(() => hub.status().state !== 'connected', 10_000, 'second disconnect');
    await pair.plug();
    await waitFor(() => hub.status().state === 'connected', 10_000, 'second reconnect');
    port = await writer();
    await write(port, `${barcode('OK0002')}\r\n${barcode('OK0003')}\r\n`);
    await waitFor(() => scans.length === 4, 10_000, 'two scans after second replug');
    expect(scans.slice(2).map((s) => s.parsed.ok && s.parsed.cardSession)).toEqual(['OK0002', 'OK0003']);
  });
});

describe('serial scanner without a suffix (idle timeout)', () => {
  it('ends each scan on silence and keeps GS bytes', async () => {
    const { scans, writer } = await setup(9600, 'none');
    const port = await writer();
    const sep = `KP1234567890123\u001dABCDEFGHIJKLMNOPQRSTUVWXYZ012345\u001d${barcode().slice(-3)}`;
    await write(port, sep);
    await waitFor(() => scans.length === 1, 10_000, 'idle scan');
    await write(port, 'XX99');
    await waitFor(() => scans.length === 2, 10_000, 'second idle scan');
    expect(scans[0]?.raw).toBe(sep);
    expect(scans[0]?.parsed).toMatchObject({ ok: true, cardSession: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345' });
    expect(scans[1]?.parsed).toMatchObject({ ok: false, reason: 'wrong_prefix' });
  });
});

describe('serial scanner on a missing port', () => {
  it('reports the failure and keeps retrying until the device appears', async () => {
    const pair = await createPtyPair('late');
    cleanup.push(() => pair.dispose());
    await pair.unplug();
    const config = scannerConfigSchema.parse({ serial: { enabled: true, path: pair.tillPath, reconnectMs: 100 } });
    const hub = createScanHub(config, new BuiltinTotpVerifier(totp));
    cleanup.push(() => hub.stop());
    await hub.start();
    expect(hub.status()).toMatchObject({ state: 'disconnected', messageKey: 'scanner.open_failed' });
    await pair.plug();
    await waitFor(() => hub.status().state === 'connected', 10_000, 'late connect');
  });
});
