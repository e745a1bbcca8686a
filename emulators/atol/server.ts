// ATOL Online v5 emulator: a loopback HTTP server with the documented contract (providers.md §2.4) —
// getToken, {group}/{sell|sell_refund|buy|buy_refund}, {group}/report/{uuid} — and fault modes.
// Choices where the docs are silent (docs/fiscal.md): a repeated external_id answers HTTP 409 with
// error code 10 and the existing document's uuid; a bad or expired token answers 401 with code 11;
// documents stay `wait` for `processingMs`, then `done` with fiscal fields (or `fail` when told to).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { atolRegisterRequestSchema, type AtolRegisterRequest } from '../../main/fiscal/atol/wire';
import { GARBAGE, NO_FAULTS, startJsonServer, take, type FiscalFaults, type JsonAnswer, type LoopbackServer } from '../fiscal-kit/http';

export interface AtolEmulatorOptions {
  port?: number;
  login?: string;
  password?: string;
  groupCode?: string;
  /** How long a document stays `wait` before `done` (default 0: done at the first report). */
  processingMs?: number;
  now?: () => number;
}

export interface AtolFaults extends FiscalFaults {
  /** The next N sends are processed but answered as if they were a repeat ("already exists"). */
  alreadyExistsCount: number;
  /** New documents end in `fail` (the cash register refused them). */
  failDocuments: boolean;
}

export interface AtolDocument {
  uuid: string;
  externalId: string;
  operation: string;
  groupCode: string;
  request: AtolRegisterRequest;
  createdAtMs: number;
  fiscalDocumentNumber: number;
  fail: boolean;
}

