import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availabilityPollResponseSchema } from '../../main/payapi/koshelek/wire';
import { startKoshelekEmulator, type KoshelekEmulator } from './index';
import { checkoutBody, item, invoice, session, slipOf, STORE, TERMINAL, TestClient } from './testkit';

let emu: KoshelekEmulator;
let client: TestClient;

beforeAll(async () => {
  emu = await startKoshelekEmulator({ confirmDelayMs: 40 });
  client = new TestClient(emu);
});
afterAll(async () => {
  client.close();
  await emu.close();
});

describe('transport rules', () => {
  it('401 on bad or missing credentials, never echoing Authorization', async () => {
    const bad = new TestClient(emu, { password: 'wrong' });
    const r = await bad.checkout(session('OK'));
    bad.close();
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(/^Basic/);
    const none = await client.request('POST', '/api/v1/merchant/checkout', checkoutBody(session('OK'), 1000), { Authorization: '' });
    expect(none.status).toBe(401);
    const last = emu.received.at(-1);
    expect(last?.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(emu.received.map((x) => x.headers))).not.toContain(Buffer.from('emulator:emulator').toString('base64'));
  });

  it('token header is required on availability, checkout and refund (400 TOKEN_REQUIRED), not on status', async () => {
    const noToken = new TestClient(emu, { token: null });
    const a = await noToken.availability(session('OK'));
    const c = await noToken.checkout(session('OK'));
    const r = await noToken.refund(randomUUID(), 500, [item('1', 500, 1, 500)]);
    const s = await noToken.status({ transactionId: randomUUID() });
    noToken.close();
    expect([a.status, c.status, r.status]).toEqual([400, 400, 400]);
    expect(c.json.code).toBe('TOKEN_REQUIRED');
    expect(s.status).toBe(200);
  });

  it('400 INVALID_REQUEST on schema violations, 415 on non-JSON content type, 404 on unknown paths', async () => {
    const body = checkoutBody(session('OK'), 1000);
    const bad = await client.post('/checkout', { ...body, storeId: '' });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('INVALID_REQUEST');
    expect(String(bad.json.details)).toContain('storeId');
    const noMethods = await client.post('/checkout', { ...body, paymentMethods: [] });
    expect(noMethods.status).toBe(400);
    const broken = await client.post('/checkout', '{"requestId":');
    expect(broken.json.code).toBe('INVALID_REQUEST');
    const text = await client.post('/checkout', body, { 'Content-Type': 'text/plain' });
    expect(text.status).toBe(415);
    const rub = await client.post('/checkout', { ...body, requestId: randomUUID(), checkoutInvoice: { ...invoice(1000), currency: 'USD' } });
    expect(rub.status).toBe(400);
    const nf = await client.post('/nope', body);
    expect(nf.status).toBe(404);
    expect(emu.received.at(-1)?.endpoint).toBe('unknown');
    const wrongPartner = await client.request('POST', '//other/api/v1/merchant/checkout', body);
    expect(wrongPartner.status).toBe(404);
  });

  it('accepts numeric-string amounts, `cardsession` spelling and ignores unknown fields', async () => {
    const cs = session('OK');
    const a = await client.post('/availability-info/task', {
      requestId: randomUUID(), cardsession: cs, storeId: STORE, terminalId: TERMINAL, futureField: { x: 1 },
      checkoutInvoice: { orderId: 'o-1', totalAmount: '14245', items: [{ name: 'n', article: 'a', price: '14245', quantity: '1', totalAmount: '14245', subtotalAmount: '14245', tax: 'vat20' }] },
      user: { loyaltyId: '1' },
    });
    expect(a.status).toBe(200);
    const c = await client.post('/checkout', { ...checkoutBody(cs, 1000), checkoutInvoice: { ...invoice(1000), totalAmount: '1000' }, somethingNew: true });
    expect(c.status).toBe(200);
    expect(emu.transaction(String(c.json.transactionId))?.amount).toBe(1000);
  });

  it('records every request with hrtime arrival, endpoint, requestId and response status', async () => {
    const before = process.hrtime.bigint();
    const rid = randomUUID();
    await client.status({ transactionId: randomUUID() }, rid);
    const rec = emu.received.find((x) => x.requestId === rid);
    expect(rec).toMatchObject({ method: 'POST', endpoint: 'status', responseStatus: 200 });
    expect(rec?.arrivalNs).toBeGreaterThan(before);
    expect(rec?.headers.token).toBeDefined();
  });

  it('serves many requests over one keep-alive connection', async () => {
    const c = new TestClient(emu);
    let reused = 0;
    for (let i = 0; i < 20; i += 1) {
      const r = await c.status({ transactionId: randomUUID() });
      expect(r.status).toBe(200);
      expect(r.headers.connection).toBe('keep-alive');
      expect(String(r.headers['keep-alive'])).toContain('timeout=65');
      if (r.reusedSocket) reused += 1;
    }
    c.close();
    expect(reused).toBe(19);
  });
});

