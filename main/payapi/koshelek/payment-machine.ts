// Koshelek Pay payment scenario (reference §4.1, §4.2, §3.4) as an explicit state machine.
//
//   checkout_pending ──ok(new/pending)──► awaiting_status ──accepted──► paid
//        │  no answer ×X                     │  rejected / canceled ──► rejected / canceled
//        ▼                                   │  30 s without a final status, or cashier cancel
//   resolving_checkout ──ok──► cancel_pending ◄┘
//   (same requestId until          │ accepted ──► canceled
//    Koshelek answers)             │ new ──► awaiting_cancel_status ──► canceled
//                                  │ declined: already paid ──► awaiting_status (no deadline) ──► paid
//                                  │ not found ──► canceled (nothing was charged)
//
// Every retry of a request reuses its requestId; a request that got a definitive answer is never
// repeated with a new one except a fresh cancel after a refused cancel.
import { koshelekCodeKey, type ErrorKey } from '../../errors/catalogue';
import { classifyPaymentStatus, classifyRefStatus, type PaymentStatusClass } from './classify';
import type { ApiOutcome } from './client';
import {
  backoff, httpKey, isDefinitiveHttpRefusal, noAnswerKey,
  type MachineEnv, type MachineEvent, type NextAction,
} from './machine-common';
import type { CheckoutResponse, Item, RefOperationResponse, Slip, StatusResponse } from './wire';

export type PaymentPhase =
  | 'checkout_pending'
  | 'awaiting_status'
  | 'resolving_checkout'
  | 'cancel_pending'
  | 'awaiting_cancel_status'
  | 'paid'
  | 'rejected'
  | 'canceled'
  | 'failed';

export const FINAL_PAYMENT_PHASES: ReadonlySet<PaymentPhase> = new Set(['paid', 'rejected', 'canceled', 'failed']);

/** Reference §2.4: status requests no more often than once per 250 ms. */
export const MIN_POLL_GAP_MS = 250;

export type CancelReason = 'cashier' | 'timeout' | 'no_answer';

export interface CancelAttempt {
  requestId: string;
  reason: CancelReason;
  attempts: number;
  startedAt: number;
  refTransactionId: string | null;
  refStatus: string | null;
  /** canceled: the payment is cancelled; cancel_rejected: declined (payment stands); not_found: nothing to cancel. */
  outcome: 'canceled' | 'cancel_rejected' | 'not_found' | null;
  details: string | null;
}

export interface PaymentContext {
  requestId: string;
  orderId: string;
  amountKop: number;
  paymentType: string;
  cardSession: string;
  loyaltyId: string;
  storeId: string;
  terminalId: string;
  paymentPurpose: string | null;
  items: Item[];
  startedAt: number;
  checkoutAttempts: number;
  transactionId: string | null;
  /** When the wait for a final status ends (30 s after checkout was answered); null: no limit. */
  deadlineAt: number | null;
  providerStatus: string | null;
  errorCode: string | null;
  errorKey: ErrorKey | null;
  slip: Slip | null;
  /** The cashier asked to cancel before Koshelek answered the checkout. */
  cancelWanted: boolean;
  /** Every cancel attempt, newest last (a refused cancel may be followed by a fresh one). */
  cancels: CancelAttempt[];
  /** Server status values we did not recognise (logged by the runner). */
  unknownValues: string[];
  /** Identity of the connection the payment was started on; recovery resumes it only there (docs/safety.md). */
  connectionId?: string | null;
  /** When the cashier parked it (the customer may have left); null/absent: not parked. */
  parkedAt?: number | null;
}

export interface PaymentState {
  phase: PaymentPhase;
  next: NextAction | null;
  ctx: PaymentContext;
}

export type PaymentOutcome = 'paid' | 'rejected' | 'canceled' | 'failed';

export function paymentOutcome(state: PaymentState): PaymentOutcome | null {
  return FINAL_PAYMENT_PHASES.has(state.phase) ? (state.phase as PaymentOutcome) : null;
}

export type NewPaymentInput = Omit<PaymentContext, 'startedAt' | 'checkoutAttempts' | 'transactionId' | 'deadlineAt' | 'providerStatus' | 'errorCode' | 'errorKey' | 'slip' | 'cancelWanted' | 'cancels' | 'unknownValues'>;

