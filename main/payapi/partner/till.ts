// Partner operations at the till (docs/partner.md): a sale charged to the customer's partner payment, an
// extra charge on it when the basket grew, and a reversal (full or partial). Each is a journal row driven by
// the operation's actor, but the money is moved and confirmed by ONE durable task: the outbox job
// `partner.confirm` (jobs.ts), which reads the status first on every run, (re)sends with the same
// operation_id only on NOT_FOUND, and re-schedules itself while PENDING. The actor only makes sure the job
// exists and mirrors its end into the row, so a crash anywhere leaves either the job (which finishes) or
// nothing sent (the resumed actor enqueues it; the dedupe key makes that one job, ever).
//
//   confirming ──job done──► succeeded (payment: paid; reversal: refunded)
//        │     ──job failed──► failed (the partner refused or declined: nothing moved)
//        │     ──job still waiting──► confirming (look again shortly; the job re-checks the partner)
//   any ──restarted / callback──► confirming, look now
import { z } from 'zod';
import { MachineDriver, type NextStep } from '../../checkout/runner';
import { isErrorKey, type ErrorKey } from '../../errors/catalogue';
import { intentRow, transitionRow, type OperationEvent, type OperationRow, type OperationWrite } from '../../journal/operations';
import { amountMinorSchema, currencySchema, operationIdSchema, operationTypeSchema } from './contract';
import { PARTNER_PROVIDER } from './driver';
import type { PartnerConfirmPayload } from './jobs';

export const PARTNER_TILL_PHASES = ['confirming', 'succeeded', 'failed'] as const;

export const partnerTillStateSchema = z.object({
  v: z.literal(1),
  phase: z.enum(PARTNER_TILL_PHASES),
  next: z.object({ action: z.literal('confirm'), at: z.number() }).nullable(),
  ctx: z.object({
    kind: operationTypeSchema,
    /** Ours, and the partner's idempotency key (operation_id). */
    operationId: operationIdSchema,
    /** The customer's partner payment the operation acts on (payment_id). */
    paymentId: z.string().min(1).max(64),
    amountMinor: amountMinorSchema,
    currency: currencySchema,
    callbackUrl: z.string(),
    recheckMs: z.number().int().min(1),
    /** The cashier's key for the extra charge or reversal: a double press is one operation. */
    clientRequestKey: z.string().nullable(),
    connectionId: z.string().nullable(),
    jobState: z.string().nullable(),
    errorKey: z.custom<ErrorKey>((v) => typeof v === 'string' && isErrorKey(v)).nullable(),
    errorCode: z.string().nullable(),
    recovered: z.boolean(),
  }),
});
export type PartnerTillState = z.output<typeof partnerTillStateSchema>;

export type PartnerTillEvent =
  | { type: 'job'; state: 'done' | 'failed' | 'waiting'; errorKey: ErrorKey | null; message: string | null }
  /** A verified on_payment_completed callback: only a reason to look now. */
  | { type: 'callback' }
  | { type: 'restarted' };

export function parsePartnerTillState(json: string): PartnerTillState {
  return partnerTillStateSchema.parse(JSON.parse(json));
}

export const isFinalPartnerTill = (s: PartnerTillState): boolean => s.phase === 'succeeded' || s.phase === 'failed';

/** How often the actor looks at its job while the job waits for the partner (no partner request). */
const LOOK_AGAIN_MS = 500;

export function reducePartnerTill(s: PartnerTillState, e: PartnerTillEvent, now: number): PartnerTillState {
  if (isFinalPartnerTill(s)) return s; // sticky
  switch (e.type) {
    case 'restarted':
      return { ...s, next: { action: 'confirm', at: now }, ctx: { ...s.ctx, recovered: true } };
    case 'callback':
      return { ...s, next: { action: 'confirm', at: now } };
    case 'job':
      if (e.state === 'done') return { ...s, phase: 'succeeded', next: null, ctx: { ...s.ctx, jobState: 'done', errorKey: null, errorCode: null } };
      if (e.state === 'failed') return { ...s, phase: 'failed', next: null, ctx: { ...s.ctx, jobState: 'failed', errorKey: e.errorKey ?? 'partner.refused', errorCode: e.message } };
      return { ...s, next: { action: 'confirm', at: now + LOOK_AGAIN_MS }, ctx: { ...s.ctx, jobState: 'queued', errorKey: e.errorKey ?? 'partner.checking', errorCode: e.message } };
  }
}

/** Worth a journal write: anything but the next time (a waiting job looked at again is not news). */
export function isMaterialPartnerTill(a: PartnerTillState, b: PartnerTillState): boolean {
  const strip = (s: PartnerTillState) => JSON.stringify({ ...s, next: s.next?.action ?? null });
  return strip(a) !== strip(b);
}

