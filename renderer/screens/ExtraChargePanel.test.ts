// What is left to charge after the basket grew: added lines minus the extra charges that took or may take money.
import { describe, expect, it } from 'vitest';
import type { OperationView } from '../../main/contract/checkout';
import { EXTRA_BUSY_HINT, extraChargeBusy, extraDueKop } from './ExtraChargePanel';

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

describe('extraChargeBusy (blocks F10 / new sale like a running payment)', () => {
  it('busy while the request is on its way, before any operation exists', () => expect(extraChargeBusy(true, [])).toBe(true));
  it('busy while any charge it started is not final', () => {
    expect(extraChargeBusy(false, [charge(100, true, 'paid'), charge(200, false, null)])).toBe(true);
  });
  it('free with nothing started, or once every charge ended (paid or not)', () => {
    expect(extraChargeBusy(false, [])).toBe(false);
    expect(extraChargeBusy(false, [charge(100, true, 'paid'), charge(200, true, 'failed')])).toBe(false);
  });
  it('the hint is Russian for the cashier', () => expect(EXTRA_BUSY_HINT.ru).toMatch(/доплата/i));
});
