// What a job kind provides to the worker: its payload schema, its backoff policy, a `run` that performs
// the side effect, and a `reconcile` that asks the remote side by our own id whether an earlier,
// interrupted attempt already took effect (never a blind re-send).
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import type { BackoffPolicy } from './backoff';
import type { AttemptOutcome } from './transitions';

export interface JobContext {
  jobId: number;
  attempt: number;
  operationExternalId: string;
  /** The remote id recorded by an earlier attempt (ATOL uuid, ЮKassa receipt id), if any. */
  remoteRef: string | null;
  /** Persists the remote id at once (before polling), so a crash after it asks for that id. */
  recordRemoteRef(ref: string): void;
  /** Aborted when the worker stops. */
  signal: AbortSignal;
}

/** `absent`: the remote side never saw the job, so sending is safe. */
export type ReconcileResult = AttemptOutcome | { type: 'absent' };

export interface JobHandler<P> {
  kind: string;
  payloadVersion: number;
  payloadSchema: z.ZodType<P>;
  backoff: BackoffPolicy;
  run(payload: P, ctx: JobContext): Promise<AttemptOutcome>;
  reconcile(payload: P, ctx: JobContext): Promise<ReconcileResult>;
  /**
   * Runs inside the transaction that marks the job done (a run's or a reconcile's `done`): what it writes
   * commits with the completion or not at all. Must not throw for data reasons (a throw rolls the
   * completion back and the job is reconciled again).
   */
  onDone?(db: Database.Database, job: DoneJob, nowMs: number): void;
}

/** What onDone is told of the job that just completed. */
export interface DoneJob {
  id: number;
  dedupeKey: string;
  operationExternalId: string;
  payloadJson: string;
  result: Record<string, unknown> | null;
}

/** Erases the payload type so handlers of different kinds share one registry. */
export interface AnyJobHandler {
  kind: string;
  payloadVersion: number;
  backoff: BackoffPolicy;
  parse(payload: unknown): { ok: true; run: (ctx: JobContext) => Promise<AttemptOutcome>; reconcile: (ctx: JobContext) => Promise<ReconcileResult> } | { ok: false; message: string };
  onDone?: (db: Database.Database, job: DoneJob, nowMs: number) => void;
}

export function registerHandler<P>(handler: JobHandler<P>): AnyJobHandler {
  return {
    kind: handler.kind,
    payloadVersion: handler.payloadVersion,
    backoff: handler.backoff,
    parse(payload) {
      const parsed = handler.payloadSchema.safeParse(payload);
      if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
      const value = parsed.data;
      return { ok: true, run: (ctx) => handler.run(value, ctx), reconcile: (ctx) => handler.reconcile(value, ctx) };
    },
    ...(handler.onDone ? { onDone: handler.onDone.bind(handler) } : {}),
  };
}
