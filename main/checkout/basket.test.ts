import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PaydeskError } from '../errors/catalogue';
import { planRefund, planSale, type PlannedLine } from './basket';

describe('planSale', () => {
  it('amount only → one line of that amount', () => {
    const b = planSale({ amountKop: 15000 });
    expect(b.amountKop).toBe(15000);
    expect(b.lines).toHaveLength(1);
    expect(b.lines[0]?.totalKop).toBe(15000);
  });
  it('lines → their total; a differing amount is refused', () => {
    const lines = [{ name: 'Хлеб', article: 'B', priceKop: 4500, quantity: 2, discountKop: 500 }, { name: 'Сыр', article: 'C', priceKop: 3, quantity: 250, measure: 'GRAM' }];
    expect(planSale({ lines }).amountKop).toBe(4500 * 2 - 500 + 750);
    expect(() => planSale({ lines, amountKop: 1 })).toThrow(PaydeskError);
    expect(() => planSale({ lines: [{ name: 'x', article: 'x', priceKop: 100, quantity: 1.5 }] })).toThrow(/whole/);
    expect(() => planSale({ amountKop: 0 })).toThrow(PaydeskError);
  });
});

describe('planRefund', () => {
  const paid: PlannedLine[] = [
    { lineNo: 0, name: 'A', article: 'A', priceKop: 1000, quantity: 3, measure: 'PIECE', subtotalKop: 3000, discountKop: 300, totalKop: 2700, tax: 'vat20' },
    { lineNo: 1, name: 'Сыр', article: 'C', priceKop: 3, quantity: 250, measure: 'GRAM', subtotalKop: 750, discountKop: 0, totalKop: 750, tax: 'vat10' },
  ];
  const total = 3450;

  it('full refund returns every line', () => {
    expect(planRefund(paid, total, total, [], {}).amountKop).toBe(total);
  });
  it('per line: a part of a piece line is a proportional share; measure lines only whole', () => {
    expect(planRefund(paid, total, total, [], { lines: [{ lineNo: 0, quantity: 1 }] }).amountKop).toBe(900);
    expect(() => planRefund(paid, total, total, [], { lines: [{ lineNo: 1, quantity: 100 }] })).toThrow(/whole/);
    expect(planRefund(paid, total, total, [], { lines: [{ lineNo: 1, quantity: 250 }] }).amountKop).toBe(750);
  });
  it('refuses more than what is left, counting earlier refunds', () => {
    const earlier = [{ ...paid[0]!, quantity: 2, totalKop: 1800 }];
    expect(() => planRefund(paid, total, total - 1800, earlier, { lines: [{ lineNo: 0, quantity: 2 }] })).toThrow(PaydeskError);
    expect(() => planRefund(paid, total, 100, [], { amountKop: 101 })).toThrow(PaydeskError);
  });
  it('property: a sequence of partial refunds never exceeds the payment', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 6 }), (quantities) => {
      let refunded = 0;
      const done: PlannedLine[] = [];
      for (const q of quantities) {
        try {
          const plan = planRefund(paid, total, total - refunded, done, { lines: [{ lineNo: 0, quantity: q }] });
          refunded += plan.amountKop;
          done.push(...plan.lines);
        } catch (error) {
          expect(error).toBeInstanceOf(PaydeskError);
        }
      }
      expect(refunded).toBeLessThanOrEqual(2700);
      expect(done.reduce((s, l) => s + l.quantity, 0)).toBeLessThanOrEqual(3);
    }));
  });
});
