import { describe, expect, it } from 'vitest';
import { scanEventSchema, type ParsedScan, type ScanEvent } from '../contract/scan';
import { composeBarcode } from '../barcode/compose';
import { DEFAULT_TEST_CARD, totpConfigSchema } from '../totp/config';
import { BuiltinTotpVerifier, type TotpVerifier } from '../totp/verifier';
import { scannerConfigSchema } from './config';
import { createScanHub } from './hub';

const config = scannerConfigSchema.parse({});
const totp = totpConfigSchema.parse({});
const code = (session: string): string => composeBarcode({ card: DEFAULT_TEST_CARD, cardNumber: '1234567890123', cardSession: session, atMs: Date.now() });

describe('ScanHub', () => {
  it('emits contract-valid events for wedge and manual scans', async () => {
    const hub = createScanHub(config, new BuiltinTotpVerifier(totp));
    const seen: ScanEvent[] = [];
    hub.onScan((e) => seen.push(e));
    const wedge = await hub.submitWedge(code('OK0001'));
    const manual = await hub.submitManual('KP1234567890123');
    expect(scanEventSchema.parse(wedge)).toEqual(wedge);
    expect(wedge).toMatchObject({ source: 'wedge', seq: 0, epoch: 0, parsed: { ok: true, payReady: true } });
    expect(manual).toMatchObject({ source: 'manual', seq: 1, parsed: { ok: true, payReady: false, verified: false } });
    expect(seen).toEqual([wedge, manual]);
    expect(hub.status()).toMatchObject({ state: 'disabled' });
  });

  it('refuses scans while a payment is in flight, with scan.busy, and never parses them into a card', async () => {
    const hub = createScanHub(config, new BuiltinTotpVerifier(totp));
    hub.setBusy(true);
    const refused = await hub.submitWedge(code('OK0002'));
    expect(refused.parsed).toEqual({ ok: false, reason: 'busy', errorKey: 'scan.busy', detail: 'a payment is in flight' });
    expect(refused.epoch).toBe(1);
    hub.setBusy(false);
    const accepted = await hub.submitWedge(code('OK0003'));
    expect(accepted).toMatchObject({ epoch: 2, parsed: { ok: true, payToken: 'OK0003' } });
  });

  it('keeps arrival order with a slow verifier, and a scan arriving during busy stays refused', async () => {
    const releases: (() => void)[] = [];
    const slow: TotpVerifier = {
      kind: 'vendor',
      verifyBarcode: (raw) => new Promise<ParsedScan>((resolve) => {
        releases.push(() => resolve({ ok: true, prefix: 'KP', loyaltyId: raw.slice(2, 15), payReady: false, verified: true }));
      }),
      getToken: () => 't',
      close: async () => {},
    };
    const hub = createScanHub(config, slow);
    const order: number[] = [];
    hub.onScan((e) => order.push(e.seq));
    const first = hub.submitWedge('KP1111111111111');
    hub.setBusy(true);
    const second = hub.submitWedge('KP2222222222222');
    hub.setBusy(false);
    const third = hub.submitWedge('KP3333333333333');
    await new Promise((r) => setTimeout(r, 10));
    expect(releases).toHaveLength(1);
    releases.shift()?.();
    await first;
    await new Promise((r) => setTimeout(r, 10));
    releases.shift()?.();
    const [a, b, c] = await Promise.all([first, second, third]);
    expect(a.parsed).toMatchObject({ ok: true, loyaltyId: '1111111111111' });
    expect(b.parsed).toMatchObject({ ok: false, reason: 'busy' });
    expect(c.parsed).toMatchObject({ ok: true, loyaltyId: '3333333333333' });
    expect(order).toEqual([0, 1, 2]);
  });

  it('turns a throwing verifier into a verifier_error event and keeps going', async () => {
    const broken: TotpVerifier = { kind: 'vendor', verifyBarcode: () => { throw new Error('segfault'); }, getToken: () => '', close: async () => {} };
    const hub = createScanHub(config, broken);
    hub.onScan(() => { throw new Error('listener bug'); });
    expect((await hub.submitWedge('KP1')).parsed).toMatchObject({ ok: false, reason: 'verifier_error', errorKey: 'barcode.verifier_error' });
    expect((await hub.submitWedge('KP2')).seq).toBe(1);
  });
});
