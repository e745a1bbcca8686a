// The Koshelek payment and refund states as the journal persists them (operations.context_json), versioned
// and parsed on read — never cast. A row that does not parse (corrupted, or written by a newer Paydesk with
// another version) is never resumed: the checkout service holds it for IT (docs/safety.md).
//
// Version 1 is the shape the machines have written since the first release; rows from before the version
// stamp existed carry no `v` and are version 1. Fields added during version 1 (connectionId, parkedAt,
// unknownValues, …) get the value an older row means by leaving them out.
import { z } from 'zod';
import { isErrorKey, type ErrorKey } from '../../errors/catalogue';
import type { PaymentState } from './payment-machine';
import type { RefundState } from './refund-machine';
import { itemSchema, kopecksSchema, slipSchema } from './wire';

export const KOSHELEK_STATE_VERSION = 1;

const versionSchema = z.literal(KOSHELEK_STATE_VERSION).optional();
const epochMs = z.number().finite();
const nextSchema = z.object({
  action: z.enum(['send_checkout', 'poll_status', 'send_cancel', 'poll_cancel_status', 'send_refund', 'poll_refund_status']),
  at: epochMs,
}).nullable();
/** A display hint only (the row's own error_key column is the record): a key a later catalogue dropped reads as none. */
const errorKeySchema = z.string().nullable().transform((k): ErrorKey | null => (k !== null && isErrorKey(k) ? k : null));
const slip = slipSchema.nullable();

const cancelAttemptSchema = z.object({
  requestId: z.string().min(1),
  reason: z.enum(['cashier', 'timeout', 'no_answer']),
  attempts: z.number().int().nonnegative(),
  startedAt: epochMs,
  refTransactionId: z.string().nullable(),
  refStatus: z.string().nullable(),
  outcome: z.enum(['canceled', 'cancel_rejected', 'not_found']).nullable(),
  details: z.string().nullable(),
});

export const paymentStateSchema = z.object({
  v: versionSchema,
  phase: z.enum(['checkout_pending', 'awaiting_status', 'resolving_checkout', 'cancel_pending', 'awaiting_cancel_status', 'paid', 'rejected', 'canceled', 'failed']),
  next: nextSchema,
  ctx: z.object({
    requestId: z.string().min(1),
    orderId: z.string().min(1),
    amountKop: kopecksSchema,
    paymentType: z.string(),
    cardSession: z.string(),
    loyaltyId: z.string(),
    storeId: z.string(),
    terminalId: z.string(),
    paymentPurpose: z.string().nullable().default(null),
    items: z.array(itemSchema),
    startedAt: epochMs,
    checkoutAttempts: z.number().int().nonnegative(),
    transactionId: z.string().nullable(),
    deadlineAt: epochMs.nullable(),
    providerStatus: z.string().nullable(),
    errorCode: z.string().nullable(),
    errorKey: errorKeySchema,
    slip,
    cancelWanted: z.boolean().default(false),
    cancels: z.array(cancelAttemptSchema).default([]),
    unknownValues: z.array(z.string()).default([]),
    connectionId: z.string().nullable().optional(),
    parkedAt: epochMs.nullable().optional(),
  }),
});

export const refundStateSchema = z.object({
  v: versionSchema,
  phase: z.enum(['refund_pending', 'awaiting_refund_status', 'refunded', 'refund_rejected', 'failed']),
  next: nextSchema,
  ctx: z.object({
    requestId: z.string().min(1),
    paymentOperationId: z.string().min(1),
    transactionId: z.string().min(1),
    orderId: z.string().min(1),
    amountKop: kopecksSchema,
    items: z.array(itemSchema),
    storeId: z.string(),
    terminalId: z.string(),
    paymentType: z.string().nullable(),
    clientRequestKey: z.string().nullable().default(null),
    startedAt: epochMs,
    attempts: z.number().int().nonnegative(),
    refTransactionId: z.string().nullable(),
    refStatus: z.string().nullable(),
    providerStatus: z.string().nullable(),
    errorCode: z.string().nullable(),
    errorKey: errorKeySchema,
    slip,
    unknownValues: z.array(z.string()).default([]),
    connectionId: z.string().nullable().optional(),
  }),
});

export type PersistedParse<S> = { ok: true; state: S } | { ok: false; reason: string };

/** JSON, then the version: a newer Paydesk's row is refused by its version before its shape is looked at. */
function readVersioned(json: string): { ok: true; raw: unknown } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const version = raw !== null && typeof raw === 'object' && 'v' in raw ? raw.v : undefined;
  if (version !== undefined && version !== KOSHELEK_STATE_VERSION) {
    return { ok: false, reason: `state version ${String(JSON.stringify(version)).slice(0, 20)} (this Paydesk reads ${KOSHELEK_STATE_VERSION})` };
  }
  return { ok: true, raw };
}

/** Paths and zod's codes only: never the stored values (a corrupted row may hold anything). */
function issueReason(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.code}` : 'invalid state';
}

export function parsePaymentState(json: string): PersistedParse<PaymentState> {
  const read = readVersioned(json);
  if (!read.ok) return read;
  const parsed = paymentStateSchema.safeParse(read.raw);
  if (!parsed.success) return { ok: false, reason: issueReason(parsed.error) };
  const { phase, next, ctx } = parsed.data;
  return { ok: true, state: { phase, next, ctx } };
}

export function parseRefundState(json: string): PersistedParse<RefundState> {
  const read = readVersioned(json);
  if (!read.ok) return read;
  const parsed = refundStateSchema.safeParse(read.raw);
  if (!parsed.success) return { ok: false, reason: issueReason(parsed.error) };
  const { phase, next, ctx } = parsed.data;
  return { ok: true, state: { phase, next, ctx } };
}

/** The JSON the journal stores for a state: stamped with the version it is written in. */
export function persistState(state: object): string {
  return JSON.stringify({ v: KOSHELEK_STATE_VERSION, ...state });
}
