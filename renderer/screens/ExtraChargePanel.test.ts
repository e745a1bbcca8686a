// What is left to charge after the basket grew: added lines minus the extra charges that took or may take money.
import { describe, expect, it } from 'vitest';
import type { OperationView } from '../../main/contract/checkout';
import { extraDueKop } from './ExtraChargePanel';

const charge = (amountKop: number, isFinal: boolean, outcome: OperationView['outcome']): OperationView => ({ amountKop, isFinal, outcome } as OperationView);

describe('extraDueKop', () => {
  const lines = [{ name: 'a', priceKop: 1_000, quantity: 2 }, { name: 'b', priceKop: 550, quantity: 1 }];
  it('the added lines, none charged yet', () => expect(extraDueKop(lines, [])).toBe(2_550));
  it('a running or paid charge counts; a failed one does not (the cashier may try again)', () => {
    expect(extraDueKop(lines, [charge(2_550, false, null)])).toBe(0);
    expect(extraDueKop(lines, [charge(2_000, true, 'paid')])).toBe(550);
    expect(extraDueKop(lines, [charge(2_550, true, 'failed')])).toBe(2_550);
  });
  it('never negative', () => expect(extraDueKop([], [charge(100, true, 'paid')])).toBe(0));
});
