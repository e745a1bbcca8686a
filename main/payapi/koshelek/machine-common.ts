// Shared vocabulary of the Koshelek state machines. A machine is a pure reducer:
//   (state, event, env) -> state
// and the state names the one next action and when to take it. The runner persists every state
// before acting on it, so after a crash the same action (same requestId) is simply taken again.
import type { ErrorKey } from '../../errors/catalogue';
import type { ApiOutcome } from './client';
import type { KoshelekTiming } from './config';
import type { KoshelekEnums } from './classify';
import type { CheckoutResponse, RefOperationResponse, StatusResponse } from './wire';

export type ActionName = 'send_checkout' | 'poll_status' | 'send_cancel' | 'poll_cancel_status' | 'send_refund' | 'poll_refund_status';

export interface NextAction {
  action: ActionName;
  /** Epoch ms at which to act; in the past means "now". */
  at: number;
}

export interface MachineEnv {
  now: number;
  timing: KoshelekTiming;
  enums: KoshelekEnums;
  newRequestId: () => string;
}

export type ActionOutcome =
  | { action: 'send_checkout'; outcome: ApiOutcome<CheckoutResponse> }
  | { action: 'poll_status' | 'poll_cancel_status' | 'poll_refund_status'; outcome: ApiOutcome<StatusResponse> }
  | { action: 'send_cancel' | 'send_refund'; outcome: ApiOutcome<RefOperationResponse> };

export type MachineEvent =
  | { type: 'outcome'; result: ActionOutcome }
  | { type: 'cancel_requested' }
  /** The cashier parked the unresolved payment to serve the next customer; it goes on in the background. */
  | { type: 'park' }
  /** A status object pushed by Koshelek to our postback URL (same shape as transaction/status). */
  | { type: 'postback'; data: StatusResponse };

/** Retry pause: retryDelayMs doubling per attempt, capped by backgroundRetryMs. */
export function backoff(attempt: number, timing: KoshelekTiming): number {
  const exp = timing.retryDelayMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(Math.max(exp, timing.retryDelayMs), timing.backgroundRetryMs);
}

/** Status codes that prove the request was not processed (auth/config): retrying the same bytes cannot help. */
export function isDefinitiveHttpRefusal(status: number): boolean {
  return status === 400 || status === 401 || status === 403 || status === 404;
}

export function httpKey(status: number): ErrorKey {
  if (status === 400 || status === 401 || status === 403 || status === 404 || status === 429) return `http.${status}` as ErrorKey;
  if (status >= 500) return 'http.5xx';
  return 'http.unexpected';
}

export function noAnswerKey(outcome: ApiOutcome<unknown>): ErrorKey {
  switch (outcome.kind) {
    case 'no_answer':
      return `network.${outcome.fault}` as ErrorKey;
    case 'http_error':
      return httpKey(outcome.status);
    case 'invalid_response':
      return 'response.invalid';
    default:
      return 'internal.unexpected';
  }
}
