import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkoutResponseSchema, statusResponseSchema } from '../../main/payapi/koshelek/wire';
import { startKoshelekEmulator, type KoshelekEmulator } from './index';
import { checkoutBody, session, TestClient } from './testkit';

let emu: KoshelekEmulator;
let client: TestClient;

beforeAll(async () => {
  emu = await startKoshelekEmulator({ confirmDelayMs: 40 });
  client = new TestClient(emu);
});
afterEach(() => emu.clearFaults());
afterAll(async () => {
  client.close();
  await emu.close();
});

async function expectDropped(p: Promise<unknown>): Promise<void> {
  await expect(p).rejects.toThrow(/socket hang up|ECONNRESET/);
}

describe('fault injection', () => {
  it('delay: answers normally after the delay', async () => {
    emu.injectFault({ endpoint: 'status', kind: 'delay', delayMs: 150 });
    const t0 = Date.now();
    const r = await client.status({ transactionId: randomUUID() });
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('http_status: any status with a small JSON body; `times` counts', async () => {
    emu.injectFault({ endpoint: 'checkout', kind: 'http_status', status: 503, times: 2 });
    const body = checkoutBody(session('OK'), 1000);
    const a = await client.post('/checkout', body);
    const b = await client.post('/checkout', body);
    const c = await client.post('/checkout', body);
    expect([a.status, b.status, c.status]).toEqual([503, 503, 200]);
    expect(a.json.code).toBe('HTTP_503');
    expect(a.headers['retry-after']).toBe('1');
    expect(emu.received.filter((r) => r.requestId === body.requestId).map((r) => r.responseStatus)).toEqual([503, 503, 200]);
  });

  it('error_422 with any code; the request was not processed', async () => {
    emu.injectFault({ endpoint: 'checkout', kind: 'error_422', code: 'TRANSACTION_IN_PROCESSING', details: 'Транзакция в обработке' });
    const body = checkoutBody(session('OK'), 1000);
    const r = await client.post('/checkout', body);
    expect(r.status).toBe(422);
    expect(r.json).toEqual({ code: 'TRANSACTION_IN_PROCESSING', details: 'Транзакция в обработке' });
    const again = await client.post('/checkout', body);
    expect(again.status).toBe(200);
  });

  it('drop_before_process: connection destroyed, nothing processed; the retry is processed as the first', async () => {
    const body = checkoutBody(session('OK'), 1000);
    const before = emu.stats().transactions;
    emu.injectFault({ endpoint: 'checkout', kind: 'drop_before_process' });
    await expectDropped(client.post('/checkout', body));
    expect(emu.stats().transactions).toBe(before);
    const retry = await client.post('/checkout', body);
    expect(retry.status).toBe(200);
    expect(emu.stats().transactions).toBe(before + 1);
  });

  it('drop_after_process: processed and stored, then dropped; the retry gets the stored answer', async () => {
    const body = checkoutBody(session('OK'), 1000);
    const before = emu.stats().transactions;
    emu.injectFault({ endpoint: 'checkout', kind: 'drop_after_process', match: { requestId: String(body.requestId) } });
    await expectDropped(client.post('/checkout', body));
    expect(emu.stats().transactions).toBe(before + 1);
    const rec = emu.received.filter((r) => r.requestId === body.requestId);
    expect(rec[0]?.responseStatus).toBeUndefined();
    const retry = await client.post('/checkout', body);
    expect(retry.status).toBe(200);
    expect(emu.stats().transactions).toBe(before + 1);
    const co = checkoutResponseSchema.parse(retry.json);
    expect(emu.transaction(co.transactionId)).toBeDefined();
    // and the state is really there
    const st = await client.waitStatus({ transactionId: co.transactionId }, (r) => r.json.status === 'accepted');
    expect(st.json.status).toBe('accepted');
  });

  it('drop_after_process on refund: the lost refund is not repeated by the retry', async () => {
    const { transactionId } = await client.payAndWait(session('OK'), 5000);
    const rid = randomUUID();
    emu.injectFault({ endpoint: 'refund', kind: 'drop_after_process' });
    await expectDropped(client.refund(transactionId, 1000, [{ name: 'x', article: '1111111', price: 1000, quantity: 1, totalAmount: 1000, tax: 'vat20' }], rid));
    expect(emu.transaction(transactionId)?.refunded).toBe(1000);
    const retry = await client.refund(transactionId, 1000, [{ name: 'x', article: '1111111', price: 1000, quantity: 1, totalAmount: 1000, tax: 'vat20' }], rid);
    expect(retry.json.refStatus).toBe('accepted');
    expect(emu.transaction(transactionId)?.refunded).toBe(1000);
  });

  it('invalid_json: 200 with a body that does not parse', async () => {
    emu.injectFault({ endpoint: 'status', kind: 'invalid_json' });
    const r = await client.status({ transactionId: randomUUID() });
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.raw.toString('utf8'))).toThrow();
  });

  it('wrong_shape: 200 with a body the wire schemas refuse', async () => {
    emu.injectFault({ endpoint: '*', kind: 'wrong_shape', times: 2 });
    const s = await client.status({ transactionId: randomUUID() });
    expect(s.status).toBe(200);
    expect(statusResponseSchema.safeParse(s.json).success).toBe(false);
    const c = await client.checkout(session('OK'));
    expect(checkoutResponseSchema.safeParse(c.json).success).toBe(false);
  });

  it('match by cardSession (also for calls that carry only the transactionId); delay + action combine', async () => {
    const cs = session('OK');
    const other = await client.checkout(session('OK'));
    const mine = await client.checkout(cs);
    emu.injectFault({ endpoint: 'status', kind: 'delay', delayMs: 50, match: { cardSession: cs } });
    emu.injectFault({ endpoint: 'status', kind: 'http_status', status: 500, match: { cardSession: cs } });
    const o = await client.status({ transactionId: String(other.json.transactionId) });
    expect(o.status).toBe(200);
    const m = await client.status({ transactionId: String(mine.json.transactionId) });
    expect(m.status).toBe(500);
    expect((await client.status({ transactionId: String(mine.json.transactionId) })).status).toBe(200);
  });

  it('a delayed first attempt overtaken by its retry answers with the stored result (no double processing)', async () => {
    const body = checkoutBody(session('OK'), 1000);
    emu.injectFault({ endpoint: 'checkout', kind: 'delay', delayMs: 200 });
    const slow = client.post('/checkout', body);
    await new Promise((r) => setTimeout(r, 30));
    const second = new TestClient(emu);
    const fast = await second.post('/checkout', body);
    second.close();
    const late = await slow;
    expect(fast.status).toBe(200);
    expect(late.raw.equals(fast.raw)).toBe(true);
  });
});

