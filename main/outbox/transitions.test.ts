import { describe, expect, it } from 'vitest';
import { afterAttempt, afterInterruption, canClaim, mustReconcile, retryNow, TransitionError } from './transitions';
import type { BackoffPolicy } from './backoff';

const policy: BackoffPolicy = { baseMs: 1_000, factor: 2, capMs: 10_000, jitter: 0, maxAttempts: null };
const running = (attempts: number) => ({ state: 'running' as const, attempts });

describe('job state transitions', () => {
  it('done and failed finish the job', () => {
    expect(afterAttempt(running(1), { type: 'done' }, policy, 5)).toMatchObject({ state: 'done', finished: true, errorKey: null });
    expect(afterAttempt(running(1), { type: 'failed', errorKey: 'fiscal.rejected', message: 'bad vat' }, policy, 5))
      .toMatchObject({ state: 'failed', finished: true, errorKey: 'fiscal.rejected', error: 'bad vat' });
  });

  it('a retry is queued after the backoff delay of its attempt number', () => {
    const u = afterAttempt(running(3), { type: 'retry', errorKey: 'fiscal.unavailable', message: 'down' }, policy, 100, () => 0);
    expect(u).toMatchObject({ state: 'queued', runAfterMs: 100 + 4_000, finished: false, attemptOutcome: 'retry' });
  });

  it('a remote retry-after hint is used but capped', () => {
    expect(afterAttempt(running(1), { type: 'retry', errorKey: 'fiscal.processing', message: '', retryAfterMs: 250 }, policy, 0).runAfterMs).toBe(250);
    expect(afterAttempt(running(1), { type: 'retry', errorKey: 'fiscal.processing', message: '', retryAfterMs: 10 ** 9 }, policy, 0).runAfterMs).toBe(10_000);
  });

  it('maxAttempts turns the last retry into a permanent failure that names the attempts', () => {
    const u = afterAttempt(running(3), { type: 'retry', errorKey: 'fiscal.unavailable', message: 'down' }, { ...policy, maxAttempts: 3 }, 0);
    expect(u.state).toBe('failed');
    expect(u.error).toMatch(/3 attempts/);
  });

  it('refuses to end an attempt of a job that is not running', () => {
    expect(() => afterAttempt({ state: 'done', attempts: 1 }, { type: 'done' }, policy, 0)).toThrow(TransitionError);
    expect(() => afterInterruption({ state: 'queued', attempts: 1 }, 0)).toThrow(TransitionError);
  });

  it('an interrupted job is due at once, and any attempt after the first reconciles first', () => {
    expect(afterInterruption(running(1), 42)).toEqual({ state: 'queued', runAfterMs: 42 });
    expect(mustReconcile(0, null)).toBe(false);
    expect(mustReconcile(1, null)).toBe(true);
    expect(mustReconcile(0, 'uuid')).toBe(true);
  });

  it('retry now applies to failed and waiting jobs only', () => {
    expect(retryNow({ state: 'failed', attempts: 4 }, 9)).toEqual({ state: 'queued', runAfterMs: 9 });
    expect(retryNow({ state: 'queued', attempts: 2 }, 9)).toEqual({ state: 'queued', runAfterMs: 9 });
    expect(retryNow({ state: 'done', attempts: 1 }, 9)).toBeNull();
    expect(retryNow({ state: 'running', attempts: 1 }, 9)).toBeNull();
  });

  it('only a due queued job can be claimed', () => {
    expect(canClaim({ state: 'queued', attempts: 0, runAfterMs: 10 }, 10)).toBe(true);
    expect(canClaim({ state: 'queued', attempts: 0, runAfterMs: 11 }, 10)).toBe(false);
    expect(canClaim({ state: 'failed', attempts: 0, runAfterMs: 0 }, 10)).toBe(false);
  });
});
