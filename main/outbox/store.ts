// SQLite side of the outbox: plain prepared statements on the journal's better-sqlite3 handle (like
// main/journal). Every function is one transaction; `enqueue` also works inside the caller's open
// transaction (better-sqlite3 nests it as a savepoint), so a paid sale and its job commit together.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { isErrorKey, type ErrorKey } from '../errors/catalogue';
import { failpoint } from './failpoints';
import { afterAttempt, afterInterruption, retryNow as retryNowTransition, type AttemptOutcome, type JobState } from './transitions';
import type { BackoffPolicy } from './backoff';
import type { DoneJob } from './handler';

export interface NewJob {
  kind: string;
  /** Jobs sharing a key run one at a time in enqueue order (a sale's refund receipt waits for its sale receipt). */
  queueKey: string;
  /** One job per effect, ever: enqueueing the same key again returns the existing job. */
  dedupeKey: string;
  operationExternalId: string;
  payloadVersion: number;
  payload: unknown;
  /** Defaults to now. */
  runAfterMs?: number;
}

const jobRowSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  queue_key: z.string(),
  dedupe_key: z.string(),
  operation_external_id: z.string(),
  payload_version: z.number().int(),
  payload_json: z.string(),
  state: z.enum(['queued', 'running', 'done', 'failed']),
  attempts: z.number().int(),
  run_after_ms: z.number().int(),
  remote_ref: z.string().nullable(),
  last_error_key: z.string().nullable(),
  last_error: z.string().nullable(),
  result_json: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
});