/** The outbox side the driver needs: make sure the job exists, then wait (bounded) for its end. */
export interface PartnerJobs {
  /** Enqueues the confirmation task (idempotent: one job per operation_id, ever) and wakes the worker. */
  ensure(payload: PartnerConfirmPayload): void;
  /** Resolves with the job's end, or 'waiting' after at most `maxWaitMs`. */
  wait(operationId: string, maxWaitMs: number): Promise<PartnerTillEvent>;
}

export function confirmPayload(s: PartnerTillState): PartnerConfirmPayload {
  const c = s.ctx;
  return { kind: c.kind, operationId: c.operationId, paymentId: c.paymentId, amountMinor: c.amountMinor, currency: c.currency, callbackUrl: c.callbackUrl, recheckMs: c.recheckMs };
}

export class PartnerTillDriver extends MachineDriver<PartnerTillState, PartnerTillEvent> {
  constructor(readonly operationId: string, private readonly base: OperationRow, private readonly jobs: PartnerJobs) {
    super({ reduce: reducePartnerTill, isFinal: isFinalPartnerTill, isMaterial: isMaterialPartnerTill });
  }

  async perform(_step: NextStep, state: PartnerTillState): Promise<PartnerTillEvent> {
    // Enqueuing again is harmless (dedupe key): it is what makes a crash before the first enqueue safe.
    this.jobs.ensure(confirmPayload(state));
    return this.jobs.wait(state.ctx.operationId, 5_000);
  }

  writes(previous: PartnerTillState, state: PartnerTillState, event: PartnerTillEvent | null): { primary: OperationWrite; related: OperationWrite[] } {
    const now = Date.now();
    const final = isFinalPartnerTill(state);
    const events: OperationEvent[] = [];
    if (event?.type === 'job') events.push({ type: 'response', endpoint: 'partner.confirm', requestId: state.ctx.operationId, body: event });
    if (event?.type === 'callback') events.push({ type: 'postback', body: { operationId: state.ctx.operationId } });
    if (event?.type === 'restarted') events.push({ type: 'recovered', body: { phase: previous.phase } });
    if (previous.phase !== state.phase) events.push({ type: 'transition', phaseFrom: previous.phase, phaseTo: state.phase });
    const outcome = state.phase === 'succeeded' ? (state.ctx.kind === 'reversal' ? 'refunded' : 'paid') : state.phase === 'failed' ? 'failed' : null;
    const row = transitionRow(this.base, state, final, {
      outcome,
      provider_status: state.ctx.jobState,
      error_code: state.ctx.errorCode,
      error_key: state.ctx.errorKey,
    }, now);
    return { primary: { row, events }, related: [] };
  }
}

export interface PartnerTillIntent {
  kind: 'sale' | 'extra_charge' | 'reversal';
  operationId: string;
  operationExternalId: string;
  paymentId: string;
  parentOperationId: string | null;
  orderId: string;
  amountMinor: number;
  currency: string;
  callbackUrl: string;
  recheckMs: number;
  shiftId: number | null;
  clientRequestKey: string | null;
  connectionId: string | null;
  /** The method shown on the sale (payment_type). */
  method: string;
  /** The sale's pay token (the customer's partner payment id): one till sale per partner payment. */
  payToken: string | null;
}

/**
 * The intent row committed before the first action. A sale and an extra charge are both a charge at the
 * partner (completeMerchantAcquiring on the customer's partner payment); a reversal is a refund row.
 */
export function partnerTillIntent(i: PartnerTillIntent, now: number): { row: OperationRow; state: PartnerTillState; event: OperationEvent } {
  const state = partnerTillStateSchema.parse({
    v: 1,
    phase: 'confirming',
    next: { action: 'confirm', at: now },
    ctx: {
      kind: i.kind === 'reversal' ? 'reversal' : 'extra_charge', operationId: i.operationExternalId, paymentId: i.paymentId, amountMinor: i.amountMinor,
      currency: i.currency, callbackUrl: i.callbackUrl, recheckMs: i.recheckMs, clientRequestKey: i.clientRequestKey, connectionId: i.connectionId,
      jobState: null, errorKey: 'partner.checking', errorCode: null, recovered: false,
    },
  });
  const row = intentRow({
    id: i.operationId, kind: i.kind === 'reversal' ? 'refund' : 'payment', provider: PARTNER_PROVIDER, parent_id: i.parentOperationId,
    shift_id: i.shiftId, order_id: i.orderId, amount_kop: i.amountMinor, currency: i.currency, phase: state.phase,
    request_id: i.operationExternalId, transaction_id: i.operationExternalId, ref_transaction_id: i.paymentId, payment_type: i.method,
    error_key: 'partner.checking', pay_token: i.payToken, context_json: JSON.stringify(state),
  }, now);
  return { row, state, event: { type: 'intent', requestId: i.operationExternalId, body: { kind: i.kind, amountMinor: i.amountMinor, currency: i.currency, paymentId: i.paymentId, parent: i.parentOperationId } } };
}
