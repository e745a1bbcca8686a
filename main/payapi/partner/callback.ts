// on_payment_completed: the partner's callback. It is only a hint: verify its signature (the partner's
// callback key, skew, replay), then trigger a status check — never act on its body. The listener that
// receives it is the core's webhook listener; this is the function it calls with the raw bytes.
import type crypto from 'node:crypto';
import { verifyRequest, type ReplayStore, type VerifyFault } from './canonical';
import { paymentCompletedCallbackSchema } from './contract';

export interface CallbackRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body bytes, before any JSON parsing. */
  body: Uint8Array;
}

export interface CallbackDeps {
  /** The partner's callback public keys by key id (more than one during their rotation). */
  partnerKeys: ReadonlyMap<string, crypto.KeyObject>;
  /** Persistent at the till (replay-store.ts), so a replay after a restart is refused too. */
  replay: ReplayStore;
  nowSeconds: () => number;
  skewSeconds?: number;
  /** Makes the operation's status check due now (outbox retryJobNow, or the actor's 'callback' event). */
  checkNow(operationId: string): boolean;
}

export type CallbackResult =
  | { status: 200; operationId: string; known: boolean }
  | { status: 400; reason: string }
  | { status: 401; fault: VerifyFault; reason: string };

export function onPaymentCompleted(req: CallbackRequest, deps: CallbackDeps): CallbackResult {
  const verdict = verifyRequest({
    method: req.method,
    path: req.path,
    headers: req.headers,
    body: req.body,
    keyById: (id) => {
      const key = deps.partnerKeys.get(id);
      return key ? { publicKey: key, purpose: 'callback' as const } : null;
    },
    requiredPurpose: 'callback',
    nowSeconds: deps.nowSeconds(),
    ...(deps.skewSeconds !== undefined ? { skewSeconds: deps.skewSeconds } : {}),
    replay: deps.replay,
  });
  if (!verdict.ok) return { status: 401, fault: verdict.fault ?? 'mismatch', reason: verdict.message ?? 'refused' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(req.body).toString('utf8'));
  } catch {
    return { status: 400, reason: 'body is not JSON' };
  }
  const parsed = paymentCompletedCallbackSchema.safeParse(json);
  if (!parsed.success) return { status: 400, reason: parsed.error.issues[0]?.message ?? 'invalid body' };
  // 200 even for an operation we do not know: the partner must not retry forever; it is logged by the caller.
  return { status: 200, operationId: parsed.data.operation_id, known: deps.checkNow(parsed.data.operation_id) };
}
