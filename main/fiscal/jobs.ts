// Outbox job kinds `fiscal.sell` and `fiscal.refund`: one job per operation (dedupe key), jobs of one
// sale share a queue key so a refund receipt never overtakes its sale's receipt. The handler sends
// through a FiscalConnector; after any earlier attempt it first asks the connector what became of it.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { isErrorKey, PaydeskError } from '../errors/catalogue';
import { enqueue } from '../outbox/store';
import { registerHandler, type AnyJobHandler, type JobContext, type ReconcileResult } from '../outbox/handler';
import type { AttemptOutcome } from '../outbox/transitions';
import type { BackoffPolicy } from '../outbox/backoff';
import { FiscalError, type FiscalConnector, type FiscalStatus } from './connector';
import { fiscalReceiptSchema, type FiscalReceipt } from './receipt';

export const FISCAL_SELL = 'fiscal.sell';
export const FISCAL_REFUND = 'fiscal.refund';
const PAYLOAD_VERSION = 1;

const receiptPayloadSchema = z.object({ receipt: fiscalReceiptSchema });
/** A transition that needed a receipt that could not be built: the job fails at once with the reason, for the manager. */
const unbuildablePayloadSchema = z.object({
  unbuildable: z.object({ operation: z.enum(['sell', 'sell_refund']), errorKey: z.string(), message: z.string() }),
});
const payloadSchema = z.union([receiptPayloadSchema, unbuildablePayloadSchema]);
type FiscalPayload = z.infer<typeof payloadSchema>;
const operationOf = (p: FiscalPayload): FiscalReceipt['operation'] => ('receipt' in p ? p.receipt.operation : p.unbuildable.operation);

export function fiscalJobKind(receipt: Pick<FiscalReceipt, 'operation'>): string {
  return receipt.operation === 'sell' ? FISCAL_SELL : FISCAL_REFUND;
}

/**
 * Queues the receipt of a sale or refund. Call it inside the transaction that records the paid sale
 * (or the accepted refund), so both commit or neither does. Enqueueing the same operation twice is one job.
 */
export function enqueueFiscalReceipt(db: Database.Database, receipt: FiscalReceipt, nowMs: number = Date.now()): { id: number; created: boolean } {
  // The caller builds and checks the receipt before money moves (saleReceipt at basket time); a receipt
  // that still fails here is refused with a catalogue key, and the caller's transaction decides.
  const parsed = fiscalReceiptSchema.safeParse(receipt);
  if (!parsed.success) throw new PaydeskError('fiscal.rejected', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const valid = parsed.data;
  const kind = fiscalJobKind(valid);
  const saleId = valid.operation === 'sell' ? valid.externalId : (valid.parentExternalId ?? valid.externalId);
  return enqueue(db, {
    kind,
    queueKey: `fiscal:${saleId}`,
    dedupeKey: `${kind}:${valid.externalId}`,
    operationExternalId: valid.externalId,
    payloadVersion: PAYLOAD_VERSION,
    payload: { receipt: valid } satisfies FiscalPayload,
  }, nowMs);
}

/**
 * Records the receipt a transition needed but could not have (see main/fiscal/sale.ts): same dedupe and
 * queue keys as the real one, so it is shown to the manager and a sale's later refund receipt waits for a decision.
 */
export function enqueueUnbuildableReceipt(db: Database.Database, u: { operationId: string; saleId: string; operation: FiscalReceipt['operation']; errorKey: string; message: string }, nowMs: number = Date.now()): { id: number; created: boolean } {
  const kind = u.operation === 'sell' ? FISCAL_SELL : FISCAL_REFUND;
  return enqueue(db, {
    kind,
    queueKey: `fiscal:${u.saleId}`,
    dedupeKey: `${kind}:${u.operationId}`,
    operationExternalId: u.operationId,
    payloadVersion: PAYLOAD_VERSION,
    payload: { unbuildable: { operation: u.operation, errorKey: u.errorKey, message: u.message.slice(0, 500) } } satisfies FiscalPayload,
  }, nowMs);
}

/** The outbox dedupe key of an operation's receipt job. */
export function fiscalDedupeKey(operation: FiscalReceipt['operation'], operationId: string): string {
  return `${operation === 'sell' ? FISCAL_SELL : FISCAL_REFUND}:${operationId}`;
}

function toOutcome(status: FiscalStatus): AttemptOutcome {
  if (status.status === 'done') return { type: 'done', result: { ...status.registration }, remoteRef: status.registration.remoteId };
  if (status.status === 'pending') {
    return { type: 'retry', errorKey: 'fiscal.processing', message: `registration ${status.remoteId} still processing`, remoteRef: status.remoteId, ...(status.retryAfterMs !== undefined ? { retryAfterMs: status.retryAfterMs } : {}) };
  }
  return { type: 'failed', errorKey: status.errorKey, message: status.message, ...(status.remoteId ? { remoteRef: status.remoteId } : {}) };
}

function fromError(error: unknown): AttemptOutcome {
  if (error instanceof FiscalError) {
    return error.retryable ? { type: 'retry', errorKey: error.key, message: error.message } : { type: 'failed', errorKey: error.key, message: error.message };
  }
  throw error;
}

function unbuildable(payload: z.infer<typeof unbuildablePayloadSchema>): AttemptOutcome {
  const key = payload.unbuildable.errorKey;
  return { type: 'failed', errorKey: isErrorKey(key) ? key : 'fiscal.rejected', message: payload.unbuildable.message };
}

export function fiscalJobHandlers(connector: FiscalConnector, backoff: BackoffPolicy): AnyJobHandler[] {
  const make = (kind: string, operation: FiscalReceipt['operation']): AnyJobHandler => registerHandler<FiscalPayload>({
    kind,
    payloadVersion: PAYLOAD_VERSION,
    payloadSchema: payloadSchema.refine((p) => operationOf(p) === operation, `a ${kind} job carries a ${operation} receipt`),
    backoff,
    async run(payload: FiscalPayload, ctx: JobContext): Promise<AttemptOutcome> {
      if (!('receipt' in payload)) return unbuildable(payload);
      try {
        return toOutcome(await connector.register(payload.receipt, { signal: ctx.signal, onRemoteId: (id) => ctx.recordRemoteRef(id) }));
      } catch (error) {
        return fromError(error);
      }
    },
    async reconcile(payload: FiscalPayload, ctx: JobContext): Promise<ReconcileResult> {
      if (!('receipt' in payload)) return unbuildable(payload);
      try {
        const found = await connector.lookup(payload.receipt, ctx.remoteRef, { signal: ctx.signal, onRemoteId: (id) => ctx.recordRemoteRef(id) });
        return found.status === 'absent' ? { type: 'absent' } : toOutcome(found);
      } catch (error) {
        return fromError(error);
      }
    },
  });
  return [make(FISCAL_SELL, 'sell'), make(FISCAL_REFUND, 'sell_refund')];
}
