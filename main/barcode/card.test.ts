import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsedScanOkSchema, parsedScanSchema } from '../contract/scan';
import { totpConfigSchema } from '../totp/config';
import { BuiltinTotpVerifier } from '../totp/verifier';
import { mapVendorResult } from '../../native/passcode-verify/loader';
import { toScannedCard } from './card';
import { composeBarcode } from './compose';

const NEUTRAL_KEYS = new Set(Object.keys(parsedScanOkSchema.shape));

describe('toScannedCard: the one mapping onto the scan contract', () => {
  it('a verified card with a session becomes payToken + payReady, nothing provider-named', () => {
    const card = toScannedCard({ prefix: 'KP', loyaltyId: '1234567890123', cardSession: 'OK0001', totp: '042' }, { verified: true, totpDelta: -1 });
    expect(card).toEqual({ ok: true, prefix: 'KP', loyaltyId: '1234567890123', payToken: 'OK0001', totp: '042', payReady: true, verified: true, totpDelta: -1 });
    expect(parsedScanOkSchema.parse(card)).toEqual(card);
  });

  it('payReady needs a token, a verified TOTP and (vendor) a usable session', () => {
    const reading = { prefix: 'KP', loyaltyId: '1234567890123', cardSession: 'OK0001' };
    expect(toScannedCard(reading, { verified: false })).toMatchObject({ ok: true, payToken: 'OK0001', payReady: false, verified: false });
    expect(toScannedCard(reading, { verified: true, sessionUsable: false })).toMatchObject({ ok: true, payToken: 'OK0001', payReady: false });
    const plain = toScannedCard({ prefix: 'KP', loyaltyId: '1234567890123', cardSession: '' }, { verified: true });
    expect(plain).toEqual({ ok: true, prefix: 'KP', loyaltyId: '1234567890123', payReady: false, verified: true });
    expect(toScannedCard({ prefix: '', loyaltyId: '2000555666771' }, { verified: false, legacy: 'ean13-store' }))
      .toEqual({ ok: true, prefix: '', loyaltyId: '2000555666771', payReady: false, verified: false, legacy: 'ean13-store' });
  });

  it('refuses fields outside the card format instead of passing them on', () => {
    const ok = { prefix: 'KP', loyaltyId: '1234567890123' };
    const cases: [Parameters<typeof toScannedCard>[0], string][] = [
      [{ ...ok, cardSession: 'A'.repeat(33) }, 'bad_length'],
      [{ ...ok, cardSession: 'OK 001' }, 'bad_characters'],
      [{ ...ok, cardSession: 'OK0001\u0000' }, 'bad_characters'],
      [{ ...ok, cardSession: 'ОК0001' }, 'bad_characters'], // Cyrillic look-alikes
      [{ ...ok, loyaltyId: '' }, 'bad_length'],
      [{ ...ok, loyaltyId: '1'.repeat(37) }, 'bad_length'],
      [{ ...ok, loyaltyId: '1234\n567' }, 'bad_characters'],
      [{ ...ok, prefix: 'KPX' }, 'bad_characters'],
      [{ ...ok, totp: '12a' }, 'bad_characters'],
      [{ ...ok, totp: '1'.repeat(11) }, 'bad_characters'],
    ];
    for (const [reading, reason] of cases) {
      expect(toScannedCard(reading, { verified: true }), JSON.stringify(reading)).toMatchObject({ ok: false, reason });
    }
    // the longest allowed values still pass
    expect(toScannedCard({ ...ok, loyaltyId: '1'.repeat(36), cardSession: 'Z'.repeat(32) }, { verified: true })).toMatchObject({ ok: true, payReady: true });
  });

  it('a hostile vendor answer (another program made it) never becomes a card with a bad token', () => {
    const base = { resultCode: 'CARDSESSION_AVAILABLE', totpCodeValid: true, prefix: 'KP', cardNumber: '1234567890123' };
    expect(mapVendorResult({ ...base, cardSession: 'X'.repeat(500) })).toMatchObject({ ok: false, reason: 'bad_length' });
    expect(mapVendorResult({ ...base, cardSession: '"; DROP TABLE operations; --' })).toMatchObject({ ok: false, reason: 'bad_characters' });
    expect(mapVendorResult({ ...base, cardNumber: '<script>' })).toMatchObject({ ok: false, reason: 'bad_characters' });
    expect(mapVendorResult({ ...base, cardSession: 'OK0001' })).toEqual({ ok: true, prefix: 'KP', loyaltyId: '1234567890123', payToken: 'OK0001', payReady: true, verified: true });
    expect(mapVendorResult({ ...base, resultCode: 'CARDSESSION_NOT_AVAILABLE', cardSession: 'OK0001' })).toMatchObject({ ok: true, payToken: 'OK0001', payReady: false });
  });

  it('property: every accepted scan of the built-in verifier has only contract keys and satisfies the schema', () => {
    const config = totpConfigSchema.parse({ cards: [{ prefix: 'KP', keyHex: '4b6f7368656c656b5465737443617264', cardSessionLengths: [6, 32] }] });
    const at = 1_764_000_000_000;
    const verifier = new BuiltinTotpVerifier(config, { now: () => at });
    const card = config.cards[0];
    if (!card) throw new Error('no card');
    fc.assert(fc.property(
      fc.stringMatching(/^[0-9]{13}$/),
      fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{6}$/), fc.stringMatching(/^[A-Za-z0-9]{32}$/), fc.stringMatching(/^[A-Za-z0-9]{1,32}$/)), { nil: undefined }),
      fc.boolean(), fc.boolean(),
      (number, session, withTotp, separated) => {
        const raw = composeBarcode({ card, cardNumber: number, atMs: at, withTotp, ...(session ? { cardSession: session } : {}), ...(separated && withTotp ? { separator: config.separator } : {}) });
        const result = verifier.verifyBarcode(raw);
        expect(parsedScanSchema.safeParse(result).success).toBe(true);
        if (!result.ok) return; // a session length the fixed layout does not know is refused; never half-accepted
        for (const key of Object.keys(result)) expect(NEUTRAL_KEYS.has(key), key).toBe(true);
        // without a TOTP part the card carries no token the fixed layout can tell apart: loyalty only
        expect(result.payToken).toBe(withTotp ? session : undefined);
        expect(result.payReady).toBe(withTotp && session !== undefined);
      },
    ), { numRuns: 400 });
  });
});
