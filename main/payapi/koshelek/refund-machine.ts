// Koshelek Pay refund scenario (reference §4.3, §2.7, §3.4) as an explicit state machine.
//
//   refund_pending ──accepted──► refunded
//        │  ──rejected / 422──► refund_rejected
//        │  ──new──► awaiting_refund_status ──accepted / rejected──► refunded / refund_rejected
//        │  no answer: the SAME requestId again, forever (a new one could refund twice)
//
// A refund once received cannot be cancelled, so the only safe repeat is the identical request.
import { koshelekCodeKey, type ErrorKey } from '../../errors/catalogue';
import { classifyRefStatus } from './classify';
import { MAX_UNKNOWN_VALUES } from './payment-machine';
import type { ApiOutcome } from './client';
import { backoff, httpKey, isDefinitiveHttpRefusal, noAnswerKey, type MachineEnv, type MachineEvent, type NextAction } from './machine-common';
import type { Item, RefOperationResponse, Slip, StatusResponse } from './wire';

export type RefundPhase = 'refund_pending' | 'awaiting_refund_status' | 'refunded' | 'refund_rejected' | 'failed';
export const FINAL_REFUND_PHASES: ReadonlySet<RefundPhase> = new Set(['refunded', 'refund_rejected', 'failed']);

export interface RefundContext {
  requestId: string;
  paymentOperationId: string;
  transactionId: string;
  orderId: string;
  amountKop: number;
  items: Item[];
  storeId: string;
  terminalId: string;
  paymentType: string | null;
  clientRequestKey: string | null;
  startedAt: number;
  attempts: number;
  refTransactionId: string | null;
  refStatus: string | null;
  providerStatus: string | null;
  errorCode: string | null;
  errorKey: ErrorKey | null;
  slip: Slip | null;
  unknownValues: string[];
  /** Identity of the connection the refund was started on; recovery resumes it only there (docs/safety.md). */
  connectionId?: string | null;
}

export interface RefundState {
  phase: RefundPhase;
  next: NextAction | null;
  ctx: RefundContext;
}

export type NewRefundInput = Omit<RefundContext, 'startedAt' | 'attempts' | 'refTransactionId' | 'refStatus' | 'providerStatus' | 'errorCode' | 'errorKey' | 'slip' | 'unknownValues'>;

export function initialRefund(input: NewRefundInput, now: number): RefundState {
  return {
    phase: 'refund_pending',
    next: { action: 'send_refund', at: now },
    ctx: { ...input, startedAt: now, attempts: 0, refTransactionId: null, refStatus: null, providerStatus: null, errorCode: null, errorKey: null, slip: null, unknownValues: [] },
  };
}

export function reduceRefund(state: RefundState, event: MachineEvent, env: MachineEnv): RefundState {
  if (FINAL_REFUND_PHASES.has(state.phase)) return state;
  if (event.type === 'postback') {
    // A trigger to ask transaction/status now, never the final word (it may be forged or stale).
    if (state.phase !== 'awaiting_refund_status' || event.data.refTransactionId !== state.ctx.refTransactionId) return state;
    if (state.next && state.next.at > env.now) return { ...state, next: { action: 'poll_refund_status', at: env.now } };
    return state;
  }
  if (event.type !== 'outcome') return state;
  const { result } = event;
  if (result.action === 'send_refund' && state.phase === 'refund_pending') return onRefundAnswer(state, result.outcome, env);
  if (result.action === 'poll_refund_status' && state.phase === 'awaiting_refund_status') return onRefundStatus(state, result.outcome, env);
  return state;
}

function finish(state: RefundState, phase: 'refunded' | 'refund_rejected' | 'failed', patch: Partial<RefundContext>): RefundState {
  return { phase, next: null, ctx: { ...state.ctx, ...patch } };
}

function fromAnswer(state: RefundState, data: RefOperationResponse | StatusResponse, env: MachineEnv): RefundState {
  const cls = classifyRefStatus(data.refStatus, env.enums);
  const patch: Partial<RefundContext> = {
    refTransactionId: data.refTransactionId ?? data.slip?.refundTransactionId ?? state.ctx.refTransactionId,
    refStatus: data.refStatus ?? state.ctx.refStatus,
    providerStatus: data.status ?? state.ctx.providerStatus,
    slip: data.slip ?? state.ctx.slip,
    unknownValues: cls === 'unknown' && data.refStatus && !state.ctx.unknownValues.includes(data.refStatus) && state.ctx.unknownValues.length < MAX_UNKNOWN_VALUES ? [...state.ctx.unknownValues, data.refStatus] : state.ctx.unknownValues,
  };
  if (data.errorCode && cls !== 'accepted') {
    return finish(state, 'refund_rejected', { ...patch, errorCode: data.errorCode, errorKey: koshelekCodeKey(data.errorCode) });
  }
  // Done: the transient "no answer" of earlier attempts no longer applies.
  if (cls === 'accepted') return finish(state, 'refunded', { ...patch, errorKey: null, errorCode: null });
  if (cls === 'rejected') return finish(state, 'refund_rejected', { ...patch, errorKey: 'koshelek.unknown_code' });
  // new (or a value we do not know): follow it by refTransactionId.
  return { phase: 'awaiting_refund_status', next: { action: 'poll_refund_status', at: env.now + env.timing.firstPollMs }, ctx: { ...state.ctx, ...patch } };
}

function onRefundAnswer(state: RefundState, outcome: ApiOutcome<RefOperationResponse>, env: MachineEnv): RefundState {
  switch (outcome.kind) {
    case 'ok':
      return fromAnswer(state, outcome.data, env);
    case 'api_error':
      if (outcome.code === 'TRANSACTION_IN_PROCESSING') {
        return { ...state, next: { action: 'send_refund', at: env.now + env.timing.pollIntervalMs } };
      }
      return finish(state, 'refund_rejected', { errorCode: outcome.code, errorKey: koshelekCodeKey(outcome.code) });
    case 'http_error':
      if (isDefinitiveHttpRefusal(outcome.status) && state.ctx.attempts === 0) {
        return finish(state, 'failed', { errorKey: httpKey(outcome.status), errorCode: `HTTP_${outcome.status}` });
      }
      return resend(state, outcome, env);
    default:
      return resend(state, outcome, env);
  }
}

function resend(state: RefundState, outcome: ApiOutcome<unknown>, env: MachineEnv): RefundState {
  const attempts = state.ctx.attempts + 1;
  const delay = attempts < env.timing.refundAttempts ? backoff(attempts, env.timing) : env.timing.backgroundRetryMs;
  return { ...state, next: { action: 'send_refund', at: env.now + delay }, ctx: { ...state.ctx, attempts, errorKey: noAnswerKey(outcome) } };
}

function onRefundStatus(state: RefundState, outcome: ApiOutcome<StatusResponse>, env: MachineEnv): RefundState {
  if (outcome.kind === 'ok') {
    const cls = classifyRefStatus(outcome.data.refStatus, env.enums);
    if (cls === 'accepted' || cls === 'rejected') return fromAnswer(state, outcome.data, env);
  }
  const slow = env.now - state.ctx.startedAt > env.timing.refStatusForegroundMs;
  return { ...state, next: { action: 'poll_refund_status', at: env.now + (slow ? env.timing.backgroundRetryMs : env.timing.pollIntervalMs) } };
}
