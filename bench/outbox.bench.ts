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
import { OperationStore, type OperationRow } from '../main/journal/operations';
import { startFiscal } from '../main/core/fiscal';
import { configSchema } from '../main/config/schema';
import { silentLogger } from '../main/log/logger';
import { atolFiscal } from '../test/support/fiscal';

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
    // Which of the pair goes first alternates too, so neither always follows the other's fsync.
    const first = i % 2 === 0;
    const [a1] = first ? run(`n-${i}`, false) : [0];
    const [w, e] = run(`j-${i}`, true);
    const [a] = first ? [a1] : run(`n-${i}`, false);
    if (i < 0) continue;
    alone.push(a);
    withJob.push(w);
    enqueue.push(e);
  }
  journal.close();
  return [
    summarize('payment_commit_alone', alone, { rss_mb: rssMb() }),
    summarize('payment_commit_with_fiscal_job', withJob, { rss_mb: rssMb() }),
    ...paired('payment_commit', alone, withJob),
    summarize('enqueue_call_inside_payment_commit', enqueue),
  ];
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * The job's cost as a same-run comparison: per adjacent pair (one commit without, one with the job), the
 * difference and the ratio. A load spike hits both commits of a pair, so these hold up on a busy machine
 * where the two variants' own p99s mostly show the machine.
 */
