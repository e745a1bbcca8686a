// A real serial round trip through a socat pty pair: framing, back-to-back scans, split scans,
// unplug (kill socat) and replug (restart it at the same link path).
import { spawn } from 'node:child_process';
import { PNG } from 'pngjs';
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

async function setup(baudRate: number, suffix: 'CR' | 'LF' | 'CRLF' | 'TAB' | 'none', extra: Record<string, unknown> = {}): Promise<{ pair: PtyPair; hub: ScanHub; scans: ScanEvent[]; statuses: ScannerStatus[]; writer: () => Promise<SerialPort> }> {
  const pair = await createPtyPair(`b${baudRate}`);
  cleanup.push(() => pair.dispose());
  const { aimIds, ...serial } = extra;
  const config = scannerConfigSchema.parse({ ...(aimIds ? { aimIds } : {}), serial: { enabled: true, path: pair.tillPath, baudRate, suffix, reconnectMs: 100, idleTimeoutMs: 30, ...serial } });
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
    expect(scans[0]?.parsed).toMatchObject({ ok: true, loyaltyId: '1234567890123', payToken: 'OK0001', payReady: true, verified: true });
    expect(scans[1]?.parsed).toMatchObject({ ok: true, payToken: 'LIM001', payReady: true });
    expect(scans[2]?.parsed).toMatchObject({ ok: true, payReady: false, verified: true });
    expect(scans.map((s) => s.seq)).toEqual([0, 1, 2]);
  });

  it('survives unplug and replug, and says so', async () => {
    const { pair, hub, scans, statuses, writer } = await setup(baudRate, 'CRLF');
    let port = await writer();
    await write(port, `${barcode('OK0001')}\r\n`);
    await waitFor(() => scans.length === 1, 10_000, 'first scan');

    // half a scan, then the cable is pulled: the fragment must not be glued to the next scan
    await write(port, 'KP12345');
    await new Promise((r) => setTimeout(r, 100)); // through socat to the till before the cable goes
    await pair.unplug();
    await waitFor(() => hub.status().state !== 'connected', 10_000, 'disconnect');
    expect(statuses.some((s) => s.state === 'disconnected' && s.messageKey === 'scanner.disconnected')).toBe(true);

    await pair.plug();
    await waitFor(() => hub.status().state === 'connected', 10_000, 'reconnect');
    expect(hub.status().messageKey).toBe('scanner.reconnected');
    expect(statuses.map((s) => s.state)).toContain('reconnecting');

    // the half scan is reported when the port goes (never glued, never silently lost)
    await waitFor(() => scans.length === 2, 10_000, 'half scan reported');
    expect(scans[1]).toMatchObject({ raw: 'KP12345', parsed: { ok: false, reason: 'unterminated' } });
    port = await writer();
    const next = barcode('SLOW01');
    await write(port, `${next}\r\n`);
    await waitFor(() => scans.length === 3, 10_000, 'scan after replug');
    expect(scans[2]?.raw).toBe(next);
    expect(scans[2]?.parsed).toMatchObject({ ok: true, payToken: 'SLOW01' });

    // and a second unplug/replug cycle works too
    await pair.unplug();
    await waitFor(() => hub.status().state !== 'connected', 10_000, 'second disconnect');
    await pair.plug();
    await waitFor(() => hub.status().state === 'connected', 10_000, 'second reconnect');
    port = await writer();
    await write(port, `${barcode('OK0002')}\r\n${barcode('OK0003')}\r\n`);
    await waitFor(() => scans.length === 5, 10_000, 'two scans after second replug');
    expect(scans.slice(3).map((s) => s.parsed.ok && s.parsed.payToken)).toEqual(['OK0002', 'OK0003']);
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
    expect(scans[0]?.parsed).toMatchObject({ ok: true, payToken: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345' });
    expect(scans[1]?.parsed).toMatchObject({ ok: false, reason: 'wrong_prefix' });
  });
});

