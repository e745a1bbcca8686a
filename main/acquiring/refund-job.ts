// Refunds by the bank's operation id as outbox jobs (docs/outbox.md): the binding charge's automatic
// refund and the cashier's refunds alike. Before any re-send after an interruption, the job reads the
// operation and counts the refunds already there (Tochka documents no refund webhook and no idempotency).
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { OperationRow } from '../journal/operations';
import { enqueue, findJobByDedupeKey, type DoneJob, type JobHandler } from '../outbox';
import { registerHandler } from '../outbox/handler';
import type { SavedCardsPort } from '../providers/types';
import { DEFAULT_BACKOFF } from '../outbox/backoff';
import type { BankAdapter } from './bank';
import { linkStateSchema, type LinkState } from './machine';
import { bankRefundStateSchema } from './refund';
import { saveCard } from './saved-cards';

export const refundPayloadSchema = z.object({
  bankOperationId: z.string().min(1),
  /** Our reference of the payment (some banks read operations by it). */
  reference: z.string().min(1),
  amountMinor: z.number().int().positive(),
  /** Refunded on the operation before this job was queued: the job is done when the bank shows more. */
  refundedBeforeMinor: z.number().int().min(0),
});
export type RefundPayload = z.output<typeof refundPayloadSchema>;

export const refundJobKind = (provider: string): string => `${provider}.refund`;

export function refundHandler(bank: BankAdapter): JobHandler<RefundPayload> {
  return {
    kind: refundJobKind(bank.provider),
    payloadVersion: 1,
    payloadSchema: refundPayloadSchema,
    backoff: DEFAULT_BACKOFF,
    async run(p) {
      const r = await bank.refund(p.bankOperationId, p.amountMinor);
      if (r.kind === 'done') return { type: 'done', result: { refundId: r.refundId }, ...(r.refundId ? { remoteRef: r.refundId } : {}) };
      if (r.kind === 'rejected') return { type: 'failed', errorKey: r.errorKey, message: r.detail };
      return { type: 'retry', errorKey: r.errorKey, message: r.detail };
    },
    async reconcile(p) {
      const op = await bank.read({ bankOperationId: p.bankOperationId, reference: p.reference });
      if (op.kind === 'unknown') return { type: 'retry', errorKey: op.errorKey, message: op.detail };
      if (op.kind === 'not_found') return { type: 'failed', errorKey: 'bank.refund_rejected', message: 'operation not found at the bank' };
      if (op.operation.refundedMinor >= p.refundedBeforeMinor + p.amountMinor) return { type: 'done', result: { reconciled: true } };
      return { type: 'absent' };
    },
  };
}

/** Queues a refund once per key (a retried request or a crash-repeated call is the same job). */
export function queueRefund(db: Database.Database, provider: string, input: { operationExternalId: string; dedupeKey: string } & RefundPayload): { id: number; created: boolean } {
  return enqueue(db, {
    kind: refundJobKind(provider),
    queueKey: `${provider}.refund:${input.bankOperationId}`,
    dedupeKey: input.dedupeKey,
    operationExternalId: input.operationExternalId,
    payloadVersion: 1,
    payload: refundPayloadSchema.parse(input),
  });
}

/**
 * Settles a finished binding payment: in one transaction the card is saved against the customer and the
 * verification charge's refund is queued. Idempotent (run it on settle and again at start-up). No customer
 * or no card id from the bank: nothing is saved, the charge is still refunded.
 */
export function settleBinding(db: Database.Database, provider: string, customerId: string | null, operationId: string, state: LinkState): 'bound' | 'not_paid' | 'no_card' {
  if (state.phase !== 'paid' || !state.ctx.saveCard || state.ctx.bankOperationId === null) return 'not_paid';
  const bankOperationId = state.ctx.bankOperationId;
  const consumerId = state.ctx.consumerId;
  const saved = consumerId !== null && consumerId !== '' && customerId !== null && customerId !== '';
  // Settled already (its refund is queued): never touch the card again, so a later unbinding stays.
  if (findJobByDedupeKey(db, bindingRefundKey(provider, operationId))) return saved ? 'bound' : 'no_card';
  db.transaction(() => {
    if (saved) saveCard(db, { provider, customerId, consumerId, boundBy: operationId });
    queueRefund(db, provider, {
      // The journal's operation id: the queue screen and the operation's view find the job by it.
      operationExternalId: operationId, dedupeKey: bindingRefundKey(provider, operationId),
      bankOperationId, reference: state.ctx.reference, amountMinor: state.ctx.paidMinor ?? state.ctx.amountMinor, refundedBeforeMinor: 0,
    });
  })();
  return saved ? 'bound' : 'no_card';
}

export const bindingRefundKey = (provider: string, operationId: string): string => `${provider}.binding-refund:${operationId}`;

/**
 * A bank's SavedCardsPort (main/providers/types.ts): the binding charge of `amountMinor`, settled from the
 * payment row the journal is writing (its loyalty id is the customer), refunded by the bank's refund job.
 */
