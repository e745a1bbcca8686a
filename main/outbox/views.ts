// Read models of the outbox for the queue screen and `paydesk doctor`. Texts for people come from the
// error catalogue by key; nothing here carries payloads (they may hold customer contacts).
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { describeError, isErrorKey, type CashierError } from '../errors/catalogue';

export type QueueItemStatus = 'pending' | 'retrying' | 'running' | 'failed';

export interface QueueItem {
  id: number;
  kind: string;
  operationExternalId: string;
  status: QueueItemStatus;
  attempts: number;
  /** ISO time of the next attempt; null for failed and running jobs. */
  nextAttemptAt: string | null;
  remoteRef: string | null;
  error: CashierError | null;
  createdAt: string;
}

const rowSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  operation_external_id: z.string(),
  state: z.enum(['queued', 'running', 'failed']),
  attempts: z.number().int(),
  run_after_ms: z.number().int(),
  remote_ref: z.string().nullable(),
  last_error_key: z.string().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
});

export function queueItemStatus(state: 'queued' | 'running' | 'failed', attempts: number): QueueItemStatus {
  if (state === 'failed') return 'failed';
  if (state === 'running') return 'running';
  return attempts > 0 ? 'retrying' : 'pending';
}

/** Every unfinished job (pending, retrying with its next attempt time, running, failed), oldest first. */
export function queueView(db: Database.Database, limit = 500): QueueItem[] {
  const rows = db.prepare(`SELECT id, kind, operation_external_id, state, attempts, run_after_ms, remote_ref, last_error_key, last_error, created_at
    FROM outbox_jobs WHERE state <> 'done' ORDER BY id LIMIT ?`).all(limit);
  return rows.map((raw) => {
    const r = rowSchema.parse(raw);
    const key = r.last_error_key;
    return {
      id: r.id,
      kind: r.kind,
      operationExternalId: r.operation_external_id,
      status: queueItemStatus(r.state, r.attempts),
      attempts: r.attempts,
      nextAttemptAt: r.state === 'queued' ? new Date(r.run_after_ms).toISOString() : null,
      remoteRef: r.remote_ref,
      error: key !== null && isErrorKey(key) ? describeError(key, r.last_error ?? undefined) : null,
      createdAt: r.created_at,
    };
  });
}

export interface OutboxHealth {
  pending: number;
  retrying: number;
  running: number;
  failed: number;
  done: number;
  /** Age in seconds of the oldest unfinished job; null when the queue is empty. */
  oldestUnfinishedAgeS: number | null;
  /** True when something needs a person: a failed job, or a job waiting longer than `staleAfterS`. */
  attention: boolean;
}

/** Counts for `paydesk doctor` and the shift-close check. */
export function outboxHealth(db: Database.Database, nowMs: number = Date.now(), staleAfterS = 900): OutboxHealth {
  const counts = z.object({
    pending: z.number().nullable(), retrying: z.number().nullable(), running: z.number().nullable(),
    failed: z.number().nullable(), done: z.number().nullable(), oldest: z.string().nullable(),
  }).parse(db.prepare(`SELECT
      SUM(state = 'queued' AND attempts = 0) AS pending, SUM(state = 'queued' AND attempts > 0) AS retrying,
      SUM(state = 'running') AS running, SUM(state = 'failed') AS failed, SUM(state = 'done') AS done,
      MIN(CASE WHEN state <> 'done' THEN created_at END) AS oldest
    FROM outbox_jobs`).get());
  const oldestAge = counts.oldest === null ? null : Math.max(0, Math.round((nowMs - Date.parse(counts.oldest)) / 1000));
  const failed = counts.failed ?? 0;
  return {
    pending: counts.pending ?? 0,
    retrying: counts.retrying ?? 0,
    running: counts.running ?? 0,
    failed,
    done: counts.done ?? 0,
    oldestUnfinishedAgeS: oldestAge,
    attention: failed > 0 || (oldestAge !== null && oldestAge > staleAfterS),
  };
}

/** Every job and attempt of one operation, for the trace search. */
export function jobsForOperation(db: Database.Database, operationExternalId: string): { id: number; kind: string; state: string; attempts: number; remoteRef: string | null; resultJson: string | null }[] {
  return db.prepare('SELECT id, kind, state, attempts, remote_ref, result_json FROM outbox_jobs WHERE operation_external_id = ? ORDER BY id').all(operationExternalId)
    .map((raw) => {
      const r = z.object({ id: z.number(), kind: z.string(), state: z.string(), attempts: z.number(), remote_ref: z.string().nullable(), result_json: z.string().nullable() }).parse(raw);
      return { id: r.id, kind: r.kind, state: r.state, attempts: r.attempts, remoteRef: r.remote_ref, resultJson: r.result_json };
    });
}

/**
 * The outbox line of `paydesk doctor` (same shape as its checks): warn while jobs wait, fail when a job
 * failed permanently. A database from before the outbox migration is reported, not crashed on.
 */
export function outboxDoctorCheck(db: Database.Database, nowMs: number = Date.now()): { name: string; status: 'ok' | 'warn' | 'fail'; detail: string } {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox_jobs'").get() !== undefined;
  if (!exists) return { name: 'outbox', status: 'warn', detail: 'no outbox table yet (created on next start)' };
  const h = outboxHealth(db, nowMs);
  const waiting = h.pending + h.retrying + h.running;
  const detail = `${h.done} done, ${h.pending} pending, ${h.retrying} retrying, ${h.running} running, ${h.failed} failed`
    + (h.oldestUnfinishedAgeS !== null ? `; oldest unfinished ${h.oldestUnfinishedAgeS} s` : '');
  return { name: 'outbox', status: h.failed > 0 ? 'fail' : waiting > 0 ? 'warn' : 'ok', detail };
}
