import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { composeBarcode } from '../barcode/compose';
import { clockDrift } from './clock';
import { DEFAULT_TEST_CARD, totpConfigSchema } from './config';
import { createTotpVerifier } from './index';
import { checkTotp, totpCode } from './totp';
import { BuiltinTotpVerifier, createBuiltinTokenProvider, decodeBuiltinToken } from './verifier';

const config = totpConfigSchema.parse({});
const card = { ...DEFAULT_TEST_CARD, keyHex: DEFAULT_TEST_CARD.keyHex };
const STEP = 30_000;
// a step boundary: T is the first millisecond of a step
const T = Math.floor(Date.UTC(2026, 4, 1, 12, 0, 0) / STEP) * STEP;

describe('TOTP codes', () => {
  it('match otpauth TOTP over the prefix key (what the emulator generates)', () => {
    const reference = new TOTP({ secret: Secret.fromHex(DEFAULT_TEST_CARD.keyHex), algorithm: 'SHA256', digits: 3, period: 30 });
    for (const at of [0, T - 1, T, T + 29_999, T + 30_000, 1_700_000_000_000]) {
      expect(totpCode(card, at)).toBe(reference.generate({ timestamp: at }));
    }
    expect(totpCode(card, T)).toMatch(/^[0-9]{3}$/);
  });

  it('accept the current step and ±allowed steps, at both edges of a step', () => {
    const code = totpCode(card, T);
    // the same step: first and last millisecond
    expect(checkTotp(card, code, T, 1, 10)).toEqual({ result: 'valid', delta: 0 });
    expect(checkTotp(card, code, T + STEP - 1, 1, 10)).toEqual({ result: 'valid', delta: 0 });
    // one step later / earlier, at the edges
    expect(checkTotp(card, code, T + STEP, 1, 10)).toMatchObject({ result: 'valid' });
    expect(checkTotp(card, code, T + 2 * STEP - 1, 1, 10)).toMatchObject({ result: 'valid' });
    expect(checkTotp(card, code, T - 1, 1, 10)).toMatchObject({ result: 'valid' });
    expect(checkTotp(card, code, T - STEP, 1, 10)).toMatchObject({ result: 'valid' });
  });

  it('report stale beyond the allowed drift and invalid beyond the stale window', () => {
    // pick a time whose code collides with no step within ±12 of the check time (3 digits collide often)
    let at = T;
    const clean = (t: number): boolean => {
      const code = totpCode(card, t);
      for (let d = -12; d <= 12; d += 1) if (d !== 0 && totpCode(card, t + d * STEP) === code) return false;
      return true;
    };
    while (!clean(at)) at += STEP;
    const code = totpCode(card, at);
    expect(checkTotp(card, code, at + 2 * STEP, 1, 10)).toEqual({ result: 'stale', delta: -2 });
    expect(checkTotp(card, code, at - 2 * STEP, 1, 10)).toEqual({ result: 'stale', delta: 2 });
    expect(checkTotp(card, code, at + 2 * STEP - 1, 1, 10)).toMatchObject({ result: 'valid', delta: -1 });
    expect(checkTotp(card, code, at + 2 * STEP, 2, 10)).toMatchObject({ result: 'valid', delta: -2 });
    expect(checkTotp(card, code, at + 2 * STEP, 0, 0)).toEqual({ result: 'invalid' });
    expect(checkTotp(card, code, at + STEP, 0, 0)).toEqual({ result: 'invalid' });
    expect(checkTotp(card, code, at, 0, 0)).toEqual({ result: 'valid', delta: 0 });
    expect(checkTotp(card, 'abc', at, 1, 10)).toEqual({ result: 'invalid' });
    expect(checkTotp(card, '12', at, 1, 10)).toEqual({ result: 'invalid' });
  });

  it('prefers the exact step when a far step collides', () => {
    const code = totpCode(card, T);
    expect(checkTotp(card, code, T, 1, 120)).toEqual({ result: 'valid', delta: 0 });
  });
});

