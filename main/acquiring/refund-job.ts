// Refunds by the bank's operation id as outbox jobs (docs/outbox.md): the binding charge's automatic
// refund and the cashier's refunds alike. Before any re-send after an interruption, the job reads the
// operation and counts the refunds already there (Tochka documents no refund webhook and no idempotency).
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { enqueue, type JobHandler } from '../outbox';
import { DEFAULT_BACKOFF } from '../outbox/backoff';
import type { BankAdapter } from './bank';
import type { LinkState } from './machine';
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
 * verification charge's refund is queued. Idempotent (run it on settle and again at start-up).
 */
export function settleBinding(db: Database.Database, provider: string, customerId: string, operationId: string, state: LinkState): 'bound' | 'not_paid' | 'no_card' {
  if (state.phase !== 'paid' || !state.ctx.saveCard || state.ctx.bankOperationId === null) return 'not_paid';
  const bankOperationId = state.ctx.bankOperationId;
  const consumerId = state.ctx.consumerId;
  db.transaction(() => {
    if (consumerId) saveCard(db, { provider, customerId, consumerId, boundBy: operationId });
    queueRefund(db, provider, {
      operationExternalId: state.ctx.reference, dedupeKey: `${provider}.binding-refund:${operationId}`,
      bankOperationId, reference: state.ctx.reference, amountMinor: state.ctx.paidMinor ?? state.ctx.amountMinor, refundedBeforeMinor: 0,
    });
  })();
  return consumerId ? 'bound' : 'no_card';
}
