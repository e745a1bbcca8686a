// The external payments API emulator, exactly as the seed specifies (docs/extpay.md): Bearer on every
// call, create / status / sandbox simulate, the documented 400/404/403/500 errors, 100 requests/min per
// IP, custom_data ≤ 5 KB of string/number/boolean, and the webhook — custom_data flattened into the root,
// Bearer auth_token when given, retried on 5xx (and no answer) but never on 4xx, at 1 s, 2 s, 4 s, each
// attempt cut at 30 s. A payer page at payment_url lets a browser (or test) pay like a customer.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CURRENCIES, CUSTOM_DATA_MAX_BYTES, METHODS, type ExtStatus } from '../../main/payapi/extpay/contract';

export const SANDBOX_TOKEN = 'preview-external-api-secret-2024';

export interface ExtpayEmulatorOptions {
  token?: string;
  mode?: 'sandbox' | 'production';
  ratePerMinute?: number;
  /** Waits before each retry of a failed webhook (the seed: 1 s, 2 s, 4 s). */
  webhookRetryDelaysMs?: number[];
  webhookTimeoutMs?: number;
  host?: string;
}

export interface ExtpayPayment {
  internalOrderId: string;
  externalOrderId: string | null;
  amount: number;
  currency: string;
  paymentMethod: string;
  webhookUrl: string;
  authToken: string | null;
  returnUrl: string | null;
  productTitle: string | null;
  customData: Record<string, string | number | boolean>;
  status: ExtStatus;
  createdAt: string;
  processedAt: string | null;
}

export interface WebhookAttempt {
  internalOrderId: string;
  attempt: number;
  at: number;
  status: number | null;
  error: string | null;
  authorization: string | null;
  body: Record<string, unknown>;
}

export interface ExtpayFaults {
  /** Answer 500 this many times. */
  failNext?: number;
  /** Create the payment, then drop the connection without an answer, this many times. */
  dropCreateAfterCommit?: number;
  /** Answer 429 (Retry-After: 1) this many times, as the per-IP limit would. */
  rateLimitNext?: number;
  slowMs?: number;
}

