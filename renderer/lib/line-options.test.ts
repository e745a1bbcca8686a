import { describe, expect, it } from 'vitest';
import { measureOptions, preferredOf, WEIGHED } from './line-options';

describe('measureOptions', () => {
  it('keeps config order and offers KILOGRAM as the weighed choice when grams are allowed', () => {
    expect(measureOptions(['PIECE', 'GRAM', 'KILOGRAM', 'LITER'])).toEqual(['PIECE', 'GRAM', WEIGHED, 'LITER']);
  });
  it('adds the weighed choice after GRAM when KILOGRAM is not listed', () => {
    expect(measureOptions(['GRAM', 'PIECE'])).toEqual(['GRAM', WEIGHED, 'PIECE']);
  });
  it('keeps KILOGRAM as a plain measure without GRAM (the weighed line needs grams)', () => {
    expect(measureOptions(['PIECE', 'KILOGRAM'])).toEqual(['PIECE', 'KILOGRAM']);
  });
  it('offers nothing weighed for a list without weights, and nothing for an empty list', () => {
    expect(measureOptions(['PIECE', 'OTHER'])).toEqual(['PIECE', 'OTHER']);
    expect(measureOptions([])).toEqual([]);
  });
});

describe('preferredOf', () => {
  it('keeps the preferred value when allowed or while nothing is known, else takes the first', () => {
    expect(preferredOf(['vat0', 'vat20'], 'vat20')).toBe('vat20');
    expect(preferredOf([], 'vat20')).toBe('vat20');
    expect(preferredOf(['none', 'vat10'], 'vat20')).toBe('none');
  });
});
