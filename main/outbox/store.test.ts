// The outbox on a real SQLite file (all migrations applied): enqueue inside a caller's transaction,
// dedupe, per-key order, the running-per-key index, recovery, retry now, and the read models.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { openJournal, type Journal } from '../journal/database';
import { claimNext, completeAttempt, enqueue, getJob, listAttempts, nextDueAt, recoverInterrupted, retryJobNow, type NewJob } from './store';
import { outboxDoctorCheck, outboxHealth, queueView } from './views';
import { OutboxWorker } from './worker';
import { registerHandler } from './handler';
import type { AttemptOutcome } from './transitions';
import type { BackoffPolicy } from './backoff';

const policy: BackoffPolicy = { baseMs: 1_000, factor: 2, capMs: 10_000, jitter: 0, maxAttempts: null };
let dir: string;
let journal: Journal;

const job = (n: string, key = `sale-${n}`): NewJob => ({ kind: 'test.job', queueKey: key, dedupeKey: `test.job:${n}`, operationExternalId: `op-${n}`, payloadVersion: 1, payload: { n } });

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-outbox-'));
  journal = openJournal(path.join(dir, 'journal.db'));
});
afterEach(() => {
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('outbox store', () => {
  it('a job enqueued inside a transaction that rolls back does not exist; one that commits does', () => {
    const db = journal.sqlite;
    expect(() => db.transaction(() => {
      enqueue(db, job('a'), 0);
      throw new Error('payment write failed');
    })()).toThrow('payment write failed');
    expect(queueView(db)).toHaveLength(0);
    db.transaction(() => {
      db.prepare("INSERT INTO app_meta (key, value) VALUES ('sale', 'paid')").run();
      enqueue(db, job('a'), 0);
    })();
    expect(queueView(db).map((q) => q.operationExternalId)).toEqual(['op-a']);
  });

  it('the same effect enqueued twice is one job', () => {
    const first = enqueue(journal.sqlite, job('a'), 0);
    const second = enqueue(journal.sqlite, { ...job('a'), payload: { other: true } }, 0);
    expect(second).toEqual({ id: first.id, created: false });
  });

  it('refuses a malformed job with a clear message and writes nothing', () => {
    expect(() => enqueue(journal.sqlite, { ...job('a'), kind: '' }, 0)).toThrow(/kind/);
    expect(queueView(journal.sqlite)).toHaveLength(0);
  });

  it('runs jobs of one key in order, one at a time; other keys are not held up', () => {
    const db = journal.sqlite;
    const a1 = enqueue(db, job('1', 'k'), 0).id;
    const a2 = enqueue(db, job('2', 'k'), 0).id;
    const b = enqueue(db, job('3', 'other'), 0).id;
    const first = claimNext(db, 10);
    expect(first?.job.id).toBe(a1);
    const second = claimNext(db, 10);
    expect(second?.job.id).toBe(b); // a2 waits for a1
    expect(claimNext(db, 10)).toBeNull();
    if (!first) throw new Error('unreachable');
    completeAttempt(db, first, { type: 'retry', errorKey: 'fiscal.unavailable', message: 'down' }, policy, 10, 1);
    expect(claimNext(db, 10)).toBeNull(); // a1 retrying still blocks a2
    expect(claimNext(db, 10 + 1_000)?.job.id).toBe(a1);
    expect(getJob(db, a2)?.state).toBe('queued');
  });

  it('SQLite itself refuses a second running job for one key', () => {
    const db = journal.sqlite;
    enqueue(db, job('1', 'k'), 0);
    const two = enqueue(db, job('2', 'k'), 0).id;
    expect(claimNext(db, 0)).not.toBeNull();
    expect(() => db.prepare("UPDATE outbox_jobs SET state = 'running' WHERE id = ?").run(two)).toThrow(/UNIQUE/);
  });

  it("onDone runs in the done commit only: its writes commit with the job's done, its throw undoes the done", () => {
    const db = journal.sqlite;
    db.exec('CREATE TABLE done_marks (job_id INTEGER PRIMARY KEY, result TEXT)');
    const mark = (d: Database.Database, j: { id: number; result: Record<string, unknown> | null }): void => {
      d.prepare('INSERT INTO done_marks VALUES (?, ?)').run(j.id, JSON.stringify(j.result));
    };
    enqueue(db, job('a'), 0);
    const c1 = claimNext(db, 0);
    if (!c1) throw new Error('no job');
    completeAttempt(db, c1, { type: 'retry', errorKey: 'fiscal.timeout', message: 'no answer' }, policy, 0, 5, Math.random, mark);
    expect(db.prepare('SELECT COUNT(*) AS n FROM done_marks').get()).toEqual({ n: 0 }); // a retry is no done
    const c2 = claimNext(db, 10_000);
    if (!c2) throw new Error('no job');
    expect(() => completeAttempt(db, c2, { type: 'done', result: { r: 1 } }, policy, 10_000, 5, Math.random, (d, j) => {
      mark(d, j);
      throw new Error('disk trouble');
    })).toThrow('disk trouble');
    expect(getJob(db, c2.job.id)?.state).toBe('running');
    expect(db.prepare('SELECT COUNT(*) AS n FROM done_marks').get()).toEqual({ n: 0 });
    completeAttempt(db, c2, { type: 'done', result: { r: 1 } }, policy, 10_000, 5, Math.random, mark);
    expect(getJob(db, c2.job.id)?.state).toBe('done');
    expect(db.prepare('SELECT job_id, result FROM done_marks').all()).toEqual([{ job_id: c2.job.id, result: '{"r":1}' }]);
  });

  it('a permanent failure stops the job with its attempts and reason, shown in the queue view', () => {
    const db = journal.sqlite;
    enqueue(db, job('a'), 0);
    const c1 = claimNext(db, 0);
    if (!c1) throw new Error('no job');
    completeAttempt(db, c1, { type: 'retry', errorKey: 'fiscal.timeout', message: 'no answer' }, policy, 0, 5);
    const c2 = claimNext(db, 1_000);
    if (!c2) throw new Error('no job');
    completeAttempt(db, c2, { type: 'failed', errorKey: 'fiscal.rejected', message: 'vat20 not allowed' }, policy, 1_000, 5);
    const [item] = queueView(db);
    expect(item).toMatchObject({ status: 'failed', attempts: 2, nextAttemptAt: null });
    expect(item?.error?.key).toBe('fiscal.rejected');
    expect(item?.error?.ru).toMatch(/отклонил/);
    expect(listAttempts(db, c1.job.id).map((a) => [a.attempt, a.outcome, a.operation_external_id])).toEqual([[1, 'retry', 'op-a'], [2, 'failed', 'op-a']]);
    expect(outboxHealth(db, 1_000)).toMatchObject({ failed: 1, attention: true });
    expect(claimNext(db, 10 ** 12)).toBeNull();
    expect(retryJobNow(db, c1.job.id, 2_000)).toBe(true);
    expect(queueView(db)[0]).toMatchObject({ status: 'retrying', nextAttemptAt: new Date(2_000).toISOString() });
  });

  it('the queue view shows pending and retrying jobs with their next attempt time', () => {
    const db = journal.sqlite;
    enqueue(db, job('a'), 0);
    enqueue(db, job('b'), 0);
    const c = claimNext(db, 0);
    if (!c) throw new Error('no job');
    completeAttempt(db, c, { type: 'retry', errorKey: 'fiscal.unavailable', message: 'down' }, policy, 0, 1);
    const view = queueView(db);
    expect(view.map((v) => [v.operationExternalId, v.status, v.nextAttemptAt])).toEqual([
      ['op-a', 'retrying', new Date(1_000).toISOString()],
      ['op-b', 'pending', new Date(0).toISOString()],
    ]);
    expect(nextDueAt(db)).toBe(0);
    expect(outboxHealth(db, 0)).toMatchObject({ pending: 1, retrying: 1, failed: 0, attention: false });
  });

  it('the doctor line: ok when empty, warn while jobs wait, fail after a permanent failure; old databases are reported', () => {
    const db = journal.sqlite;
    expect(outboxDoctorCheck(db, 0).status).toBe('ok');
    enqueue(db, job('a'), 0);
    expect(outboxDoctorCheck(db, 5_000)).toMatchObject({ status: 'warn', detail: expect.stringContaining('1 pending') });
    const c = claimNext(db, 0);
    if (!c) throw new Error('no job');
    completeAttempt(db, c, { type: 'failed', errorKey: 'fiscal.auth', message: '401' }, policy, 0, 1);
    expect(outboxDoctorCheck(db, 0).status).toBe('fail');
    const bare = new Database(':memory:');
    expect(outboxDoctorCheck(bare).status).toBe('warn');
    bare.close();
  });

  it('a job found running at start-up is requeued, its attempt marked interrupted', () => {
    const db = journal.sqlite;
    enqueue(db, job('a'), 0);
    const c = claimNext(db, 0);
    expect(recoverInterrupted(db, 50)).toEqual([c?.job.id]);
    expect(getJob(db, c?.job.id ?? 0)).toMatchObject({ state: 'queued', attempts: 1, runAfterMs: 50 });
    expect(listAttempts(db, c?.job.id ?? 0)[0]?.outcome).toBe('interrupted');
  });

  it('the persisted state of a job is parsed, never cast: a foreign state is refused loudly', () => {
    const db = journal.sqlite;
    const { id } = enqueue(db, job('a'), 0);
    db.pragma('ignore_check_constraints = ON');
    db.prepare("UPDATE outbox_jobs SET state = 'weird' WHERE id = ?").run(id);
    expect(() => getJob(db, id)).toThrow();
  });
});

describe('outbox worker', () => {
  const payload = z.object({ n: z.string() });

  it('reconciles before any re-send after an interruption, and never calls run when the remote side has it', async () => {
    const db = journal.sqlite;
    enqueue(db, job('a'), 0);
    claimNext(db, 0); // a previous process claimed it, then died mid send
    const calls: string[] = [];
    const handler = registerHandler({
      kind: 'test.job', payloadVersion: 1, payloadSchema: payload, backoff: policy,
      run: async () => { calls.push('run'); return { type: 'done' } satisfies AttemptOutcome; },
      reconcile: async () => { calls.push('reconcile'); return { type: 'done', remoteRef: 'r-1' } satisfies AttemptOutcome; },
    });
    const worker = new OutboxWorker(db, [handler], { maxSleepMs: 20 });
    expect(worker.start()).toHaveLength(1);
    await waitFor(() => getJob(db, 1)?.state === 'done');
    await worker.stop();
    expect(calls).toEqual(['reconcile']);
    expect(listAttempts(db, 1).map((a) => [a.outcome, a.reconciled])).toEqual([['interrupted', 0], ['done', 1]]);
    expect(getJob(db, 1)?.remoteRef).toBe('r-1');
  });

  it('a payload the handler does not accept fails the job instead of retrying forever', async () => {
    const db = journal.sqlite;
    enqueue(db, { ...job('a'), payload: { n: 5 } }, 0);
    const handler = registerHandler({
      kind: 'test.job', payloadVersion: 1, payloadSchema: payload, backoff: policy,
      run: async () => ({ type: 'done' }) as AttemptOutcome,
      reconcile: async () => ({ type: 'absent' }) as const,
    });
    const worker = new OutboxWorker(db, [handler]);
    expect((await worker.runOnce())?.state).toBe('failed');
    expect(getJob(db, 1)?.lastErrorKey).toBe('outbox.payload_invalid');
  });

  it('a job whose outcome could not be recorded (database busy) is requeued and reconciled, not left running', async () => {
    const db = journal.sqlite;
    db.pragma('busy_timeout = 0');
    enqueue(db, job('a'), 0);
    const other = new Database(journal.file);
    const calls: string[] = [];
    const handler = registerHandler({
      kind: 'test.job', payloadVersion: 1, payloadSchema: payload, backoff: policy,
      run: async () => {
        calls.push('run');
        other.exec('BEGIN IMMEDIATE'); // another writer holds the lock when the worker records the outcome
        setTimeout(() => other.exec('COMMIT'), 100);
        return { type: 'done' } as AttemptOutcome;
      },
      reconcile: async () => { calls.push('reconcile'); return { type: 'done' } as AttemptOutcome; },
    });
    const worker = new OutboxWorker(db, [handler], { maxSleepMs: 20 });
    worker.start();
    await waitFor(() => getJob(db, 1)?.state === 'done');
    await worker.stop();
    other.close();
    expect(calls).toEqual(['run', 'reconcile']);
    expect(listAttempts(db, 1).map((a) => a.outcome)).toEqual(['interrupted', 'done']);
  });

  it('a wall-clock jump backward does not stretch a backoff delay (monotonic clock decides)', async () => {
    const db = journal.sqlite;
    let wall = 1_000_000;
    let mono = 0;
    enqueue(db, job('a'), wall);
    let runs = 0;
    const handler = registerHandler({
      kind: 'test.job', payloadVersion: 1, payloadSchema: payload, backoff: policy,
      run: async () => { runs += 1; return (runs === 1 ? { type: 'retry', errorKey: 'fiscal.unavailable', message: 'down' } : { type: 'done' }) as AttemptOutcome; },
      reconcile: async () => ({ type: 'absent' }) as const,
    });
    const worker = new OutboxWorker(db, [handler], { now: () => wall, monotonic: () => mono, maxSleepMs: 5 });
    worker.start();
    await waitFor(() => runs === 1 && getJob(db, 1)?.state === 'queued');
    expect(getJob(db, 1)?.runAfterMs).toBe(1_000_000 + 1_000);
    wall -= 3_600_000; // the clock is set back an hour
    await new Promise((r) => setTimeout(r, 30));
    wall += 1_000; // one real second later...
    mono += 1_000;
    await waitFor(() => getJob(db, 1)?.state === 'done');
    await worker.stop();
    expect(runs).toBe(2);
  });

  it('stop() ends a sleeping loop promptly and retryNow wakes it', async () => {
    const db = journal.sqlite;
    enqueue(db, { ...job('a'), runAfterMs: 10 ** 13 }, 0);
    let runs = 0;
    const handler = registerHandler({
      kind: 'test.job', payloadVersion: 1, payloadSchema: payload, backoff: policy,
      run: async () => { runs += 1; return { type: 'done' } as AttemptOutcome; },
      reconcile: async () => ({ type: 'absent' }) as const,
    });
    const worker = new OutboxWorker(db, [handler], { maxSleepMs: 60_000 });
    worker.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(0);
    expect(worker.retryNow(1)).toBe(true);
    await waitFor(() => getJob(db, 1)?.state === 'done');
    await worker.stop();
    expect(runs).toBe(1);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
