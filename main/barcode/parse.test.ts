import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { totpConfigSchema } from '../totp/config';
import { composeBarcode } from './compose';
import { MAX_BARCODE_LENGTH, parseBarcode } from './parse';

const config = totpConfigSchema.parse({});
const KP = config.cards[0]!;
const GS = '\u001d';

describe('parseBarcode: the test card layout (KP + 13 digits + 6 session + 3 TOTP = 24)', () => {
  it('splits a Koshelek Pay barcode', () => {
    expect(parseBarcode('KP1234567890123OK0001987', config)).toMatchObject({
      ok: true, prefix: 'KP', loyaltyId: '1234567890123', cardSession: 'OK0001', totp: '987', layout: 'fixed',
    });
  });

  it('keeps plain loyalty cards: number only, or number + TOTP', () => {
    const plain = parseBarcode('KP1234567890123', config);
    expect(plain).toMatchObject({ ok: true, loyaltyId: '1234567890123' });
    expect(plain.ok && plain.cardSession).toBeUndefined();
    expect(plain.ok && plain.totp).toBeUndefined();
    expect(parseBarcode('KP1234567890123456', config)).toMatchObject({ ok: true, loyaltyId: '1234567890123', totp: '456' });
  });

  it('strips scanner terminators but not GS', () => {
    expect(parseBarcode('KP1234567890123OK0001987\r\n', config)).toMatchObject({ ok: true, cardSession: 'OK0001' });
    expect(parseBarcode(` KP1234567890123OK0001987\t`, config)).toMatchObject({ ok: true });
  });

  it('names every rejection', () => {
    expect(parseBarcode('', config)).toMatchObject({ ok: false, reason: 'empty', errorKey: 'barcode.invalid' });
    expect(parseBarcode('\r\n', config)).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseBarcode('XX1234567890123OK0001987', config)).toMatchObject({ ok: false, reason: 'wrong_prefix', errorKey: 'barcode.wrong_prefix' });
    expect(parseBarcode('kp1234567890123OK0001987', config)).toMatchObject({ ok: false, reason: 'wrong_prefix' });
    expect(parseBarcode('KP1234567890123OK000198', config)).toMatchObject({ ok: false, reason: 'bad_length', errorKey: 'barcode.bad_length' });
    expect(parseBarcode('KP12345678901', config)).toMatchObject({ ok: false, reason: 'bad_length' });
    expect(parseBarcode('KP12345678901A3OK0001987', config)).toMatchObject({ ok: false, reason: 'bad_characters', errorKey: 'barcode.bad_characters' });
    expect(parseBarcode('KP1234567890123OK000198X', config)).toMatchObject({ ok: false, reason: 'bad_characters' });
    expect(parseBarcode('KP1234567890123OK-001987', config)).toMatchObject({ ok: false, reason: 'bad_characters' });
    expect(parseBarcode('KP1234567890123ЙK0001987', config)).toMatchObject({ ok: false, reason: 'bad_characters' });
    expect(parseBarcode(`KP1234567890123OK0001987${'1'.repeat(MAX_BARCODE_LENGTH)}`, config)).toMatchObject({ ok: false, reason: 'bad_length' });
  });

  it('supports the 2-D separated layout with a long cardSession', () => {
    const session = 'A'.repeat(20) + '0123456789AB';
    expect(parseBarcode(`KP1234567890123${GS}${session}${GS}123`, config)).toMatchObject({ ok: true, cardSession: session, totp: '123', layout: 'separated' });
    expect(parseBarcode(`KP1234567890123${GS}123`, config)).toMatchObject({ ok: true, totp: '123', layout: 'separated' });
    expect(parseBarcode(`KP1234567890123${GS}${GS}123`, config)).toMatchObject({ ok: true, totp: '123' });
    expect(parseBarcode(`KP1234567890123${GS}${'A'.repeat(33)}${GS}123`, config)).toMatchObject({ ok: false, reason: 'bad_length' });
    expect(parseBarcode(`KP1234567890123${GS}AB${GS}12${GS}3`, config)).toMatchObject({ ok: false, reason: 'bad_length' });
    expect(parseBarcode(`KP123456789012${GS}AB${GS}123`, config)).toMatchObject({ ok: false, reason: 'bad_length' });
  });

  it('supports a fixed-length 2-D session when configured, a no-TOTP issuer, and the longest prefix', () => {
    const cfg = totpConfigSchema.parse({
      cards: [
        { ...KP, cardSessionLengths: [6, 32] },
        { prefix: 'K', cardNumberLength: 10, acceptWithoutTotp: true },
        { prefix: 'L', keyHex: 'aabbccdd', cardNumberLength: 8, acceptWithoutTotp: false },
      ],
    });
    expect(parseBarcode(`KP1234567890123${'B'.repeat(32)}123`, cfg)).toMatchObject({ ok: true, cardSession: 'B'.repeat(32) });
    expect(parseBarcode('K1234567890', cfg)).toMatchObject({ ok: true, prefix: 'K', loyaltyId: '1234567890' });
    expect(parseBarcode('K1234567890123', cfg)).toMatchObject({ ok: false, reason: 'bad_length' });
    expect(parseBarcode('L12345678', cfg)).toMatchObject({ ok: false, reason: 'no_totp', errorKey: 'barcode.no_totp' });
    expect(parseBarcode('L12345678123', cfg)).toMatchObject({ ok: true, totp: '123' });
  });

  it('round-trips composeBarcode', () => {
    const at = Date.UTC(2026, 0, 1);
    const code = composeBarcode({ card: KP, cardNumber: '4000000000017', cardSession: 'LIM001', atMs: at });
    expect(code).toHaveLength(24);
    expect(parseBarcode(code, config)).toMatchObject({ ok: true, loyaltyId: '4000000000017', cardSession: 'LIM001' });
  });

  it('refuses ambiguous templates at config time', () => {
    expect(totpConfigSchema.safeParse({ cards: [{ ...KP, cardSessionLengths: [3, 6] }] }).success).toBe(true);
    expect(totpConfigSchema.safeParse({ cards: [{ ...KP, cardSessionLengths: [6, 6] }] }).success).toBe(false);
    expect(totpConfigSchema.safeParse({ cards: [KP, KP] }).success).toBe(false);
    expect(totpConfigSchema.safeParse({ separator: 'A' }).success).toBe(false);
  });
});

