// The checkout spine end to end: real core, real SQLite file, real emulator over loopback HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { card, orderId, slipRef as ref, startTill, type Till } from '../support/till';

let till: Till | null = null;
afterEach(async () => {
  await till?.close();
  till = null;
});

const checkoutsOf = (t: Till) => t.emulator.received.filter((r) => r.endpoint === 'checkout');

describe('payment', () => {
  it('SBP sale: availability says default → checkout → accepted with qrcId and kzo journaled', async () => {
    till = await startTill();
    const c = card('OK');
    const order = orderId();
    const availability = await till.core.checkout.availability({ orderId: order, amountKop: 15000, card: c });
    expect(availability.providerIsDefault).toBe(true);
    expect(availability.autoStart).toBe('SBP');
    const started = await till.core.checkout.pay({ orderId: order, amountKop: 15000, card: c, paymentType: 'SBP' });
    expect(started.isFinal).toBe(false);
    const done = await till.core.checkout.waitFinal(started.id, 10_000);
    expect(done.outcome).toBe('paid');
    expect(ref(done, 'qrcId')).toBeTruthy();
    expect(ref(done, 'kzo')).toBeTruthy();
    expect(done.slip?.paymentTransactionId).toBe(done.transactionId);
    const checkout = checkoutsOf(till)[0];
    expect(checkout?.headers.token).toBeTruthy();
    expect(checkout?.headers.authorization).not.toContain('emulator'); // redacted by the emulator's recorder, never our concern to print
    expect(checkout?.body).toMatchObject({ storeId: 'store-test', terminalId: 'POS-T1', checkoutInvoice: { totalAmount: 15000, orderId: order } });
    // The report fields are queryable columns.
    const row = till.core.journal.sqlite.prepare('SELECT o.order_id, o.request_id, o.payment_type, json_extract(s.refs_json, \'$.qrcId\') AS qrc_id, json_extract(s.refs_json, \'$.kzo\') AS kzo, s.payment_transaction_id FROM operations o JOIN slips s ON s.operation_id = o.id WHERE o.id = ?').get(started.id) as Record<string, string>;
    expect(row).toMatchObject({ order_id: order, request_id: started.requestId, payment_type: 'SBP' });
    expect(row.qrc_id).toBe(ref(done, 'qrcId'));
    // No poller is left running once the flow ends.
    const polls = till.emulator.received.length;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(till.emulator.received.length).toBe(polls);
  });

  it('Dolyame sale: no qrcId/kzo, paymentType DOLYAME', async () => {
    till = await startTill();
    const c = card('DL');
    const order = orderId();
    const availability = await till.core.checkout.availability({ orderId: order, amountKop: 500000, card: c });
    expect(availability.methods.find((m) => m.paymentType === 'SBP')?.available).toBe(false);
    const op = await till.core.checkout.pay({ orderId: order, amountKop: 500000, card: c, paymentType: 'DOLYAME' });
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('paid');
    expect(done.paymentType).toBe('DOLYAME');
    expect(ref(done, 'qrcId')).toBeNull();
  });

  it('Pay pressed twice is one payment: same operation, one checkout on the wire', async () => {
    till = await startTill();
    const c = card('OK');
    const order = orderId();
    const input = { orderId: order, amountKop: 20000, card: c, paymentType: 'SBP' };
    const [a, b] = await Promise.all([till.core.checkout.pay(input), till.core.checkout.pay(input)]);
    expect(b.id).toBe(a.id);
    const done = await till.core.checkout.waitFinal(a.id, 10_000);
    expect(done.outcome).toBe('paid');
    const again = await till.core.checkout.pay(input);
    expect(again.id).toBe(a.id);
    expect(checkoutsOf(till)).toHaveLength(1);
    expect(till.emulator.stats().transactions).toBe(1);
  });

  it('customer declines → rejected with the catalogue instruction', async () => {
    till = await startTill();
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 30000, card: card('DC'), paymentType: 'SBP' });
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('rejected');
    expect(done.error?.key).toBe('koshelek.PAYMENT_DECLINED_BY_EXTERNAL_PROVIDER');
    expect(done.error?.ru).toMatch(/другой способ/);
    expect(done.error?.action).toBe('other_method');
  });

  it('below 4 ₽ → TOTAL_AMOUNT_IS_TOO_SMALL', async () => {
    till = await startTill();
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 399, card: card('OK'), paymentType: 'SBP' });
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('rejected');
    expect(done.error?.key).toBe('koshelek.TOTAL_AMOUNT_IS_TOO_SMALL');
  });

  it('unknown session (422) → failed, cashier asked to rescan', async () => {
    till = await startTill();
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('BD'), paymentType: 'SBP' });
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('failed');
    expect(done.error?.action).toBe('rescan');
  });

  it('no final status within the limit → automatic cancel', async () => {
    till = await startTill({ timing: { finalStatusTimeoutMs: 1_000 } });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('SL'), paymentType: 'SBP' });
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('canceled');
    expect(done.error?.key).toBe('payment.auto_canceled_timeout');
    expect(till.emulator.transaction(done.transactionId ?? '')?.status).toBe('canceled');
    const cancels = till.core.checkout.query({ orderId: done.orderId, kind: 'cancel' });
    expect(cancels).toHaveLength(1);
    expect(cancels[0]?.outcome).toBe('canceled');
    expect(cancels[0]?.refTransactionId).toBeTruthy();
    // First poll not earlier than 250 ms after the checkout answer; polls at least 250 ms apart.
    const times = till.emulator.received.filter((r) => r.endpoint === 'status').map((r) => Number(r.arrivalNs / 1_000_000n));
    for (let i = 1; i < times.length; i += 1) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(240);
  });

  it('cashier cancel while the customer has not confirmed', async () => {
    till = await startTill({ emulator: { confirmDelayMs: 5_000 } });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    await waitFor(() => till?.core.checkout.get(op.id)?.phase === 'awaiting_status');
    await till.core.checkout.cancel(op.id);
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('canceled');
    expect(done.error).toBeNull();
  });

  it('a cancel refused because the customer already paid: the payment counts', async () => {
    till = await startTill({ emulator: { confirmDelayMs: 0 }, timing: { firstPollMs: 500, pollIntervalMs: 5_000 } });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    await waitFor(() => till?.core.checkout.get(op.id)?.phase === 'awaiting_status');
    await till.core.checkout.cancel(op.id);
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('paid');
    expect(done.error?.key).toBe('payment.cancel_declined_paid');
    expect(ref(done, 'qrcId')).toBeTruthy();
    expect(till.core.checkout.query({ orderId: done.orderId, kind: 'cancel' })[0]?.outcome).toBe('cancel_rejected');
  });

  it('lost response (processed, connection dropped) on a reused socket → same requestId again, one transaction', async () => {
    till = await startTill();
    const c = card('OK');
    const order = orderId();
    await till.core.checkout.availability({ orderId: order, amountKop: 10000, card: c }); // the connection is now warm
    till.emulator.injectFault({ endpoint: 'checkout', kind: 'drop_after_process', times: 1 });
    const op = await till.core.checkout.pay({ orderId: order, amountKop: 10000, card: c, paymentType: 'SBP' });
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('paid');
    const checkouts = checkoutsOf(till);
    expect(checkouts.length).toBe(2);
    expect(new Set(checkouts.map((r) => r.requestId)).size).toBe(1);
    expect(till.emulator.stats().transactions).toBe(1);
    const faults = till.core.journal.sqlite.prepare("SELECT body_json FROM operation_events WHERE operation_id = ? AND type = 'fault'").all(op.id) as { body_json: string }[];
    expect(faults.some((f) => JSON.parse(f.body_json).fault === 'reset')).toBe(true);
  });

  it('X unanswered checkouts → the till resolves the transaction by the same requestId and cancels it', async () => {
    till = await startTill({ timing: { checkoutAttempts: 3, backgroundRetryMs: 500 } });
    till.emulator.injectFault({ endpoint: 'checkout', kind: 'drop_before_process', times: 3 });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('SL'), paymentType: 'SBP' });
    const done = await till.core.checkout.waitFinal(op.id, 15_000);
    expect(done.outcome).toBe('canceled');
    // Once the outcome is known the text says so: cancelled, nothing charged (not "unknown" any more).
    expect(done.error?.key).toBe('payment.canceled_no_answer');
    const checkouts = checkoutsOf(till);
    expect(checkouts.length).toBe(4);
    expect(new Set(checkouts.map((r) => r.requestId)).size).toBe(1);
    expect(till.emulator.transaction(done.transactionId ?? '')?.status).toBe('canceled');
  });

  it('server errors and garbage answers on status are survived by polling on', async () => {
    till = await startTill();
    till.emulator.injectFault({ endpoint: 'status', kind: 'http_status', status: 503, times: 1 });
    till.emulator.injectFault({ endpoint: 'status', kind: 'invalid_json', times: 1 });
    till.emulator.injectFault({ endpoint: 'status', kind: 'wrong_shape', times: 1 });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    const done = await till.core.checkout.waitFinal(op.id, 15_000);
    expect(done.outcome).toBe('paid');
  });

  it('wrong credentials → failed at once with a config instruction, nothing created', async () => {
    till = await startTill({ koshelek: { password: 'wrong' } });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    const done = await till.core.checkout.waitFinal(op.id, 5_000);
    expect(done.outcome).toBe('failed');
    expect(done.error?.action).toBe('fix_config');
    expect(till.emulator.stats().transactions).toBe(0);
  });

  it('the same card session cannot pay a second order', async () => {
    till = await startTill();
    const c = card('OK');
    const first = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: c, paymentType: 'SBP' });
    await till.core.checkout.waitFinal(first.id, 10_000);
    await expect(till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: c, paymentType: 'SBP' })).rejects.toMatchObject({ key: 'payment.card_session_used' });
  });

  it('deprecated async availability (201 + poll) is followed to the answer', async () => {
    till = await startTill({ emulator: { asyncAvailability: true } });
    const result = await till.core.checkout.availability({ orderId: orderId(), amountKop: 10000, card: card('CH') });
    expect(result.methods.length).toBeGreaterThan(0);
    expect(result.autoStart).toBeNull();
    expect(till.emulator.received.some((r) => r.endpoint === 'availabilityPoll')).toBe(true);
  });

  it('over TLS with the emulator\'s CA', async () => {
    till = await startTill({ emulator: { tls: true } });
    expect(till.emulator.baseUrl.startsWith('https://')).toBe(true);
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    expect((await till.core.checkout.waitFinal(op.id, 10_000)).outcome).toBe('paid');
  });
});

