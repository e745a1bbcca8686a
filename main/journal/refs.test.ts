import { describe, expect, it } from 'vitest';
import { decodeSlipRefs, encodeSlipRefs, SlipRefsError } from './refs';

describe('slip refs (refs_json)', () => {
  it('leaves out null and undefined ids, keeps empty strings, leading zeros, quotes, Cyrillic and key order', () => {
    const text = encodeSlipRefs({ beta: '0042', alpha: null, gamma: undefined, delta: '', quote: 'a"b\\c\n', name: 'Ж-1' });
    expect(text).toBe('{"beta":"0042","delta":"","quote":"a\\"b\\\\c\\n","name":"Ж-1"}');
    expect(decodeSlipRefs(text)).toEqual({ beta: '0042', delta: '', quote: 'a"b\\c\n', name: 'Ж-1' });
    expect(encodeSlipRefs({})).toBe('{}');
    expect(decodeSlipRefs(null)).toEqual({});
  });

  it('a key named __proto__ is refused both ways, never silently dropped', () => {
    expect(() => encodeSlipRefs(JSON.parse('{"__proto__":"x","id":"1"}') as Record<string, string>)).toThrow(/__proto__/);
    expect(() => decodeSlipRefs('{"__proto__":"x","id":"1"}')).toThrow(/__proto__/);
  });

  it('refuses anything but an object of strings, saying what is wrong', () => {
    for (const bad of ['', 'not json', '[]', '"x"', 'null', '{"a":1}', '{"a":null}', '{"a":{"b":"c"}}', '{"":"x"}']) {
      expect(() => decodeSlipRefs(bad), bad).toThrow(SlipRefsError);
    }
    expect(() => decodeSlipRefs('{"a":1}')).toThrow(/a: /);
  });
});