describe('BuiltinTotpVerifier', () => {
  const verifier = new BuiltinTotpVerifier(config, { now: () => T + 5_000, fingerprint: { terminalId: 'POS-7', hostname: 'till', platform: 'linux', arch: 'x64', cpu: 'cpu' } });

  it('verifies a scanned Koshelek Pay test card: loyalty + payment from one scan', () => {
    const code = composeBarcode({ card, cardNumber: '1234567890123', cardSession: 'OK0001', atMs: T });
    expect(verifier.verifyBarcode(code)).toMatchObject({
      ok: true, prefix: 'KP', loyaltyId: '1234567890123', payToken: 'OK0001', payReady: true, verified: true, totpDelta: 0,
    });
  });

  it('treats a card without cardSession as loyalty only', () => {
    const withTotp = composeBarcode({ card, cardNumber: '1234567890123', atMs: T });
    expect(verifier.verifyBarcode(withTotp)).toMatchObject({ ok: true, payReady: false, verified: true });
    expect(verifier.verifyBarcode('KP1234567890123')).toMatchObject({ ok: true, payReady: false, verified: false });
  });

  it('rejects a wrong TOTP and a stale one with their own keys', () => {
    // find a moment whose code collides with no other step near the check times (3 digits collide often)
    const collides = (code: string, center: number, skip: number): boolean => {
      for (let d = -12; d <= 12; d += 1) if (center + d * STEP !== skip && totpCode(card, center + d * STEP) === code) return true;
      return false;
    };
    let at = T;
    while (collides(totpCode(card, at), at, at) || collides(totpCode(card, at), at + 100 * STEP, -1)) at += STEP;
    const scanned = composeBarcode({ card, cardNumber: '1234567890123', cardSession: 'OK0001', atMs: at });
    expect(verifier.verifyBarcode(scanned, { nowMs: at + STEP })).toMatchObject({ ok: true, totpDelta: -1 });
    expect(verifier.verifyBarcode(scanned, { nowMs: at + 3 * STEP })).toMatchObject({ ok: false, reason: 'totp_stale', errorKey: 'barcode.totp_stale' });
    expect(verifier.verifyBarcode(scanned, { nowMs: at - 3 * STEP })).toMatchObject({ ok: false, reason: 'totp_stale' });
    expect(verifier.verifyBarcode(scanned, { nowMs: at + 100 * STEP })).toMatchObject({ ok: false, reason: 'totp_invalid', errorKey: 'barcode.totp_invalid' });
  });

  it('passes parse rejections through', () => {
    expect(verifier.verifyBarcode('XX1')).toMatchObject({ ok: false, reason: 'wrong_prefix', errorKey: 'barcode.wrong_prefix' });
  });

  it('builds the token header: base64 fingerprint + current TOTP digits', async () => {
    const token = await verifier.getToken();
    const decoded = decodeBuiltinToken(token, 3);
    expect(decoded).not.toBeNull();
    expect(decoded?.fields).toEqual(['till', 'linux', 'x64', 'cpu', 'POS-7', String(T + 5_000)]);
    expect(decoded?.totp).toBe(totpCode(card, T + 5_000));
    expect(token).toMatch(/^[A-Za-z0-9+/]+={0,2}[0-9]{3}$/);
    const provider = createBuiltinTokenProvider(config, { now: () => T, fingerprint: { terminalId: 'a;b' } });
    expect(decodeBuiltinToken(String(provider.getToken()), 3)?.fields).toContain('a,b');
  });

  it('token digits follow the clock across step edges (cached per step, never stale)', () => {
    let now = T - 1;
    const provider = createBuiltinTokenProvider(config, { now: () => now, fingerprint: { terminalId: 'POS-7' } });
    // Back and forth over two edges, and a clock set back: each token carries its own instant's code.
    for (const at of [T - 1, T, T + 1, T + STEP - 1, T + STEP, T - 1, T + 5 * STEP, T + 5 * STEP + 7]) {
      now = at;
      const decoded = decodeBuiltinToken(String(provider.getToken()), 3);
      expect(decoded?.totp).toBe(totpCode(card, at));
      expect(decoded?.fields.at(-1)).toBe(String(at));
    }
  });

  it('createTotpVerifier picks builtin, and refuses vendor without a library', async () => {
    expect((await createTotpVerifier(config)).kind).toBe('builtin');
    const vendorCfg = { ...config, verifier: 'vendor' as const };
    await expect(createTotpVerifier(vendorCfg)).rejects.toMatchObject({ name: 'PaydeskError', key: 'totp.vendor_unavailable' });
    const schema = totpConfigSchema.safeParse({ verifier: 'vendor' });
    expect(schema.success).toBe(false);
    expect(schema.error?.issues[0]?.path).toEqual(['vendorLibraryPath']);
  });
});

describe('clockDrift', () => {
  const now = Date.UTC(2026, 4, 1, 12, 0, 0);
  it('measures server minus till from a Date header and flags more than one step', () => {
    expect(clockDrift(new Date(now).toUTCString(), now, 30)).toEqual({ driftMs: 0, exceedsStep: false, stepMs: 30_000 });
    expect(clockDrift(new Date(now + 30_000).toUTCString(), now, 30)).toMatchObject({ driftMs: 30_000, exceedsStep: false });
    expect(clockDrift(new Date(now + 31_000).toUTCString(), now, 30)).toMatchObject({ driftMs: 31_000, exceedsStep: true, messageKey: 'clock.drift' });
    expect(clockDrift(new Date(now - 45_000).toUTCString(), now, 30)).toMatchObject({ driftMs: -45_000, exceedsStep: true });
    expect(clockDrift(new Date(now), now + 29_999, 30)).toMatchObject({ exceedsStep: false });
    expect(clockDrift('not a date', now, 30)).toBeNull();
  });
});
