// Seed 003 §3.1: ≤ 0.5 s from the cashier's press to the data leaving for Koshelek.
// Measures the core path — pay() called → intent committed (WAL, synchronous=FULL, fsync) → checkout
// request bytes at the emulator (stamped on arrival, same monotonic clock) — over ≥ 1,000 payments,
// on a warm kept-alive TLS connection and, as the baseline, with a new TLS connection per request.
import Database from 'better-sqlite3';
import path from 'node:path';
import { startCore } from '../main/core/core';
import { silentLogger } from '../main/log/logger';
import { startKoshelekEmulator } from '../emulators/koshelek';
import { card, tempDir, writeTillConfig } from '../test/support/till';
import { rssMb, summarize, writeResults, type VariantResult } from './lib/results';

const N = Number(process.env.BENCH_N ?? 1000);

async function variant(name: 'warm' | 'cold', keepAlive: boolean): Promise<{ result: VariantResult; commit: number[] }> {
  const emulator = await startKoshelekEmulator({ tls: true, confirmDelayMs: 0 });
  const dataDir = tempDir('paydesk-bench-');
  // One poll per payment (accepted at once), far from the next dispatch.
  const configFile = writeTillConfig({ emulator, dataDir, timing: { firstPollMs: 500, pollIntervalMs: 10_000, keepAliveRefreshMs: keepAlive ? 3_000 : 0 } });
  const core = await startCore({ configFile, dataDir, logger: silentLogger(), watchConfig: false, keepAlive });
  await core.warm;
  const samples: number[] = [];
  const commit: number[] = [];
  const stmt = core.journal.sqlite.prepare('SELECT 1');
  stmt.get();
  for (let i = 0; i < N + 50; i += 1) {
    const c = card('OK');
    const t0 = process.hrtime.bigint();
    const op = core.checkout.payNow({ orderId: `B-${name}-${i}`, amountKop: 15000, card: c, paymentType: 'SBP' });
    const tCommitted = process.hrtime.bigint();
    let arrival: bigint | undefined;
    while (arrival === undefined) {
      await new Promise((r) => setImmediate(r));
      for (let j = emulator.received.length - 1; j >= 0; j -= 1) {
        const r = emulator.received[j];
        if (r?.endpoint === 'checkout' && r.requestId === op.requestId) { arrival = r.arrivalNs; break; }
      }
    }
    if (i >= 50) { // the first 50 warm up the JIT
      samples.push(Number(arrival - t0) / 1e6);
      commit.push(Number(tCommitted - t0) / 1e6);
    }
    if (i % 100 === 99) {
      // Let this batch's status polls finish so they do not queue behind the next dispatches.
      while (core.checkout.inFlight() > 0) await new Promise((r) => setTimeout(r, 20));
    } else {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  const result = summarize(name, samples, { rss_mb: rssMb(), connection: keepAlive ? 'kept-alive TLS 1.3, pre-warmed' : 'new TCP+TLS per request' });
  await core.close();
  await emulator.close();
  return { result, commit };
}

/** The disk's own floor in this run: one small row committed with WAL + synchronous=FULL. */
function fsyncFloor(): VariantResult {
  const db = new Database(path.join(tempDir('paydesk-fsync-'), 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const samples: number[] = [];
  for (let i = 0; i < N; i += 1) {
    const t0 = process.hrtime.bigint();
    insert.run('x'.repeat(512));
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  db.close();
  return summarize('fsync_floor', samples, { note: 'one-row commit, WAL + synchronous=FULL, same disk' });
}

const floor = fsyncFloor();
const warm = await variant('warm', true);
const cold = await variant('cold', false);
const commitOnly = summarize('intent_commit_only', warm.commit, { note: 'pay() → intent committed (fsync), part of "warm"' });
writeResults('dispatch', [warm.result, cold.result, commitOnly, floor], {
  goal: 'warm p99 ≤ 2 ms (core path); seed budget 500 ms',
  path: 'pay() → journal intent (WAL, synchronous=FULL) → checkout request arrival at the loopback emulator',
});
const ok = warm.result.p99_ms <= 2;
console.log(`warm p99 ${warm.result.p99_ms} ms ${ok ? '≤' : '>'} 2 ms goal (disk fsync floor p99 ${floor.p99_ms} ms); cold p99 ${cold.result.p99_ms} ms`);
