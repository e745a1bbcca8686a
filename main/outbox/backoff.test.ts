import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelayMs, backoffSchedule, nominalDelayMs, type BackoffPolicy } from './backoff';

const policy: BackoffPolicy = { baseMs: 1_000, factor: 2, capMs: 60_000, jitter: 0.5, maxAttempts: null };

describe('backoff schedule', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => nominalDelayMs(policy, a))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('jitter only shortens, within [1 - jitter, 1] of the nominal delay, for any attempt and random draw', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
      const d = backoffDelayMs(policy, attempt, () => r);
      const nominal = nominalDelayMs(policy, attempt);
      return d <= nominal && d >= Math.floor(nominal * (1 - policy.jitter)) && d <= policy.capMs && d >= 1;
    }));
  });

  it('never overflows for a job retried for weeks', () => {
    expect(nominalDelayMs(policy, 1_000_000)).toBe(60_000);
    expect(Number.isFinite(backoffDelayMs({ ...policy, factor: 10 }, 5_000, () => 0))).toBe(true);
  });

  it('a random source outside [0, 1] cannot push a delay past the cap or below 1 ms', () => {
    expect(backoffDelayMs(policy, 10, () => -5)).toBe(60_000);
    expect(backoffDelayMs({ ...policy, jitter: 1 }, 1, () => 7)).toBe(1);
  });

  it('the printed schedule lists min and nominal delays, bounded by maxAttempts', () => {
    const rows = backoffSchedule(policy, 4);
    expect(rows.map((r) => r.nominalMs)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(rows.map((r) => r.minMs)).toEqual([500, 1_000, 2_000, 4_000]);
    expect(rows[3]?.cumulativeNominalMs).toBe(15_000);
    expect(backoffSchedule({ ...policy, maxAttempts: 3 }, 10)).toHaveLength(2);
  });
});
