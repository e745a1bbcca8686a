// The partner payment API emulator (docs/partner-api.yaml): a loopback HTTP server that verifies every
// request exactly as the spec states — key by x-key-id, the key's purpose against the operation
// (reversals only with the reversal key), ±skew, raw r‖s ECDSA P-521/SHA-512 over the canonical string,
// request-id replay — then keeps a ledger of original payments, extra charges and reversals. Operations
// complete asynchronously and the partner's signed `on_payment_completed` callback follows. Fault modes
// make it a hostile server: 500 before acting, acting then dropping the connection, slowness, declines.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReplayCache, signRequest, verifyRequest, type KnownKey } from '../../main/payapi/partner/canonical';
import {
  PARTNER_PATHS, extraChargeRequestSchema, initSessionRequestSchema, paymentStatusRequestSchema, reversalRequestSchema,
  type PartnerOpKind,
} from '../../main/payapi/partner/contract';
import { spkiSha256, type KeyPurpose } from '../../main/payapi/partner/keys';

export interface PartnerFaults {
  /** Answer 500 before doing anything, this many times. */
  failBefore?: number;
  /** Perform the operation, then destroy the connection without an answer, this many times. */
  dropAfter?: number;
  /** Answer 429 this many times. */
  rateLimit?: number;
  /** Delay every answer by this many ms. */
  slowMs?: number;
  /** Operations never leave PENDING. */
  neverComplete?: boolean;
  /** The next operations complete as FAILED. */
  declineNext?: number;
  /** Callbacks are not sent. */
  noCallbacks?: boolean;
}

export interface PartnerOperationRecord {
  operationId: string;
  type: PartnerOpKind;
  paymentId: string;
  amount: number;
  currency: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  callbackUrl: string;
  createdAt: number;
  /** How many requests asked for this operation (repeats are idempotent). */
  requests: number;
  /** The key id that signed the request that created it (a reversal: the merchant's reversal key). */
  keyId: string;
}

export interface PaymentRecord {
  paymentId: string;
  amount: number;
  currency: string;
}

export interface PartnerEmulatorOptions {
  merchantId?: string;
  skewSeconds?: number;
  completionDelayMs?: number;
  /** Emulator clock (seconds) for skew tests. */
  nowSeconds?: () => number;
}

export interface PartnerEmulator {
  baseUrl: string;
  /** The partner's own key for signing callbacks: the till verifies callbacks with this public key. */
  callbackPublicKey: crypto.KeyObject;
  callbackKeyId: string;
  registerKey(publicKey: crypto.KeyObject, purpose: KeyPurpose): string;
  unregisterKey(keyId: string): void;
  addPayment(p: PaymentRecord): void;
  operations(): PartnerOperationRecord[];
  /** SUCCEEDED operations of a kind for a payment: the money that actually moved. */
  settled(paymentId: string, type: PartnerOpKind): PartnerOperationRecord[];
  rejections(): { path: string; code: string; fault?: string }[];
  callbacks(): { url: string; status: number | null }[];
  setFaults(f: PartnerFaults): void;
  completeNow(): void;
  close(): Promise<void>;
}

const SESSION_TTL_S = 600;

