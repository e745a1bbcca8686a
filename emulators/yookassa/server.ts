// ЮKassa receipts emulator: a loopback HTTP server with the documented contract (providers.md §2.2–2.3):
// Basic auth (shopId:secretKey), POST /v3/receipts with Idempotence-Key (same key + same body = the
// stored answer; same key + another body = 400), GET /v3/receipts/{id}, GET /v3/receipts (list), and
// fault modes incl. HTTP 202 {"type":"processing","retry_after":ms}. Choices where the docs are
// silent are in docs/fiscal.md (a receipt without payment_id is accepted: our till sells on other rails).
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { yookassaReceiptRequestSchema, type YookassaReceiptRequest } from '../../main/fiscal/yookassa/wire';
import { GARBAGE, NO_FAULTS, startJsonServer, take, type FiscalFaults, type JsonAnswer } from '../fiscal-kit/http';

export interface YookassaEmulatorOptions {
  port?: number;
  shopId?: string;
  secretKey?: string;
  /** How long a receipt stays `pending` before `succeeded` (default 0). */
  processingMs?: number;
  now?: () => number;
}

export interface YookassaFaults extends FiscalFaults {
  /** The next N POSTs answer 202 processing (the receipt is created on the first of them). */
  processingCount: number;
  retryAfterMs: number;
  /** New receipts end `canceled` (registration failed). */
  cancelReceipts: boolean;
}

export interface YookassaReceiptDoc {
  id: string;
  idempotenceKey: string;
  request: YookassaReceiptRequest;
  createdAtMs: number;
  fiscalDocumentNumber: number;
  canceled: boolean;
}

export interface YookassaEmulator {
  readonly url: string;
  /** Base URL for the connector config: `${url}/v3/`. */
  readonly baseUrl: string;
  readonly faults: YookassaFaults;
  setFaults(f: Partial<YookassaFaults>): void;
  receipts(): YookassaReceiptDoc[];
  /** Idempotence-Key values seen on POSTs, in order (repeats included). */
  keysSeen(): string[];
  /** Simulates the keys' retention running out (widely quoted as 24 h). */
  forgetKeys(): void;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const yookassaFaultsPatchSchema = z.object({
  failFirst: z.number().int().min(0), slowCount: z.number().int().min(0), slowMs: z.number().int().min(0), garbageCount: z.number().int().min(0),
  processingCount: z.number().int().min(0), retryAfterMs: z.number().int().min(0), cancelReceipts: z.boolean(),
}).partial().strict();

const error = (status: number, code: string, description: string, parameter?: string): JsonAnswer =>
  ({ status, body: { type: 'error', id: randomUUID(), code, description, ...(parameter ? { parameter } : {}) } });
const cents = (v: string): number => Math.round(Number(v) * 100);

export async function startYookassaEmulator(options: YookassaEmulatorOptions = {}): Promise<YookassaEmulator> {
  const expectedAuth = `Basic ${Buffer.from(`${options.shopId ?? 'shop-1'}:${options.secretKey ?? 'secret'}`).toString('base64')}`;
  const now = options.now ?? Date.now;
  const faults: YookassaFaults = { ...NO_FAULTS, processingCount: 0, retryAfterMs: 300, cancelReceipts: false };
  const receipts = new Map<string, YookassaReceiptDoc>();
  const byKey = new Map<string, { hash: string; id: string }>();
  const keysSeen: string[] = [];
  let fd = 0;

  const view = (r: YookassaReceiptDoc): Record<string, unknown> => {
    const ready = now() - r.createdAtMs >= (options.processingMs ?? 0);
    const status = !ready ? 'pending' : r.canceled ? 'canceled' : 'succeeded';
    return {
      id: r.id, type: r.request.type, status, items: r.request.items, settlements: r.request.settlements, internet: r.request.internet,
      ...(r.request.tax_system_code !== undefined ? { tax_system_code: r.request.tax_system_code } : {}),
      ...(status === 'succeeded' ? { registered_at: new Date(r.createdAtMs).toISOString(), fiscal_document_number: String(r.fiscalDocumentNumber),
        fiscal_storage_number: '9999078900005678', fiscal_attribute: String(2_000_000_000 + r.fiscalDocumentNumber), fiscal_provider_id: 'emulator' } : {}),
    };
  };

  const create = (key: string, rawBody: string, body: unknown): JsonAnswer => {
    const parsed = yookassaReceiptRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return error(400, 'invalid_request', issue?.message ?? 'invalid', issue?.path.join('.'));
    }
    const r = parsed.data;
    const items = r.items.reduce((s, i) => s + Math.round(cents(i.amount.value) * Number(i.quantity)), 0);
    const settled = r.settlements.reduce((s, x) => s + cents(x.amount.value), 0);
    if (items !== settled) return error(400, 'invalid_request', `items ${items} != settlements ${settled}`, 'settlements');
    if (take(faults, 'failFirst')) return error(500, 'internal_server_error', 'emulated failure');
    const hash = createHash('sha256').update(rawBody).digest('hex');
    keysSeen.push(key);
    const slow = take(faults, 'slowCount') ? faults.slowMs : 0;
    let stored = byKey.get(key);
    if (stored && stored.hash !== hash) return error(400, 'invalid_request', 'Idempotence-Key reused with different data', 'Idempotence-Key');
    if (!stored) {
      fd += 1;
      const id = `rt-${randomUUID()}`;
      receipts.set(id, { id, idempotenceKey: key, request: r, createdAtMs: now(), fiscalDocumentNumber: fd, canceled: faults.cancelReceipts });
      stored = { hash, id };
      byKey.set(key, stored);
    }
    if (take(faults, 'garbageCount')) return GARBAGE;
    if (take(faults, 'processingCount')) return { status: 202, body: { type: 'processing', description: 'Request accepted, processing', retry_after: faults.retryAfterMs }, delayMs: slow };
    const doc = receipts.get(stored.id);
    return { status: 200, body: doc ? view(doc) : {}, delayMs: slow };
  };

