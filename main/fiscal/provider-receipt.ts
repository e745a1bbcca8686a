// Outbox job `provider.receipt`: after a sale's fiscal receipt is registered, send it to the payment
// provider's own receipt endpoint (Koshelek shows it in the customer's app). Queued in the paid-sale commit
// with the sale's queue key, so per-key FIFO runs it only after the `fiscal.sell` job is done (docs/outbox.md).
// The provider's endpoint is harmless to repeat: an interrupted attempt is simply sent again.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { PaydeskError } from '../errors/catalogue';
import { enqueue } from '../outbox/store';
import { registerHandler, type AnyJobHandler } from '../outbox/handler';
import type { BackoffPolicy } from '../outbox/backoff';
import type { AttemptOutcome } from '../outbox/transitions';
import type { ReceiptFacts } from '../providers/receipt-facts';

export const PROVIDER_RECEIPT = 'provider.receipt';
const PAYLOAD_VERSION = 1;
const payloadSchema = z.object({ operationId: z.string().min(1) });

export function enqueueProviderReceipt(db: Database.Database, operationId: string, nowMs: number = Date.now()): { id: number; created: boolean } {
  return enqueue(db, {
    kind: PROVIDER_RECEIPT, queueKey: `fiscal:${operationId}`, dedupeKey: `${PROVIDER_RECEIPT}:${operationId}`,
    operationExternalId: operationId, payloadVersion: PAYLOAD_VERSION, payload: { operationId },
  }, nowMs);
}

export interface ProviderReceiptDeps {
  /** The facts of the registered fiscal receipt, or why they are not available yet. */
  facts(operationId: string): { ok: true; facts: ReceiptFacts } | { ok: false; retry: boolean; message: string };
  /** Hands the facts to the payment's provider; true when it accepted them. */
  send(operationId: string, facts: ReceiptFacts): Promise<boolean>;
}

/** Faults the network or the provider's availability explain are retried; anything else stops for a person. */
function fromError(error: unknown): AttemptOutcome {
  if (error instanceof PaydeskError) {
    const transient = error.key.startsWith('network.') || error.key.startsWith('response.') || error.key === 'journal.unavailable';
    return transient ? { type: 'retry', errorKey: error.key, message: error.message } : { type: 'failed', errorKey: error.key, message: error.message };
  }
  return { type: 'retry', errorKey: 'internal.unexpected', message: error instanceof Error ? error.message : String(error) };
}

export function providerReceiptHandler(deps: ProviderReceiptDeps, backoff: BackoffPolicy): AnyJobHandler {
  const run = async (payload: z.infer<typeof payloadSchema>): Promise<AttemptOutcome> => {
    const found = deps.facts(payload.operationId);
    if (!found.ok) return found.retry ? { type: 'retry', errorKey: 'fiscal.queued', message: found.message } : { type: 'failed', errorKey: 'fiscal.rejected', message: found.message };
    try {
      const accepted = await deps.send(payload.operationId, found.facts);
      return accepted ? { type: 'done', result: { accepted: true } } : { type: 'failed', errorKey: 'fiscal.rejected', message: 'the payment provider refused the receipt' };
    } catch (error) {
      return fromError(error);
    }
  };
  return registerHandler({
    kind: PROVIDER_RECEIPT, payloadVersion: PAYLOAD_VERSION, payloadSchema, backoff,
    run,
    // Repeating the provider's receipt call is harmless (same receipt, same payment): nothing to ask first.
    reconcile: async () => ({ type: 'absent' }),
  });
}
