import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, CanonicalJsonError } from './canonical';

describe('canonical JSON', () => {
  it('matches RFC 8785 test vectors for key order and string escaping', () => {
    // RFC 8785 §3.2.3 sorting example (keys compared as UTF-16 code units), numbers left out (integers only here).
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(canonicalize({ b: [1, { d: true, c: null }], a: 'x\u0001"\\' })).toBe('{"a":"x\\u0001\\"\\\\","b":[1,{"c":null,"d":true}]}');
  });

  it('does not depend on insertion order and round-trips through JSON.parse', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.maxSafeInteger(), fc.string({ unit: 'grapheme' }), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 })),
    })).value;
    fc.assert(fc.property(json, (v) => {
      const text = canonicalize(v);
      expect(canonicalize(JSON.parse(text))).toBe(text);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const reversed = Object.fromEntries(Object.entries(v).reverse());
        expect(canonicalize(reversed)).toBe(text);
      }
    }));
  });

  it('refuses floats, non-finite numbers, lone surrogates and class instances', () => {
    expect(() => canonicalize({ a: 1.5 })).toThrow(CanonicalJsonError);
    expect(() => canonicalize(Number.NaN)).toThrow(CanonicalJsonError);
    expect(() => canonicalize('\ud800')).toThrow(CanonicalJsonError);
    expect(() => canonicalize(new Date(0))).toThrow(CanonicalJsonError);
    expect(() => canonicalize(10n)).toThrow(CanonicalJsonError);
  });
});