export interface ExtpayEmulator {
  baseUrl: string;
  payments(): ExtpayPayment[];
  /** SUCCESS payments: the money that moved. */
  charges(): ExtpayPayment[];
  webhookAttempts(): WebhookAttempt[];
  /** Resolves when every webhook delivery started so far has finished its schedule. */
  webhooksSettled(): Promise<void>;
  /** The customer pays (or the payment fails) as if on the payer page. */
  pay(internalOrderId: string, status?: 'SUCCESS' | 'FAILED'): boolean;
  setFaults(f: ExtpayFaults): void;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

function validateCreate(body: unknown): { ok: true; value: Omit<ExtpayPayment, 'internalOrderId' | 'status' | 'createdAt' | 'processedAt'> } | { ok: false; error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, error: 'Invalid request body' };
  const b = body as Record<string, unknown>;
  const optString = (k: string): string | null | undefined => {
    const v = b[k];
    if (v === undefined || v === null) return null;
    return typeof v === 'string' ? v : undefined;
  };
  const amount = b.amount;
  // A positive number with at most two decimals (a string "49.99" is not a number).
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || Number(amount.toFixed(2)) !== amount) return { ok: false, error: 'Invalid amount parameter' };
  if (typeof b.currency !== 'string' || !(CURRENCIES as readonly string[]).includes(b.currency)) return { ok: false, error: `Unsupported currency: ${String(b.currency)}` };
  if (typeof b.payment_method !== 'string' || !(METHODS as readonly string[]).includes(b.payment_method)) return { ok: false, error: `Unknown payment method: ${String(b.payment_method)}` };
  if (typeof b.webhook_url !== 'string' || !/^https?:\/\//.test(b.webhook_url)) return { ok: false, error: 'Invalid webhook_url parameter' };
  const ext = optString('external_order_id');
  const token = optString('auth_token');
  const ret = optString('return_url');
  const title = optString('product_title');
  if (ext === undefined) return { ok: false, error: 'Invalid external_order_id parameter' };
  if (token === undefined) return { ok: false, error: 'Invalid auth_token parameter' };
  if (ret === undefined) return { ok: false, error: 'Invalid return_url parameter' };
  if (title === undefined) return { ok: false, error: 'Invalid product_title parameter' };
  const cd = b.custom_data;
  if (typeof cd !== 'object' || cd === null || Array.isArray(cd)) return { ok: false, error: 'custom_data is required and must be an object' };
  for (const [k, v] of Object.entries(cd)) {
    if (!(typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) return { ok: false, error: `custom_data.${k} must be a string, number or boolean` };
  }
  if (Buffer.byteLength(JSON.stringify(cd), 'utf8') > CUSTOM_DATA_MAX_BYTES) return { ok: false, error: 'custom_data exceeds 5 KB' };
  return {
    ok: true,
    value: { externalOrderId: ext, amount, currency: b.currency, paymentMethod: b.payment_method, webhookUrl: b.webhook_url, authToken: token, returnUrl: ret, productTitle: title, customData: cd as Record<string, string | number | boolean> },
  };
}

export async function startExtpayEmulator(opts: ExtpayEmulatorOptions = {}): Promise<ExtpayEmulator> {
  const token = opts.token ?? SANDBOX_TOKEN;
  const mode = opts.mode ?? 'sandbox';
  const rate = opts.ratePerMinute ?? 100;
  const retryDelays = opts.webhookRetryDelaysMs ?? [1_000, 2_000, 4_000];
  const webhookTimeoutMs = opts.webhookTimeoutMs ?? 30_000;
  const payments = new Map<string, ExtpayPayment>();
  const attempts: WebhookAttempt[] = [];
  const inflight = new Set<Promise<void>>();
  const hits = new Map<string, number[]>();
  const timers = new Set<NodeJS.Timeout>();
  let faults: ExtpayFaults = {};
  let closed = false;
  let baseUrl = '';

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    timers.add(t);
  });

  const webhookBody = (p: ExtpayPayment): Record<string, unknown> => ({
    // custom_data first, so the documented fields win a name clash (docs/extpay.md).
    ...p.customData,
    internal_order_id: p.internalOrderId,
    external_order_id: p.externalOrderId,
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    payment_method: p.paymentMethod,
    processed_at: p.processedAt,
  });

  const deliver = async (p: ExtpayPayment): Promise<void> => {
    const body = webhookBody(p);
    const text = JSON.stringify(body);
    for (let attempt = 1; attempt <= retryDelays.length + 1 && !closed; attempt += 1) {
      const authorization = p.authToken ? `Bearer ${p.authToken}` : null;
      let status: number | null = null;
      let error: string | null = null;
      const at = Date.now();
      try {
        const res = await fetch(p.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: text,
          signal: AbortSignal.timeout(webhookTimeoutMs),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch (e) {
        error = e instanceof Error ? e.name : String(e);
      }
      attempts.push({ internalOrderId: p.internalOrderId, attempt, at, status, error, authorization, body });
      if (status !== null && status >= 200 && status < 300) return;
      if (status !== null && status >= 400 && status < 500) return; // 4xx: the receiver refused; no retry
      const wait = retryDelays[attempt - 1];
      if (wait === undefined) return;
      await sleep(wait);
    }
  };

  const settle = (p: ExtpayPayment, status: 'SUCCESS' | 'FAILED'): boolean => {
    if (p.status !== 'PENDING') return false;
    p.status = status;
    p.processedAt = new Date().toISOString();
    const job = deliver(p).finally(() => inflight.delete(job));
    inflight.add(job);
    return true;
  };

  const limited = (ip: string): number | null => {
    const now = Date.now();
    const list = (hits.get(ip) ?? []).filter((t) => t > now - 60_000);
    if (list.length >= rate) {
      hits.set(ip, list);
      return Math.max(1, Math.ceil(((list[0] ?? now) + 60_000 - now) / 1000));
    }
    list.push(now);
    hits.set(ip, list);
    return null;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
        const go = (): void => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(json));
        };
        if (faults.slowMs) setTimeout(go, faults.slowMs);
        else go();
      };
      const url = new URL(req.url ?? '/', 'http://x');
      // The payer's page (the customer's side, not the API): no Bearer, not rate limited.
      const payer = /^\/pay\/([^/]+)(\/confirm)?$/.exec(url.pathname);
      if (payer) {
        const p = payments.get(payer[1] ?? '');
        if (!p) return send(404, { error: 'Payment not found' });
        if (payer[2] && req.method === 'POST') return send(200, { paid: settle(p, 'SUCCESS') });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><title>Оплата</title><h1>${p.paymentMethod === 'paypal' ? 'PayPal' : 'Yandex Pay'}</h1><p id="amount">${p.amount} ${p.currency}</p><p id="status">${p.status}</p><button id="pay" onclick="fetch(location.pathname+'/confirm',{method:'POST'}).then(()=>location.reload())">Оплатить</button>`);
        return;
      }
      if ((faults.rateLimitNext ?? 0) > 0) {
        faults.rateLimitNext = (faults.rateLimitNext ?? 0) - 1;
        return send(429, { error: 'Too many requests' }, { 'retry-after': '1' });
      }
      const retryAfter = limited(req.socket.remoteAddress ?? '?');
      if (retryAfter !== null) return send(429, { error: 'Too many requests' }, { 'retry-after': String(retryAfter) });
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'Unauthorized' });
      if ((faults.failNext ?? 0) > 0) {
        faults.failNext = (faults.failNext ?? 0) - 1;
        return send(500, { error: 'Internal server error' });
      }
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
      } catch {
        body = undefined;
      }
      if (req.method === 'POST' && url.pathname === '/api/external/payments/create') {
        if (body === undefined) return send(400, { error: 'Invalid JSON body' });
        const v = validateCreate(body);
        if (!v.ok) return send(400, { error: v.error });
        const p: ExtpayPayment = { ...v.value, internalOrderId: crypto.randomUUID(), status: 'PENDING', createdAt: new Date().toISOString(), processedAt: null };
        payments.set(p.internalOrderId, p);
        if ((faults.dropCreateAfterCommit ?? 0) > 0) {
          faults.dropCreateAfterCommit = (faults.dropCreateAfterCommit ?? 0) - 1;
          req.socket.destroy();
          return;
        }
        return send(200, { payment_url: `${baseUrl}/pay/${p.internalOrderId}`, internal_order_id: p.internalOrderId });
      }
      const m = /^\/api\/external\/payments\/([^/]+)\/(status|simulate)$/.exec(url.pathname);
      if (m) {
        const id = decodeURIComponent(m[1] ?? '');
        const p = UUID.test(id) ? payments.get(id) : undefined;
        if (m[2] === 'status' && req.method === 'GET') {
          if (!p) return send(404, { error: 'Payment not found' });
          return send(200, { internal_order_id: p.internalOrderId, external_order_id: p.externalOrderId, status: p.status, amount: p.amount, currency: p.currency, payment_method: p.paymentMethod, created_at: p.createdAt, processed_at: p.processedAt });
        }
        if (m[2] === 'simulate' && req.method === 'POST') {
          if (mode === 'production') return send(403, { error: 'Simulation is not available in production' });
          if (!p) return send(404, { error: 'Payment not found' });
          const wanted = typeof body === 'object' && body !== null && 'status' in body && body.status === 'FAILED' ? 'FAILED' : 'SUCCESS';
          if (!settle(p, wanted)) return send(400, { error: 'Payment already processed' });
          return send(200, { internal_order_id: p.internalOrderId, status: p.status });
        }
      }
      return send(404, { error: 'Not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, opts.host ?? '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    payments: () => [...payments.values()].map((p) => ({ ...p })),
    charges: () => [...payments.values()].filter((p) => p.status === 'SUCCESS').map((p) => ({ ...p })),
    webhookAttempts: () => [...attempts],
    webhooksSettled: async () => {
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
    pay: (id, status = 'SUCCESS') => {
      const p = payments.get(id);
      return p ? settle(p, status) : false;
    },
    setFaults(f) {
      faults = { ...f };
    },
    close: () => new Promise<void>((resolve) => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
