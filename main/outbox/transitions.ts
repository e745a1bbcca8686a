// The job state machine as pure functions: queued → running → done | queued (retry) | failed.
// The store applies what these return; nothing here touches SQLite or the clock.
import { backoffDelayMs, type BackoffPolicy } from './backoff';
import type { ErrorKey } from '../errors/catalogue';

export type JobState = 'queued' | 'running' | 'done' | 'failed';

/** What one attempt of a handler ended with. */
export type AttemptOutcome =
  | { type: 'done'; result?: Record<string, unknown>; remoteRef?: string }
  /** A fault retrying can fix (network, 5xx, 429, remote still processing). */
  | { type: 'retry'; errorKey: ErrorKey; message: string; remoteRef?: string; retryAfterMs?: number }
  /** An error retrying cannot fix (rejected data, bad credentials): stop and show the manager. */
  | { type: 'failed'; errorKey: ErrorKey; message: string; remoteRef?: string };

export interface JobProgress {
  state: JobState;
  attempts: number;
}

export interface JobUpdate {
  state: 'queued' | 'done' | 'failed';
  runAfterMs: number;
  errorKey: ErrorKey | null;
  error: string | null;
  finished: boolean;
  attemptOutcome: 'done' | 'retry' | 'failed';
}

export class TransitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransitionError';
  }
}

/** A queued job may start when it is due; anything else is a bug in the caller. */
export function canClaim(job: JobProgress & { runAfterMs: number }, nowMs: number): boolean {
  return job.state === 'queued' && job.runAfterMs <= nowMs;
}

/** Applies an attempt's outcome to a running job (whose `attempts` already counts this attempt). */
export function afterAttempt(
  job: JobProgress,
  outcome: AttemptOutcome,
  policy: BackoffPolicy,
  nowMs: number,
  random: () => number = Math.random,
): JobUpdate {
  if (job.state !== 'running') throw new TransitionError(`an attempt can only end for a running job (state ${job.state})`);
  if (outcome.type === 'done') {
    return { state: 'done', runAfterMs: nowMs, errorKey: null, error: null, finished: true, attemptOutcome: 'done' };
  }
  if (outcome.type === 'failed') {
    return { state: 'failed', runAfterMs: nowMs, errorKey: outcome.errorKey, error: outcome.message, finished: true, attemptOutcome: 'failed' };
  }
  if (policy.maxAttempts !== null && job.attempts >= policy.maxAttempts) {
    return {
      state: 'failed',
      runAfterMs: nowMs,
      errorKey: outcome.errorKey,
      error: `${outcome.message} (gave up after ${job.attempts} attempts)`,
      finished: true,
      attemptOutcome: 'failed',
    };
  }
  // A remote hint (ЮKassa retry_after, "still processing") wins when shorter than the cap; never below 1 ms.
  const delay = outcome.retryAfterMs !== undefined
    ? Math.min(policy.capMs, Math.max(1, Math.round(outcome.retryAfterMs)))
    : backoffDelayMs(policy, job.attempts, random);
  return { state: 'queued', runAfterMs: nowMs + delay, errorKey: outcome.errorKey, error: outcome.message, finished: false, attemptOutcome: 'retry' };
}

/** A job found running at start-up was interrupted mid side effect: due now, and must reconcile first. */
export function afterInterruption(job: JobProgress, nowMs: number): { state: 'queued'; runAfterMs: number } {
  if (job.state !== 'running') throw new TransitionError(`only a running job can be interrupted (state ${job.state})`);
  return { state: 'queued', runAfterMs: nowMs };
}

/** "Retry now" for a manager: a failed or waiting job becomes due at once; done and running jobs are left alone. */
export function retryNow(job: JobProgress, nowMs: number): { state: 'queued'; runAfterMs: number } | null {
  if (job.state === 'failed' || job.state === 'queued') return { state: 'queued', runAfterMs: nowMs };
  return null;
}

/**
 * Whether the next attempt must ask the remote side before sending: any earlier attempt may have
 * reached it (the attempt row is committed before the request leaves).
 */
export function mustReconcile(attemptsBefore: number, remoteRef: string | null): boolean {
  return attemptsBefore > 0 || remoteRef !== null;
}
