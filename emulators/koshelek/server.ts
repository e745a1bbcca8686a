// HTTP(S) front of the Koshelek Pay emulator: routing under /{partner}/api/v1/merchant/..., Basic auth,
// the `token` header, body validation with the wire schemas, the idempotency table (§3.4), fault
// injection, request recording, postback delivery and the /__emulator/ control API.
//
// Documented choices where the contract is silent (see docs/emulator.md):
//  - bad/missing Basic auth -> 401 {code:'UNAUTHORIZED'} + WWW-Authenticate;
//  - missing/empty `token` on availability/checkout/refund -> 400 {code:'TOKEN_REQUIRED'};
//  - non-JSON Content-Type on a POST -> 415 {code:'UNSUPPORTED_MEDIA_TYPE'};
//  - malformed JSON or a body the wire schema refuses -> 400 {code:'INVALID_REQUEST', details};
//  - unknown path -> 404 {code:'NOT_FOUND'}; wrong method -> 405 {code:'METHOD_NOT_ALLOWED'};
//  - idempotency key = (endpoint, requestId); a repeat returns the first stored answer byte-for-byte even if
//    the body differs; 400/401/415 answers and injected faults are not stored (they never reached processing).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';
import type { z } from 'zod';
import {
  API_PREFIX,
  availabilityRequestSchema,
  cancelRequestSchema,
  checkoutRequestSchema,
  receiptRequestSchema,
  refundRequestSchema,
  statusRequestSchema,
  TOKEN_ENDPOINTS,
} from '../../main/payapi/koshelek/wire';
import { KoshelekModel, type ApiResult, type ChangeEvent } from './model';
import { makeTestCard } from './testcard';
import {
  faultRuleSchema,
  type EmulatorOptions,
  type EndpointKind,
  type FaultRule,
  type KoshelekEmulator,
  type ReceivedRequest,
  type TransactionSnapshot,
} from './types';

const MAX_BODY = 1024 * 1024;
const MAX_RECORDS = 200_000;
const JSON_TYPE = 'application/json; charset=utf-8';
const NUMERIC_KEYS = new Set(['totalAmount', 'discountAmount', 'subTotalAmount', 'subtotalAmount', 'price', 'quantity', 'refundAmount', 'taxAmount']);
const NUMERIC_STRING = /^\s*\d+(\.\d+)?\s*$/;

interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | null;
}

interface FaultEntry {
  rule: FaultRule;
  remaining: number;
}

type ApiEndpoint = Exclude<EndpointKind, 'unknown'>;

/**
 * Lenient input per reference notes: amounts given as numeric strings become numbers, `cardsession`
 * (the [OAS] spelling in availability) becomes `cardSession`, `subtotalAmount` becomes `subTotalAmount`.
 */
export function normalizeBody(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalizeBody);
  if (v === null || typeof v !== 'object') return v;
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(src)) {
    let key = k;
    if (k === 'cardsession' && !('cardSession' in src)) key = 'cardSession';
    if (k === 'subtotalAmount' && !('subTotalAmount' in src)) key = 'subTotalAmount';
    let val = normalizeBody(x);
    if (NUMERIC_KEYS.has(k) && typeof val === 'string' && NUMERIC_STRING.test(val)) val = Number(val);
    out[key] = val;
  }
  return out;
}

function zodDetails(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(body)'}: ${i.message}`).join('; ');
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): StoredResponse {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: Buffer.from(JSON.stringify(body), 'utf8') };
}

function fromResult(r: ApiResult): StoredResponse {
  if (r.body === null) return { status: r.status, headers: { ...r.headers }, body: null };
  return jsonResponse(r.status, r.body, r.headers);
}

function redactHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = k === 'authorization' || k === 'proxy-authorization' ? '[redacted]' : Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function isLoopback(addr: string | undefined): boolean {
  return addr !== undefined && (addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.'));
}

function readBody(req: http.IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function strField(o: unknown, key: string): string | undefined {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const v = (o as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

export async function makeCert(): Promise<{ key: string; cert: string }> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function startKoshelekEmulator(options: EmulatorOptions = {}): Promise<KoshelekEmulator> {
  const host = options.host ?? '127.0.0.1';
  const partner = (options.partner ?? 'partner').replace(/^\/+|\/+$/g, '');
  const login = options.login ?? 'emulator';
  const password = options.password ?? 'emulator';
  const now = options.now ?? Date.now;
  const live = {
    confirmDelayMs: options.confirmDelayMs ?? 1000,
    postback: options.postback ?? null,
    asyncAvailability: options.asyncAvailability ?? false,
    dateSkewMs: options.dateSkewMs ?? 0,
  };
  const apiBase = `${partner.length > 0 ? `/${partner}` : ''}${API_PREFIX}`;
  const pollPrefix = `${apiBase}/availability-info/`;
  const expectedAuth = `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;

  let tlsMaterial: { key: string; cert: string } | null = null;
  if (options.tls === true) tlsMaterial = await makeCert();
  else if (options.tls && typeof options.tls === 'object') tlsMaterial = options.tls;

  const received: ReceivedRequest[] = [];
  let seq = 0;
  let faults: FaultEntry[] = [];
  const idempotency = new Map<string, StoredResponse>();
  let closed = false;

  // ---- timers (postback deadlines, delay faults) ----
  const timers = new Set<NodeJS.Timeout>();
  const sleepers = new Set<() => void>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        timers.delete(t);
        sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      timers.add(t);
      sleepers.add(done);
    });

  // ---- postback ----
  const postbackChains = new Map<string, Promise<void>>();
  const postbackRequests = new Set<http.ClientRequest>();
  const deliverOnce = (target: { url: string; login: string; password: string }, payload: Buffer): Promise<boolean> =>
    new Promise((resolve) => {
      if (closed) return resolve(false);
      let url: URL;
      try {
        url = new URL(target.url);
      } catch {
        return resolve(false);
      }
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(url, {
        method: 'POST',
        headers: {
          'Content-Type': JSON_TYPE,
          'Content-Length': String(payload.length),
          Authorization: `Basic ${Buffer.from(`${target.login}:${target.password}`, 'utf8').toString('base64')}`,
        },
        timeout: 5_000,
        rejectUnauthorized: false, // loopback test listeners use self-signed certs
      });
      postbackRequests.add(req);
      const finish = (ok: boolean): void => {
        postbackRequests.delete(req);
        resolve(ok);
      };
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => finish((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
        res.on('error', () => finish(false));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => finish(false));
      req.end(payload);
    });
  const queuePostback = (transactionId: string, payload: Buffer): void => {
    const target = live.postback;
    if (!target) return;
    const prev = postbackChains.get(transactionId) ?? Promise.resolve();
    const next = prev.then(async () => {
      for (let attempt = 1; attempt <= 3 && !closed; attempt += 1) {
        if (await deliverOnce(target, payload)) return;
        await sleep(100 * attempt);
      }
    });
    postbackChains.set(transactionId, next);
    void next.then(() => {
      if (postbackChains.get(transactionId) === next) postbackChains.delete(transactionId);
    });
  };

  const armDeadline = (transactionId: string, at: number): void => {
    if (!live.postback || closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      model.advanceById(transactionId);
    }, Math.max(0, at - now()) + 1);
    t.unref();
    timers.add(t);
  };

  const model: KoshelekModel = new KoshelekModel({
    now,
    confirmDelayMs: () => live.confirmDelayMs,
    onChange: (ev: ChangeEvent) => {
      if (!live.postback) return;
      const obj = model.eventObject(ev);
      if (obj) queuePostback(ev.transactionId, Buffer.from(JSON.stringify(obj), 'utf8'));
    },
    onDeadline: armDeadline,
  });

  // ---- faults ----
  const takeFaults = (endpoint: ApiEndpoint, requestId: string | undefined, cardSession: string | undefined): { delayMs: number; action?: FaultRule } => {
    let delayMs = 0;
    let action: FaultRule | undefined;
    for (const f of faults) {
      if (f.remaining <= 0) continue;
      if (f.rule.endpoint !== '*' && f.rule.endpoint !== endpoint) continue;
      if (f.rule.match?.requestId !== undefined && f.rule.match.requestId !== requestId) continue;
      if (f.rule.match?.cardSession !== undefined && f.rule.match.cardSession !== cardSession) continue;
      if (f.rule.kind === 'delay') {
        delayMs += f.rule.delayMs ?? 1000;
        f.remaining -= 1;
      } else if (!action) {
        action = f.rule;
        f.remaining -= 1;
      }
    }
    if (faults.some((f) => f.remaining <= 0)) faults = faults.filter((f) => f.remaining > 0);
    return action ? { delayMs, action } : { delayMs };
  };

  const injectFault = (rule: FaultRule): void => {
    const parsed = faultRuleSchema.parse(rule);
    faults.push({ rule: parsed, remaining: parsed.times ?? 1 });
  };

  // ---- responses ----
  const write = (res: http.ServerResponse, rec: ReceivedRequest | null, r: StoredResponse): void => {
    if (rec) rec.responseStatus = r.status;
    if (res.destroyed || res.writableEnded) return;
    const headers: Record<string, string> = { ...r.headers, 'Content-Length': String(r.body?.length ?? 0) };
    // A server whose clock differs from the till's (clock-drift warning tests); Node's own Date otherwise.
    if (live.dateSkewMs !== 0) headers.Date = new Date(Date.now() + live.dateSkewMs).toUTCString();
    res.writeHead(r.status, headers);
    res.end(r.body ?? undefined);
  };

  const classify = (path: string): { endpoint: EndpointKind; allowed: string; pollId?: string } => {
    if (!path.startsWith(`${apiBase}/`)) return { endpoint: 'unknown', allowed: '' };
    const rest = path.slice(apiBase.length);
    switch (rest) {
      case '/availability-info/task': return { endpoint: 'availability', allowed: 'POST' };
      case '/checkout': return { endpoint: 'checkout', allowed: 'POST' };
      case '/transaction/status': return { endpoint: 'status', allowed: 'POST' };
      case '/transaction/receipt': return { endpoint: 'receipt', allowed: 'POST' };
      case '/transaction/cancel': return { endpoint: 'cancel', allowed: 'POST' };
      case '/transaction/refund': return { endpoint: 'refund', allowed: 'POST' };
      default: {
        const m = /^\/availability-info\/([^/]+)$/.exec(rest);
        if (m?.[1] !== undefined) return { endpoint: 'availabilityPoll', allowed: 'GET', pollId: decodeURIComponent(m[1]) };
        return { endpoint: 'unknown', allowed: '' };
      }
    }
  };

  const process_ = (endpoint: ApiEndpoint, body: unknown, pollId: string | undefined): StoredResponse => {
    const run = <S extends z.ZodType>(schema: S, handler: (data: z.infer<S>) => ApiResult): StoredResponse => {
      const parsed = schema.safeParse(normalizeBody(body));
      if (!parsed.success) return jsonResponse(400, { code: 'INVALID_REQUEST', details: zodDetails(parsed.error) });
      return fromResult(handler(parsed.data));
    };
    switch (endpoint) {
      case 'availabilityPoll': return fromResult(model.availabilityPoll(pollId ?? ''));
      case 'availability': return run(availabilityRequestSchema, (d) => model.availability(d, live.asyncAvailability, pollPrefix));
      case 'checkout': return run(checkoutRequestSchema, (d) => model.checkout(d));
      case 'status': return run(statusRequestSchema, (d) => model.status(d));
      case 'receipt': return run(receiptRequestSchema, (d) => model.receipt(d));
      case 'cancel': return run(cancelRequestSchema, (d) => model.cancel(d));
      case 'refund': return run(refundRequestSchema, (d) => model.refund(d));
    }
  };

  // ---- control API ----
  const handleControl = async (req: http.IncomingMessage, res: http.ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    if (!isLoopback(req.socket.remoteAddress)) return write(res, null, jsonResponse(403, { code: 'FORBIDDEN', details: 'loopback only' }));
    const raw = await readBody(req);
    const route = `${req.method ?? 'GET'} ${path.replace(/\/+$/, '')}`;
    if (route === 'GET /__emulator/health') {
      return write(res, null, jsonResponse(200, { ok: true, baseUrl: emulator.baseUrl, tls: tlsMaterial !== null, stats: model.stats() }));
    }
    if (route === 'GET /__emulator/requests') {
      const since = Number(query.get('since') ?? '0');
      const list = received.filter((r) => r.seq > since).map((r) => ({ ...r, arrivalNs: r.arrivalNs.toString() }));
      return write(res, null, jsonResponse(200, list));
    }
    if (route === 'POST /__emulator/faults') {
      let json: unknown;
      try {
        json = JSON.parse(raw === 'too_large' ? '' : raw.toString('utf8'));
      } catch {
        return write(res, null, jsonResponse(400, { code: 'INVALID_REQUEST', details: 'malformed JSON' }));
      }
      const parsed = faultRuleSchema.safeParse(json);
      if (!parsed.success) return write(res, null, jsonResponse(400, { code: 'INVALID_REQUEST', details: zodDetails(parsed.error) }));
      injectFault(parsed.data);
      return write(res, null, jsonResponse(201, { ok: true, pending: faults.length }));
    }
    if (route === 'DELETE /__emulator/faults') {
      faults = [];
      return write(res, null, { status: 204, headers: {}, body: null });
    }
    if (route === 'GET /__emulator/testcard') {
      try {
        return write(res, null, jsonResponse(200, makeTestCard(query.get('scenario') ?? 'OK', now())));
      } catch (e) {
        return write(res, null, jsonResponse(400, { code: 'INVALID_REQUEST', details: (e as Error).message }));
      }
    }
    const tm = /^GET \/__emulator\/transactions\/([^/]+)$/.exec(route);
    if (tm?.[1] !== undefined) {
      const view = model.transaction(decodeURIComponent(tm[1]));
      return write(res, null, view ? jsonResponse(200, view) : jsonResponse(404, { code: 'NOT_FOUND' }));
    }
    return write(res, null, jsonResponse(404, { code: 'NOT_FOUND' }));
  };

  // ---- main handler ----
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, arrivalNs: bigint): Promise<void> => {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
    if ((path.startsWith('/__emulator/') || path === '/__emulator') && options.controlApi !== false) {
      return handleControl(req, res, path, new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : ''));
    }
    const { endpoint, allowed, pollId } = classify(path);
    const rec: ReceivedRequest = { seq: ++seq, method, path, endpoint, headers: redactHeaders(req.headers), body: undefined, arrivalNs };
    received.push(rec);
    if (received.length > MAX_RECORDS) received.splice(0, received.length - MAX_RECORDS);

    const raw = await readBody(req);
    if (raw === 'too_large') return write(res, rec, jsonResponse(413, { code: 'PAYLOAD_TOO_LARGE' }));
    let body: unknown;
    let jsonOk = true;
    if (raw.length > 0) {
      const text = raw.toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
        jsonOk = false;
      }
    }
    rec.body = body;
    const requestId = strField(body, 'requestId');
    if (requestId !== undefined) rec.requestId = requestId;
    options.onReceived?.(rec);

    if (endpoint === 'unknown') return write(res, rec, jsonResponse(404, { code: 'NOT_FOUND', details: `No such endpoint: ${method} ${path}` }));
    if (req.headers.authorization !== expectedAuth) {
      return write(res, rec, jsonResponse(401, { code: 'UNAUTHORIZED', details: 'Basic authentication failed' }, { 'WWW-Authenticate': 'Basic realm="koshelek-pay-emulator", charset="UTF-8"' }));
    }
    if (method !== allowed) return write(res, rec, jsonResponse(405, { code: 'METHOD_NOT_ALLOWED' }, { Allow: allowed }));

    // Faults: delays accumulate, then the first matching non-delay rule acts.
    const txRef = strField(body, 'transactionId') ?? strField(body, 'refTransactionId');
    const cardSession = strField(body, 'cardSession') ?? strField(body, 'cardsession') ?? (txRef !== undefined ? model.cardSessionOf(txRef) : undefined);
    const { delayMs, action } = faults.length > 0 ? takeFaults(endpoint, requestId, cardSession) : { delayMs: 0, action: undefined };
    if (delayMs > 0) await sleep(delayMs);
    let dropAfter = false;
    if (action) {
      switch (action.kind) {
        case 'drop_before_process':
          req.socket.destroy();
          return;
        case 'drop_after_process':
          dropAfter = true;
          break;
        case 'http_status': {
          const status = action.status ?? 500;
          const extra: Record<string, string> = {};
          if (status === 401) extra['WWW-Authenticate'] = 'Basic realm="koshelek-pay-emulator"';
          if (status === 429 || status === 503) extra['Retry-After'] = '1';
          return write(res, rec, jsonResponse(status, { code: action.code ?? `HTTP_${status}`, details: action.details ?? 'Injected fault' }, extra));
        }
        case 'error_422':
          return write(res, rec, jsonResponse(422, action.details === undefined ? { code: action.code ?? 'EXTERNAL_PROVIDER_ERROR' } : { code: action.code ?? 'EXTERNAL_PROVIDER_ERROR', details: action.details }));
        case 'invalid_json':
          return write(res, rec, { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: Buffer.from(`{"requestId":${JSON.stringify(requestId ?? '')},"transactionId":`, 'utf8') });
        case 'wrong_shape':
          return write(res, rec, jsonResponse(200, { requestId: requestId ?? '', status: 42, emulatorFault: 'wrong_shape' }));
        case 'delay':
          break;
      }
    }

    const respond = (r: StoredResponse): void => {
      if (dropAfter) {
        rec.responseStatus = undefined;
        req.socket.destroy();
        return;
      }
      write(res, rec, r);
    };

    if (method === 'POST') {
      const ct = req.headers['content-type'] ?? '';
      if (!/^application\/([a-z.+-]*\+)?json\b/i.test(ct)) return respond(jsonResponse(415, { code: 'UNSUPPORTED_MEDIA_TYPE', details: 'Content-Type must be application/json' }));
      if (!jsonOk || body === undefined) return respond(jsonResponse(400, { code: 'INVALID_REQUEST', details: 'Malformed or empty JSON body' }));
      // 400 rather than 401/422: a missing token is a malformed request, not a credentials or business error.
      if (TOKEN_ENDPOINTS.has(endpoint) && !(req.headers.token ?? '').toString().trim()) {
        return respond(jsonResponse(400, { code: 'TOKEN_REQUIRED', details: 'Header "token" is required' }));
      }
    }
    const key = requestId !== undefined && requestId !== '' ? `${endpoint}\u0000${requestId}` : undefined;
    if (key !== undefined) {
      const stored = idempotency.get(key);
      if (stored) return respond(stored);
    }
    const result = process_(endpoint, body, pollId);
    if (key !== undefined && result.status !== 400) idempotency.set(key, result);
    respond(result);
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const arrivalNs = process.hrtime.bigint();
    handle(req, res, arrivalNs).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) write(res, null, jsonResponse(500, { code: 'EMULATOR_ERROR', details: (e as Error).message }));
      else res.destroy();
    });
  };

  const server: http.Server = tlsMaterial
    ? https.createServer({ key: tlsMaterial.key, cert: tlsMaterial.cert, minVersion: 'TLSv1.2' }, listener)
    : http.createServer(listener);
  // Connections accepted (TLS: after the handshake), so tests can see that a request rode a warm connection.
  let connections = 0;
  server.on(tlsMaterial ? 'secureConnection' : 'connection', () => { connections += 1; });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.maxRequestsPerSocket = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const baseUrl = `${tlsMaterial ? 'https' : 'http'}://${urlHost}:${port}${partner.length > 0 ? `/${partner}` : ''}`;

  const emulator: KoshelekEmulator = {
    baseUrl,
    port,
    ca: tlsMaterial?.cert ?? null,
    received,
    injectFault,
    clearFaults: () => {
      faults = [];
    },
    setOptions: (patch) => {
      if (patch.confirmDelayMs !== undefined) live.confirmDelayMs = patch.confirmDelayMs;
      if (patch.asyncAvailability !== undefined) live.asyncAvailability = patch.asyncAvailability;
      if (patch.dateSkewMs !== undefined) live.dateSkewMs = patch.dateSkewMs;
      if (patch.postback !== undefined) {
        const wasOn = live.postback !== null;
        live.postback = patch.postback;
        if (!wasOn && live.postback) for (const d of model.pendingDeadlines()) armDeadline(d.transactionId, d.at);
      }
    },
    transaction: (id: string): TransactionSnapshot | undefined => model.transaction(id),
    stats: () => ({ ...model.stats(), connections }),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const wake of [...sleepers]) wake();
      for (const r of postbackRequests) r.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return emulator;
}