export function initialPayment(input: NewPaymentInput, now: number): PaymentState {
  return {
    phase: 'checkout_pending',
    next: { action: 'send_checkout', at: now },
    ctx: {
      ...input,
      startedAt: now,
      checkoutAttempts: 0,
      transactionId: null,
      deadlineAt: null,
      providerStatus: null,
      errorCode: null,
      errorKey: null,
      slip: null,
      cancelWanted: false,
      cancels: [],
      unknownValues: [],
    },
  };
}

export function isCancellable(state: PaymentState): boolean {
  return state.phase === 'checkout_pending' || state.phase === 'awaiting_status';
}

export function currentCancel(state: PaymentState): CancelAttempt | null {
  return state.ctx.cancels[state.ctx.cancels.length - 1] ?? null;
}

// ---------------------------------------------------------------------------------------------

export function reducePayment(state: PaymentState, event: MachineEvent, env: MachineEnv): PaymentState {
  if (FINAL_PAYMENT_PHASES.has(state.phase)) return state; // final states are sticky
  switch (event.type) {
    case 'cancel_requested':
      return onCancelRequested(state, env);
    case 'park':
      return state.ctx.parkedAt ? state : { ...state, ctx: withCtx(state, { parkedAt: env.now }) };
    case 'postback':
      return onPostback(state, event.data, env);
    case 'outcome': {
      const { result } = event;
      switch (result.action) {
        case 'send_checkout':
          return state.phase === 'checkout_pending' || state.phase === 'resolving_checkout' ? onCheckout(state, result.outcome, env) : state;
        case 'poll_status':
          if (state.phase !== 'awaiting_status') return state;
          return result.outcome.kind === 'ok' ? onStatus(state, result.outcome.data, env, false) : keepPolling(state, env);
        case 'send_cancel':
          return state.phase === 'cancel_pending' ? onCancelAnswer(state, result.outcome, env) : state;
        case 'poll_cancel_status':
          return state.phase === 'awaiting_cancel_status' ? onCancelStatus(state, result.outcome, env) : state;
        default:
          return state;
      }
    }
    default:
      return state;
  }
}

function withCtx(state: PaymentState, patch: Partial<PaymentContext>): PaymentContext {
  return { ...state.ctx, ...patch };
}

function finish(state: PaymentState, phase: PaymentOutcome, patch: Partial<PaymentContext> = {}): PaymentState {
  return { phase, next: null, ctx: withCtx(state, patch) };
}

/** Unknown server values kept per operation (the journal row must stay small whatever the server sends). */
export const MAX_UNKNOWN_VALUES = 8;

function noteUnknown(ctx: PaymentContext, value: string | undefined, cls: string): string[] {
  if (cls !== 'unknown' || value === undefined || ctx.unknownValues.includes(value) || ctx.unknownValues.length >= MAX_UNKNOWN_VALUES) return ctx.unknownValues;
  return [...ctx.unknownValues, value];
}

function onCancelRequested(state: PaymentState, env: MachineEnv): PaymentState {
  if (state.phase === 'checkout_pending' || state.phase === 'resolving_checkout') {
    // No transactionId yet: remember the wish and cancel as soon as Koshelek answers.
    return { ...state, ctx: withCtx(state, { cancelWanted: true }) };
  }
  if (state.phase === 'awaiting_status') return startCancel(state, 'cashier', env);
  return state;
}

function startCancel(state: PaymentState, reason: CancelReason, env: MachineEnv, patch: Partial<PaymentContext> = {}): PaymentState {
  const cancel: CancelAttempt = {
    requestId: env.newRequestId(),
    reason,
    attempts: 0,
    startedAt: env.now,
    refTransactionId: null,
    refStatus: null,
    outcome: null,
    details: null,
  };
  const errorKey: ErrorKey | null = reason === 'timeout' ? 'payment.auto_canceled_timeout' : reason === 'no_answer' ? 'payment.auto_canceled_no_answer' : state.ctx.errorKey;
  return {
    phase: 'cancel_pending',
    next: { action: 'send_cancel', at: env.now },
    ctx: withCtx(state, { ...patch, cancels: [...state.ctx.cancels, cancel], errorKey, deadlineAt: null }),
  };
}

