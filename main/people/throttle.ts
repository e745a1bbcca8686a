// Brute-force throttling as pure rules: a few free failures, then an exponentially growing lockout,
// capped; a quiet period forgets old failures. Applied per person and per till (docs/people-and-audit.md).
import { z } from 'zod';

export const throttlePolicySchema = z.object({
  freeFailures: z.number().int().min(1).max(100),
  baseLockMs: z.number().int().min(1_000),
  maxLockMs: z.number().int().min(1_000),
  /** Failures older than this (since the last one) are forgotten. */
  forgetAfterMs: z.number().int().min(60_000),
});
export type ThrottlePolicy = z.infer<typeof throttlePolicySchema>;

export const PERSON_THROTTLE: ThrottlePolicy = { freeFailures: 3, baseLockMs: 30_000, maxLockMs: 30 * 60_000, forgetAfterMs: 60 * 60_000 };
export const TILL_THROTTLE: ThrottlePolicy = { freeFailures: 10, baseLockMs: 30_000, maxLockMs: 30 * 60_000, forgetAfterMs: 60 * 60_000 };

export interface ThrottleState {
  failures: number;
  lastFailureMs: number;
  lockedUntilMs: number;
}

/** Milliseconds until the scope may try again; 0 when it may try now. */
export function lockRemainingMs(state: ThrottleState | undefined, nowMs: number): number {
  if (!state) return 0;
  return Math.max(0, state.lockedUntilMs - nowMs);
}

export function afterFailure(state: ThrottleState | undefined, nowMs: number, policy: ThrottlePolicy): ThrottleState {
  const stale = !state || nowMs - state.lastFailureMs > policy.forgetAfterMs;
  const failures = stale ? 1 : state.failures + 1;
  const over = failures - policy.freeFailures;
  const lockMs = over <= 0 ? 0 : Math.min(policy.maxLockMs, policy.baseLockMs * 2 ** Math.min(over - 1, 30));
  return { failures, lastFailureMs: nowMs, lockedUntilMs: lockMs > 0 ? nowMs + lockMs : 0 };
}
