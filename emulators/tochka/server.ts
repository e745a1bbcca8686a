// A faithful Tochka API v2 emulator on loopback (docs/providers.md, "Tochka"): customers, retailers,
// payments_with_receipt (unique paymentLinkId, 424 on reuse), operation info and list, refunds, the
// cashbox SBP QR, and RS256-signed JWT webhooks re-sent up to 30 times every 10 s until answered 200.
// A control API (/_control/...) plays the customer (pay, decline by expiry) and injects faults.
import crypto, { type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type TochkaFault =
  /** The bank creates the link, then never answers (the client times out): the ambiguous create. */
  | 'timeout_after_create'
  /** 500 before creating anything. */
  | 'error_500'
  /** Creates, then answers 500. */
  | 'error_500_after_create'
  /** Resets the connection after creating. */
  | 'reset_after_create'
  /** Makes the next refund, then never answers (the client times out): the ambiguous refund. */
  | 'timeout_after_refund';

export interface TochkaEmulatorOptions {
  token?: string;
  customerCode?: string;
  merchantId?: string;
  /** Retail points to report; default one active REG point. */
  retailers?: { status: string; isActive: boolean; merchantId?: string; name?: string }[];
  /** Internet acquiring switched off: every /acquiring call answers 501. */
  acquiringOff?: boolean;
  webhookUrl?: string | null;
  webhookRetries?: number;
  webhookIntervalMs?: number;
  /** How long a timeout fault holds the answer. */
  holdMs?: number;
  /** Plays a customer who pays every new link this long after it was created (null: only by control). */
  autoPayAfterMs?: number | null;
}

export interface EmulatedOperation {
  operationId: string;
  paymentLinkId: string;
  customerCode: string;
  merchantId: string | null;
  amount: number;
  purpose: string;
  status: string;
  paymentMode: string[];
  paymentLink: string;
  saveCard: boolean;
  consumerId: string | null;
  paymentType: string | null;
  createdAt: string;
  Order: { orderId: string; type: string; amount: number; time: string }[];
  items: unknown;
}

export interface WebhookAttempt { operationId: string; attempt: number; status: number | null }

export class TochkaEmulator {
  readonly operations = new Map<string, EmulatedOperation>();
  readonly creates: { paymentLinkId: string; status: number }[] = [];
  readonly webhookAttempts: WebhookAttempt[] = [];
  readonly qr = new Map<string, { amount: number; paramsId: string; purpose: string; status: 'WAITING_PAYMENT' | 'DEACTIVATED'; trx: 'NTST' | 'ACWP' | 'RJCT'; trxId: string | null }>();
  /** SBP payments made on cashbox QR activations (purpose carries the till's reference). */
  readonly sbpPayments: { qrcId: string; paramsId: string; purpose: string; amount: number }[] = [];
  /** Activations per qrcId, in order (the crash tests count them). */
  readonly activations: { qrcId: string; purpose: string; amount: number }[] = [];
  private readonly faults: TochkaFault[] = [];
  private readonly keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  private server: http.Server | null = null;
  private readonly held = new Set<http.ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  opts: Required<Omit<TochkaEmulatorOptions, 'webhookUrl' | 'autoPayAfterMs'>> & { webhookUrl: string | null; autoPayAfterMs: number | null };
  url = '';

  constructor(options: TochkaEmulatorOptions = {}) {
    this.opts = {
      token: options.token ?? 'test.jwt.token',
      customerCode: options.customerCode ?? '300000092',
      merchantId: options.merchantId ?? '200000000001056',
      retailers: options.retailers ?? [{ status: 'REG', isActive: true, merchantId: options.merchantId ?? '200000000001056', name: 'Магазин' }],
      acquiringOff: options.acquiringOff ?? false,
      webhookUrl: options.webhookUrl ?? null,
      webhookRetries: options.webhookRetries ?? 30,
      webhookIntervalMs: options.webhookIntervalMs ?? 10_000,
      holdMs: options.holdMs ?? 60_000,
      autoPayAfterMs: options.autoPayAfterMs ?? null,
    };
  }

  /** The public key the till pins to verify this emulator's webhooks. */
  publicJwk(): { kty: 'RSA'; n: string; e: string } {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    return { kty: 'RSA', n: String(jwk.n), e: String(jwk.e) };
  }

  privateKey(): KeyObject {
    return this.keys.privateKey;
  }

  queueFault(fault: TochkaFault): void {
    this.faults.push(fault);
  }

  /** How many times the customer was charged for our reference (the one number the crash tests check). */
  charges(paymentLinkId: string): number {
    return [...this.operations.values()].filter((o) => o.paymentLinkId === paymentLinkId && o.Order.some((x) => x.type === 'approval')).length;
  }

  byLinkId(paymentLinkId: string): EmulatedOperation | undefined {
    return [...this.operations.values()].find((o) => o.paymentLinkId === paymentLinkId);
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => { body += c; });
      req.on('end', () => {
        try {
          this.route(req, res, body);
        } catch (error) {
          send(res, 500, { code: '500', message: String(error), Errors: [{ errorCode: 'HTTPInternalError' }] });
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const r of this.held) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- the customer's side (control API, also callable in-process)

  pay(operationId: string, paymentType: 'card' | 'sbp' = 'sbp'): EmulatedOperation {
    const op = this.operations.get(operationId);
    if (!op) throw new Error(`no operation ${operationId}`);
    if (op.status !== 'CREATED') throw new Error(`operation ${operationId} is ${op.status}`);
    op.status = 'APPROVED';
    op.paymentType = paymentType;
    if (paymentType === 'card' && (op.saveCard || op.consumerId)) op.consumerId = op.consumerId ?? crypto.randomUUID();
    op.Order.push({ orderId: crypto.randomUUID(), type: 'approval', amount: op.amount, time: new Date().toISOString() });
    this.sendWebhook(op);
    return op;
  }

  expire(operationId: string): void {
    const op = this.operations.get(operationId);
    if (op && op.status === 'CREATED') op.status = 'EXPIRED';
  }

  /** Signs a payload as the bank does: compact JWT, header {"typ":"JWT","alg":"RS256"}, no kid/exp. */
  sign(payload: Record<string, unknown>, key: KeyObject = this.keys.privateKey): string {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${b64({ typ: 'JWT', alg: 'RS256' })}.${b64(payload)}`;
    return `${input}.${crypto.sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
  }

  webhookPayload(op: EmulatedOperation): Record<string, unknown> {
    return {
      customerCode: op.customerCode, amount: op.amount.toFixed(2), paymentType: op.paymentType, operationId: op.operationId, purpose: op.purpose,
      webhookType: 'acquiringInternetPayment', merchantId: op.merchantId, status: op.status, paymentLinkId: op.paymentLinkId,
      ...(op.consumerId ? { consumerId: op.consumerId } : {}),
    };
  }

  /** Delivers until answered 200, at most `webhookRetries` + 1 times, every `webhookIntervalMs`. */
  sendWebhook(op: EmulatedOperation): void {
    const url = this.opts.webhookUrl;
    if (!url) return;
    const jwt = this.sign(this.webhookPayload(op));
    const attempt = (n: number): void => {
      void postText(url, jwt).then((status) => {
        this.webhookAttempts.push({ operationId: op.operationId, attempt: n, status });
        if (status === 200 || n >= this.opts.webhookRetries) return;
        const t = setTimeout(() => { this.timers.delete(t); attempt(n + 1); }, this.opts.webhookIntervalMs);
        this.timers.add(t);
      });
    };
    attempt(0);
  }

  // ---- the API

  private route(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    const method = req.method ?? 'GET';
    if (p.startsWith('/_control/')) return this.control(method, p, raw, res);
    if (req.headers.authorization !== `Bearer ${this.opts.token}`) {
      return send(res, 403, { code: '403', message: 'Forbidden', Errors: [{ errorCode: 'Something going wrong', message: 'forbidden by consent' }] });
    }
    const body = raw ? (JSON.parse(raw) as { Data?: Record<string, unknown> }) : {};
    if (p === '/open-banking/v1.0/customers' && method === 'GET') {
      return ok(res, { Customer: [
        { customerCode: '300000091', customerType: 'Personal', isResident: true, fullName: 'Иванов Иван' },
        { customerCode: this.opts.customerCode, customerType: 'Business', isResident: true, fullName: 'ИП Тест', shortName: 'ИП Тест' },
      ] });
    }
    if (p.startsWith('/acquiring/') && this.opts.acquiringOff) {
      return send(res, 501, { code: '501', message: 'Not Implemented', Errors: [{ errorCode: 'NotImplemented', message: 'acquiring is not activated' }] });
    }
    if (p === '/acquiring/v1.0/retailers' && method === 'GET') {
      return ok(res, { Retailer: this.opts.retailers.map((r) => ({ mcc: '5411', rate: 2, paymentModes: ['sbp', 'card'], cashbox: null, ...r })) });
    }
    if (p === '/acquiring/v1.0/payments_with_receipt' && method === 'POST') return this.create(body.Data ?? {}, res);
    if (p === '/acquiring/v1.0/payments' && method === 'GET') {
      const code = url.searchParams.get('customerCode');
      const page = Number(url.searchParams.get('page') ?? '1');
      const perPage = Number(url.searchParams.get('perPage') ?? '1000');
      const all = [...this.operations.values()].filter((o) => o.customerCode === code);
      const slice = all.slice((page - 1) * perPage, page * perPage);
      return send(res, 200, { Data: { Operation: slice.map(view) }, Links: { self: req.url }, Meta: { totalPages: Math.max(1, Math.ceil(all.length / perPage)) } });
    }
    const one = /^\/acquiring\/v1\.0\/payments\/([^/]+)(\/refund)?$/.exec(p);
    if (one) {
      const op = this.operations.get(decodeURIComponent(one[1] ?? ''));
      if (!op) return send(res, 404, { code: '404', message: 'Not found', Errors: [{ errorCode: 'HTTPNotFound' }] });
      if (!one[2] && method === 'GET') return ok(res, { Operation: [view(op)] });
      if (one[2] && method === 'POST') {
        const amount = Number(body.Data?.amount);
        const refunded = op.Order.filter((o) => o.type === 'refund').reduce((s, o) => s + o.amount, 0);
        if (op.status !== 'APPROVED' && op.status !== 'REFUNDED_PARTIALLY') return send(res, 400, { code: '400', message: `status ${op.status}`, Errors: [{ errorCode: 'Validation Error' }] });
        if (!(amount > 0) || Math.round((refunded + amount) * 100) > Math.round(op.amount * 100)) return send(res, 400, { code: '400', message: 'Field amount : Value error', Errors: [{ errorCode: 'Validation Error' }] });
        const orderId = crypto.randomUUID();
        op.Order.push({ orderId, type: 'refund', amount, time: new Date().toISOString() });
        op.status = Math.round((refunded + amount) * 100) === Math.round(op.amount * 100) ? 'REFUNDED' : 'REFUNDED_PARTIALLY';
        if (this.faults[0] === 'timeout_after_refund') {
          this.faults.shift();
          this.held.add(res);
          const t = setTimeout(() => { this.timers.delete(t); this.held.delete(res); res.destroy(); }, this.opts.holdMs);
          this.timers.add(t);
          return;
        }
        return ok(res, { isRefund: true, operationId: op.operationId, amount, date: new Date().toISOString().slice(0, 10), orderId });
      }
    }
    const qr = /^\/sbp\/v1\.0\/cashbox-qr-code\/([^/]+)(?:\/(activate|deactivate|operation|status))?$/.exec(p);
    if (qr) return this.cashbox(decodeURIComponent(qr[1] ?? ''), qr[2] ?? 'info', body.Data ?? {}, url, res);
    return send(res, 404, { code: '404', message: 'Not found', Errors: [{ errorCode: 'HTTPNotFound' }] });
  }

  private create(d: Record<string, unknown>, res: http.ServerResponse): void {
    const fault = this.faults.shift();
    const linkId = typeof d.paymentLinkId === 'string' ? d.paymentLinkId : String(this.operations.size + 1);
    const amount = Number(d.amount);
    const bad = d.customerCode !== this.opts.customerCode ? 'customerCode' : !(amount > 0) ? 'amount' : !Array.isArray(d.Items) || d.Items.length === 0 ? 'Items' : null;
    if (bad) {
      this.creates.push({ paymentLinkId: linkId, status: 400 });
      return send(res, 400, { code: '400', message: `Field ${bad} : Value error, invalid`, Errors: [{ errorCode: 'Validation Error' }] });
    }
    if (fault === 'error_500') {
      this.creates.push({ paymentLinkId: linkId, status: 500 });
      return send(res, 500, { code: '500', message: 'Internal error', Errors: [{ errorCode: 'HTTPInternalError' }] });
    }
    if (this.byLinkId(linkId)) {
      this.creates.push({ paymentLinkId: linkId, status: 424 });
      return send(res, 424, { code: '424', message: `Заказ ${linkId} уже существует`, Errors: [{ errorCode: 'Something going wrong' }] });
    }
    const operationId = crypto.randomUUID();
    const op: EmulatedOperation = {
      operationId, paymentLinkId: linkId, customerCode: this.opts.customerCode, merchantId: typeof d.merchantId === 'string' ? d.merchantId : null, amount,
      purpose: String(d.purpose ?? ''), status: 'CREATED', paymentMode: Array.isArray(d.paymentMode) ? d.paymentMode.map(String) : ['sbp', 'card'],
      paymentLink: `${this.url}/pay/${operationId}`, saveCard: d.saveCard === true, consumerId: typeof d.consumerId === 'string' ? d.consumerId : null,
      paymentType: null, createdAt: new Date().toISOString(), Order: [], items: d.Items,
    };
    this.operations.set(operationId, op);
    this.creates.push({ paymentLinkId: linkId, status: fault ? 0 : 200 });
    if (this.opts.autoPayAfterMs !== null) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (op.status === 'CREATED') this.pay(operationId, 'sbp');
      }, this.opts.autoPayAfterMs);
      this.timers.add(t);
    }
    if (this.faultAfterEffect(fault, res)) return;
    ok(res, { ...view(op), Client: d.Client, Items: d.Items, saveCard: op.saveCard });
  }

  /** The bank did it, then the answer is lost: held past the client's timeout, reset, or a 500. */
  private faultAfterEffect(fault: TochkaFault | undefined, res: http.ServerResponse): boolean {
    if (fault === 'timeout_after_create') {
      this.held.add(res);
      const t = setTimeout(() => { this.timers.delete(t); this.held.delete(res); res.destroy(); }, this.opts.holdMs);
      this.timers.add(t);
      return true;
    }
    if (fault === 'reset_after_create') {
      res.destroy();
      return true;
    }
    if (fault === 'error_500_after_create') {
      send(res, 500, { code: '500', message: 'Internal error', Errors: [{ errorCode: 'HTTPInternalError' }] });
      return true;
    }
    return false;
  }

  private cashbox(qrcId: string, action: string, d: Record<string, unknown>, url: URL, res: http.ServerResponse): void {
    const cur = this.qr.get(qrcId);
    if (action === 'activate') {
      const amount = Number(d.amount);
      if (!Number.isInteger(amount) || amount <= 0) return send(res, 400, { code: '400', message: 'Field amount : Value error', Errors: [{ errorCode: 'Validation Error' }] });
      const fault = this.faults.shift();
      if (fault === 'error_500') return send(res, 500, { code: '500', message: 'Internal error', Errors: [{ errorCode: 'HTTPInternalError' }] });
      const paramsId = crypto.randomUUID();
      const purpose = String(d.paymentPurpose ?? '');
      // A new activation replaces the previous one: the previous amount can no longer be paid.
      this.qr.set(qrcId, { amount, paramsId, purpose, status: 'WAITING_PAYMENT', trx: 'NTST', trxId: null });
      this.activations.push({ qrcId, purpose, amount });
      if (this.faultAfterEffect(fault, res)) return;
      return ok(res, { qrcId, amount, currency: 'RUB', paramsId, paymentPurpose: purpose });
    }
    if (action === 'info') return ok(res, { qrcId, paramsId: cur?.paramsId ?? null, paymentPurpose: cur?.purpose ?? null, amount: cur?.amount ?? null, currency: 'RUB' });
    if (!cur) return send(res, 404, { code: '404', message: 'QR not found', Errors: [{ errorCode: 'RQ05014' }] });
    if (action === 'deactivate') {
      cur.status = 'DEACTIVATED';
      return ok(res, { result: true });
    }
    if (action === 'status') return ok(res, { status: cur.status === 'DEACTIVATED' ? 'INACTIVATED' : cur.status, paramsId: cur.paramsId });
    if (url.searchParams.get('paramsId') !== cur.paramsId) return ok(res, { qrCodeStatus: cur.status, trxStatus: 'NTST' });
    return ok(res, { qrCodeStatus: cur.status, trxStatus: cur.trx, trxId: cur.trxId, amount: cur.amount, dateTime: new Date().toISOString() });
  }

  private control(method: string, p: string, raw: string, res: http.ServerResponse): void {
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const m = /^\/_control\/(pay|expire)\/([^/]+)$/.exec(p);
    if (m && method === 'POST') {
      try {
        if (m[1] === 'pay') this.pay(decodeURIComponent(m[2] ?? ''), body.paymentType === 'card' ? 'card' : 'sbp');
        else this.expire(decodeURIComponent(m[2] ?? ''));
        return send(res, 200, { ok: true });
      } catch (error) {
        return send(res, 409, { ok: false, error: String(error) });
      }
    }
    const sbp = /^\/_control\/sbp\/([^/]+)\/(pay|reject)$/.exec(p);
    if (sbp) {
      const cur = this.qr.get(decodeURIComponent(sbp[1] ?? ''));
      if (!cur || cur.status !== 'WAITING_PAYMENT') return send(res, 409, { ok: false });
      cur.trx = sbp[2] === 'pay' ? 'ACWP' : 'RJCT';
      if (cur.trx === 'ACWP') this.sbpPayments.push({ qrcId: decodeURIComponent(sbp[1] ?? ''), paramsId: cur.paramsId, purpose: cur.purpose, amount: cur.amount });
      cur.trxId = crypto.randomUUID();
      cur.status = 'DEACTIVATED';
      return send(res, 200, { ok: true });
    }
    if (p === '/_control/fault' && method === 'POST') {
      this.queueFault(body.fault as TochkaFault);
      return send(res, 200, { ok: true });
    }
    if (p === '/_control/acquiring' && method === 'POST') {
      this.opts.acquiringOff = body.off === true;
      return send(res, 200, { ok: true });
    }
    if (p === '/_control/operations' && method === 'GET') return send(res, 200, { operations: [...this.operations.values()] });
    send(res, 404, { ok: false });
  }
}

function view(op: EmulatedOperation): Record<string, unknown> {
  return {
    customerCode: op.customerCode, operationId: op.operationId, paymentLink: op.paymentLink, amount: op.amount, status: op.status, createdAt: op.createdAt,
    paymentMode: op.paymentMode, purpose: op.purpose, merchantId: op.merchantId, paymentLinkId: op.paymentLinkId, Order: op.Order,
    ...(op.paymentType ? { paymentType: op.paymentType } : {}), ...(op.consumerId ? { consumerId: op.consumerId } : {}),
  };
}

function ok(res: http.ServerResponse, data: unknown): void {
  send(res, 200, { Data: data, Links: { self: 'http://127.0.0.1/' }, Meta: { totalPages: 1 } });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function postText(url: string, text: string): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) }, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? null));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end(text);
  });
}