describe('status', () => {
  it('unknown transactionId / refTransactionId -> 200 with empty status', async () => {
    const id = randomUUID();
    const r = await client.status({ transactionId: id });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ transactionId: id, status: '' });
    const rr = await client.status({ refTransactionId: randomUUID() });
    expect(rr.json.status).toBe('');
    const none = await client.post('/transaction/status', { requestId: randomUUID() });
    expect(none.status).toBe(400);
  });
});

describe('idempotency (§3.4)', () => {
  it('a repeat of checkout with the same requestId returns identical bytes and creates nothing', async () => {
    const body = checkoutBody(session('OK'), 5000);
    const first = await client.post('/checkout', body);
    const txBefore = emu.stats().transactions;
    const second = await client.post('/checkout', body);
    expect(second.status).toBe(first.status);
    expect(second.raw.equals(first.raw)).toBe(true);
    expect(emu.stats().transactions).toBe(txBefore);
    // same requestId, different body: still the first answer (documented)
    const third = await client.post('/checkout', { ...body, checkoutInvoice: invoice(9999) });
    expect(third.raw.equals(first.raw)).toBe(true);
  });

  it('status repeats return the stored first answer even after the state moved on', async () => {
    const c = await client.checkout(session('OK'));
    const transactionId = String(c.json.transactionId);
    const rid = randomUUID();
    const first = await client.status({ transactionId }, rid);
    expect(first.json.status).toBe('new');
    await client.waitStatus({ transactionId }, (r) => r.json.status === 'accepted');
    const again = await client.status({ transactionId }, rid);
    expect(again.raw.equals(first.raw)).toBe(true);
  });

  it('422 answers are stored too; the same requestId on another endpoint is a different key', async () => {
    const rid = randomUUID();
    const a = await client.cancel(randomUUID(), rid);
    expect(a.status).toBe(422);
    const b = await client.cancel(randomUUID(), rid);
    expect(b.raw.equals(a.raw)).toBe(true);
    const s = await client.status({ transactionId: randomUUID() }, rid);
    expect(s.status).toBe(200);
  });

  it('a refund repeated with the same requestId refunds once', async () => {
    const { transactionId } = await client.payAndWait(session('OK'), 14245);
    const rid = randomUUID();
    const r1 = await client.refund(transactionId, 1900, [item('1111111', 1900, 1, 1900)], rid);
    const r2 = await client.refund(transactionId, 1900, [item('1111111', 1900, 1, 1900)], rid);
    expect(r2.raw.equals(r1.raw)).toBe(true);
    expect(emu.transaction(transactionId)?.refunded).toBe(1900);
    expect(emu.transaction(transactionId)?.refunds).toHaveLength(1);
  });
});

describe('checkout rules', () => {
  it('one transaction per cardSession: ALREADY_EXISTS while unfinished, ALREADY_PAYED once paid', async () => {
    emu.setOptions({ confirmDelayMs: 300 });
    const cs = session('OK');
    try {
      const first = await client.checkout(cs);
      expect(first.status).toBe(200);
      const dup = await client.checkout(cs);
      expect(dup.status).toBe(422);
      expect(dup.json.code).toBe('TRANSACTION_FOR_SESSION_ID_ALREADY_EXISTS');
      await client.waitStatus({ transactionId: String(first.json.transactionId) }, (r) => r.json.status === 'accepted');
      const paid = await client.checkout(cs);
      expect(paid.json.code).toBe('TRANSACTION_FOR_SESSION_ID_ALREADY_PAYED');
    } finally {
      emu.setOptions({ confirmDelayMs: 40 });
    }
  });

  it('minimum 4 ₽: 399 kopecks -> 200 rejected TOTAL_AMOUNT_IS_TOO_SMALL; 400 is fine', async () => {
    const small = await client.checkout(session('OK'), 399);
    expect(small.status).toBe(200);
    expect(small.json).toMatchObject({ status: 'rejected', errorCode: 'TOTAL_AMOUNT_IS_TOO_SMALL' });
    const st = await client.status({ transactionId: String(small.json.transactionId) });
    expect(st.json).toMatchObject({ status: 'rejected', errorCode: 'TOTAL_AMOUNT_IS_TOO_SMALL' });
    const ok = await client.checkout(session('OK'), 400);
    expect(ok.json.status).toBe('new');
    expect(ok.json.errorCode).toBeUndefined();
  });
});

