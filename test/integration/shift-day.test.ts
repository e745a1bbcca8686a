// A till's day through the core: the first sale opens the shift, the X report carries every §7.2
// field of what really happened at the emulator, an unresolved payment blocks the close, and the
// Z report's reconciliation asks Koshelek about each transaction.
import { afterEach, describe, expect, it } from 'vitest';
import { card, orderId, slipRef as ref, startTill, type Till } from '../support/till';

let till: Till | null = null;
afterEach(async () => {
  await till?.close();
  till = null;
});

describe('shift day', () => {
  it('auto-opens, reports every field, blocks the close while a payment is open, reconciles at Z', async () => {
    till = await startTill({ timing: { finalStatusTimeoutMs: 1_500 } });
    const { checkout, shifts } = till.core;
    expect(shifts.current()).toBeNull();

    const sbp = await checkout.pay({ orderId: orderId(), amountKop: 25000, card: card('OK'), paymentType: 'SBP' });
    expect(shifts.current()?.status).toBe('open');
    const paid = await checkout.waitFinal(sbp.id, 10_000);
    expect(paid.shiftId).toBe(shifts.current()?.id);
    const refund = await checkout.refund({ paymentOperationId: paid.id, amountKop: 5000 });
    await checkout.waitFinal(refund.id, 10_000);
    const declined = await checkout.pay({ orderId: orderId(), amountKop: 7000, card: card('DC'), paymentType: 'SBP' });
    await checkout.waitFinal(declined.id, 10_000);

    // A customer who never confirms: the payment is open while we try to close.
    const slow = await checkout.pay({ orderId: orderId(), amountKop: 9900, card: card('SL'), paymentType: 'SBP' });
    expect(() => shifts.close('Менеджер')).toThrow(/shift\.unresolved_operations/);

    const x = shifts.xReport();
    expect(x.unresolved).toContain(slow.id);
    const line = x.operations.find((l) => l.id === paid.id);
    expect(line).toMatchObject({ orderId: paid.orderId, paymentTransactionId: paid.transactionId, requestId: paid.requestId, paymentType: 'SBP', refs: expect.objectContaining({ qrcId: ref(paid, 'qrcId'), kzo: ref(paid, 'kzo') }) });
    const refundLine = x.operations.find((l) => l.id === refund.id);
    expect(refundLine?.refundTransactionId).toBeTruthy();
    expect(x.currencies[0]!.totals.electronicInKop).toBe(25000);
    expect(x.currencies[0]!.totals.electronicOutKop).toBe(5000);
    expect(x.currencies[0]!.totals.electronicNetKop).toBe(20000);

    // The automatic cancel settles it; now the Z can be written, reconciled against Koshelek.
    expect((await checkout.waitFinal(slow.id, 10_000)).outcome).toBe('canceled');
    const z = await shifts.closeAndReconcile('Менеджер', till.core.statusLookup);
    expect(z.type).toBe('z');
    expect(z.zNumber).toBe(1);
    expect(z.unresolved).toEqual([]);
    expect(z.reconciliation?.differences).toEqual([]);
    expect(z.reconciliation?.matched).toBeGreaterThanOrEqual(3);
    expect(shifts.current()).toBeNull();

    // The next sale opens shift 2; the Z of shift 1 is stored and unchanged.
    const next = await checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    expect(next.shiftId).not.toBe(paid.shiftId);
    expect(shifts.zReport(1)?.currencies[0]?.totals.electronicNetKop).toBe(20000);
  });

  it('a refund in a later shift of a payment from an earlier one is shown as such', async () => {
    till = await startTill();
    const { checkout, shifts } = till.core;
    const pay = await checkout.pay({ orderId: orderId(), amountKop: 12000, card: card('OK'), paymentType: 'SBP' });
    await checkout.waitFinal(pay.id, 10_000);
    shifts.close('Менеджер');
    shifts.open('Кассир 2');
    const refund = await checkout.refund({ paymentOperationId: pay.id });
    expect((await checkout.waitFinal(refund.id, 10_000)).outcome).toBe('refunded');
    const x = shifts.xReport();
    expect(x.currencies[0]!.crossShiftRefunds).toEqual({ count: 1, amountKop: 12000 });
    expect(x.operations.find((l) => l.id === refund.id)?.crossShift).toBe(true);
  });
});