export interface AtolEmulator {
  readonly url: string;
  /** Base URL for the connector config: `${url}/possystem/v5/`. */
  readonly baseUrl: string;
  readonly faults: AtolFaults;
  setFaults(f: Partial<AtolFaults>): void;
  documents(): AtolDocument[];
  /** Every document send that reached processing (a repeat counts, a refused one does not). */
  sendCount(): number;
  expireTokens(): void;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const atolFaultsPatchSchema = z.object({
  failFirst: z.number().int().min(0), slowCount: z.number().int().min(0), slowMs: z.number().int().min(0),
  garbageCount: z.number().int().min(0), alreadyExistsCount: z.number().int().min(0), failDocuments: z.boolean(),
}).partial().strict();

const err = (code: number, text: string, type = 'system'): { error_id: string; code: number; text: string; type: string } => ({ error_id: randomUUID(), code, text, type });
const OPERATIONS = new Set(['sell', 'sell_refund', 'buy', 'buy_refund']);
const cents = (n: number): number => Math.round(n * 100);

export async function startAtolEmulator(options: AtolEmulatorOptions = {}): Promise<AtolEmulator> {
  const login = options.login ?? 'emulator';
  const password = options.password ?? 'emulator';
  const groupCode = options.groupCode ?? 'group-1';
  const now = options.now ?? Date.now;
  const faults: AtolFaults = { ...NO_FAULTS, alreadyExistsCount: 0, failDocuments: false };
  const tokens = new Set<string>();
  const docs = new Map<string, AtolDocument>(); // by uuid
  const byExternal = new Map<string, string>(); // `${group}:${external_id}` -> uuid
  let fdNumber = 0;
  let sends = 0;

  const report = (d: AtolDocument): Record<string, unknown> => {
    const ready = now() - d.createdAtMs >= (options.processingMs ?? 0);
    const base = { uuid: d.uuid, timestamp: new Date(d.createdAtMs).toISOString(), group_code: d.groupCode, daemon_code: 'emulator', device_code: 'EMU-1', external_id: d.externalId, callback_url: '', warnings: null };
    if (!ready) return { ...base, status: 'wait', error: null, payload: null };
    if (d.fail) return { ...base, status: 'fail', error: err(34, 'Ошибка ККТ (эмулятор)', 'driver'), payload: null };
    return {
      ...base,
      status: 'done',
      error: null,
      payload: {
        fiscal_receipt_number: d.fiscalDocumentNumber, shift_number: 1, receipt_datetime: d.request.timestamp, total: d.request.receipt.total,
        fn_number: '9999078900001234', ecr_registration_number: '0000000001012345', fiscal_document_number: d.fiscalDocumentNumber,
        fiscal_document_attribute: 1_000_000_000 + d.fiscalDocumentNumber, fns_site: 'www.nalog.gov.ru', ofd_inn: '7704211201',
        ofd_receipt_url: `https://ofd.example/rec/${d.uuid}`,
      },
    };
  };

  const register = (group: string, operation: string, body: unknown): JsonAnswer => {
    const parsed = atolRegisterRequestSchema.safeParse(body);
    if (!parsed.success) return { status: 400, body: { uuid: null, status: 'fail', timestamp: new Date(now()).toISOString(), error: err(32, `Ошибка валидации: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`) } };
    const r = parsed.data;
    const itemsKop = r.receipt.items.reduce((s, i) => s + cents(i.sum), 0);
    const paidKop = r.receipt.payments.reduce((s, p) => s + cents(p.sum), 0);
    if (itemsKop !== cents(r.receipt.total) || paidKop !== cents(r.receipt.total)) {
      return { status: 400, body: { uuid: null, status: 'fail', timestamp: new Date(now()).toISOString(), error: err(32, `Сумма позиций ${itemsKop} и оплат ${paidKop} не равна итогу`) } };
    }
    if (take(faults, 'failFirst')) return { status: 500, body: { error: err(1, 'Внутренняя ошибка (эмулятор)') } };
    sends += 1;
    const slow = take(faults, 'slowCount') ? faults.slowMs : 0;
    const key = `${group}:${r.external_id}`;
    const existing = byExternal.get(key);
    if (existing !== undefined) {
      return { status: 409, body: { uuid: existing, status: 'fail', timestamp: new Date(now()).toISOString(), error: err(10, `В системе существует чек с external_id : ${r.external_id} и group_code: ${group}`) } , delayMs: slow };
    }
    fdNumber += 1;
    const uuid = randomUUID();
    docs.set(uuid, { uuid, externalId: r.external_id, operation, groupCode: group, request: r, createdAtMs: now(), fiscalDocumentNumber: fdNumber, fail: faults.failDocuments });
    byExternal.set(key, uuid);
    if (take(faults, 'garbageCount')) return GARBAGE;
    if (take(faults, 'alreadyExistsCount')) {
      return { status: 409, body: { uuid, status: 'fail', timestamp: new Date(now()).toISOString(), error: err(10, `В системе существует чек с external_id : ${r.external_id} и group_code: ${group}`) }, delayMs: slow };
    }
    return { status: 200, body: { uuid, status: 'wait', timestamp: new Date(now()).toISOString(), error: null }, delayMs: slow };
  };

  const server: LoopbackServer = await startJsonServer((req) => {
    // Control API for tests and people driving the emulator from another process (docs/fiscal.md).
    if (req.path === '/__emulator/faults' && req.method === 'POST') {
      const patch = atolFaultsPatchSchema.safeParse(req.body);
      if (!patch.success) return { status: 400, body: { error: patch.error.issues.map((i) => i.path.join('.')).join(', ') } };
      Object.assign(faults, patch.data);
      return { status: 200, body: faults };
    }
    if (req.path === '/__emulator/documents' && req.method === 'GET') {
      return { status: 200, body: [...docs.values()].map((d) => ({ uuid: d.uuid, external_id: d.externalId, operation: d.operation, report: report(d) })) };
    }
    const parts = req.path.split('/').filter(Boolean); // possystem, v5, ...
    if (parts[0] !== 'possystem' || parts[1] !== 'v5') return { status: 404, body: { error: err(404, 'Not found') } };
    const rest = parts.slice(2);
    if (req.method === 'POST' && rest.length === 1 && rest[0] === 'getToken') {
      const b = (req.body ?? {}) as { login?: unknown; pass?: unknown };
      if (b.login !== login || b.pass !== password) return { status: 401, body: { token: null, timestamp: new Date(now()).toISOString(), error: err(12, 'Неверный логин или пароль') } };
      const token = randomUUID().replace(/-/g, '');
      tokens.add(token);
      return { status: 200, body: { token, timestamp: new Date(now()).toISOString(), error: null } };
    }
    const token = (req.headers.token as string | undefined) ?? req.query.get('token') ?? '';
    if (!tokens.has(token)) return { status: 401, body: { error: err(11, 'Токен не найден или просрочен') } };
    const group = rest[0] ?? '';
    if (group !== groupCode) return { status: 400, body: { error: err(23, `Неизвестный код группы ${group}`) } };
    if (req.method === 'GET' && rest.length === 3 && rest[1] === 'report') {
      const d = docs.get(rest[2] ?? '');
      if (!d) return { status: 404, body: { error: err(34, 'Документ не найден') } };
      return { status: 200, body: report(d) };
    }
    if (req.method === 'POST' && rest.length === 2 && OPERATIONS.has(rest[1] ?? '')) return register(group, rest[1] ?? '', req.body);
    return { status: 404, body: { error: err(404, 'Not found') } };
  }, options.port);

  return {
    url: server.url,
    baseUrl: `${server.url}/possystem/v5/`,
    faults,
    setFaults(f) {
      Object.assign(faults, f);
      server.setDown(faults.down);
    },
    documents: () => [...docs.values()],
    sendCount: () => sends,
    expireTokens: () => tokens.clear(),
    setDown(down) {
      faults.down = down;
      server.setDown(down);
    },
    close: () => server.close(),
  };
}
