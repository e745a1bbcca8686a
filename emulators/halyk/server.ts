// A Halyk ePay emulator on loopback (docs/providers.md, "Halyk ePay"): OAuth client-credentials token,
// invoice links (unique invoice_id), transaction status by our invoice id, refunds by transaction id
// (10 ₸ minimum, only from CHARGE). A control API plays the customer and injects faults.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type HalykFault = 'timeout_after_create' | 'error_500';

export interface HalykInvoice {
  id: string;
  invoiceId: string;
  amount: number;
  currency: string;
  status: 'NEW' | 'CHARGE' | 'REJECT' | 'EXPIRED' | 'REFUND';
  refunded: number;
  charges: number;
}

export class HalykEmulator {
  readonly invoices = new Map<string, HalykInvoice>();
  readonly creates: string[] = [];
  private readonly tokens = new Set<string>();
  private readonly faults: HalykFault[] = [];
  private server: http.Server | null = null;
  private readonly held = new Set<http.ServerResponse>();
  url = '';

  constructor(readonly credentials = { clientId: 'test', clientSecret: 'secret', terminalId: 'terminal-1', shopId: 'shop-1' }, private readonly holdMs = 3_000) {}

  queueFault(f: HalykFault): void {
    this.faults.push(f);
  }

  byInvoiceId(invoiceId: string): HalykInvoice | undefined {
    return this.invoices.get(invoiceId);
  }

  pay(invoiceId: string): void {
    const inv = this.invoices.get(invoiceId);
    if (!inv || inv.status !== 'NEW') throw new Error(`invoice ${invoiceId} not payable`);
    inv.status = 'CHARGE';
    inv.charges += 1;
  }

  decline(invoiceId: string): void {
    const inv = this.invoices.get(invoiceId);
    if (inv && inv.status === 'NEW') inv.status = 'REJECT';
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => { body += c; });
      req.on('end', () => this.route(req, res, body));
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const r of this.held) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (p === '/oauth2/token' && req.method === 'POST') {
      const f = new URLSearchParams(raw);
      const c = this.credentials;
      if (f.get('grant_type') !== 'client_credentials' || f.get('client_id') !== c.clientId || f.get('client_secret') !== c.clientSecret || f.get('terminal') !== c.terminalId) {
        return send(res, 401, { code: 401, message: 'invalid client' });
      }
      const token = crypto.randomBytes(12).toString('base64url');
      this.tokens.add(token);
      return send(res, 200, { access_token: token, expires_in: 7200, refresh_token: '', scope: f.get('scope'), token_type: 'Bearer' });
    }
    if (!this.tokens.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))) return send(res, 401, { code: 401, message: 'unauthorized' });
    if (p === '/invoice' && req.method === 'POST') {
      const d = JSON.parse(raw) as Record<string, unknown>;
      const invoiceId = String(d.invoice_id ?? '');
      this.creates.push(invoiceId);
      const fault = this.faults.shift();
      if (fault === 'error_500') return send(res, 500, { code: 500, message: 'internal' });
      if (d.shop_id !== this.credentials.shopId || !/^\d{6,15}$/.test(invoiceId) || !(Number(d.amount) > 0) || d.currency !== 'KZT') return send(res, 400, { code: 400, message: 'validation' });
      if (this.invoices.has(invoiceId)) return send(res, 400, { code: 400, message: 'invoice_id already exists' });
      const inv: HalykInvoice = { id: crypto.randomUUID(), invoiceId, amount: Number(d.amount), currency: 'KZT', status: 'NEW', refunded: 0, charges: 0 };
      this.invoices.set(invoiceId, inv);
      if (fault === 'timeout_after_create') {
        this.held.add(res);
        setTimeout(() => { this.held.delete(res); res.destroy(); }, this.holdMs).unref();
        return;
      }
      return send(res, 200, { id: inv.id, invoice_id: invoiceId, invoice_url: `${this.url}/pay/${invoiceId}`, amount: inv.amount, currency: 'KZT' });
    }
    const st = /^\/check-status\/payment\/transaction\/(\d+)$/.exec(p);
    if (st && req.method === 'GET') {
      const inv = this.invoices.get(st[1] ?? '');
      if (!inv) return send(res, 200, { resultCode: '103', resultMessage: 'No such transaction' });
      return send(res, 200, { resultCode: '100', resultMessage: 'SUCCESS', transaction: { id: inv.id, invoiceID: inv.invoiceId, amount: inv.amount, currency: inv.currency, statusName: inv.status, refundAmount: inv.refunded } });
    }
    const rf = /^\/operation\/([^/]+)\/refund$/.exec(p);
    if (rf && req.method === 'POST') {
      const inv = [...this.invoices.values()].find((i) => i.id === decodeURIComponent(rf[1] ?? ''));
      const amount = url.searchParams.has('amount') ? Number(url.searchParams.get('amount')) : (inv?.amount ?? 0) - (inv?.refunded ?? 0);
      if (!inv || inv.status !== 'CHARGE' || amount < 10 || inv.refunded + amount > inv.amount + 1e-9) return send(res, 400, { code: 100, message: 'refund refused' });
      inv.refunded = Math.round((inv.refunded + amount) * 100) / 100;
      if (Math.abs(inv.refunded - inv.amount) < 1e-9) inv.status = 'REFUND';
      return send(res, 200, {});
    }
    send(res, 404, { code: 404, message: 'not found' });
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