function paired(name: string, without: readonly number[], withJob: readonly number[]): VariantResult[] {
  const diff = without.map((a, i) => (withJob[i] ?? a) - a);
  const ratio = without.map((a, i) => (withJob[i] ?? a) / a);
  const p50 = (xs: readonly number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
  return [
    summarize(`${name}_job_cost_paired_difference`, diff, { note: 'with − without, per adjacent pair (ms; negative = the pair\'s plain commit was slower)' }),
    { ...summarize(`${name}_job_cost_paired_ratio`, ratio), note: 'with / without per pair (a ratio, not ms)', ratio_of_p50s: round(p50(withJob) / p50(without)) },
  ];
}

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

const WIRED = Number(process.env.BENCH_OUTBOX_WIRED ?? 300);

/** A payment row as the checkout writes it: `awaiting` at the intent, then `paid` (final). */
function paymentRow(id: string, paid: boolean): OperationRow {
  const now = new Date().toISOString();
  return {
    id, kind: 'payment', provider: 'koshelek', parent_id: null, shift_id: null, order_id: `order-${id}`, amount_kop: 167_880, currency: 'RUB',
    phase: paid ? 'paid' : 'awaiting_status', is_final: paid ? 1 : 0, outcome: paid ? 'paid' : null, request_id: `req-${id}`,
    transaction_id: paid ? `ptx-${id}` : null, ref_transaction_id: null, payment_type: 'SBP', provider_status: null, provider_ref_status: null,
    error_code: null, error_key: null, pay_token: null, loyalty_id: null, attempts: 1, context_json: '{}', created_at: now, updated_at: now,
    finished_at: paid ? now : null, recovered: 0,
  };
}

/**
 * The receipt path as wired in the core: OperationStore.write of a `paid` transition (slip included) with
 * and without the fiscal listener (the receipt built from the journal's lines and enqueued inside that
 * commit), then the core's own worker draining every receipt against the ATOL emulator.
 */
async function benchWired(atolBaseUrl: string): Promise<VariantResult[]> {
  const plain = openJournal(path.join(dir, 'wired-plain.db'));
  const wired = openJournal(path.join(dir, 'wired.db'));
  const config = configSchema.parse({ fiscal: { ...atolFiscal(atolBaseUrl), backoff: FAST_BACKOFF } });
  const stores = { plain: new OperationStore(plain.sqlite), wired: new OperationStore(wired.sqlite) };
  const fiscal = startFiscal({ sqlite: wired.sqlite, store: stores.wired, config: () => config, logger: silentLogger(), onReceiptChanged: () => undefined, maxSleepMs: 5 });
  const items = (id: string) => [0, 1, 2].map((l) => ({ operation_id: id, line_no: l, name: `Товар ${l}`, article: `A${l}`, price_kop: 55_960, quantity: 1, measure: 'PIECE', total_kop: 55_960, discount_kop: 0, subtotal_kop: 55_960, tax: 'vat22' }));
  const slip = (id: string) => ({
    slip_id: `s-${id}`, payment_transaction_id: `ptx-${id}`, refund_transaction_id: null, payment_type: 'SBP', order_id: `order-${id}`, store_id: 'st', terminal_id: 'POS',
    refs_json: JSON.stringify({ qrcId: 'AS10003P3RH0LJ2A9ROO038L6NT5RU1M', kzo: '1' }), operation_date_time: null, total_amount_kop: 167_880, currency: 'RUB', raw_json: '{}',
  });
  const plainMs: number[] = [];
  const wiredMs: number[] = [];
  for (let i = -30; i < WIRED; i += 1) {
    for (const kind of i % 2 === 0 ? ['plain', 'wired'] as const : ['wired', 'plain'] as const) {
      const id = `${kind}-${i}`;
      stores[kind].insertIntent(paymentRow(id, false), items(id), { type: 'intent' });
      const t = performance.now();
      stores[kind].write({ row: paymentRow(id, true), events: [{ type: 'transition', phaseFrom: 'awaiting_status', phaseTo: 'paid' }], slip: slip(id) });
      if (i >= 0) (kind === 'plain' ? plainMs : wiredMs).push(performance.now() - t);
    }
  }
  // The writes above never yielded: the worker starts draining now, as it would after a burst of sales.
  const drainStart = performance.now();
  for (;;) {
    const h = fiscal.health();
    if (h.pending + h.retrying + h.running === 0) break;
    if (h.failed > 0) throw new Error('wired bench: a receipt failed');
    await new Promise((r) => setTimeout(r, 5));
  }
  const drainS = (performance.now() - drainStart) / 1000;
  const done = fiscal.health().done;
  await fiscal.close();
  plain.close();
  wired.close();
  return [
    summarize('paid_write_no_fiscal', plainMs, { rss_mb: rssMb() }),
    summarize('paid_write_with_wired_receipt_job', wiredMs, { rss_mb: rssMb() }),
    ...paired('paid_write', plainMs, wiredMs),
    summarize('wired_worker_drain_atol', [drainS * 1000], { receipts: done, receipts_per_s: round(done / drainS) }),
  ];
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  console.log('Fiscal backoff schedule (retry until the service answers):');
  console.table(backoffSchedule(FISCAL_BACKOFF, 12).map((r) => ({ after_attempt: r.attempt, min_s: r.minMs / 1000, nominal_s: r.nominalMs / 1000, cumulative_s: r.cumulativeNominalMs / 1000 })));
  const variants = benchCommits();
  const atol = await startAtolEmulator();
  const yookassa = await startYookassaEmulator();
  try {
    variants.push(await benchThroughput('atol', new AtolConnector(atolTestConfig(atol.baseUrl, { timeoutMs: 5_000 }))));
    variants.push(await benchThroughput('yookassa', new YookassaConnector(yookassaTestConfig(yookassa.baseUrl, { timeoutMs: 5_000 }))));
    variants.push(...await benchWired(atol.baseUrl));
  } finally {
    await atol.close();
    await yookassa.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  writeResults('outbox', variants, {
    load: `loadavg ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} at start, ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at end, on ${os.cpus().length} cores (shared machine)`,
    notes: 'payment_commit_* = one WAL/synchronous=FULL transaction with an operation, 3 lines and an event, with and without enqueueFiscalReceipt; receipts_completed_* = worker.runOnce per receipt against the loopback emulator (emulator in the same process); paid_write_* = OperationStore.write of a paid transition with its slip, without and with the core\'s fiscal listener (receipt built from the journal lines and enqueued in that commit); wired_worker_drain_atol = the core\'s worker sending every receipt of the burst (one sample: the whole drain).',
    backoff: backoffSchedule(FISCAL_BACKOFF, 12),
  });
}

await main();
