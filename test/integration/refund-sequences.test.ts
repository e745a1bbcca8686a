// Idempotency per intent and refunds that can always finish (docs/safety.md, docs/koshelek-gaps.md):
// any sequence of partial refunds of an amount-only sale up to the paid amount passes the contract's
// quantity rules (enforced by the emulator across refunds); a repeat with other parameters is refused.
import { afterEach, describe, expect, it } from 'vitest';
import { card, orderId, startTill, type Till } from '../support/till';

let till: Till | null = null;
afterEach(async () => {
  await till?.close();
  till = null;
});

async function paid(t: Till, body: { amountKop?: number; lines?: { name: string; article: string; priceKop: number; quantity: number }[] }) {
  const op = await t.core.checkout.pay({ orderId: orderId(), ...body, card: card('OK'), paymentType: 'SBP' });
  const done = await t.core.checkout.waitFinal(op.id, 10_000);
  expect(done.outcome).toBe('paid');
  return done;
}

describe('amount-only sales: any sequence of partial refunds up to the paid amount', () => {
  it('three partial refunds by amount, then "refund the rest", all accepted by the contract; nothing more after', async () => {
    till = await startTill();
    const payment = await paid(till, { amountKop: 12345 });
    for (const amountKop of [1000, 2345, 1]) {
      const r = await till.core.checkout.refund({ paymentOperationId: payment.id, amountKop });
      const done = await till.core.checkout.waitFinal(r.id, 10_000);
      expect(done.outcome, `refund of ${amountKop}`).toBe('refunded');
    }
    const rest = await till.core.checkout.refund({ paymentOperationId: payment.id });
    expect((await till.core.checkout.waitFinal(rest.id, 10_000)).outcome).toBe('refunded');
    expect(rest.amountKop).toBe(12345 - 1000 - 2345 - 1);
    expect(till.emulator.transaction(payment.transactionId ?? '')).toMatchObject({ refunded: 12345, status: 'refunded' });
    await expect(till.core.checkout.refund({ paymentOperationId: payment.id, amountKop: 1 })).rejects.toMatchObject({ key: 'refund.exceeds_available' });
  });

  it('the emulator enforces returned quantities across refunds, as the reference writes them', async () => {
    till = await startTill();
    const payment = await paid(till, { lines: [{ name: 'Чай', article: 'TEA', priceKop: 5000, quantity: 2 }] });
    const refund = (quantity: number) => ({
      requestId: crypto.randomUUID(), storeId: 'store-test', terminalId: 'POS-T1', transactionId: payment.transactionId ?? '', refundAmount: 5000 * quantity, currency: 'RUB' as const,
      items: [{ name: 'Чай', article: 'TEA', price: 5000, quantity, measure: 'PIECE', totalAmount: 5000 * quantity, tax: 'vat20' }],
    });
    const client = new (await import('../../main/payapi/koshelek/client')).KoshelekClient({
      baseUrl: till.emulator.baseUrl, login: 'emulator', password: 'emulator', tokenProvider: { getToken: () => 'tok' }, requestTimeoutMs: 2_000, statusTimeoutMs: 1_000,
    });
    try {
      expect((await client.refund(refund(1))).kind).toBe('ok');
      // One left: returning two more is more than the quantity still there, although the money would fit.
      const tooMany = await client.refund({ ...refund(2), refundAmount: 5000 });
      expect(tooMany.kind).toBe('api_error');
      expect((await client.refund(refund(1))).kind).toBe('ok');
    } finally {
      client.close();
    }
  });
});

describe('idempotency per intent', () => {
  it('Pay pressed again for the same order is the same payment; the same order with another amount or card is refused', async () => {
    till = await startTill();
    const order = orderId();
    const c = card('OK');
    const first = await till.core.checkout.pay({ orderId: order, amountKop: 10000, card: c, paymentType: 'SBP' });
    const again = await till.core.checkout.pay({ orderId: order, amountKop: 10000, card: c, paymentType: 'SBP' });
    expect(again.id).toBe(first.id);
    await expect(till.core.checkout.pay({ orderId: order, amountKop: 20000, card: c, paymentType: 'SBP' })).rejects.toMatchObject({ key: 'payment.order_conflict' });
    await expect(till.core.checkout.pay({ orderId: order, amountKop: 10000, card: card('OK'), paymentType: 'SBP' })).rejects.toMatchObject({ key: 'payment.order_conflict' });
    expect((await till.core.checkout.waitFinal(first.id, 10_000)).outcome).toBe('paid');
    expect(till.emulator.stats().checkouts).toBe(1);
  });

  it('a refund key is one refund: a retry is the same refund, another amount with the same key is refused', async () => {
    till = await startTill();
    const payment = await paid(till, { amountKop: 10000 });
    const r = await till.core.checkout.refund({ paymentOperationId: payment.id, amountKop: 3000, clientRequestKey: 'intent-1' });
    const retry = await till.core.checkout.refund({ paymentOperationId: payment.id, amountKop: 3000, clientRequestKey: 'intent-1' });
    expect(retry.id).toBe(r.id);
    await expect(till.core.checkout.refund({ paymentOperationId: payment.id, amountKop: 4000, clientRequestKey: 'intent-1' })).rejects.toMatchObject({ key: 'refund.key_conflict' });
    expect((await till.core.checkout.waitFinal(r.id, 10_000)).outcome).toBe('refunded');
    expect(till.emulator.transaction(payment.transactionId ?? '')?.refunded).toBe(3000);
  });
});