describe('cancel', () => {
  it('declines on accepted, canceled and refund states with the documented texts; 422 for unknown ids', async () => {
    const { transactionId } = await client.payAndWait(session('OK'));
    const onAccepted = await client.cancel(transactionId);
    expect(onAccepted.status).toBe(200);
    expect(onAccepted.json).toMatchObject({ refStatus: 'rejected', status: 'accepted', transactionId });
    expect(onAccepted.json.details).toBe(`Отмена отклонена, т.к. транзакция оплаты с transactionId = ${transactionId} уже была одобрена банком. Для отмены уже выполненной оплаты выполните операцию возврата.`);
    expect(onAccepted.json.refTransactionId).toEqual(expect.any(String));

    const c = await client.checkout(session('SL'));
    const slow = String(c.json.transactionId);
    const ok = await client.cancel(slow);
    expect(ok.json).toMatchObject({ refStatus: 'accepted', status: 'canceled' });
    const twice = await client.cancel(slow);
    expect(twice.json).toMatchObject({ refStatus: 'rejected', status: 'canceled' });
    expect(twice.json.details).toBe(`Отмена отклонена, т.к. транзакция оплаты с transactionId = ${slow} уже была отменена ранее.`);
    const byRef = await client.status({ refTransactionId: String(ok.json.refTransactionId) });
    expect(byRef.json).toMatchObject({ refStatus: 'accepted', status: 'canceled', transactionId: slow });

    await client.refund(transactionId, 100, [item('1111111', 100, 1, 100)]);
    const onRefunded = await client.cancel(transactionId);
    expect(onRefunded.json).toMatchObject({ refStatus: 'rejected', status: 'partial_refunded' });
    expect(String(onRefunded.json.details)).toContain('уже была одобрена банком.');

    const unknown = randomUUID();
    const nf = await client.cancel(unknown);
    expect(nf.status).toBe(422);
    expect(nf.json).toEqual({ code: 'UNKNOWN_TRANSACTION_ID', details: `Отмена отклонена, т.к. транзакция оплаты с transactionId = ${unknown} не найдена.` });
    expect(emu.stats().cancels).toBeGreaterThanOrEqual(4);
  });

  it('a canceled payment never becomes accepted', async () => {
    const c = await client.checkout(session('OK'));
    const id = String(c.json.transactionId);
    await client.cancel(id);
    await new Promise((r) => setTimeout(r, 120));
    expect((await client.status({ transactionId: id })).json.status).toBe('canceled');
  });
});