// An independent oracle of what may be accepted for the default config.
const ACCEPTABLE = new RegExp(`^KP[0-9]{13}(?:[0-9]{3}|[A-Za-z0-9]{6}[0-9]{3}|${GS}(?:[A-Za-z0-9]{0,32}${GS})?[0-9]{3})?$`);

describe('parseBarcode properties', () => {
  const alphabet = fc.constantFrom(...'KPkp0123456789ABCZaz-_ \r\n\t'.split(''), GS, 'Й', '\u0000', '\u007f', 'é');
  const noisy = fc.array(alphabet, { maxLength: 60 }).map((cs) => cs.join(''));
  const nearValid = fc.tuple(
    fc.constantFrom('KP', 'K', 'PK', 'kp', ''),
    fc.stringMatching(/^[0-9]{11,15}$/),
    fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Z0-9]{4,8}$/), fc.stringMatching(/^[A-Za-z0-9]{1,34}$/).map((s) => `${GS}${s}${GS}`)),
    fc.stringMatching(/^[0-9]{0,4}$/),
  ).map(([p, n, s, t]) => `${p}${n}${s}${t}`);
  const anyInput = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 80 }), noisy, nearValid);

  it('never throws and always names a known reason', () => {
    fc.assert(fc.property(anyInput, (raw) => {
      const result = parseBarcode(raw, config);
      if (!result.ok) {
        expect(['empty', 'wrong_prefix', 'bad_length', 'bad_characters', 'no_totp']).toContain(result.reason);
        expect(result.errorKey).toMatch(/^barcode\./);
        expect(result.detail.length).toBeGreaterThan(0);
      }
    }), { numRuns: 3000 });
  });

  it('never accepts a malformed value, and accepts every well-formed one', () => {
    fc.assert(fc.property(anyInput, (raw) => {
      const trimmed = raw.replace(/^[\r\n\t ]+|[\r\n\t ]+$/g, '');
      expect(parseBarcode(raw, config).ok).toBe(ACCEPTABLE.test(trimmed));
    }), { numRuns: 5000 });
  });

  it('recovers exactly the composed fields', () => {
    fc.assert(fc.property(
      fc.stringMatching(/^[0-9]{13}$/), fc.option(fc.stringMatching(/^[A-Z0-9]{6}$/), { nil: undefined }), fc.integer({ min: 0, max: 2 ** 41 }),
      (number, session, at) => {
        const result = parseBarcode(composeBarcode({ card: KP, cardNumber: number, atMs: at, ...(session ? { cardSession: session } : {}) }), config);
        expect(result).toMatchObject({ ok: true, loyaltyId: number });
        expect(result.ok && result.cardSession).toBe(session ?? undefined);
      },
    ), { numRuns: 500 });
  });
});
