import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusResponseSchema, checkoutResponseSchema, availabilitySyncResponseSchema, refOperationResponseSchema } from '../../main/payapi/koshelek/wire';
import { startKoshelekEmulator, type KoshelekEmulator } from './index';
import { item, session, slipOf, TestClient } from './testkit';

let emu: KoshelekEmulator;
let client: TestClient;

beforeAll(async () => {
  emu = await startKoshelekEmulator({ confirmDelayMs: 60 });
  client = new TestClient(emu);
});
afterAll(async () => {
  client.close();
  await emu.close();
});

function availMap(r: { json: Record<string, unknown> }): Record<string, boolean> {
  const parsed = availabilitySyncResponseSchema.parse(r.json);
  return Object.fromEntries(parsed.paymentTypeAvailabilityInfoList.map((i) => [i.paymentType, i.available]));
}

describe('scenarios end to end', () => {
  it('OK: default, SBP+DOLYAME available, new -> pending -> accepted with a full SBP slip', async () => {
    const cs = session('OK');
    const a = await client.availability(cs);
    expect(a.status).toBe(200);
    expect(a.json.koshelekPayIsDefault).toBe(true);
    expect(availMap(a)).toEqual({ SBP: true, DOLYAME: true });

    const c = await client.checkout(cs, 14245, 'SBP');
    expect(c.status).toBe(200);
    const co = checkoutResponseSchema.parse(c.json);
    expect(co.status).toBe('new');
    expect(co.transactionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(co.slip?.paymentTransactionId).toBe(co.transactionId);
    expect(co.slip?.qrcId).toBeUndefined();

    const seen = new Set<string>();
    const final = await client.waitStatus({ transactionId: co.transactionId }, (r) => {
      seen.add(String(r.json.status));
      return r.json.status === 'accepted';
    });
    expect(seen.has('accepted')).toBe(true);
    const st = statusResponseSchema.parse(final.json);
    expect(st.paymentGroup).toBe('SBP');
    expect(st.errorCode).toBeUndefined();
    const slip = slipOf(final);
    expect(slip).toMatchObject({ paymentType: 'SBP', paymentTransactionId: co.transactionId, totalAmount: 14245, currency: 'RUB', terminalId: 'POS-017' });
    for (const k of ['merchantId', 'qrcId', 'kzo', 'operationId', 'id', 'orderId', 'storeId']) expect(slip[k], k).toEqual(expect.any(String));
    expect(String(slip.operationDateTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(emu.transaction(co.transactionId)).toMatchObject({ status: 'accepted', amount: 14245, refunded: 0, paymentType: 'SBP', cardSession: cs });
  });

  it('passes through pending before the final state', async () => {
    emu.setOptions({ confirmDelayMs: 400 });
    try {
      const c = await client.checkout(session('OK'));
      const transactionId = String(c.json.transactionId);
      const p = await client.waitStatus({ transactionId }, (r) => r.json.status === 'pending', 2_000);
      expect(p.json.status).toBe('pending');
      expect(p.json.slip).toBeUndefined();
    } finally {
      emu.setOptions({ confirmDelayMs: 60 });
    }
  });

  it('CH: accepted but koshelekPayIsDefault false', async () => {
    const cs = session('CH');
    const a = await client.availability(cs);
    expect(a.json.koshelekPayIsDefault).toBe(false);
    expect(availMap(a)).toEqual({ SBP: true, DOLYAME: true });
    const { final } = await client.payAndWait(cs);
    expect(final.json.status).toBe('accepted');
  });

  it.each([
    ['LM', 'NOT_ENOUGH_LIMIT_TO_PAY'],
    ['DC', 'PAYMENT_DECLINED_BY_EXTERNAL_PROVIDER'],
  ])('%s: rejected with %s', async (sc, code) => {
    const { final } = await client.payAndWait(session(sc));
    expect(final.json.status).toBe('rejected');
    expect(final.json.errorCode).toBe(code);
    expect(slipOf(final).qrcId).toBeUndefined();
  });

  it('SL: stays pending (never final) until the till cancels', async () => {
    const c = await client.checkout(session('SL'));
    const transactionId = String(c.json.transactionId);
    await new Promise((r) => setTimeout(r, 200));
    const s = await client.status({ transactionId });
    expect(s.json.status).toBe('pending');
    const cancel = await client.cancel(transactionId);
    expect(cancel.json).toMatchObject({ refStatus: 'accepted', status: 'canceled', transactionId });
    expect((await client.status({ transactionId })).json.status).toBe('canceled');
  });

  it('BD: availability and checkout answer 422 UNKNOWN_SESSION_ID', async () => {
    const cs = session('BD');
    const a = await client.availability(cs);
    expect(a.status).toBe(422);
    expect(a.json.code).toBe('UNKNOWN_SESSION_ID');
    const c = await client.checkout(cs);
    expect(c.status).toBe(422);
    expect(c.json.code).toBe('UNKNOWN_SESSION_ID');
    expect(emu.stats().transactions).toBeGreaterThanOrEqual(0);
  });

  it('NA: nothing available; a checkout anyway is rejected EXTERNAL_PROVIDER_ERROR', async () => {
    const cs = session('NA');
    const a = await client.availability(cs);
    expect(a.json.koshelekPayIsDefault).toBe(false);
    expect(availMap(a)).toEqual({ SBP: false, DOLYAME: false });
    const c = await client.checkout(cs);
    expect(c.json).toMatchObject({ status: 'rejected', errorCode: 'EXTERNAL_PROVIDER_ERROR' });
  });

  it('DL: only DOLYAME; accepted as DOLYAME (INSTALLMENT) with a slip without SBP fields', async () => {
    const cs = session('DL');
    const a = await client.availability(cs);
    expect(availMap(a)).toEqual({ SBP: false, DOLYAME: true });
    const { transactionId, final } = await client.payAndWait(cs, 30000, 'DOLYAME');
    expect(final.json).toMatchObject({ status: 'accepted', paymentGroup: 'INSTALLMENT', paymentProvider: 'DOLYAME' });
    const slip = slipOf(final);
    expect(slip.paymentType).toBe('DOLYAME');
    expect(slip.qrcId).toBeUndefined();
    expect(slip.kzo).toBeUndefined();
    expect(slip.merchantId).toBeUndefined();
    expect(slip.operationId).toEqual(expect.any(String));
    expect(emu.transaction(transactionId)?.paymentType).toBe('DOLYAME');
  });

  it('DL: when the till lists [SBP, DOLYAME] the first available method is used', async () => {
    const cs = session('DL');
    const c = await client.checkout(cs, 14245, 'SBP', { paymentMethods: [{ type: 'SBP' }, { type: 'DOLYAME' }] });
    expect(c.json.status).toBe('new');
    expect(emu.transaction(String(c.json.transactionId))?.paymentType).toBe('DOLYAME');
  });

  it('RN: refund comes back refStatus new, then accepted via status by refTransactionId', async () => {
    const { transactionId } = await client.payAndWait(session('RN'));
    const r = await client.refund(transactionId, 1900, [item('1111111', 1900, 1, 1900)]);
    const ro = refOperationResponseSchema.parse(r.json);
    expect(ro.refStatus).toBe('new');
    expect(ro.status).toBe('refunding');
    // a second refund while the first is 'new' is declined
    const second = await client.refund(transactionId, 100, [item('2222222', 100, 1, 100)]);
    expect(second.json).toMatchObject({ refStatus: 'rejected', errorCode: 'PAYMENT_TRANSACTION_IS_BEING_REFUNDED_ALREADY' });
    const done = await client.waitStatus({ refTransactionId: String(ro.refTransactionId) }, (s) => s.json.refStatus !== 'new');
    expect(done.json).toMatchObject({ refStatus: 'accepted', status: 'partial_refunded', transactionId, refTransactionId: ro.refTransactionId });
    expect(slipOf(done)).toMatchObject({ refundTransactionId: ro.refTransactionId, totalAmount: 1900, operationId: expect.any(String) });
    expect(emu.transaction(transactionId)).toMatchObject({ refunded: 1900, status: 'partial_refunded' });
  });

  it('CR: cancel comes back refStatus new, then accepted; the payment ends canceled', async () => {
    emu.setOptions({ confirmDelayMs: 300 });
    const c = await client.checkout(session('CR'));
    const transactionId = String(c.json.transactionId);
    try {
      const cancel = await client.cancel(transactionId);
      expect(cancel.json.refStatus).toBe('new');
      expect(['new', 'pending']).toContain(cancel.json.status);
      // another cancel while one is in flight: 422 TRANSACTION_IN_PROCESSING (documented choice)
      const again = await client.cancel(transactionId);
      expect(again.status).toBe(422);
      expect(again.json.code).toBe('TRANSACTION_IN_PROCESSING');
      const done = await client.waitStatus({ refTransactionId: String(cancel.json.refTransactionId) }, (s) => s.json.refStatus !== 'new', 5_000);
      expect(done.json).toMatchObject({ refStatus: 'accepted', status: 'canceled' });
    } finally {
      emu.setOptions({ confirmDelayMs: 60 });
    }
    expect(emu.transaction(transactionId)?.status).toBe('canceled');
  });

  it('unknown prefix behaves like OK', async () => {
    const cs = session('ZZ');
    const a = await client.availability(cs);
    expect(a.json.koshelekPayIsDefault).toBe(true);
    const { final } = await client.payAndWait(cs);
    expect(final.json.status).toBe('accepted');
  });
});
