// An extra charge or a reversal on a paid sale as a pure state machine (one machine, two kinds):
//
//   sending ──accepted──► confirming ──status SUCCEEDED (amount/currency/kind match)──► succeeded
//      │    ──refused (4xx: validation, amount, conflict)──► failed      ──status FAILED──► failed
//      │    ──unknown (timeout, reset, 5xx, garbage)──► confirming       ──status PENDING / error──► confirming (re-check later)
//      │    ──429──► sending (after Retry-After)                         ──NOT_FOUND──► sending (same operation_id)
//   any ──restarted / callback──► confirming, check now
//
// The operation_id is the partner's idempotency key, so re-sending after NOT_FOUND can never move money
// twice; the partner's answer to a send is never trusted as final — only a status read confirms.
import { z } from 'zod';
import { isErrorKey, type ErrorKey } from '../../errors/catalogue';
import type { PartnerOutcome } from './client';
import { amountMinorSchema, currencySchema, operationIdSchema, operationTypeSchema, type PaymentStatusResponse } from './contract';

export const PARTNER_PHASES = ['sending', 'confirming', 'succeeded', 'failed'] as const;
export type PartnerPhase = (typeof PARTNER_PHASES)[number];
export type PartnerAction = 'send' | 'check';

export const partnerStateSchema = z.object({
  v: z.literal(1),
  phase: z.enum(PARTNER_PHASES),
  next: z.object({ action: z.enum(['send', 'check']), at: z.number() }).nullable(),
  ctx: z.object({
    kind: operationTypeSchema,
    operationId: operationIdSchema,
    paymentId: z.string().min(1),
    amountMinor: amountMinorSchema,
    currency: currencySchema,
    callbackUrl: z.string(),
    /** Re-check schedule bound at start (ms): the seed's "re-check n minutes later". */
    recheckMs: z.array(z.number().int().min(1)).min(1),
    sends: z.number().int().min(0),
    checks: z.number().int().min(0),
    providerStatus: z.string().nullable(),
    errorKey: z.custom<ErrorKey>((v) => typeof v === 'string' && isErrorKey(v)).nullable(),
    errorCode: z.string().nullable(),
    recovered: z.boolean(),
  }),
});
export type PartnerState = z.output<typeof partnerStateSchema>;

export type PartnerEvent =
  | { type: 'send_outcome'; outcome: PartnerOutcome<{ operation_id: string; status: string }> }
  | { type: 'status_outcome'; outcome: PartnerOutcome<PaymentStatusResponse | 'not_found'> }
  /** A verified on_payment_completed callback: only a reason to check now. */
  | { type: 'callback' }
  | { type: 'restarted' };

export interface NewPartnerOperation {
  kind: PartnerState['ctx']['kind'];
  operationId: string;
  paymentId: string;
  amountMinor: number;
  currency: string;
  callbackUrl: string;
  recheckMs: number[];
}

export function initialPartnerOperation(input: NewPartnerOperation, now: number): PartnerState {
  return partnerStateSchema.parse({
    v: 1,
    phase: 'sending',
    next: { action: 'send', at: now },
    ctx: { ...input, recheckMs: [...input.recheckMs], sends: 0, checks: 0, providerStatus: null, errorKey: null, errorCode: null, recovered: false },
  });
}

export function parsePartnerState(json: string): PartnerState {
  return partnerStateSchema.parse(JSON.parse(json));
}

export const isFinalPartner = (s: PartnerState): boolean => s.phase === 'succeeded' || s.phase === 'failed';

/** Catalogue key for a definite refusal code of the partner. */
export function refusalKey(code: string): ErrorKey {
  switch (code) {
    case 'AMOUNT_EXCEEDS_AVAILABLE':
      return 'partner.amount_exceeds';
    case 'PAYMENT_NOT_FOUND':
      return 'partner.payment_not_found';
    case 'CURRENCY_MISMATCH':
      return 'partner.currency_mismatch';
    case 'SIGNATURE_INVALID':
    case 'UNKNOWN_KEY':
    case 'WRONG_KEY':
      return 'partner.signature_refused';
    case 'CLOCK_SKEW':
      return 'partner.clock_skew';
    case 'OPERATION_CONFLICT':
      return 'partner.conflict';
    default:
      return 'partner.refused';
  }
}