  const server = await startJsonServer((req) => {
    // Control API for tests and people driving the emulator from another process (docs/fiscal.md).
    if (req.path === '/__emulator/faults' && req.method === 'POST') {
      const patch = yookassaFaultsPatchSchema.safeParse(req.body);
      if (!patch.success) return { status: 400, body: { error: patch.error.issues.map((i) => i.path.join('.')).join(', ') } };
      Object.assign(faults, patch.data);
      return { status: 200, body: faults };
    }
    if (req.path === '/__emulator/receipts' && req.method === 'GET') {
      return { status: 200, body: [...receipts.values()].map((r) => ({ idempotence_key: r.idempotenceKey, ...view(r) })) };
    }
    if (req.headers.authorization !== expectedAuth) return error(401, 'invalid_credentials', 'Authentication by given credentials failed');
    const parts = req.path.split('/').filter(Boolean);
    if (parts[0] !== 'v3' || parts[1] !== 'receipts') return error(404, 'not_found', 'not found');
    if (req.method === 'POST' && parts.length === 2) {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return { status: 415, body: { type: 'error', code: 'invalid_request', description: 'Content-Type' } };
      const key = String(req.headers['idempotence-key'] ?? '');
      if (key === '' || key.length > 64) return error(400, 'invalid_request', 'Idempotence-Key is required (≤ 64 chars)', 'Idempotence-Key');
      return create(key, req.rawBody, req.body);
    }
    if (req.method === 'GET' && parts.length === 3) {
      const doc = receipts.get(parts[2] ?? '');
      return doc ? { status: 200, body: view(doc) } : error(404, 'not_found', 'receipt not found');
    }
    if (req.method === 'GET' && parts.length === 2) {
      const items = [...receipts.values()].filter((r) => !req.query.get('payment_id') || r.request.payment_id === req.query.get('payment_id')).map(view);
      return { status: 200, body: { type: 'list', items } };
    }
    return { status: 405, body: { type: 'error', code: 'method_not_allowed', description: req.method } };
  }, options.port);

  return {
    url: server.url,
    baseUrl: `${server.url}/v3/`,
    faults,
    setFaults(f) {
      Object.assign(faults, f);
      server.setDown(faults.down);
    },
    receipts: () => [...receipts.values()],
    keysSeen: () => [...keysSeen],
    forgetKeys: () => byKey.clear(),
    setDown(down) {
      faults.down = down;
      server.setDown(down);
    },
    close: () => server.close(),
  };
}
