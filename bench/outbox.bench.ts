// Outbox: the cost of enqueueing a fiscal job inside a payment-sized commit (operation row, its lines,
// an event — WAL, synchronous=FULL, as the till runs), and receipts completed per second against each
// fiscal emulator on loopback. Prints the fiscal backoff schedule.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openJournal, type Journal } from '../main/journal/database';
import { OutboxWorker } from '../main/outbox/worker';
import { backoffSchedule } from '../main/outbox/backoff';
import { FISCAL_BACKOFF } from '../main/fiscal/config';
import { enqueueFiscalReceipt, fiscalJobHandlers } from '../main/fiscal/jobs';
import { AtolConnector } from '../main/fiscal/atol/client';
import { YookassaConnector } from '../main/fiscal/yookassa/client';
import type { FiscalConnector } from '../main/fiscal/connector';
import { startAtolEmulator } from '../emulators/atol/server';
import { startYookassaEmulator } from '../emulators/yookassa/server';
import { FAST_BACKOFF, atolTestConfig, sale, yookassaTestConfig } from '../test/support/fiscal';
import { rssMb, summarize, writeResults, type VariantResult } from './lib/results';

const COMMITS = Number(process.env.BENCH_OUTBOX_COMMITS ?? 400);
const RECEIPTS = Number(process.env.BENCH_OUTBOX_RECEIPTS ?? 300);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-bench-outbox-'));

/** One payment-sized commit; returns [whole commit ms, enqueue call ms (0 without a job)]. */
function paymentCommit(journal: Journal): (id: string, withJob: boolean) => [number, number] {
  const db = journal.sqlite;
  const now = new Date().toISOString();
  const op = db.prepare(`INSERT INTO operations (id, kind, provider, order_id, amount_kop, phase, is_final, outcome, request_id, transaction_id, context_json, created_at, updated_at, finished_at)
    VALUES (?, 'payment', 'koshelek', ?, 167880, 'paid', 1, 'paid', ?, ?, '{}', ?, ?, ?)`);
  const item = db.prepare(`INSERT INTO operation_items (operation_id, line_no, name, article, price_kop, quantity, measure, total_kop, discount_kop, subtotal_kop, tax)
    VALUES (?, ?, 'Товар', 'A', 8990, 2, 'PIECE', 17980, 0, 17980, 'vat22')`);
  const event = db.prepare("INSERT INTO operation_events (operation_id, at, type, phase_from, phase_to) VALUES (?, ?, 'transition', 'waiting', 'paid')");
  const tx = db.transaction((id: string, withJob: boolean): number => {
    op.run(id, `order-${id}`, `req-${id}`, `ptx-${id}`, now, now, now);
    for (let l = 0; l < 3; l += 1) item.run(id, l);
    event.run(id, now);
    if (!withJob) return 0;
    const t = performance.now();
    enqueueFiscalReceipt(db, sale(id));
    return performance.now() - t;
  });
  return (id, withJob) => {
    const t = performance.now();
    const enqueueMs = tx(id, withJob);
    return [performance.now() - t, enqueueMs];
  };
}

/** Alternates commits with and without the job so disk and CPU noise hit both alike; the first 50 warm up. */
function benchCommits(): VariantResult[] {
  const journal = openJournal(path.join(dir, 'commits.db'));
  const run = paymentCommit(journal);
  const alone: number[] = [];
  const withJob: number[] = [];
  const enqueue: number[] = [];
  for (let i = -50; i < COMMITS; i += 1) {
    const [a] = run(`n-${i}`, false);
    const [w, e] = run(`j-${i}`, true);
    if (i < 0) continue;
    alone.push(a);
    withJob.push(w);
    enqueue.push(e);
  }
  journal.close();
  return [
    summarize('payment_commit_alone', alone, { rss_mb: rssMb() }),
    summarize('payment_commit_with_fiscal_job', withJob, { rss_mb: rssMb() }),
    summarize('enqueue_call_inside_payment_commit', enqueue),
  ];
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

async function benchThroughput(name: string, connector: FiscalConnector): Promise<VariantResult> {
  const journal = openJournal(path.join(dir, `${name}.db`));
  for (let i = 0; i < RECEIPTS; i += 1) enqueueFiscalReceipt(journal.sqlite, sale(`${name}-${i}`));
  const worker = new OutboxWorker(journal.sqlite, fiscalJobHandlers(connector, FAST_BACKOFF));
  const samples: number[] = [];
  const started = performance.now();
  for (;;) {
    const t = performance.now();
    const job = await worker.runOnce();
    if (!job) break;
    if (job.state !== 'done') throw new Error(`${name}: job ${job.id} ended ${job.state}: ${job.lastError ?? ''}`);
    samples.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  journal.close();
  return summarize(`receipts_completed_${name}`, samples, { receipts_per_s: round(samples.length / seconds), rss_mb: rssMb() });
}

async function main(): Promise<void> {
  console.log('Fiscal backoff schedule (retry until the service answers):');
  console.table(backoffSchedule(FISCAL_BACKOFF, 12).map((r) => ({ after_attempt: r.attempt, min_s: r.minMs / 1000, nominal_s: r.nominalMs / 1000, cumulative_s: r.cumulativeNominalMs / 1000 })));
  const variants = benchCommits();
  const atol = await startAtolEmulator();
  const yookassa = await startYookassaEmulator();
  try {
    variants.push(await benchThroughput('atol', new AtolConnector(atolTestConfig(atol.baseUrl, { timeoutMs: 5_000 }))));
    variants.push(await benchThroughput('yookassa', new YookassaConnector(yookassaTestConfig(yookassa.baseUrl, { timeoutMs: 5_000 }))));
  } finally {
    await atol.close();
    await yookassa.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  writeResults('outbox', variants, {
    notes: 'payment_commit_* = one WAL/synchronous=FULL transaction with an operation, 3 lines and an event, with and without enqueueFiscalReceipt; receipts_completed_* = worker.runOnce per receipt against the loopback emulator (emulator in the same process).',
    backoff: backoffSchedule(FISCAL_BACKOFF, 12),
  });
}

await main();