/** Refusals that say nothing about the operation itself: the request never counted, ask again later. */
const TRANSIENT_REFUSALS = new Set(['REPLAYED', 'SESSION_INVALID', 'CLOCK_SKEW']);

function recheckAt(s: PartnerState, now: number): number {
  const sched = s.ctx.recheckMs;
  return now + (sched[Math.min(s.ctx.checks, sched.length - 1)] ?? 60_000);
}

function to(s: PartnerState, phase: PartnerPhase, next: PartnerState['next'], patch: Partial<PartnerState['ctx']> = {}): PartnerState {
  return { ...s, phase, next, ctx: { ...s.ctx, ...patch } };
}

export function reducePartner(s: PartnerState, e: PartnerEvent, now: number): PartnerState {
  if (isFinalPartner(s)) return s; // sticky: a late callback or answer changes nothing
  switch (e.type) {
    case 'restarted':
      return to(s, 'confirming', { action: 'check', at: now }, { recovered: true, errorKey: s.ctx.errorKey ?? 'partner.checking' });
    case 'callback':
      return s.phase === 'confirming' ? to(s, 'confirming', { action: 'check', at: now }) : s;
    case 'send_outcome': {
      if (s.phase !== 'sending') return s;
      const sent = { ...s, ctx: { ...s.ctx, sends: s.ctx.sends + 1 } };
      const o = e.outcome;
      switch (o.kind) {
        case 'ok':
          return to(sent, 'confirming', { action: 'check', at: o.value.status === 'PENDING' ? recheckAt(sent, now) : now }, { providerStatus: o.value.status, errorKey: 'partner.checking' });
        case 'rate_limited':
          return to(sent, 'sending', { action: 'send', at: now + o.retryAfterMs }, { errorKey: 'partner.rate_limited' });
        case 'refused':
          if (TRANSIENT_REFUSALS.has(o.code)) return to(sent, 'confirming', { action: 'check', at: recheckAt(sent, now) }, { errorKey: refusalKey(o.code), errorCode: o.code });
          return to(sent, 'failed', null, { errorKey: refusalKey(o.code), errorCode: o.code });
        case 'unknown':
          // It may have taken effect: the status decides, never a blind re-send.
          return to(sent, 'confirming', { action: 'check', at: now + (s.ctx.recheckMs[0] ?? 1000) }, { errorKey: 'partner.checking', errorCode: o.fault });
      }
      return s;
    }
    case 'status_outcome': {
      if (s.phase !== 'confirming') return s;
      const checked = { ...s, ctx: { ...s.ctx, checks: s.ctx.checks + 1 } };
      const o = e.outcome;
      if (o.kind === 'rate_limited') return to(checked, 'confirming', { action: 'check', at: now + o.retryAfterMs });
      if (o.kind !== 'ok') return to(checked, 'confirming', { action: 'check', at: recheckAt(checked, now) }, { errorCode: o.kind === 'refused' ? o.code : o.fault });
      if (o.value === 'not_found') return to(checked, 'sending', { action: 'send', at: now }, { providerStatus: null });
      const st = o.value;
      if (st.status === 'PENDING') return to(checked, 'confirming', { action: 'check', at: recheckAt(checked, now) }, { providerStatus: 'PENDING' });
      if (st.type !== s.ctx.kind || st.amount !== s.ctx.amountMinor || st.currency !== s.ctx.currency || st.payment_id !== s.ctx.paymentId) {
        return to(checked, 'failed', null, { providerStatus: st.status, errorKey: 'partner.mismatch', errorCode: 'MISMATCH' });
      }
      if (st.status === 'SUCCEEDED') return to(checked, 'succeeded', null, { providerStatus: 'SUCCEEDED', errorKey: null, errorCode: null });
      return to(checked, 'failed', null, { providerStatus: 'FAILED', errorKey: 'partner.declined', errorCode: st.failure_code ?? 'FAILED' });
    }
  }
}

/** Worth a journal write: anything but the check counter and the next time. */
export function isMaterialPartner(a: PartnerState, b: PartnerState): boolean {
  const strip = (s: PartnerState) => JSON.stringify({ ...s, next: s.next?.action ?? null, ctx: { ...s.ctx, checks: 0, errorCode: null } });
  return strip(a) !== strip(b);
}