function updateCancel(state: PaymentState, patch: Partial<CancelAttempt>): CancelAttempt[] {
  const cancels = [...state.ctx.cancels];
  const last = cancels[cancels.length - 1];
  if (last) cancels[cancels.length - 1] = { ...last, ...patch };
  return cancels;
}

// ---- checkout ------------------------------------------------------------------------------

function onCheckout(state: PaymentState, outcome: ApiOutcome<CheckoutResponse>, env: MachineEnv): PaymentState {
  const { timing } = env;
  switch (outcome.kind) {
    case 'ok': {
      const data = outcome.data;
      const cls = classifyPaymentStatus(data.status, env.enums);
      const patch: Partial<PaymentContext> = {
        transactionId: data.transactionId,
        providerStatus: data.status,
        slip: data.slip ?? state.ctx.slip,
        unknownValues: noteUnknown(state.ctx, data.status, cls),
      };
      if (data.errorCode) {
        return finish(state, 'rejected', { ...patch, errorCode: data.errorCode, errorKey: koshelekCodeKey(data.errorCode) });
      }
      if (cls === 'rejected') return finish(state, 'rejected', { ...patch, errorKey: 'koshelek.unknown_code' });
      if (cls === 'canceled') return finish(state, 'canceled', patch);
      if (cls === 'paid') return finish(state, 'paid', patch);
      if (state.phase === 'resolving_checkout') return startCancel(state, 'no_answer', env, patch);
      if (state.ctx.cancelWanted) return startCancel(state, 'cashier', env, patch);
      return {
        phase: 'awaiting_status',
        next: { action: 'poll_status', at: env.now + timing.firstPollMs },
        ctx: withCtx(state, { ...patch, deadlineAt: env.now + timing.finalStatusTimeoutMs }),
      };
    }
    case 'api_error': {
      if (outcome.code === 'TRANSACTION_IN_PROCESSING') {
        // Koshelek has it and is working on it: ask again with the same requestId.
        return { ...state, next: { action: 'send_checkout', at: env.now + timing.pollIntervalMs } };
      }
      // A definitive refusal: no transaction was created for this request.
      return finish(state, 'failed', { errorCode: outcome.code, errorKey: koshelekCodeKey(outcome.code) });
    }
    case 'http_error':
      if (isDefinitiveHttpRefusal(outcome.status) && state.phase === 'checkout_pending' && state.ctx.checkoutAttempts === 0) {
        // The very first send was refused before processing (auth, address): nothing exists at Koshelek.
        return finish(state, 'failed', { errorKey: httpKey(outcome.status), errorCode: `HTTP_${outcome.status}` });
      }
      return checkoutUnanswered(state, outcome, env);
    case 'invalid_response':
    case 'no_answer':
      return checkoutUnanswered(state, outcome, env);
    default:
      return state;
  }
}

/** No usable answer: repeat the same request (same requestId) X times, then resolve and cancel. */
function checkoutUnanswered(state: PaymentState, outcome: ApiOutcome<unknown>, env: MachineEnv): PaymentState {
  const attempts = state.ctx.checkoutAttempts + 1;
  const errorKey = noAnswerKey(outcome);
  if (state.phase === 'checkout_pending' && attempts < env.timing.checkoutAttempts) {
    return { ...state, next: { action: 'send_checkout', at: env.now + backoff(attempts, env.timing) }, ctx: withCtx(state, { checkoutAttempts: attempts }) };
  }
  // X attempts without an answer: the till cancels automatically. Cancel needs the transactionId, which only
  // an answer to this same requestId can give (idempotent replay), so keep asking at the background pace.
  return {
    phase: 'resolving_checkout',
    next: { action: 'send_checkout', at: env.now + (state.phase === 'resolving_checkout' ? env.timing.backgroundRetryMs : backoff(attempts, env.timing)) },
    ctx: withCtx(state, { checkoutAttempts: attempts, errorKey: state.phase === 'resolving_checkout' ? state.ctx.errorKey : 'payment.auto_canceled_no_answer', errorCode: errorKey }),
  };
}

// ---- postback: a trigger to ask now, never the final word ------------------------------------

/**
 * A postback is unauthenticated beyond Basic auth and may be forged, replayed or reordered: it only brings the
 * next status poll forward (the runner still keeps polls 250 ms apart). Only `transaction/status` decides.
 */
