// Small loopback client for the emulator's own tests (raw bytes kept, custom CA supported).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { API_PREFIX } from '../../main/payapi/koshelek/wire';
import type { KoshelekEmulator } from './types';

export interface Resp {
  status: number;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  /** Parsed JSON object ({} when the body is empty or not an object). */
  json: Record<string, unknown>;
  /** The request went over an already open keep-alive connection. */
  reusedSocket: boolean;
}

export interface ClientOptions {
  login?: string;
  password?: string;
  /** null = send no token header. */
  token?: string | null;
  ca?: string | null;
  /** Override the origin + partner base (e.g. to test a wrong host name). */
  baseUrl?: string;
}

export class TestClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  constructor(private readonly emu: KoshelekEmulator, private readonly opts: ClientOptions = {}) {
    this.base = new URL(opts.baseUrl ?? emu.baseUrl);
    this.agent = this.base.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, ca: opts.ca ?? emu.ca ?? undefined })
      : new http.Agent({ keepAlive: true });
  }

  close(): void {
    this.agent.destroy();
  }

  /** Raw request against `{base}{path}`; path may be absolute (starting with '/__emulator'). */
  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Resp> {
    const url = path.startsWith('/__emulator') || path.startsWith('//')
      ? new URL(path.replace(/^\/\//, '/'), this.base.origin)
      : new URL(`${this.base.pathname.replace(/\/$/, '')}${path}`, this.base.origin);
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
    const h: Record<string, string> = {
      Authorization: `Basic ${Buffer.from(`${this.opts.login ?? 'emulator'}:${this.opts.password ?? 'emulator'}`).toString('base64')}`,
      ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
      ...(this.opts.token === null ? {} : { token: this.opts.token ?? 'dGVzdA==967' }),
      ...headers,
    };
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method, headers: h, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          let json: Record<string, unknown> = {};
          try {
            const v: unknown = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
            if (v !== null && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
          } catch {
            // left as {}
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, json, reusedSocket: req.reusedSocket });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  post(endpoint: string, body: unknown, headers?: Record<string, string>): Promise<Resp> {
    return this.request('POST', `${API_PREFIX}${endpoint}`, body, headers);
  }

  availability(cardSession: string, total = 14245, extra: Record<string, unknown> = {}): Promise<Resp> {
    return this.post('/availability-info/task', { ...availabilityBody(cardSession, total), ...extra });
  }

  checkout(cardSession: string, total = 14245, type = 'SBP', extra: Record<string, unknown> = {}): Promise<Resp> {
    return this.post('/checkout', { ...checkoutBody(cardSession, total, type), ...extra });
  }

  status(ids: { transactionId?: string; refTransactionId?: string }, requestId: string = randomUUID()): Promise<Resp> {
    return this.post('/transaction/status', { requestId, ...ids });
  }

  cancel(transactionId: string, requestId: string = randomUUID()): Promise<Resp> {
    return this.post('/transaction/cancel', { requestId, storeId: STORE, terminalId: TERMINAL, transactionId });
  }

  refund(transactionId: string, refundAmount: number, items: Record<string, unknown>[], requestId: string = randomUUID(), extra: Record<string, unknown> = {}): Promise<Resp> {
    return this.post('/transaction/refund', { requestId, storeId: STORE, terminalId: TERMINAL, transactionId, refundAmount, currency: 'RUB', items, ...extra });
  }

  receipt(transactionId: string, requestId: string = randomUUID()): Promise<Resp> {
    return this.post('/transaction/receipt', {
      requestId, transactionId, storeId: STORE, terminalId: TERMINAL,
      invoice: {
        orderId: 'order-1', receiptId: 'r-1', merchantName: 'ООО Ромашка', merchantAddress: 'Москва', inn: '007712345678',
        dateTime: '2024-01-05T14:56:40+03:00', shift: '12', cashier: 'Иванова', receiptType: 'debit', totalAmount: 14245,
        items: [item('1111111', 2000, 1, 1900)],
      },
    });
  }

  /** Poll status (fresh requestId each time) until `done` or timeout. */
  async waitStatus(ids: { transactionId?: string; refTransactionId?: string }, done: (r: Resp) => boolean, timeoutMs = 5_000): Promise<Resp> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.status(ids);
      if (done(r) || Date.now() > until) return r;
      await new Promise((res) => setTimeout(res, 15));
    }
  }

  /** Checkout then wait for a final status; returns the transactionId. */
  async payAndWait(cardSession: string, total = 14245, type = 'SBP'): Promise<{ transactionId: string; final: Resp }> {
    const c = await this.checkout(cardSession, total, type);
    const transactionId = String(c.json.transactionId);
    const final = await this.waitStatus({ transactionId }, (r) => !['new', 'pending'].includes(String(r.json.status)));
    return { transactionId, final };
  }
}

export const STORE = 'ac99f4c8-1a8e-4b60-8aeb-fe20220f1b99';
export const TERMINAL = 'POS-017';

export function item(article: string, price: number, quantity: number, totalAmount: number, measure = 'PIECE'): Record<string, unknown> {
  return { name: `Товар ${article}`, article, price, quantity, measure, totalAmount, discountAmount: 0, subTotalAmount: totalAmount, tax: 'vat20' };
}

/** Basket: 1111111 x1 @ 1900 and 2222222 x1 @ rest (weight item 3333333 if total allows is added by tests). */
export function invoice(total: number, items?: Record<string, unknown>[]): Record<string, unknown> {
  return {
    orderId: `order-${randomUUID().slice(0, 8)}`,
    totalAmount: total,
    currency: 'RUB',
    items: items ?? (total > 1900 ? [item('1111111', 1900, 1, 1900), item('2222222', total - 1900, 1, total - 1900)] : [item('1111111', total, 1, total)]),
  };
}

export function availabilityBody(cardSession: string, total: number): Record<string, unknown> {
  return { requestId: randomUUID(), cardSession, storeId: STORE, terminalId: TERMINAL, checkoutInvoice: invoice(total), user: { loyaltyId: '2000000123456' } };
}

export function checkoutBody(cardSession: string, total: number, type = 'SBP'): Record<string, unknown> {
  return { ...availabilityBody(cardSession, total), paymentMethods: [{ type }] };
}

let sessionCounter = Math.floor(Math.random() * 1_000_000);
/** A unique (per process) 6-char cardSession for a scenario. */
export function session(scenario: string): string {
  sessionCounter = (sessionCounter + 1) % 1_679_616; // 36^4
  return `${scenario}${sessionCounter.toString(36).toUpperCase().padStart(4, '0')}`;
}

export function slipOf(r: Resp): Record<string, unknown> {
  const s = r.json.slip;
  return s !== null && typeof s === 'object' ? (s as Record<string, unknown>) : {};
}
