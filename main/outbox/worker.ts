// The outbox worker: one loop per till database. It recovers jobs interrupted by a crash, runs due jobs
// one at a time, sleeps until the next is due (never longer than `maxSleepMs`, so a job enqueued by
// another handle is noticed), and stops cleanly. Due times are persisted wall-clock ms because they must
// survive a restart; the monotonic clock times attempts and detects wall-clock jumps, which shift the
// waiting jobs so a backoff delay stays the delay it was (docs/outbox.md).
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { DEFAULT_BACKOFF } from './backoff';
import { failpoint } from './failpoints';
import type { AnyJobHandler, JobContext } from './handler';
import { claimNext, completeAttempt, markReconciled, nextDueAt, recordRemoteRef, recoverInterrupted, retryJobNow, shiftQueuedJobs, type ClaimedJob, type JobRecord } from './store';
import { mustReconcile, type AttemptOutcome } from './transitions';

const ERROR_PAUSE_MS = 200;

export interface WorkerOptions {
  /** Wall clock (epoch ms) for due times; tests may pass a fake. */
  now?: () => number;
  random?: () => number;
  /** Monotonic clock (ms); tests may pass a fake. */
  monotonic?: () => number;
  maxSleepMs?: number;
  /** A wall-clock jump larger than this (ms) shifts waiting jobs by the jump. */
  clockJumpMs?: number;
  onJobFinished?: (job: JobRecord, outcome: AttemptOutcome) => void;
}

export class OutboxWorker {
  private readonly handlers = new Map<string, AnyJobHandler>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxSleepMs: number;
  private readonly monotonic: () => number;
  private readonly clockJumpMs: number;
  /** wall − monotonic at the last check; a change means the wall clock jumped. */
  private clockOffset: number | null = null;
  private readonly abort = new AbortController();
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Database.Database, handlers: readonly AnyJobHandler[], private readonly options: WorkerOptions = {}) {
    for (const h of handlers) {
      if (this.handlers.has(h.kind)) throw new Error(`two outbox handlers for kind ${h.kind}`);
      this.handlers.set(h.kind, h);
    }
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxSleepMs = options.maxSleepMs ?? 1_000;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.clockJumpMs = options.clockJumpMs ?? 5_000;
  }

  /** Detects a wall-clock jump against the monotonic clock and keeps waiting jobs' remaining delays. */
  private checkClock(): void {
    const offset = this.now() - this.monotonic();
    if (this.clockOffset !== null && Math.abs(offset - this.clockOffset) > this.clockJumpMs) {
      shiftQueuedJobs(this.db, offset - this.clockOffset);
    }
    this.clockOffset = offset;
  }

  /** Recovers interrupted jobs, then runs the loop until `stop()`. Returns the recovered job ids. */
  start(): number[] {
    if (this.loopDone) throw new Error('outbox worker already started');
    const recovered = recoverInterrupted(this.db, this.now());
    this.loopDone = this.loop();
    return recovered;
  }

  /** Aborts the attempt in progress (its next attempt reconciles first) and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.kick();
    await this.loopDone;
  }

  /** Wakes the loop, e.g. right after a sale enqueued its receipt. */
  kick(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    wake?.();
  }

  /** A manager's "retry now". */
  retryNow(jobId: number): boolean {
    const ok = retryJobNow(this.db, jobId, this.now());
    if (ok) this.kick();
    return ok;
  }

  /** Runs one due job, if any (tests and the bench drive the worker with it). */
  async runOnce(): Promise<JobRecord | null> {
    const claimed = claimNext(this.db, this.now());
    if (!claimed) return null;
    return this.process(claimed);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let job: JobRecord | null;
      try {
        this.checkClock();
        job = await this.runOnce();
      } catch {
        // SQLite busy or the like while recording an attempt: the job may be left `running`. With one worker
        // per database nothing else runs, so requeue it (its next attempt reconciles) and pause, not spin.
        job = null;
        await this.sleep(ERROR_PAUSE_MS);
        try {
          recoverInterrupted(this.db, this.now());
        } catch {
          // Still failing: the next round tries again.
        }
      }
      if (job || this.stopping) continue;
      let due: number | null;
      try {
        due = nextDueAt(this.db);
      } catch {
        due = null; // busy: look again after the usual nap
      }
      const delay = due === null ? this.maxSleepMs : Math.min(this.maxSleepMs, Math.max(0, due - this.now()));
      if (delay > 0) await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      this.timer = setTimeout(() => this.kick(), ms);
    });
  }

  private async process(claimed: ClaimedJob): Promise<JobRecord> {
    const started = performance.now();
    const { job } = claimed;
    const handler = this.handlers.get(job.kind);
    let outcome: AttemptOutcome;
    if (!handler) {
      outcome = { type: 'failed', errorKey: 'outbox.handler_missing', message: `no handler for job kind ${job.kind}` };
    } else if (handler.payloadVersion !== job.payloadVersion) {
      outcome = { type: 'failed', errorKey: 'outbox.payload_invalid', message: `payload version ${job.payloadVersion}, handler expects ${handler.payloadVersion}` };
    } else {
      outcome = await this.attempt(handler, claimed);
    }
    const finished = completeAttempt(this.db, claimed, outcome, handler?.backoff ?? DEFAULT_BACKOFF, this.now(), performance.now() - started, this.random, handler?.onDone);
    this.options.onJobFinished?.(finished, outcome);
    return finished;
  }

  private async attempt(handler: AnyJobHandler, claimed: ClaimedJob): Promise<AttemptOutcome> {
    const { job } = claimed;
    let payload: unknown;
    try {
      payload = JSON.parse(job.payloadJson);
    } catch {
      return { type: 'failed', errorKey: 'outbox.payload_invalid', message: 'payload is not JSON' };
    }
    const parsed = handler.parse(payload);
    if (!parsed.ok) return { type: 'failed', errorKey: 'outbox.payload_invalid', message: parsed.message };
    let remoteRef = job.remoteRef;
    const ctx: JobContext = {
      jobId: job.id,
      attempt: claimed.attempt,
      operationExternalId: job.operationExternalId,
      get remoteRef() {
        return remoteRef;
      },
      recordRemoteRef: (ref: string) => {
        if (ref === remoteRef) return;
        recordRemoteRef(this.db, job.id, claimed.attempt, ref, this.now());
        remoteRef = ref;
      },
      signal: this.abort.signal,
    };
    try {
      if (mustReconcile(claimed.attemptsBefore, job.remoteRef)) {
        markReconciled(this.db, job.id, claimed.attempt);
        const known = await parsed.reconcile(ctx);
        if (known.type !== 'absent') {
          failpoint('outbox.after_send');
          return known;
        }
      }
      const outcome = await parsed.run(ctx);
      failpoint('outbox.after_send');
      return outcome;
    } catch (error) {
      if (this.abort.signal.aborted) return { type: 'retry', errorKey: 'outbox.interrupted', message: 'worker stopped during the attempt', retryAfterMs: 0 };
      return { type: 'retry', errorKey: 'internal.unexpected', message: error instanceof Error ? error.message : String(error) };
    }
  }
}
