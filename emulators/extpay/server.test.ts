// The emulator's own contract tests: what the seed promises, checked with raw HTTP (not our client).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TOKEN, startExtpayEmulator, type ExtpayEmulator } from './server';

const auth = { authorization: `Bearer ${SANDBOX_TOKEN}`, 'content-type': 'application/json' };
let emu: ExtpayEmulator;

interface Receiver {
  url: string;
  hits: { at: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

async function receiver(status: (n: number) => number | 'hang'): Promise<Receiver> {
  const hits: Receiver['hits'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ at: Date.now(), headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> });
      const s = status(hits.length);
      if (s !== 'hang') res.writeHead(s).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hits,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

const base = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  external_order_id: 'ORDER-2024-001', amount: 49.99, currency: 'USD', payment_method: 'paypal', webhook_url: 'http://127.0.0.1:9/hook',
  auth_token: 'Bearer_Token_12345', return_url: 'https://myservice.com/payment/complete', product_title: 'Premium Subscription',
  custom_data: { user_id: 'user_789', subscription_months: 12, discount_applied: true }, ...over,
});

async function create(body: unknown, e = emu, headers: Record<string, string> = auth): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${e.baseUrl}/api/external/payments/create`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  emu = await startExtpayEmulator({ ratePerMinute: 10_000 });
});
afterAll(() => emu.close());

describe('requests', () => {
  it('creates a payment and reports PENDING; the seed example is accepted as written', async () => {
    const r = await create(base());
    expect(r.status).toBe(200);
    expect(r.json.payment_url).toMatch(/^http/);
    const st = await fetch(`${emu.baseUrl}/api/external/payments/${String(r.json.internal_order_id)}/status`, { headers: auth });
    expect(await st.json()).toMatchObject({ status: 'PENDING', amount: 49.99, currency: 'USD', payment_method: 'paypal', external_order_id: 'ORDER-2024-001' });
  });

  it('requires Authorization: Bearer on every call', async () => {
    expect((await create(base(), emu, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await create(base(), emu, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await fetch(`${emu.baseUrl}/api/external/payments/00000000-0000-4000-8000-000000000000/status`)).status).toBe(401);
    expect((await fetch(`${emu.baseUrl}/api/external/payments/00000000-0000-4000-8000-000000000000/simulate`, { method: 'POST' })).status).toBe(401);
  });

  it.each([
    [{ amount: -1 }, 'Invalid amount parameter'],
    [{ amount: 0 }, 'Invalid amount parameter'],
    [{ amount: '49.99' }, 'Invalid amount parameter'],
    [{ amount: 1.005 }, 'Invalid amount parameter'],
    [{ amount: undefined }, 'Invalid amount parameter'],
    [{ payment_method: 'crypto' }, 'Unknown payment method: crypto'],
    [{ currency: 'EUR' }, 'Unsupported currency: EUR'],
    [{ webhook_url: undefined }, 'Invalid webhook_url parameter'],
    [{ custom_data: undefined }, 'custom_data is required and must be an object'],
    [{ custom_data: [1] }, 'custom_data is required and must be an object'],
    [{ custom_data: { nested: { a: 1 } } }, 'custom_data.nested must be a string, number or boolean'],
    [{ custom_data: { n: null } }, 'custom_data.n must be a string, number or boolean'],
  ])('400 for %j', async (over, error) => {
    expect(await create(base(over))).toEqual({ status: 400, json: { error } });
  });

  it('400 for a body that is not JSON', async () => {
    expect((await create('{not json')).status).toBe(400);
  });

  it('custom_data: exactly 5 KB is accepted, one byte more is refused', async () => {
    const exact = (n: number): Record<string, string> => ({ k: 'x'.repeat(n - JSON.stringify({ k: '' }).length) });
    expect(Buffer.byteLength(JSON.stringify(exact(5120)))).toBe(5120);
    expect((await create(base({ custom_data: exact(5120) }))).status).toBe(200);
    expect(await create(base({ custom_data: exact(5121) }))).toEqual({ status: 400, json: { error: 'custom_data exceeds 5 KB' } });
    // Multi-byte text counts in bytes, not characters.
    expect((await create(base({ custom_data: { k: 'я'.repeat(2600) } }))).status).toBe(400);
  });

  it('status: 404 for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const r = await fetch(`${emu.baseUrl}/api/external/payments/${id}/status`, { headers: auth });
      expect(r.status).toBe(404);
      expect(await r.json()).toEqual({ error: 'Payment not found' });
    }
  });

  it('500 fault mode answers the documented internal error', async () => {
    emu.setFaults({ failNext: 1 });
    expect((await create(base())).status).toBe(500);
    expect((await create(base())).status).toBe(200);
  });

  it('simulate: 404 unknown, 400 already processed, 403 in production', async () => {
    const r = await create(base());
    const id = String(r.json.internal_order_id);
    const sim = (e: ExtpayEmulator, i: string) => fetch(`${e.baseUrl}/api/external/payments/${i}/simulate`, { method: 'POST', headers: auth, body: '{}' });
    expect((await sim(emu, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await sim(emu, id)).status).toBe(200);
    const again = await sim(emu, id);
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'Payment already processed' });
    const prod = await startExtpayEmulator({ mode: 'production' });
    const p = await create(base(), prod);
    expect((await sim(prod, String(p.json.internal_order_id))).status).toBe(403);
    await prod.close();
  });
});

describe('rate limit', () => {
  it('100 requests per minute per IP: the 101st is 429 with Retry-After', async () => {
    const e = await startExtpayEmulator();
    const statuses: number[] = [];
    for (let i = 0; i < 101; i += 1) statuses.push((await fetch(`${e.baseUrl}/api/external/payments/x/status`, { headers: auth })).status);
    expect(statuses.slice(0, 100).every((s) => s === 404)).toBe(true);
    const last = await fetch(`${e.baseUrl}/api/external/payments/x/status`, { headers: auth });
    expect(statuses[100]).toBe(429);
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    await e.close();
  });
});

describe('webhook', () => {
  it('flattens custom_data into the root, sends the Bearer auth_token, documented fields win a clash', async () => {
    const rx = await receiver(() => 200);
    const r = await create(base({ webhook_url: rx.url, custom_data: { user_id: 'u1', months: 12, promo: true, status: 'spoof' } }));
    emu.pay(String(r.json.internal_order_id));
    await emu.webhooksSettled();
    expect(rx.hits).toHaveLength(1);
    expect(rx.hits[0]?.headers.authorization).toBe('Bearer Bearer_Token_12345');
    expect(rx.hits[0]?.body).toMatchObject({ internal_order_id: r.json.internal_order_id, status: 'SUCCESS', amount: 49.99, currency: 'USD', payment_method: 'paypal', user_id: 'u1', months: 12, promo: true });
    expect(rx.hits[0]?.body).not.toHaveProperty('custom_data');
    await rx.close();
  });

  it('no Authorization header when no auth_token was given', async () => {
    const rx = await receiver(() => 204);
    const r = await create(base({ webhook_url: rx.url, auth_token: undefined }));
    emu.pay(String(r.json.internal_order_id));
    await emu.webhooksSettled();
    expect(rx.hits[0]?.headers.authorization).toBeUndefined();
    await rx.close();
  });

  it('retries on 5xx at 1 s, 2 s, 4 s (measured), then stops', async () => {
    const rx = await receiver(() => 503);
    const r = await create(base({ webhook_url: rx.url }));
    emu.pay(String(r.json.internal_order_id));
    await emu.webhooksSettled();
    expect(rx.hits).toHaveLength(4);
    const gaps = rx.hits.slice(1).map((h, i) => h.at - (rx.hits[i]?.at ?? 0));
    [1_000, 2_000, 4_000].forEach((nominal, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(nominal - 5);
      expect(gaps[i]).toBeLessThan(nominal + 1_500);
    });
    await rx.close();
  }, 20_000);

  it('does not retry on 4xx', async () => {
    const rx = await receiver(() => 401);
    const r = await create(base({ webhook_url: rx.url }));
    emu.pay(String(r.json.internal_order_id));
    await emu.webhooksSettled();
    expect(rx.hits).toHaveLength(1);
    await rx.close();
  });

  it('a receiver that hangs past the timeout counts as failed and is retried; a later 2xx ends it', async () => {
    const e = await startExtpayEmulator({ webhookTimeoutMs: 200, webhookRetryDelaysMs: [10, 10, 10] });
    const rx = await receiver((n) => (n === 1 ? 'hang' : 200));
    const r = await create(base({ webhook_url: rx.url }), e);
    e.pay(String(r.json.internal_order_id));
    await e.webhooksSettled();
    expect(e.webhookAttempts().map((a) => [a.attempt, a.status, a.error])).toEqual([[1, null, 'TimeoutError'], [2, 200, null]]);
    await rx.close();
    await e.close();
  });
});