describe('control API', () => {
  it('faults, requests, testcard and health over HTTP', async () => {
    const ok = await client.request('POST', '/__emulator/faults', { endpoint: 'status', kind: 'http_status', status: 429 });
    expect(ok.status).toBe(201);
    const bad = await client.request('POST', '/__emulator/faults', { endpoint: 'nope', kind: 'delay' });
    expect(bad.status).toBe(400);
    expect((await client.status({ transactionId: randomUUID() })).status).toBe(429);
    await client.request('POST', '/__emulator/faults', { endpoint: 'status', kind: 'http_status', status: 500 });
    const del = await client.request('DELETE', '/__emulator/faults');
    expect(del.status).toBe(204);
    expect((await client.status({ transactionId: randomUUID() })).status).toBe(200);

    const reqs = await client.request('GET', '/__emulator/requests');
    const list = JSON.parse(reqs.raw.toString('utf8')) as { seq: number; arrivalNs: string; endpoint: string; path: string }[];
    expect(list.length).toBe(emu.received.length);
    expect(list.at(-1)?.arrivalNs).toMatch(/^\d+$/);
    expect(list.some((r) => r.path.startsWith('/__emulator'))).toBe(false);

    const card = await client.request('GET', '/__emulator/testcard?scenario=LM');
    expect(String(card.json.barcode)).toMatch(/^KP2000000\d{6}LM[A-Z0-9]{4}\d{3}$/);
    const health = await client.request('GET', '/__emulator/health');
    expect(health.json).toMatchObject({ ok: true, baseUrl: emu.baseUrl });
  });
});