describe('refund', () => {
  async function paidPayment(t: Till, scenario = 'OK', lines?: { name: string; article: string; priceKop: number; quantity: number; measure?: string }[]) {
    const op = await t.core.checkout.pay({ orderId: orderId(), ...(lines ? { lines } : { amountKop: 10000 }), card: card(scenario), paymentType: 'SBP' });
    const done = await t.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('paid');
    return done;
  }

  it('partial then the rest; over-refund refused before anything leaves', async () => {
    till = await startTill();
    const payment = await paidPayment(till);
    const first = await till.core.checkout.refund({ paymentOperationId: payment.id, amountKop: 3000 });
    expect((await till.core.checkout.waitFinal(first.id, 10_000)).outcome).toBe('refunded');
    expect(till.core.checkout.get(payment.id)?.refundableKop).toBe(7000);
    await expect(till.core.checkout.refund({ paymentOperationId: payment.id, amountKop: 7001 })).rejects.toMatchObject({ key: 'refund.exceeds_available' });
    const rest = await till.core.checkout.refund({ paymentOperationId: payment.id });
    const done = await till.core.checkout.waitFinal(rest.id, 10_000);
    expect(done.outcome).toBe('refunded');
    expect(done.amountKop).toBe(7000);
    expect(done.slip?.refundTransactionId).toBe(done.refTransactionId);
    expect(till.emulator.transaction(payment.transactionId ?? '')).toMatchObject({ refunded: 10000, status: 'refunded' });
  });

  it('per-line refund of a basket; items sold by weight only whole', async () => {
    till = await startTill();
    const payment = await paidPayment(till, 'OK', [
      { name: 'Молоко', article: 'M1', priceKop: 8900, quantity: 2 },
      { name: 'Сыр', article: 'C1', priceKop: 2, quantity: 300, measure: 'GRAM' },
    ]);
    await expect(till.core.checkout.refund({ paymentOperationId: payment.id, lines: [{ lineNo: 1, quantity: 100 }] })).rejects.toMatchObject({ key: 'refund.non_piece_partial' });
    const r = await till.core.checkout.refund({ paymentOperationId: payment.id, lines: [{ lineNo: 0, quantity: 1 }, { lineNo: 1, quantity: 300 }] });
    const done = await till.core.checkout.waitFinal(r.id, 10_000);
    expect(done.outcome).toBe('refunded');
    expect(done.amountKop).toBe(8900 + 600);
    const wire = till.emulator.received.find((q) => q.endpoint === 'refund')?.body as { items: { quantity: number; measure: string }[]; refundAmount: number };
    expect(wire.refundAmount).toBe(9500);
    expect(wire.items.map((i) => i.quantity)).toEqual([1, 300]);
  });

  it('lost refund response → repeated with the same requestId, money returned once', async () => {
    till = await startTill();
    const payment = await paidPayment(till);
    till.emulator.injectFault({ endpoint: 'refund', kind: 'drop_after_process', times: 2 });
    const r = await till.core.checkout.refund({ paymentOperationId: payment.id, amountKop: 4000, clientRequestKey: 'press-1' });
    const twice = await till.core.checkout.refund({ paymentOperationId: payment.id, amountKop: 4000, clientRequestKey: 'press-1' });
    expect(twice.id).toBe(r.id);
    const done = await till.core.checkout.waitFinal(r.id, 10_000);
    expect(done.outcome).toBe('refunded');
    // Done means done: no leftover "connection dropped… wait" from the lost answers.
    expect(done.error).toBeNull();
    const refunds = till.emulator.received.filter((q) => q.endpoint === 'refund');
    expect(refunds.length).toBe(3);
    expect(new Set(refunds.map((q) => q.requestId)).size).toBe(1);
    expect(till.emulator.transaction(payment.transactionId ?? '')?.refunded).toBe(4000);
  });

  it('a refund Koshelek refuses shows the real reason, not advice about payment methods', async () => {
    till = await startTill();
    const payment = await paidPayment(till);
    till.emulator.injectFault({ endpoint: 'refund', kind: 'error_422', code: 'EXTERNAL_PROVIDER_ERROR', details: 'acquirer offline' });
    const r = await till.core.checkout.refund({ paymentOperationId: payment.id, amountKop: 1000 });
    const done = await till.core.checkout.waitFinal(r.id, 10_000);
    expect(done.outcome).toBe('refund_rejected');
    expect(done.error?.key).toBe('refund.rejected');
    expect(done.error?.ru).not.toMatch(/способ оплаты/);
    expect(done.error?.details).toContain('EXTERNAL_PROVIDER_ERROR');
  });

  it('asynchronous refund (refStatus new) is followed by refTransactionId', async () => {
    till = await startTill();
    const payment = await paidPayment(till, 'RN');
    const r = await till.core.checkout.refund({ paymentOperationId: payment.id, amountKop: 2500 });
    const done = await till.core.checkout.waitFinal(r.id, 10_000);
    expect(done.outcome).toBe('refunded');
    const statusByRef = till.emulator.received.filter((q) => q.endpoint === 'status' && (q.body as { refTransactionId?: string }).refTransactionId === done.refTransactionId);
    expect(statusByRef.length).toBeGreaterThan(0);
  });

  it('a refund of an unpaid payment is refused locally', async () => {
    till = await startTill();
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('DC'), paymentType: 'SBP' });
    await till.core.checkout.waitFinal(op.id, 10_000);
    await expect(till.core.checkout.refund({ paymentOperationId: op.id })).rejects.toMatchObject({ key: 'refund.not_paid' });
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}
