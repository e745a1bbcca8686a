// Outbox job kinds `fiscal.sell` and `fiscal.refund`: one job per operation (dedupe key), jobs of one
// sale share a queue key so a refund receipt never overtakes its sale's receipt. The handler sends
// through a FiscalConnector; after any earlier attempt it first asks the connector what became of it.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { PaydeskError } from '../errors/catalogue';
import { enqueue } from '../outbox/store';
import { registerHandler, type AnyJobHandler, type JobContext, type ReconcileResult } from '../outbox/handler';
import type { AttemptOutcome } from '../outbox/transitions';
import type { BackoffPolicy } from '../outbox/backoff';
import { FiscalError, type FiscalConnector, type FiscalStatus } from './connector';
import { fiscalReceiptSchema, type FiscalReceipt } from './receipt';

export const FISCAL_SELL = 'fiscal.sell';
export const FISCAL_REFUND = 'fiscal.refund';
const PAYLOAD_VERSION = 1;

const payloadSchema = z.object({ receipt: fiscalReceiptSchema });
type FiscalPayload = z.infer<typeof payloadSchema>;

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

export function fiscalJobHandlers(connector: FiscalConnector, backoff: BackoffPolicy): AnyJobHandler[] {
  const make = (kind: string, operation: FiscalReceipt['operation']): AnyJobHandler => registerHandler<FiscalPayload>({
    kind,
    payloadVersion: PAYLOAD_VERSION,
    payloadSchema: payloadSchema.refine((p) => p.receipt.operation === operation, `a ${kind} job carries a ${operation} receipt`),
    backoff,
    async run(payload: FiscalPayload, ctx: JobContext): Promise<AttemptOutcome> {
      try {
        return toOutcome(await connector.register(payload.receipt, { signal: ctx.signal, onRemoteId: (id) => ctx.recordRemoteRef(id) }));
      } catch (error) {
        return fromError(error);
      }
    },
    async reconcile(payload: FiscalPayload, ctx: JobContext): Promise<ReconcileResult> {
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
