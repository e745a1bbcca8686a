// A QR payment through the external payments API as a pure state machine. Poll answers and webhooks
// are the same news ('observed') through the one reducer, so a webhook before the poll, a duplicate,
// or a stale PENDING after SUCCESS all land the same way: final states are sticky.
//
//   creating ──created──► awaiting (show payment_url as QR) ──SUCCESS, amount/currency match──► paid
//      │     ──429──► creating (after Retry-After; the sale stays)        ──SUCCESS, other amount──► mismatch
//      │     ──400/401/403──► failed                                      ──FAILED──► failed
//      │     ──unknown (timeout, 5xx, reset)──► creating again            ──PENDING / no answer──► awaiting (poll later)
//   restarted: creating → create again; awaiting → poll now
//
// Why re-creating after an unknown create is safe: the API has no idempotency key and no lookup by our
// id, but a payment can only be paid through its payment_url, and the till shows a QR only from a
// journaled 'awaiting' state. A link created but never journaled was never shown, so nobody can pay it.
import { z } from 'zod';
import { isErrorKey, type ErrorKey } from '../../errors/catalogue';
import type { ExtOutcome } from './client';
import { CURRENCIES, METHODS, STATUSES, numberToMinor, type CreateResponse, type ExtStatus, type StatusResponse } from './contract';

export const EXTPAY_PHASES = ['creating', 'awaiting', 'paid', 'failed', 'mismatch'] as const;
export type ExtpayPhase = (typeof EXTPAY_PHASES)[number];
const FINAL: ReadonlySet<ExtpayPhase> = new Set(['paid', 'failed', 'mismatch']);

export const extpayStateSchema = z.object({
  v: z.literal(1),
  phase: z.enum(EXTPAY_PHASES),
  next: z.object({ action: z.enum(['create', 'poll']), at: z.number() }).nullable(),
  ctx: z.object({
    operationExternalId: z.string().min(1),
    orderId: z.string().min(1),
    amountMinor: z.number().int().min(1),
    currency: z.enum(CURRENCIES),
    method: z.enum(METHODS),
    pollScheduleMs: z.array(z.number().int().min(1)).min(1),
    createRetryMs: z.number().int().min(1),
    maxCreates: z.number().int().min(1),
    creates: z.number().int().min(0),
    polls: z.number().int().min(0),
    internalOrderId: z.string().nullable(),
    paymentUrl: z.string().nullable(),
    providerStatus: z.enum(STATUSES).nullable(),
    /** Where the final news came from. */
    settledBy: z.enum(['poll', 'webhook']).nullable(),
    /** News for another payment id (an orphan link's webhook, a forged id): recorded, ignored. */
    foreign: z.number().int().min(0),
    errorKey: z.custom<ErrorKey>((v) => typeof v === 'string' && isErrorKey(v)).nullable(),
    errorCode: z.string().nullable(),
    recovered: z.boolean(),
    /** The service (base URL) the payment was started on: it resumes only there (docs/safety.md). Absent in older rows. */
    connectionId: z.string().nullable().default(null),
  }),
});
export type ExtpayState = z.output<typeof extpayStateSchema>;

export interface Observation {
  source: 'poll' | 'webhook';
  internalOrderId: string;
  status: ExtStatus;
  amount: number;
  currency: string;
}

export type ExtpayEvent =
  | { type: 'create_outcome'; outcome: ExtOutcome<CreateResponse> }
  | { type: 'poll_outcome'; outcome: ExtOutcome<StatusResponse> }
  | { type: 'webhook'; observation: Observation }
  | { type: 'restarted' };

export interface NewExtpayPayment {
  operationExternalId: string;
  orderId: string;
  amountMinor: number;
  currency: (typeof CURRENCIES)[number];
  method: (typeof METHODS)[number];
  pollScheduleMs: number[];
  createRetryMs: number;
  maxCreates: number;
  connectionId?: string | null;
}

export function initialExtpayPayment(input: NewExtpayPayment, now: number): ExtpayState {
  return extpayStateSchema.parse({
    v: 1,
    phase: 'creating',
    next: { action: 'create', at: now },
    ctx: { ...input, connectionId: input.connectionId ?? null, creates: 0, polls: 0, internalOrderId: null, paymentUrl: null, providerStatus: null, settledBy: null, foreign: 0, errorKey: null, errorCode: null, recovered: false },
  });
}

export function parseExtpayState(json: string): ExtpayState {
  return extpayStateSchema.parse(JSON.parse(json));
}

export const isFinalExtpay = (s: ExtpayState): boolean => FINAL.has(s.phase);

function pollAt(s: ExtpayState, now: number): number {
  const sched = s.ctx.pollScheduleMs;
  return now + (sched[Math.min(s.ctx.polls, sched.length - 1)] ?? 5_000);
}