export interface JobRecord {
  id: number;
  kind: string;
  queueKey: string;
  dedupeKey: string;
  operationExternalId: string;
  payloadVersion: number;
  payloadJson: string;
  state: JobState;
  attempts: number;
  runAfterMs: number;
  remoteRef: string | null;
  lastErrorKey: ErrorKey | null;
  lastError: string | null;
  resultJson: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

function toJob(row: unknown): JobRecord {
  const r = jobRowSchema.parse(row);
  return {
    id: r.id,
    kind: r.kind,
    queueKey: r.queue_key,
    dedupeKey: r.dedupe_key,
    operationExternalId: r.operation_external_id,
    payloadVersion: r.payload_version,
    payloadJson: r.payload_json,
    state: r.state,
    attempts: r.attempts,
    runAfterMs: r.run_after_ms,
    remoteRef: r.remote_ref,
    lastErrorKey: r.last_error_key !== null && isErrorKey(r.last_error_key) ? r.last_error_key : null,
    lastError: r.last_error,
    resultJson: r.result_json,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

const attemptRowSchema = z.object({
  job_id: z.number().int(),
  attempt: z.number().int(),
  operation_external_id: z.string(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
  reconciled: z.number().int(),
  outcome: z.enum(['done', 'retry', 'failed', 'interrupted']).nullable(),
  error_key: z.string().nullable(),
  error: z.string().nullable(),
  remote_ref: z.string().nullable(),
});
export type AttemptRecord = z.infer<typeof attemptRowSchema>;

interface Statements {
  byDedupe: Database.Statement;
  insert: Database.Statement;
  byId: Database.Statement;
  due: Database.Statement;
  claim: Database.Statement;
  insertAttempt: Database.Statement;
  setRemoteRef: Database.Statement;
  setAttemptRemoteRef: Database.Statement;
  markReconciled: Database.Statement;
  finish: Database.Statement;
  finishAttempt: Database.Statement;
  running: Database.Statement;
  interruptAttempts: Database.Statement;
  requeue: Database.Statement;
  nextDue: Database.Statement;
  retry: Database.Statement;
}

const cache = new WeakMap<Database.Database, Statements>();

function statements(db: Database.Database): Statements {
  const hit = cache.get(db);
  if (hit) return hit;
  const s: Statements = {
    byDedupe: db.prepare('SELECT * FROM outbox_jobs WHERE dedupe_key = ?'),
    insert: db.prepare(`INSERT INTO outbox_jobs (kind, queue_key, dedupe_key, operation_external_id, payload_version, payload_json, state, attempts,
      run_after_ms, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)`),
    byId: db.prepare('SELECT * FROM outbox_jobs WHERE id = ?'),
    // Due, and no earlier unfinished job with the same key (per-key FIFO, as pg-boss's singleton queues).
    due: db.prepare(`SELECT j.* FROM outbox_jobs j WHERE j.state = 'queued' AND j.run_after_ms <= ?
      AND NOT EXISTS (SELECT 1 FROM outbox_jobs p WHERE p.queue_key = j.queue_key AND p.id < j.id AND p.state <> 'done')
      ORDER BY j.run_after_ms, j.id LIMIT ?`),
    claim: db.prepare(`UPDATE outbox_jobs SET state = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'queued'`),
    insertAttempt: db.prepare('INSERT INTO outbox_attempts (job_id, attempt, operation_external_id, started_at) VALUES (?, ?, ?, ?)'),
    setRemoteRef: db.prepare("UPDATE outbox_jobs SET remote_ref = ?, updated_at = ? WHERE id = ? AND state = 'running'"),
    setAttemptRemoteRef: db.prepare('UPDATE outbox_attempts SET remote_ref = ? WHERE job_id = ? AND attempt = ?'),
    markReconciled: db.prepare('UPDATE outbox_attempts SET reconciled = 1 WHERE job_id = ? AND attempt = ?'),
    finish: db.prepare(`UPDATE outbox_jobs SET state = ?, run_after_ms = ?, remote_ref = COALESCE(?, remote_ref), last_error_key = ?, last_error = ?,
      result_json = COALESCE(?, result_json), updated_at = ?, finished_at = ? WHERE id = ? AND state = 'running'`),
    finishAttempt: db.prepare(`UPDATE outbox_attempts SET finished_at = ?, duration_ms = ?, outcome = ?, error_key = ?, error = ?,
      remote_ref = COALESCE(?, remote_ref) WHERE job_id = ? AND attempt = ?`),
    running: db.prepare("SELECT * FROM outbox_jobs WHERE state = 'running'"),
    interruptAttempts: db.prepare("UPDATE outbox_attempts SET outcome = 'interrupted', finished_at = ? WHERE job_id = ? AND finished_at IS NULL"),
    requeue: db.prepare("UPDATE outbox_jobs SET state = ?, run_after_ms = ?, updated_at = ? WHERE id = ? AND state = 'running'"),
    nextDue: db.prepare("SELECT MIN(run_after_ms) AS at FROM outbox_jobs WHERE state = 'queued'"),
    retry: db.prepare('UPDATE outbox_jobs SET state = ?, run_after_ms = ?, finished_at = NULL, updated_at = ? WHERE id = ? AND state IN (\'queued\', \'failed\')'),
  };
  cache.set(db, s);
  return s;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class OutboxInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboxInputError';
  }
}

const newJobSchema = z.object({
  kind: z.string().min(1).max(100),
  queueKey: z.string().min(1).max(300),
  dedupeKey: z.string().min(1).max(300),
  operationExternalId: z.string().min(1).max(300),
  payloadVersion: z.number().int().min(1),
  payload: z.unknown(),
  runAfterMs: z.number().int().optional(),
});

/**
 * Adds a job, or returns the existing one with the same dedupe key (a sale retried after a crash is one
 * job). Call it inside the transaction that commits the state change; it never commits on its own then.
 */
export function enqueue(db: Database.Database, job: NewJob, nowMs: number = Date.now()): { id: number; created: boolean } {
  const parsed = newJobSchema.safeParse(job);
  if (!parsed.success) throw new OutboxInputError(`outbox job refused: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const payloadJson = JSON.stringify(job.payload);
  if (payloadJson === undefined) throw new OutboxInputError('outbox job refused: payload is not JSON');
  const s = statements(db);
  const add = (): { id: number; created: boolean } => {
    const existing = s.byDedupe.get(job.dedupeKey);
    if (existing !== undefined) return { id: toJob(existing).id, created: false };
    const info = s.insert.run(job.kind, job.queueKey, job.dedupeKey, job.operationExternalId, job.payloadVersion, payloadJson,
      job.runAfterMs ?? nowMs, iso(nowMs), iso(nowMs));
    return { id: Number(info.lastInsertRowid), created: true };
  };
  if (db.inTransaction) return add();
  const result = db.transaction(add)();
  failpoint('outbox.after_enqueue');
  return result;
}

export function getJob(db: Database.Database, id: number): JobRecord | null {
  const row = statements(db).byId.get(id);
  return row === undefined ? null : toJob(row);
}

export function findJobByDedupeKey(db: Database.Database, dedupeKey: string): JobRecord | null {
  const row = statements(db).byDedupe.get(dedupeKey);
  return row === undefined ? null : toJob(row);
}

export interface ClaimedJob {
  job: JobRecord;
  attempt: number;
  /** Attempts before this one: > 0 means an earlier one may have reached the remote side. */
  attemptsBefore: number;
}

/** Picks the next due job, marks it running and writes its attempt row, in one commit. */
export function claimNext(db: Database.Database, nowMs: number): ClaimedJob | null {
  const s = statements(db);
  const claimed = db.transaction((): ClaimedJob | null => {
    for (const row of s.due.all(nowMs, 8)) {
      const job = toJob(row);
      let changes: number;
      try {
        changes = s.claim.run(iso(nowMs), job.id).changes;
      } catch (error) {
        // Another worker holds this key (unique partial index): leave the job for later.
        if (error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_CONSTRAINT')) continue;
        throw error;
      }
      if (changes !== 1) continue;
      const attempt = job.attempts + 1;
      s.insertAttempt.run(job.id, attempt, job.operationExternalId, iso(nowMs));
      return { job: { ...job, state: 'running', attempts: attempt }, attempt, attemptsBefore: job.attempts };
    }
    return null;
  })();
  if (claimed) failpoint('outbox.after_claim');
  return claimed;
}

/** Records the remote side's id as soon as it is known, so a restart asks for it instead of searching. */
export function recordRemoteRef(db: Database.Database, jobId: number, attempt: number, ref: string, nowMs: number): void {
  const s = statements(db);
  db.transaction(() => {
    s.setRemoteRef.run(ref, iso(nowMs), jobId);
    s.setAttemptRemoteRef.run(ref, jobId, attempt);
  })();
  failpoint('outbox.after_remote_ref');
}

export function markReconciled(db: Database.Database, jobId: number, attempt: number): void {
  statements(db).markReconciled.run(jobId, attempt);
  failpoint('outbox.after_mark_reconciled');
}

/** Ends a running attempt with its outcome, in one commit. */
export function completeAttempt(
  db: Database.Database,
  claimed: ClaimedJob,
  outcome: AttemptOutcome,
  policy: BackoffPolicy,
  nowMs: number,
  durationMs: number,
  random: () => number = Math.random,
  onDone?: (db: Database.Database, job: DoneJob, nowMs: number) => void,
): JobRecord {
  const s = statements(db);
  const update = afterAttempt({ state: 'running', attempts: claimed.attempt }, outcome, policy, nowMs, random);
  const remoteRef = outcome.remoteRef ?? null;
  const resultJson = outcome.type === 'done' && outcome.result !== undefined ? JSON.stringify(outcome.result) : null;
  db.transaction(() => {
    const changed = s.finish.run(update.state, update.runAfterMs, remoteRef, update.errorKey, update.error, resultJson, iso(nowMs),
      update.finished ? iso(nowMs) : null, claimed.job.id).changes;
    if (changed !== 1) throw new Error(`outbox job ${claimed.job.id} was not running`);
    s.finishAttempt.run(iso(nowMs), durationMs, update.attemptOutcome, update.errorKey, update.error, remoteRef, claimed.job.id, claimed.attempt);
    // The handler's own record of the completion (a binding refund's journal row) commits with it.
    if (outcome.type === 'done' && onDone) {
      const { id, dedupeKey, operationExternalId, payloadJson } = claimed.job;
      onDone(db, { id, dedupeKey, operationExternalId, payloadJson, result: outcome.result ?? null }, nowMs);
    }
  })();
  failpoint('outbox.after_complete');
  const job = getJob(db, claimed.job.id);
  if (!job) throw new Error(`outbox job ${claimed.job.id} vanished`);
  return job;
}

/**
 * Start-up: every job still marked running was interrupted (one worker per till database). It becomes
 * due at once; its next attempt reconciles with the remote side before any re-send.
 */
export function recoverInterrupted(db: Database.Database, nowMs: number): number[] {
  const s = statements(db);
  const ids = db.transaction(() => {
    const out: number[] = [];
    for (const row of s.running.all()) {
      const job = toJob(row);
      const next = afterInterruption(job, nowMs);
      s.interruptAttempts.run(iso(nowMs), job.id);
      s.requeue.run(next.state, next.runAfterMs, iso(nowMs), job.id);
      out.push(job.id);
    }
    return out;
  })();
  if (ids.length > 0) failpoint('outbox.after_recover');
  return ids;
}

/**
 * The wall clock jumped by `deltaMs` (NTP, a manager fixing the date): shift every waiting job by the same
 * amount so its remaining wait is what the backoff chose, not hours more (backward) or none (forward).
 */
export function shiftQueuedJobs(db: Database.Database, deltaMs: number): number {
  if (!Number.isFinite(deltaMs) || deltaMs === 0) return 0;
  return db.prepare("UPDATE outbox_jobs SET run_after_ms = run_after_ms + ? WHERE state = 'queued'").run(Math.round(deltaMs)).changes;
}

/** A manager's "retry now": true when the job became due. */
export function retryJobNow(db: Database.Database, jobId: number, nowMs: number): boolean {
  const s = statements(db);
  return db.transaction(() => {
    const job = getJob(db, jobId);
    if (!job) return false;
    const next = retryNowTransition(job, nowMs);
    if (!next) return false;
    return s.retry.run(next.state, next.runAfterMs, iso(nowMs), jobId).changes === 1;
  })();
}

/** Epoch ms of the earliest queued job, or null when nothing waits. */
export function nextDueAt(db: Database.Database): number | null {
  const row = z.object({ at: z.number().nullable() }).parse(statements(db).nextDue.get());
  return row.at;
}

export function listAttempts(db: Database.Database, jobId: number): AttemptRecord[] {
  return db.prepare('SELECT * FROM outbox_attempts WHERE job_id = ? ORDER BY attempt').all(jobId).map((r) => attemptRowSchema.parse(r));
}
