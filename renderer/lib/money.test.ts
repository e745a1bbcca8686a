import { describe, expect, it } from 'vitest';
import { formatKop, parseQuantity, parseRublesToKop } from './money';

describe('money on screen', () => {
  it('parses rubles into kopecks without floats', () => {
    expect(parseRublesToKop('1234,5')).toBe(123450);
    expect(parseRublesToKop('0.07')).toBe(7);
    expect(parseRublesToKop('1 234')).toBe(123400);
    expect(parseRublesToKop('12,345')).toBeNull();
    expect(parseRublesToKop('abc')).toBeNull();
    expect(parseRublesToKop('')).toBeNull();
  });
  it('formats kopecks', () => {
    expect(formatKop(123450)).toBe('1\u00a0234,50\u00a0₽');
    expect(formatKop(7)).toBe('0,07\u00a0₽');
  });
  it('parses quantities', () => {
    expect(parseQuantity('250')).toBe(250);
    expect(parseQuantity('1,5')).toBeNull();
    expect(parseQuantity('0')).toBeNull();
  });
});