function onPostback(state: PaymentState, data: StatusResponse, env: MachineEnv): PaymentState {
  if (state.ctx.transactionId === null || (data.transactionId !== undefined && data.transactionId !== state.ctx.transactionId)) return state;
  if (state.phase === 'awaiting_status' && state.next && state.next.at > env.now) return { ...state, next: { action: 'poll_status', at: env.now } };
  if (state.phase === 'awaiting_cancel_status' && state.next && state.next.at > env.now) return { ...state, next: { action: 'poll_cancel_status', at: env.now } };
  return state;
}

// ---- status (poll) ----------------------------------------------------------------------------

function onStatus(state: PaymentState, data: StatusResponse, env: MachineEnv, fromPostback: boolean): PaymentState {
  if (data.transactionId && state.ctx.transactionId && data.transactionId !== state.ctx.transactionId) {
    // An answer about another transaction tells nothing about ours. A postback is simply ignored; a poll's
    // answer must still move `next`, or the same poll would be taken again at once, forever.
    return fromPostback ? state : keepPolling(state, env);
  }
  if (fromPostback && state.phase === 'awaiting_cancel_status') return onCancelStatus(state, { kind: 'ok', status: 200, data }, env);
  if (state.phase !== 'awaiting_status') {
    // A postback that proves the payment final is still the truth, whatever we were doing.
    const cls = classifyPaymentStatus(data.status, env.enums);
    if (!fromPostback || state.ctx.transactionId === null) return state;
    if (cls === 'paid' && state.phase !== 'cancel_pending') return finish(state, 'paid', { providerStatus: data.status, slip: data.slip ?? state.ctx.slip });
    return state;
  }
  const cls: PaymentStatusClass = classifyPaymentStatus(data.status, env.enums);
  const patch: Partial<PaymentContext> = {
    providerStatus: data.status || state.ctx.providerStatus,
    slip: data.slip ?? state.ctx.slip,
    unknownValues: noteUnknown(state.ctx, data.status, cls),
  };
  switch (cls) {
    case 'paid':
      return finish(state, 'paid', patch);
    case 'rejected':
      return finish(state, 'rejected', { ...patch, errorCode: data.errorCode ?? null, errorKey: data.errorCode ? koshelekCodeKey(data.errorCode) : 'koshelek.unknown_code' });
    case 'canceled':
      return finish(state, 'canceled', patch);
    default:
      // in_progress, not yet visible, or a status we do not know: keep waiting until the deadline.
      return keepPolling({ ...state, ctx: withCtx(state, patch) }, env);
  }
}

function keepPolling(state: PaymentState, env: MachineEnv): PaymentState {
  const { deadlineAt } = state.ctx;
  if (deadlineAt !== null && env.now >= deadlineAt) return startCancel(state, 'timeout', env);
  const interval = deadlineAt === null && env.now - state.ctx.startedAt > env.timing.refStatusForegroundMs
    ? env.timing.backgroundRetryMs
    : env.timing.pollIntervalMs;
  // Never closer than 250 ms to the previous poll (contract), even for the last one before the deadline.
  const at = deadlineAt === null ? env.now + interval : Math.max(env.now + MIN_POLL_GAP_MS, Math.min(env.now + interval, deadlineAt));
  return { ...state, next: { action: 'poll_status', at } };
}

// ---- cancel ----------------------------------------------------------------------------------

function onCancelAnswer(state: PaymentState, outcome: ApiOutcome<RefOperationResponse>, env: MachineEnv): PaymentState {
  const { timing } = env;
  const cancel = currentCancel(state);
  if (!cancel) return state;
  switch (outcome.kind) {
    case 'ok':
      return settleCancel(state, outcome.data, env);
    case 'api_error':
      if (outcome.code === 'UNKNOWN_TRANSACTION_ID') {
        return finish(state, 'canceled', { cancels: updateCancel(state, { outcome: 'not_found', details: outcome.details ?? null }) });
      }
      if (outcome.code === 'TRANSACTION_IN_PROCESSING') {
        return { ...state, next: { action: 'send_cancel', at: env.now + timing.pollIntervalMs } };
      }
      // Refused for another reason: the payment's own status decides (a fresh cancel follows if still open).
      return {
        phase: 'awaiting_status',
        next: { action: 'poll_status', at: env.now },
        ctx: withCtx(state, {
          cancels: updateCancel(state, { outcome: 'cancel_rejected', details: outcome.details ?? outcome.code }),
          deadlineAt: env.now,
        }),
      };
    default: {
      // No answer: the same cancel, same requestId, fast at first then at the background pace. Never given up.
      const attempts = cancel.attempts + 1;
      const delay = attempts < timing.cancelAttempts ? backoff(attempts, timing) : timing.backgroundRetryMs;
      return { ...state, next: { action: 'send_cancel', at: env.now + delay }, ctx: withCtx(state, { cancels: updateCancel(state, { attempts }) }) };
    }
  }
}