describe('serial scanners as they are set up in shops (socat pty)', () => {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('Tab suffix, and a scanner sending LF or LFCR to a till set to CR: every scan arrives', async () => {
    const tab = await setup(9600, 'TAB');
    const a = barcode('TAB001');
    await write(await tab.writer(), `${a}\t`);
    await waitFor(() => tab.scans.length === 1, 10_000, 'tab scan');
    expect(tab.scans[0]?.parsed).toMatchObject({ ok: true, payToken: 'TAB001' });

    const cr = await setup(9600, 'CR');
    const port = await cr.writer();
    const b = barcode('LFONLY');
    const c = barcode('LFCR01');
    await write(port, `${b}\n`);
    await write(port, `${c}\n\r`);
    await waitFor(() => cr.scans.length === 2, 10_000, 'LF / LFCR scans');
    expect(cr.scans.map((e) => e.parsed.ok && e.parsed.payToken)).toEqual(['LFONLY', 'LFCR01']);
  });

  it('no suffix: each scan ends on the configured silence', async () => {
    const { scans, writer } = await setup(115200, 'none', { idleTimeoutMs: 60 });
    const port = await writer();
    const a = barcode('NONE01');
    const b = barcode('NONE02');
    await write(port, a);
    await sleep(300);
    await write(port, b);
    await waitFor(() => scans.length === 2, 10_000, 'two silent-ended scans');
    expect(scans.map((e) => e.parsed.ok && e.parsed.payToken)).toEqual(['NONE01', 'NONE02']);
  });

  it('a scan whose terminator never comes is reported as a scan event, not lost', async () => {
    const { scans, writer } = await setup(9600, 'CR', { fragmentTimeoutMs: 200 });
    const a = barcode('NOTERM');
    await write(await writer(), a);
    await waitFor(() => scans.length === 1, 10_000, 'unterminated report');
    expect(scans[0]).toMatchObject({ raw: a, source: 'serial', parsed: { ok: false, reason: 'unterminated', errorKey: 'barcode.bad_length' } });
    expect(scans[0]?.parsed.ok === false && scans[0].parsed.detail).toContain('suffix');
  });

  it('strips AIM identifiers and records the symbology; keeps them when told to', async () => {
    const { scans, writer } = await setup(115200, 'CRLF');
    const port = await writer();
    const codes = [[']C0', 'AIMC01', 'code128'], [']Q1', 'AIMQ01', 'qr'], [']d2', 'AIMD01', 'datamatrix'], [']L2', 'AIML01', 'pdf417']] as const;
    for (const [aim, session] of codes) await write(port, `${aim}${barcode(session)}\r\n`);
    await waitFor(() => scans.length === codes.length, 10_000, 'AIM scans');
    expect(scans.map((e) => [e.aim, e.symbology, e.parsed.ok && e.parsed.payToken])).toEqual(codes.map(([aim, session, sym]) => [aim, sym, session]));

    const keep = await setup(115200, 'CR', { aimIds: 'keep' });
    const raw = `]C0${barcode('KEEP01')}`;
    await write(await keep.writer(), `${raw}\r`);
    await waitFor(() => keep.scans.length === 1, 10_000, 'kept AIM');
    expect(keep.scans[0]).toMatchObject({ raw, parsed: { ok: false, reason: 'wrong_prefix' } });
  });

  it('noise or half a scan followed within 500 ms by a good scan is reported apart, never glued onto it', async () => {
    const { scans, writer } = await setup(9600, 'CR');
    const port = await writer();
    const good = barcode('CLEAN1');
    await write(port, '\u0000\u00ff~');
    await sleep(250);
    await write(port, good.slice(0, 9));
    await sleep(300);
    await write(port, `${good}\r`);
    await waitFor(() => scans.length === 3, 10_000, 'noise, half and scan');
    expect(scans.map((e) => e.parsed.ok ? 'ok' : e.parsed.reason)).toEqual(['unterminated', 'unterminated', 'ok']);
    expect(scans.map((e) => e.raw)).toEqual(['\u0000\u00ff~', good.slice(0, 9), good]);
  });

  it('a stalled core does not break a scan that arrives meanwhile (the stall is not silence)', async () => {
    const { scans, writer, pair } = await setup(9600, 'CR', { fragmentTimeoutMs: 250, gapMs: 400 });
    await writer();
    const good = barcode('STALL1');
    // Another process plays the scanner, so its bytes keep coming while this loop is blocked: half the
    // scan now, the rest 0.2 s later — during the stall.
    const feeder = spawn('sh', ['-c', 'printf "%s" "$1" > "$3"; sleep 0.2; printf "%s\\r" "$2" > "$3"', 'sh', good.slice(0, 10), good.slice(10), pair.scannerPath]);
    await sleep(60);
    const until = Date.now() + 1_000;
    while (Date.now() < until) { /* a heavy task on the core's loop, far longer than fragmentTimeoutMs */ }
    await new Promise((r) => feeder.once('exit', r));
    await waitFor(() => scans.length >= 1, 10_000, 'scan after the stall');
    await sleep(300);
    expect(scans.map((e) => e.raw)).toEqual([good]);
    expect(scans[0]?.parsed).toMatchObject({ ok: true, payToken: 'STALL1' });
  });
});

describe('serial scans while the core decodes a heavy picture', () => {
  it('six scans sent while it decodes all come through, in order, none glued or dropped', async () => {
    const { hub, scans, writer } = await setup(9600, 'CR');
    const port = await writer();
    // 4096 × 3072 of noise: the largest picture allowed, nothing to find, every strategy tried
    const noisy = new PNG({ width: 4096, height: 3072 });
    let x = 99;
    for (let i = 0; i < noisy.data.length; i += 1) { x = (x * 1_103_515_245 + 12_345) & 0x7fffffff; noisy.data[i] = (i & 3) === 3 ? 255 : x >> 23; }
    const image = hub.submitImage(PNG.sync.write(noisy, { deflateLevel: 1 }));
    const sessions = ['BUSY01', 'BUSY02', 'BUSY03', 'BUSY04', 'BUSY05', 'BUSY06'];
    for (const session of sessions) {
      await write(port, `${barcode(session)}\r`);
      await new Promise((r) => setTimeout(r, 60));
    }
    await waitFor(() => scans.filter((e) => e.source === 'serial').length === 6, 20_000, 'six serial scans');
    const serial = scans.filter((e) => e.source === 'serial');
    expect(serial.map((e) => e.parsed.ok && e.parsed.payToken)).toEqual(sessions);
    expect((await image).parsed).toMatchObject({ ok: false, reason: 'not_decoded' });
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
