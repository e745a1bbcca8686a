// During an outage the till tells the truth and is never frozen (docs/safety.md): an unanswered payment is
// "unknown", a cancel can always be requested (queued), the payment can be parked so the next customer is
// served, parked payments stay visible and are resolved in the background, and the availability step ends.
import { afterEach, describe, expect, it } from 'vitest';
import { card, orderId, startTill, type Till } from '../support/till';

let till: Till | null = null;
afterEach(async () => {
  await till?.close();
  till = null;
});

async function eventually(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Pay API outage during a payment', () => {
  it('unknown outcome is said as such; cancel is queued; the payment can be parked and is resolved in the background', async () => {
    till = await startTill({ timing: { checkoutAttempts: 2, backgroundRetryMs: 500, requestTimeoutMs: 300 } });
    const c = card('OK');
    till.emulator.injectFault({ endpoint: 'checkout', kind: 'drop_before_process', times: 1000, match: { cardSession: c.cardSession } });
    const checkout = till.core.checkout;
    const op = await checkout.pay({ orderId: orderId(), amountKop: 10000, card: c, paymentType: 'SBP' });
    await eventually(() => checkout.get(op.id)?.phase === 'resolving_checkout');
    const unknown = checkout.get(op.id);
    expect(unknown?.outcomeUnknown).toBe(true);
    expect(unknown?.error?.ru).toMatch(/неизвестен/);
    expect(unknown?.error?.ru).not.toMatch(/Выберите другой способ/);
    // The cashier can always ask for the cancel: queued until Koshelek answers.
    expect(unknown?.cancellable).toBe(true);
    await checkout.cancel(op.id);
    await eventually(() => checkout.get(op.id)?.cancelQueued === true);
    // …and park it to serve the next customer.
    const parked = await checkout.park(op.id);
    await eventually(() => checkout.get(op.id)?.parked === true);
    expect(parked.isFinal).toBe(false);
    expect(checkout.parkedSummary()).toEqual({ open: 1, endedPaid: 0 });
    // The next customer pays meanwhile.
    const next = await checkout.pay({ orderId: orderId(), amountKop: 5000, card: card('OK'), paymentType: 'SBP' });
    expect((await checkout.waitFinal(next.id, 10_000)).outcome).toBe('paid');
    // The outage ends: the parked payment is resolved (same requestId) and cancelled; nothing charged.
    till.emulator.clearFaults();
    const done = await checkout.waitFinal(op.id, 15_000);
    expect(done.outcome).toBe('canceled');
    expect(done.parked).toBe(true);
    expect(checkout.parkedSummary()).toEqual({ open: 0, endedPaid: 0 });
    expect(till.emulator.transaction(done.transactionId ?? '')?.status).toBe('canceled');
  });

  it('a parked payment that ends paid after the customer left is flagged for the manager', async () => {
    till = await startTill({ emulator: { confirmDelayMs: 800 }, timing: { finalStatusTimeoutMs: 20_000 } });
    const checkout = till.core.checkout;
    const op = await checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    await checkout.park(op.id);
    const done = await checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('paid');
    expect(done.error?.key).toBe('payment.parked_paid');
    expect(checkout.parkedSummary()).toEqual({ open: 0, endedPaid: 1 });
  });
});

describe('availability during an outage', () => {
  it('one lost answer is retried; a lasting outage ends with a clear next step, not an endless wait', async () => {
    till = await startTill({ timing: { requestTimeoutMs: 300 } });
    till.emulator.injectFault({ endpoint: 'availability', kind: 'drop_before_process', times: 1 });
    const once = await till.core.checkout.availability({ orderId: orderId(), amountKop: 10000, card: card('OK') });
    expect(once.methods.length).toBeGreaterThan(0);
    till.emulator.injectFault({ endpoint: 'availability', kind: 'delay', delayMs: 5_000, times: 2 });
    const started = Date.now();
    await expect(till.core.checkout.availability({ orderId: orderId(), amountKop: 10000, card: card('OK') })).rejects.toMatchObject({ key: 'availability.unavailable' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