function settleCancel(state: PaymentState, data: RefOperationResponse | StatusResponse, env: MachineEnv): PaymentState {
  const refCls = classifyRefStatus(data.refStatus, env.enums);
  const cancelPatch: Partial<CancelAttempt> = {
    refTransactionId: data.refTransactionId ?? currentCancel(state)?.refTransactionId ?? null,
    refStatus: data.refStatus ?? null,
  };
  const details = 'details' in data && typeof data.details === 'string' ? data.details : null;
  if (refCls === 'accepted') {
    return finish(state, 'canceled', { providerStatus: data.status ?? state.ctx.providerStatus, cancels: updateCancel(state, { ...cancelPatch, outcome: 'canceled', details }) });
  }
  if (refCls === 'in_progress' || refCls === 'unknown') {
    return {
      phase: 'awaiting_cancel_status',
      next: { action: 'poll_cancel_status', at: env.now + env.timing.firstPollMs },
      ctx: withCtx(state, { cancels: updateCancel(state, cancelPatch) }),
    };
  }
  // Declined: what the payment became decides.
  const payCls = classifyPaymentStatus(data.status, env.enums);
  const declined = updateCancel(state, { ...cancelPatch, outcome: 'cancel_rejected', details });
  switch (payCls) {
    case 'paid':
      // "Already approved by the bank": the payment counts. Fetch the slip by status (no deadline now).
      if (data.slip?.qrcId !== undefined || data.slip?.operationId !== undefined) {
        return finish(state, 'paid', { providerStatus: data.status ?? null, slip: data.slip, cancels: declined, errorKey: 'payment.cancel_declined_paid' });
      }
      return {
        phase: 'awaiting_status',
        next: { action: 'poll_status', at: env.now },
        ctx: withCtx(state, { providerStatus: data.status ?? null, slip: data.slip ?? state.ctx.slip, cancels: declined, errorKey: 'payment.cancel_declined_paid', deadlineAt: null }),
      };
    case 'canceled':
      return finish(state, 'canceled', { providerStatus: data.status ?? null, cancels: declined });
    case 'rejected':
      return finish(state, 'rejected', { providerStatus: data.status ?? null, cancels: declined, errorCode: data.errorCode ?? state.ctx.errorCode });
    case 'not_found':
      return finish(state, 'canceled', { cancels: updateCancel(state, { ...cancelPatch, outcome: 'not_found', details }) });
    default:
      // Declined while still in progress (should not happen): watch the status again, cancel again at the deadline.
      return {
        phase: 'awaiting_status',
        next: { action: 'poll_status', at: env.now + env.timing.pollIntervalMs },
        ctx: withCtx(state, { cancels: declined, deadlineAt: env.now + env.timing.finalStatusTimeoutMs }),
      };
  }
}

function onCancelStatus(state: PaymentState, outcome: ApiOutcome<StatusResponse>, env: MachineEnv): PaymentState {
  if (outcome.kind === 'ok') {
    const refCls = classifyRefStatus(outcome.data.refStatus, env.enums);
    if (refCls === 'accepted' || refCls === 'rejected') return settleCancel(state, outcome.data, env);
    const payCls = classifyPaymentStatus(outcome.data.status, env.enums);
    if (payCls === 'canceled') return finish(state, 'canceled', { providerStatus: outcome.data.status, cancels: updateCancel(state, { outcome: 'canceled' }) });
  }
  const cancel = currentCancel(state);
  const slow = cancel !== null && env.now - cancel.startedAt > env.timing.refStatusForegroundMs;
  return { ...state, next: { action: 'poll_cancel_status', at: env.now + (slow ? env.timing.backgroundRetryMs : env.timing.pollIntervalMs) } };
}
