// Exponential backoff with jitter and a cap, one policy per job kind (Graphile Worker's exp(attempts)
// idea, with a configurable base and cap). Pure: the random source is a parameter, so the schedule is
// testable and printable by the bench.
import { z } from 'zod';

export const backoffPolicySchema = z.object({
  /** Delay before the second attempt. */
  baseMs: z.number().int().min(1).max(3_600_000),
  factor: z.number().min(1).max(10),
  /** No delay ever exceeds this. */
  capMs: z.number().int().min(1).max(86_400_000),
  /** 0 = exact schedule; 0.5 = each delay drawn uniformly from [50 %, 100 %] of the nominal one. */
  jitter: z.number().min(0).max(1),
  /** null: retry until the remote side answers (fiscal receipts must eventually go out). */
  maxAttempts: z.number().int().min(1).nullable(),
});
export type BackoffPolicy = z.infer<typeof backoffPolicySchema>;

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, factor: 2, capMs: 300_000, jitter: 0.3, maxAttempts: null };

/** Nominal delay after `attempt` failed attempts (attempt ≥ 1), before jitter. */
export function nominalDelayMs(policy: BackoffPolicy, attempt: number): number {
  const n = Math.max(1, Math.floor(attempt));
  // Exponent capped so the product never overflows to Infinity for a job retried for weeks.
  const raw = policy.baseMs * policy.factor ** Math.min(n - 1, 60);
  return Math.min(policy.capMs, Math.round(raw));
}

/**
 * Delay after `attempt` failed attempts. Jitter only shortens the delay, so the cap holds and retries of
 * many jobs that failed together (fiscal service down) spread out instead of arriving at once.
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const nominal = nominalDelayMs(policy, attempt);
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(1, Math.round(nominal * (1 - policy.jitter * r)));
}

export interface ScheduleRow {
  attempt: number;
  minMs: number;
  nominalMs: number;
  cumulativeNominalMs: number;
}

/** The first `rows` delays of a policy: what the bench prints and docs/outbox.md quotes. */
export function backoffSchedule(policy: BackoffPolicy, rows = 12): ScheduleRow[] {
  const out: ScheduleRow[] = [];
  let cumulative = 0;
  const last = policy.maxAttempts === null ? rows : Math.min(rows, policy.maxAttempts - 1);
  for (let attempt = 1; attempt <= last; attempt += 1) {
    const nominal = nominalDelayMs(policy, attempt);
    cumulative += nominal;
    out.push({ attempt, minMs: backoffDelayMs(policy, attempt, () => 1), nominalMs: nominal, cumulativeNominalMs: cumulative });
  }
  return out;
}