describe('refund', () => {
  it('partial, then over-refund rejected, then the rest -> refunded, then terminal', async () => {
    const { transactionId } = await client.payAndWait(session('OK'), 14245);
    const p1 = await client.refund(transactionId, 1900, [item('1111111', 1900, 1, 1900)]);
    expect(p1.json).toMatchObject({ refStatus: 'accepted', status: 'partial_refunded', transactionId });
    const slip = slipOf(p1);
    expect(slip.refundTransactionId).toBe(p1.json.refTransactionId);
    expect(slip.operationId).toEqual(expect.any(String));
    expect(slip.totalAmount).toBe(1900);

    const over = await client.refund(transactionId, 12346, [item('2222222', 12345, 1, 12345)]);
    expect(over.json).toMatchObject({ refStatus: 'rejected', status: 'partial_refunded', errorCode: 'REQUESTED_REFUND_AMOUNT_IS_GREATER_THAN_AVAILABLE' });
    const byRef = await client.status({ refTransactionId: String(over.json.refTransactionId) });
    expect(byRef.json).toMatchObject({ refStatus: 'rejected', errorCode: 'REQUESTED_REFUND_AMOUNT_IS_GREATER_THAN_AVAILABLE' });

    const rest = await client.refund(transactionId, 12345, [item('2222222', 12345, 1, 12345)]);
    expect(rest.json).toMatchObject({ refStatus: 'accepted', status: 'refunded' });
    expect(emu.transaction(transactionId)).toMatchObject({ status: 'refunded', refunded: 14245 });

    const more = await client.refund(transactionId, 1, [item('1111111', 1, 1, 1)]);
    expect(more.json).toMatchObject({ refStatus: 'rejected', errorCode: 'TERMINAL_STATE_OF_PAYMENT_TRANSACTION' });
    const st = await client.status({ transactionId });
    expect(st.json.status).toBe('refunded');
  });

  it('declines unpaid (new/pending) and terminal (canceled/rejected) payments; 422 for unknown ids', async () => {
    const c = await client.checkout(session('SL'));
    const id = String(c.json.transactionId);
    const notPaid = await client.refund(id, 100, [item('1111111', 100, 1, 100)]);
    expect(notPaid.json).toMatchObject({ refStatus: 'rejected', errorCode: 'PAYMENT_TRANSACTION_IS_NOT_PAID' });
    await client.cancel(id);
    const canceled = await client.refund(id, 100, [item('1111111', 100, 1, 100)]);
    expect(canceled.json.errorCode).toBe('TERMINAL_STATE_OF_PAYMENT_TRANSACTION');
    const { transactionId: rejected } = await client.payAndWait(session('LM'));
    expect((await client.refund(rejected, 100, [item('1111111', 100, 1, 100)])).json.errorCode).toBe('TERMINAL_STATE_OF_PAYMENT_TRANSACTION');
    const unknown = await client.refund(randomUUID(), 100, [item('1111111', 100, 1, 100)]);
    expect(unknown.status).toBe(422);
    expect(unknown.json.code).toBe('UNKNOWN_TRANSACTION_ID');
  });

  it('non-piece items only whole; items must have been paid; only RUB', async () => {
    const cs = session('OK');
    const items = [item('1111111', 1900, 2, 3800), item('W1', 50000, 1.125, 56250, 'KILOGRAM')];
    const c = await client.post('/checkout', { ...checkoutBody(cs, 60050), checkoutInvoice: invoice(60050, items) });
    const transactionId = String(c.json.transactionId);
    await client.waitStatus({ transactionId }, (r) => r.json.status === 'accepted');
    const partWeight = await client.refund(transactionId, 10000, [item('W1', 50000, 0.2, 10000, 'KILOGRAM')]);
    expect(partWeight.status).toBe(422);
    expect(partWeight.json.code).toBe('WRONG_TRANSACTION_STATE_CHANGE');
    const notPaid = await client.refund(transactionId, 100, [item('999', 100, 1, 100)]);
    expect(notPaid.status).toBe(422);
    const tooMany = await client.refund(transactionId, 1900, [item('1111111', 1900, 3, 5700)]);
    expect(tooMany.status).toBe(422);
    const usd = await client.refund(transactionId, 1900, [item('1111111', 1900, 1, 1900)], randomUUID(), { currency: 'USD' });
    expect(usd.status).toBe(400);
    const wholeWeight = await client.refund(transactionId, 56250, [item('W1', 50000, 1.125, 56250, 'KILOGRAM')]);
    expect(wholeWeight.json).toMatchObject({ refStatus: 'accepted', status: 'partial_refunded' });
    const pieces = await client.refund(transactionId, 1900, [item('1111111', 1900, 1, 1900)]);
    expect(pieces.json.refStatus).toBe('accepted');
    const againWeight = await client.refund(transactionId, 1000, [item('W1', 50000, 1.125, 1000, 'KILOGRAM')]);
    expect(againWeight.status).toBe(422);
    expect(emu.transaction(transactionId)?.refunded).toBe(58150);
  });
});

describe('receipt', () => {
  it('200 with an empty body; 422 for an unknown transaction', async () => {
    const { transactionId } = await client.payAndWait(session('OK'));
    const r = await client.receipt(transactionId);
    expect(r.status).toBe(200);
    expect(r.raw.length).toBe(0);
    const u = await client.receipt(randomUUID());
    expect(u.status).toBe(422);
    expect(u.json.code).toBe('UNKNOWN_TRANSACTION_ID');
  });
});

describe('availability, deprecated async mode', () => {
  it('201 + Location + {availabilityInfoId, timeout}, then GET: incomplete once, then complete', async () => {
    const asyncEmu = await startKoshelekEmulator({ asyncAvailability: true });
    const c = new TestClient(asyncEmu);
    try {
      const r = await c.availability(session('DL'));
      expect(r.status).toBe(201);
      const id = String(r.json.availabilityInfoId);
      expect(r.json.timeout).toEqual(expect.any(Number));
      const location = String(r.headers.location);
      expect(location).toBe(`/partner/api/v1/merchant/availability-info/${id}`);
      const first = await c.request('GET', `//${location.slice(1)}`);
      expect(first.status).toBe(200);
      const p1 = availabilityPollResponseSchema.parse(first.json);
      expect(p1).toMatchObject({ availabilityInfoId: id, computationComplete: false });
      expect(p1.pollingTimeout).toBeGreaterThan(0);
      const second = await c.request('GET', `/api/v1/merchant/availability-info/${id}`);
      const p2 = availabilityPollResponseSchema.parse(second.json);
      expect(p2).toMatchObject({ computationComplete: true, koshelekPayIsDefault: true });
      expect(p2.paymentTypeAvailabilityInfoList?.find((x) => x.paymentType === 'DOLYAME')?.available).toBe(true);
      expect(asyncEmu.received.at(-1)?.endpoint).toBe('availabilityPoll');
      const unknown = await c.request('GET', `/api/v1/merchant/availability-info/${randomUUID()}`);
      expect(unknown.status).toBe(404);
      asyncEmu.setOptions({ asyncAvailability: false });
      expect((await c.availability(session('OK'))).status).toBe(200);
    } finally {
      c.close();
      await asyncEmu.close();
    }
  });
});