export async function startPartnerEmulator(opts: PartnerEmulatorOptions = {}): Promise<PartnerEmulator> {
  const merchantId = opts.merchantId ?? 'merchant-1';
  const nowS = opts.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const completionDelayMs = opts.completionDelayMs ?? 50;
  const keys = new Map<string, KnownKey<KeyPurpose>>();
  const replay = new ReplayCache(2 * (opts.skewSeconds ?? 300));
  const sessions = new Map<string, { purpose: KeyPurpose; expiresAt: number }>();
  const payments = new Map<string, PaymentRecord>();
  const ops = new Map<string, PartnerOperationRecord>();
  const rejected: { path: string; code: string; fault?: string }[] = [];
  const sentCallbacks: { url: string; status: number | null }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let faults: PartnerFaults = {};
  const callbackKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const callbackKeyId = spkiSha256(callbackKey.publicKey);

  const sendCallback = async (op: PartnerOperationRecord): Promise<void> => {
    if (faults.noCallbacks) return;
    const url = new URL(op.callbackUrl);
    const body = Buffer.from(JSON.stringify({ operation_id: op.operationId, request_id: op.operationId }));
    const headers = signRequest({ method: 'POST', path: url.pathname + url.search, timestamp: nowS(), requestId: crypto.randomUUID(), body }, { keyId: callbackKeyId, privateKey: callbackKey.privateKey }, merchantId);
    try {
      const res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5_000) });
      sentCallbacks.push({ url: op.callbackUrl, status: res.status });
    } catch {
      sentCallbacks.push({ url: op.callbackUrl, status: null });
    }
  };

  const complete = (op: PartnerOperationRecord): void => {
    if (op.status !== 'PENDING' || faults.neverComplete) return;
    if ((faults.declineNext ?? 0) > 0) {
      faults.declineNext = (faults.declineNext ?? 0) - 1;
      op.status = 'FAILED';
    } else {
      op.status = 'SUCCEEDED';
    }
    void sendCallback(op);
  };

  const schedule = (op: PartnerOperationRecord): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      complete(op);
    }, completionDelayMs);
    timers.add(t);
  };

  /** Reversible amount left on a payment: original + settled/pending extras − settled/pending reversals. */
  const available = (paymentId: string, exclude: string): number => {
    const p = payments.get(paymentId);
    if (!p) return 0;
    let total = p.amount;
    for (const op of ops.values()) {
      if (op.paymentId !== paymentId || op.operationId === exclude || op.status === 'FAILED') continue;
      total += op.type === 'extra_charge' ? op.amount : -op.amount;
    }
    return total;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const answer = (status: number, json: unknown, extra: Record<string, string> = {}): void => {
        const send = (): void => {
          res.writeHead(status, { 'content-type': 'application/json', ...extra });
          res.end(JSON.stringify(json));
        };
        if (faults.slowMs) setTimeout(send, faults.slowMs);
        else send();
      };
      const refuse = (status: number, code: string, message: string, fault?: string): void => {
        rejected.push({ path: req.url ?? '', code, ...(fault ? { fault } : {}) });
        answer(status, { error: code, message, ...(fault ? { fault } : {}) });
      };
      const path = req.url ?? '/';
      if (req.method !== 'POST') return refuse(405, 'VALIDATION_ERROR', 'POST only');
      if ((faults.failBefore ?? 0) > 0) {
        faults.failBefore = (faults.failBefore ?? 0) - 1;
        return answer(500, { error: 'INTERNAL', message: 'injected' });
      }
      if ((faults.rateLimit ?? 0) > 0) {
        faults.rateLimit = (faults.rateLimit ?? 0) - 1;
        return answer(429, { error: 'RATE_LIMITED', message: 'slow down' }, { 'retry-after': '1' });
      }
      const requiredPurpose: KeyPurpose | null = path === PARTNER_PATHS.processPaymentReversal ? 'reversal' : null;
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        json = null;
      }
      // initSession and paymentStatus take the purpose of their session; the reversal only the reversal key.
      let purpose: KeyPurpose = requiredPurpose ?? 'payment';
      const sessionOf = (j: unknown): string | null => (typeof j === 'object' && j !== null && 'session_id' in j && typeof j.session_id === 'string' ? j.session_id : null);
      if (path === PARTNER_PATHS.initSession) {
        const p = initSessionRequestSchema.safeParse(json);
        if (p.success) purpose = p.data.purpose;
      } else if (path === PARTNER_PATHS.paymentStatus) {
        const s = sessions.get(sessionOf(json) ?? '');
        if (s) purpose = s.purpose;
      }
      const verdict = verifyRequest({ method: req.method, path, headers: req.headers, body, keyById: (id) => keys.get(id) ?? null, requiredPurpose: purpose, nowSeconds: nowS(), skewSeconds: opts.skewSeconds ?? 300, replay });
      if (!verdict.ok) {
        switch (verdict.fault) {
          case 'clock_skew':
            return refuse(401, 'CLOCK_SKEW', verdict.message ?? '', verdict.fault);
          case 'replayed':
            return refuse(409, 'REPLAYED', verdict.message ?? '', verdict.fault);
          case 'unknown_key':
            return refuse(401, 'UNKNOWN_KEY', verdict.message ?? '', verdict.fault);
          case 'wrong_key_purpose':
            return refuse(403, 'WRONG_KEY', verdict.message ?? '', verdict.fault);
          case 'missing_header':
          case 'bad_request_id':
            return refuse(400, 'VALIDATION_ERROR', verdict.message ?? '', verdict.fault);
          default:
            return refuse(401, 'SIGNATURE_INVALID', verdict.message ?? '', verdict.fault);
        }
      }
      if (req.headers['x-merchant-id'] !== merchantId) return refuse(403, 'VALIDATION_ERROR', 'unknown merchant');

      if (path === PARTNER_PATHS.initSession) {
        const p = initSessionRequestSchema.safeParse(json);
        if (!p.success) return refuse(400, 'VALIDATION_ERROR', p.error.issues[0]?.message ?? 'invalid');
        const id = crypto.randomUUID();
        sessions.set(id, { purpose: p.data.purpose, expiresAt: nowS() + SESSION_TTL_S });
        return answer(200, { session_id: id, expires_at: nowS() + SESSION_TTL_S });
      }
      const session = sessions.get(sessionOf(json) ?? '');
      if (!session || session.expiresAt < nowS()) return refuse(401, 'SESSION_INVALID', 'unknown or expired session');
      if (session.purpose !== purpose) return refuse(403, 'WRONG_KEY', `a ${session.purpose} session signed with the ${purpose} key`);

      if (path === PARTNER_PATHS.paymentStatus) {
        const p = paymentStatusRequestSchema.safeParse(json);
        if (!p.success) return refuse(400, 'VALIDATION_ERROR', p.error.issues[0]?.message ?? 'invalid');
        const op = ops.get(p.data.operation_id);
        if (!op) return refuse(404, 'NOT_FOUND', 'no such operation');
        return answer(200, { operation_id: op.operationId, type: op.type, payment_id: op.paymentId, status: op.status, amount: op.amount, currency: op.currency, failure_code: op.status === 'FAILED' ? 'DECLINED' : null });
      }
      const type: PartnerOpKind | null = path === PARTNER_PATHS.completeMerchantAcquiring ? 'extra_charge' : path === PARTNER_PATHS.processPaymentReversal ? 'reversal' : null;
      if (!type) return refuse(404, 'NOT_FOUND', 'no such endpoint');
      const p = (type === 'reversal' ? reversalRequestSchema : extraChargeRequestSchema).safeParse(json);
      if (!p.success) return refuse(400, 'VALIDATION_ERROR', p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const d = p.data;
      const existing = ops.get(d.operation_id);
      if (existing) {
        if (existing.type !== type || existing.amount !== d.amount || existing.paymentId !== d.payment_id || existing.currency !== d.currency) {
          return refuse(409, 'OPERATION_CONFLICT', 'operation_id reused with other parameters');
        }
        existing.requests += 1;
        return answer(200, { operation_id: existing.operationId, status: existing.status });
      }
      const payment = payments.get(d.payment_id);
      if (!payment) return refuse(404, 'PAYMENT_NOT_FOUND', 'no such payment');
      if (payment.currency !== d.currency) return refuse(422, 'CURRENCY_MISMATCH', `payment is in ${payment.currency}`);
      if (type === 'reversal' && d.amount > available(d.payment_id, d.operation_id)) return refuse(422, 'AMOUNT_EXCEEDS_AVAILABLE', 'reversal exceeds what is left of the payment');
      const op: PartnerOperationRecord = { operationId: d.operation_id, type, paymentId: d.payment_id, amount: d.amount, currency: d.currency, status: 'PENDING', callbackUrl: d.callback_url, createdAt: Date.now(), requests: 1, keyId: verdict.keyId ?? '' };
      ops.set(op.operationId, op);
      schedule(op);
      if ((faults.dropAfter ?? 0) > 0) {
        faults.dropAfter = (faults.dropAfter ?? 0) - 1;
        req.socket.destroy();
        return;
      }
      return answer(200, { operation_id: op.operationId, status: op.status });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    callbackPublicKey: callbackKey.publicKey,
    callbackKeyId,
    registerKey(publicKey, purpose) {
      const id = spkiSha256(publicKey);
      keys.set(id, { publicKey, purpose });
      return id;
    },
    unregisterKey(id) {
      keys.delete(id);
    },
    addPayment(p) {
      payments.set(p.paymentId, { ...p });
    },
    operations: () => [...ops.values()].map((o) => ({ ...o })),
    settled: (paymentId, type) => [...ops.values()].filter((o) => o.paymentId === paymentId && o.type === type && o.status === 'SUCCEEDED').map((o) => ({ ...o })),
    rejections: () => [...rejected],
    callbacks: () => [...sentCallbacks],
    setFaults(f) {
      faults = { ...f };
    },
    completeNow() {
      const saved = faults.neverComplete;
      faults.neverComplete = false;
      for (const op of ops.values()) complete(op);
      faults.neverComplete = saved;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
