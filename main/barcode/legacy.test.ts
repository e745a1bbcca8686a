import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { totpConfigSchema } from '../totp/config';
import { BuiltinTotpVerifier } from '../totp/verifier';
import { scannerConfigSchema } from '../scanner/config';
import { createScanHub } from '../scanner/hub';
import { gs1CheckDigitOk, legacyCardRuleSchema, luhnOk, matchLegacyCard } from './legacy';

/** EAN-13 check digit computed the textbook way (independent of gs1CheckDigitOk's loop). */
function ean13(first12: string): string {
  const digits = [...first12].map(Number);
  const sum = digits.reduce((s, d, i) => s + d * (i % 2 === 0 ? 1 : 3), 0);
  return `${first12}${(10 - (sum % 10)) % 10}`;
}

const storeEan = legacyCardRuleSchema.parse({ name: 'ean13-store', lengths: [13], ranges: [{ from: '2000', to: '2099' }], checkDigit: 'gs1' });
const code39 = legacyCardRuleSchema.parse({ name: 'code39-old', lengths: [10], prefixes: ['77'] });

describe('legacy store cards', () => {
  it('EAN-13 in the configured range with a right check digit; the whole number is the loyaltyId', () => {
    expect(ean13('460000012345')).toBe('4600000123455');
    expect(gs1CheckDigitOk('4600000123455')).toBe(true);
    expect(gs1CheckDigitOk('4600000123454')).toBe(false);
    expect(luhnOk('79927398713')).toBe(true);
    expect(matchLegacyCard(ean13('200012345678'), [storeEan])?.name).toBe('ean13-store');
    expect(matchLegacyCard(ean13('210012345678'), [storeEan])).toBeNull(); // outside the range
    expect(matchLegacyCard(ean13('460000012345'), [storeEan])).toBeNull(); // a product barcode
    expect(matchLegacyCard('2000123456780', [storeEan])).toBe(ean13('200012345678') === '2000123456780' ? storeEan : null);
    expect(matchLegacyCard('7712345678', [storeEan, code39])?.name).toBe('code39-old');
    expect(matchLegacyCard('7812345678', [storeEan, code39])).toBeNull();
  });

  it('property: any 12 digits in range + their check digit match; any other last digit does not', () => {
    fc.assert(fc.property(fc.integer({ min: 2000, max: 2099 }), fc.stringMatching(/^[0-9]{8}$/), fc.integer({ min: 1, max: 9 }), (head, tail, off) => {
      const good = ean13(`${head}${tail}`);
      expect(matchLegacyCard(good, [storeEan])).toBe(storeEan);
      const bad = `${good.slice(0, 12)}${(Number(good.charAt(12)) + off) % 10}`;
      expect(matchLegacyCard(bad, [storeEan])).toBeNull();
    }));
  });

  it('the hub accepts a legacy card for loyalty only, keeps Koshelek cards first, and never turns a failed TOTP card into a legacy one', async () => {
    const verifier = new BuiltinTotpVerifier(totpConfigSchema.parse({}), { now: () => 1_764_000_000_000 });
    // a TOTP that matches no step near this fixed clock (found, not assumed)
    const wrongTotp = Array.from({ length: 1000 }, (_, i) => `KP1234567890123OK0001${String(i).padStart(3, '0')}`)
      .find((b) => { const r = verifier.verifyBarcode(b); return !r.ok && r.reason === 'totp_invalid'; }) ?? '';
    const hub = createScanHub(scannerConfigSchema.parse({ legacyCards: [storeEan, legacyCardRuleSchema.parse({ name: 'kp-lookalike', lengths: [24], charset: 'alnum', prefixes: ['KP'] })] }), verifier);
    try {
      const card = ean13('200055566677');
      expect((await hub.submitWedge(card)).parsed).toEqual({ ok: true, prefix: '', loyaltyId: card, payReady: false, verified: false, legacy: 'ean13-store' });
      expect((await hub.submitWedge(`]E0${card}`))).toMatchObject({ aim: ']E0', symbology: 'ean13', parsed: { ok: true, loyaltyId: card } });
      expect((await hub.submitWedge(ean13('460000012345'))).parsed).toMatchObject({ ok: false, reason: 'wrong_prefix' });
      // a KP card whose TOTP is wrong stays refused even though a rule would match its shape
      expect((await hub.submitWedge(wrongTotp)).parsed).toMatchObject({ ok: false, reason: 'totp_invalid' });
      const none = createScanHub(scannerConfigSchema.parse({}), verifier);
      expect((await none.submitWedge(card)).parsed).toMatchObject({ ok: false, reason: 'wrong_prefix' });
      await none.stop();
    } finally {
      await hub.stop();
    }
  });
});