const to = (s: ExtpayState, phase: ExtpayPhase, next: ExtpayState['next'], patch: Partial<ExtpayState['ctx']> = {}): ExtpayState => ({ ...s, phase, next, ctx: { ...s.ctx, ...patch } });

function observe(s: ExtpayState, o: Observation, now: number): ExtpayState {
  if (o.internalOrderId !== s.ctx.internalOrderId) return { ...s, ctx: { ...s.ctx, foreign: s.ctx.foreign + 1 } };
  switch (o.status) {
    case 'PENDING':
      return o.source === 'poll' ? to(s, 'awaiting', { action: 'poll', at: pollAt(s, now) }, { providerStatus: 'PENDING' }) : s;
    case 'SUCCESS':
      if (numberToMinor(o.amount) !== s.ctx.amountMinor || o.currency !== s.ctx.currency) {
        return to(s, 'mismatch', null, { providerStatus: 'SUCCESS', settledBy: o.source, errorKey: 'extpay.mismatch', errorCode: `${o.amount} ${o.currency}` });
      }
      return to(s, 'paid', null, { providerStatus: 'SUCCESS', settledBy: o.source, errorKey: null, errorCode: null });
    case 'FAILED':
      return to(s, 'failed', null, { providerStatus: 'FAILED', settledBy: o.source, errorKey: 'extpay.failed', errorCode: 'FAILED' });
  }
}

export function reduceExtpay(s: ExtpayState, e: ExtpayEvent, now: number): ExtpayState {
  if (isFinalExtpay(s)) return s;
  switch (e.type) {
    case 'restarted':
      if (s.phase === 'creating') return to(s, 'creating', { action: 'create', at: now }, { recovered: true });
      return to(s, 'awaiting', { action: 'poll', at: now }, { recovered: true, errorKey: 'extpay.checking' });
    case 'webhook':
      return s.phase === 'awaiting' ? observe(s, e.observation, now) : { ...s, ctx: { ...s.ctx, foreign: s.ctx.foreign + 1 } };
    case 'create_outcome': {
      if (s.phase !== 'creating') return s;
      const c = { ...s, ctx: { ...s.ctx, creates: s.ctx.creates + 1 } };
      const o = e.outcome;
      switch (o.kind) {
        case 'ok':
          return to(c, 'awaiting', { action: 'poll', at: pollAt(c, now) }, { internalOrderId: o.value.internal_order_id, paymentUrl: o.value.payment_url, providerStatus: 'PENDING', errorKey: 'extpay.show_qr', errorCode: null });
        case 'rate_limited':
          return to(c, 'creating', { action: 'create', at: now + o.retryAfterMs }, { creates: s.ctx.creates, errorKey: 'extpay.rate_limited', errorCode: '429' });
        case 'refused':
          return to(c, 'failed', null, { errorKey: o.status === 401 || o.status === 403 ? 'extpay.unauthorized' : 'extpay.rejected', errorCode: `${o.status} ${o.error}` });
        case 'unknown':
          if (c.ctx.creates >= c.ctx.maxCreates) return to(c, 'failed', null, { errorKey: 'network.refused', errorCode: o.fault });
          return to(c, 'creating', { action: 'create', at: now + c.ctx.createRetryMs }, { errorKey: 'extpay.checking', errorCode: o.fault });
      }
      return s;
    }
    case 'poll_outcome': {
      if (s.phase !== 'awaiting') return s;
      const p = { ...s, ctx: { ...s.ctx, polls: s.ctx.polls + 1 } };
      const o = e.outcome;
      if (o.kind === 'ok') return observe(p, { source: 'poll', internalOrderId: o.value.internal_order_id, status: o.value.status, amount: o.value.amount, currency: o.value.currency }, now);
      if (o.kind === 'rate_limited') return to(p, 'awaiting', { action: 'poll', at: now + o.retryAfterMs });
      return to(p, 'awaiting', { action: 'poll', at: pollAt(p, now) }, { errorCode: o.kind === 'refused' ? `${o.status}` : o.fault });
    }
  }
}

/** Worth a journal write: anything but the poll counter, the next time and a transient error code. */
export function isMaterialExtpay(a: ExtpayState, b: ExtpayState): boolean {
  const strip = (s: ExtpayState) => JSON.stringify({ ...s, next: s.next?.action ?? null, ctx: { ...s.ctx, polls: 0, errorCode: s.phase === 'awaiting' ? null : s.ctx.errorCode } });
  return strip(a) !== strip(b);
}

/** What the cashier's screen encodes as the QR: only from a journaled awaiting state. */
export function qrPayload(s: ExtpayState): string | null {
  if (s.phase !== 'awaiting' || !s.ctx.paymentUrl) return null;
  return /^https?:\/\//.test(s.ctx.paymentUrl) ? s.ctx.paymentUrl : null;
}