export function bankSavedCards(o: { provider: string; methodId: string; amountMinor: () => number; adapter: () => BankAdapter }): SavedCardsPort {
  return {
    methodId: o.methodId,
    bindingAmountMinor: o.amountMinor,
    isBinding(row) {
      if (row.kind !== 'payment' || row.provider !== o.provider) return false;
      const parsed = linkStateSchema.safeParse(safeJson(row.context_json));
      return parsed.success && parsed.data.ctx.saveCard;
    },
    settle(db, row) {
      if (row.kind !== 'payment' || row.provider !== o.provider || row.outcome !== 'paid') return 'not_binding';
      const parsed = linkStateSchema.safeParse(safeJson(row.context_json));
      if (!parsed.success || !parsed.data.ctx.saveCard) return 'not_binding';
      const r = settleBinding(db, o.provider, row.loyalty_id, row.id, parsed.data);
      return r === 'not_paid' ? 'not_binding' : r;
    },
    refundJob: () => registerHandler({
      ...refundHandler(o.adapter()),
      onDone: (db: Database.Database, job: DoneJob, nowMs: number) => { recordBindingRefund(db, o.provider, job, nowMs); },
    }),
  };
}

/** A UUID-shaped id that is the same for the same seed (a binding has one refund operation, ever). */
function derivedId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export const bindingRefundOperationId = (bindingOperationId: string): string => derivedId(`binding-refund:${bindingOperationId}`);

const idRow = z.object({ id: z.number().int() });

/**
 * The binding charge's refund as the journal's own refund operation (kind 'refund', parent = the binding
 * payment, final `refunded`), written inside the transaction that marks its refund job done, so X/Z
 * reports net the 2 ₽ out exactly when the bank refunded it (docs/banks.md "Binding and saved cards").
 * Its id and request id derive from the binding's id: a job completed again after a crash finds the row
 * and writes nothing. Shift: the one open now; with none open, no shift (the binding's shift is closed
 * and a closed shift takes no new operation). Returns whether a row was written.
 */
export function recordBindingRefund(db: Database.Database, provider: string, job: DoneJob, nowMs: number): boolean {
  const bindingId = job.operationExternalId;
  if (job.dedupeKey !== bindingRefundKey(provider, bindingId)) return false; // a refund job of another kind
  const id = bindingRefundOperationId(bindingId);
  if (db.prepare('SELECT 1 FROM operations WHERE id = ?').get(id) !== undefined) return false;
  const payment = db.prepare("SELECT * FROM operations WHERE id = ? AND kind = 'payment'").get(bindingId) as OperationRow | undefined;
  const payload = refundPayloadSchema.safeParse(safeJson(job.payloadJson));
  const link = linkStateSchema.safeParse(safeJson(payment?.context_json ?? ''));
  // Not ours to describe (no such payment, unreadable state): the job's done stands, nothing is invented.
  if (!payment || !payload.success || !link.success) return false;
  const open = idRow.safeParse(db.prepare('SELECT id FROM shifts WHERE closed_at IS NULL LIMIT 1').get());
  const refundId = typeof job.result?.refundId === 'string' && job.result.refundId !== '' ? job.result.refundId : null;
  const p = payload.data;
  const state = bankRefundStateSchema.parse({
    v: 1, phase: 'refunded', next: null,
    ctx: {
      channel: link.data.ctx.channel, paymentOperationId: bindingId, bankOperationId: p.bankOperationId, reference: p.reference,
      amountMinor: p.amountMinor, currency: payment.currency, refundedBeforeMinor: p.refundedBeforeMinor, sends: 0, lookups: 0,
      pollScheduleMs: [0], unresolvedAfterMs: 0, unknownSince: null, refundId, errorKey: null, errorCode: null, lastFault: null,
      clientRequestKey: null, connectionId: null, recovered: false,
    },
  });
  const at = new Date(nowMs).toISOString();
  const row: OperationRow = {
    id, kind: 'refund', provider: payment.provider, parent_id: bindingId, shift_id: open.success ? open.data.id : null, order_id: payment.order_id,
    amount_kop: p.amountMinor, currency: payment.currency, phase: 'refunded', is_final: 1, outcome: 'refunded',
    request_id: derivedId(`binding-refund-request:${bindingId}`), transaction_id: refundId, ref_transaction_id: p.bankOperationId,
    payment_type: payment.payment_type, provider_status: null, provider_ref_status: null, error_code: null, error_key: null,
    pay_token: null, loyalty_id: payment.loyalty_id, attempts: 0, context_json: JSON.stringify(state), created_at: at, updated_at: at,
    finished_at: at, recovered: 0,
  };
  const cols = Object.keys(row);
  db.prepare(`INSERT INTO operations (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(row);
  db.prepare("INSERT INTO operation_events (operation_id, at, type, body_json) VALUES (?, ?, 'intent', ?)")
    .run(id, at, JSON.stringify({ refundOf: bindingId, bankOperationId: p.bankOperationId, amountMinor: p.amountMinor, bindingRefundJob: job.id }));
  return true;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
