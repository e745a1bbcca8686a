// Refunds by the bank's operation id as outbox jobs (docs/outbox.md): the binding charge's automatic
// refund and the cashier's refunds alike. Before any re-send after an interruption, the job reads the
// operation and counts the refunds already there (Tochka documents no refund webhook and no idempotency).
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { enqueue, findJobByDedupeKey, type JobHandler } from '../outbox';
import { registerHandler } from '../outbox/handler';
import type { SavedCardsPort } from '../providers/types';
import { DEFAULT_BACKOFF } from '../outbox/backoff';
import type { BankAdapter } from './bank';
import { linkStateSchema, type LinkState } from './machine';
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
    settle(db, row) {
      if (row.kind !== 'payment' || row.provider !== o.provider || row.outcome !== 'paid') return 'not_binding';
      const parsed = linkStateSchema.safeParse(safeJson(row.context_json));
      if (!parsed.success || !parsed.data.ctx.saveCard) return 'not_binding';
      const r = settleBinding(db, o.provider, row.loyalty_id, row.id, parsed.data);
      return r === 'not_paid' ? 'not_binding' : r;
    },
    refundJob: () => registerHandler(refundHandler(o.adapter())),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
