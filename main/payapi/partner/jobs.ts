// The self-rescheduling confirmation task (instead of a table of requests): an outbox job per extra
// charge or reversal. Each run reads the status first; NOT_FOUND → (re)send with the same operation_id
// (the partner's idempotency key) and check again later; PENDING → check again in n minutes; SUCCEEDED
// → done; FAILED → failed. The same pure reducer as the till's machine decides every step.
import { z } from 'zod';
import type { BackoffPolicy } from '../../outbox/backoff';
import type { JobHandler, ReconcileResult } from '../../outbox/handler';
import type { NewJob } from '../../outbox/store';
import type { AttemptOutcome } from '../../outbox/transitions';
import type { PartnerClient } from './client';
import { amountMinorSchema, currencySchema, operationIdSchema, operationTypeSchema } from './contract';
import { initialPartnerOperation, reducePartner, type PartnerState } from './machine';

export const PARTNER_CONFIRM_KIND = 'partner.confirm';
export const PARTNER_CONFIRM_VERSION = 1;

export const partnerConfirmPayloadSchema = z.object({
  kind: operationTypeSchema,
  operationId: operationIdSchema,
  paymentId: z.string().min(1),
  amountMinor: amountMinorSchema,
  currency: currencySchema,
  callbackUrl: z.string(),
  /** "n minutes later": the pause between status reads while PENDING. */
  recheckMs: z.number().int().min(1),
});
export type PartnerConfirmPayload = z.infer<typeof partnerConfirmPayloadSchema>;

/** The job to enqueue (inside the caller's transaction); one per operation, ever. */
export function partnerConfirmJob(p: PartnerConfirmPayload, runAfterMs?: number): NewJob {
  return {
    kind: PARTNER_CONFIRM_KIND,
    queueKey: `partner:${p.paymentId}`,
    dedupeKey: `${PARTNER_CONFIRM_KIND}:${p.operationId}`,
    operationExternalId: p.operationId,
    payloadVersion: PARTNER_CONFIRM_VERSION,
    payload: partnerConfirmPayloadSchema.parse(p),
    ...(runAfterMs !== undefined ? { runAfterMs } : {}),
  };
}

function start(p: PartnerConfirmPayload, now: number): PartnerState {
  const s = initialPartnerOperation({ ...p, recheckMs: [p.recheckMs] }, now);
  return { ...s, phase: 'confirming', next: { action: 'check', at: now } };
}

/** What a state means to the outbox: done, failed, or run again at `next.at`. */
function asAttempt(s: PartnerState, now: number): AttemptOutcome {
  if (s.phase === 'succeeded') return { type: 'done', result: { status: 'SUCCEEDED' }, remoteRef: s.ctx.operationId };
  if (s.phase === 'failed') return { type: 'failed', errorKey: s.ctx.errorKey ?? 'partner.refused', message: s.ctx.errorCode ?? 'failed' };
  return { type: 'retry', errorKey: s.ctx.errorKey ?? 'partner.checking', message: `${s.phase}: ${s.ctx.providerStatus ?? s.ctx.errorCode ?? 'pending'}`, retryAfterMs: Math.max(1, (s.next?.at ?? now) - now) };
}

export function partnerConfirmHandler(client: PartnerClient, backoff: BackoffPolicy, now: () => number = Date.now): JobHandler<PartnerConfirmPayload> {
  const check = async (p: PartnerConfirmPayload): Promise<PartnerState> => {
    const s = start(p, now());
    return reducePartner(s, { type: 'status_outcome', outcome: await client.status(p.kind, p.operationId) }, now());
  };
  return {
    kind: PARTNER_CONFIRM_KIND,
    payloadVersion: PARTNER_CONFIRM_VERSION,
    payloadSchema: partnerConfirmPayloadSchema,
    backoff,
    async run(p) {
      let s = await check(p);
      if (s.phase === 'sending') {
        s = reducePartner(s, { type: 'send_outcome', outcome: await client.submit(p.kind, p) }, now());
        // Accepted (or unknown) → confirm n minutes later, never "done" on the send's word alone.
        if (s.phase === 'confirming') s = { ...s, next: { action: 'check', at: now() + p.recheckMs } };
      }
      return asAttempt(s, now());
    },
    async reconcile(p): Promise<ReconcileResult> {
      const s = await check(p);
      // Never sent (or the send never arrived): the worker runs the job, which sends.
      if (s.phase === 'sending') return { type: 'absent' };
      return asAttempt(s, now());
    },
  };
}
