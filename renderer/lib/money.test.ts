import { describe, expect, it } from 'vitest';
import { formatKop, formatMinor, parseQuantity, parseRublesToKop } from './money';

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

describe('cashier input checks', () => {
  it('refuses garbage amounts with a reason instead of 0,00 ₽', async () => {
    const { amountProblem } = await import('./money');
    expect(amountProblem('abc')).toBe('format');
    expect(amountProblem('-20')).toBe('negative');
    expect(amountProblem('12,345')).toBe('fraction');
    expect(amountProblem('0')).toBe('zero');
    expect(amountProblem('1 234,50')).toBeNull();
    expect(amountProblem('')).toBeNull();
  });
  it('weighed goods: kilograms to grams, total exactly per-kg price × weight', async () => {
    const { parseKilogramsToGrams, weighedLine, formatKilograms, lineTotalKop } = await import('./money');
    expect(parseKilogramsToGrams('0,350')).toBe(350);
    expect(parseKilogramsToGrams('0.5')).toBe(500);
    expect(parseKilogramsToGrams('1')).toBe(1000);
    expect(parseKilogramsToGrams('0,3505')).toBeNull();
    expect(parseKilogramsToGrams('0')).toBeNull();
    expect(parseKilogramsToGrams('abc')).toBeNull();
    for (const [perKg, grams] of [[89990, 350], [10001, 350], [49999, 1], [100000, 500], [1, 999]] as const) {
      const line = weighedLine(perKg, grams);
      expect(Number.isInteger(line.priceKop)).toBe(true);
      expect(line.discountKop).toBeGreaterThanOrEqual(0);
      expect(lineTotalKop(line.priceKop, line.quantity, line.discountKop)).toBe(Math.round((perKg * grams) / 1000));
    }
    expect(formatKilograms(350)).toBe('0,350');
  });
});

describe('money in the provider currency', () => {
  it('tenge, dollars and roubles keep the kopeck layout with their own sign; an unknown one shows its code', () => {
    expect(formatMinor(312_000, 'KZT')).toBe('3\u00a0120,00\u00a0₸');
    expect(formatMinor(4_999, 'USD')).toBe('49,99\u00a0$');
    expect(formatMinor(100, 'RUB')).toBe(formatKop(100));
    expect(formatMinor(-50, 'EUR')).toBe('−0,50\u00a0EUR');
  });
});
