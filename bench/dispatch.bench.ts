// Seed 003 §3.1: ≤ 0.5 s from the cashier's press to the data leaving for Koshelek; our goal: warm p99
// ≤ 2× the floor of the same path measured in the same run. Measures the core path — pay() called →
// intent committed (WAL, synchronous=FULL, fsync) → checkout request bytes at the emulator (its own
// process, stamped on arrival, same monotonic clock) — on a warm kept-alive TLS connection and, as the
// baseline, with a new TLS connection per request; counts the WAL pages each intent writes.
// The floor: one small row committed the same way + one request written on a warm kept-alive socket
// to the same emulator process. Everything above the floor is ours.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { tempDir } from '../test/support/till';
import { startEmulatorProcess, startPayLane, type EmulatorProcess, type PayLane } from './lib/pay-lane';
import { rssMb, summarize, writeResults, type VariantResult } from './lib/results';

const N = Number(process.env.BENCH_N ?? 1000);
const GAP = Number(process.env.BENCH_GAP_MS ?? 2);

async function variant(name: 'warm' | 'cold', keepAlive: boolean, emulator: EmulatorProcess): Promise<{ result: VariantResult; commit: number[]; pages: number[]; lane: PayLane }> {
  const lane = await startPayLane({ keepAlive, emulator });
  await lane.pay(50, GAP); // the first 50 warm up the JIT
  const { wire, commit, pages } = await lane.pay(N, GAP);
  const result = summarize(name, wire, { rss_mb: rssMb(), connection: keepAlive ? 'kept-alive TLS 1.3, pre-warmed' : 'new TCP+TLS per request', emulator: 'separate process' });
  return { result, commit, pages, lane };
}

/** The same path with nothing of ours on it: one small row committed (WAL + FULL) and one request on a warm socket. */
async function floor(emulator: EmulatorProcess, lane: PayLane): Promise<{ floor: VariantResult; fsync: VariantResult }> {
  const db = new Database(path.join(tempDir('paydesk-floor-'), 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const agent = new https.Agent({ ca: fs.readFileSync(emulator.caFile), keepAlive: true, maxSockets: 1 });
  const url = new URL(`${emulator.baseUrl}/floor`);
  const send = (requestId: string) => new Promise<void>((resolve, reject) => {
    const body = JSON.stringify({ requestId });
    const req = https.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
  await send('warm-up');
  let seen = (await lane.arrivals(0)).reduce((m, a) => Math.max(m, a.seq), 0);
  const wire: number[] = [];
  const fsync: number[] = [];
  for (let i = 0; i < N + 50; i += 1) {
    const requestId = `floor-${i}`;
    const t0 = process.hrtime.bigint();
    insert.run('x'.repeat(512));
    const committed = process.hrtime.bigint();
    const done = send(requestId);
    let arrived: bigint | null = null;
    while (arrived === null) {
      for (const a of await lane.arrivals(seen)) {
        seen = Math.max(seen, a.seq);
        if (a.requestId === requestId) arrived = BigInt(a.arrivalNs);
      }
    }
    await done;
    if (i >= 50) {
      wire.push(Number(arrived - t0) / 1e6);
      fsync.push(Number(committed - t0) / 1e6);
    }
    await new Promise((r) => setTimeout(r, GAP));
  }
  agent.destroy();
  db.close();
  return {
    floor: summarize('floor', wire, { note: 'one-row commit (WAL + FULL) + one request on a warm kept-alive TLS socket to the same emulator process' }),
    fsync: summarize('fsync_floor', fsync, { note: 'one-row commit, WAL + synchronous=FULL, same disk' }),
  };
}

const emulator = await startEmulatorProcess();
const warm = await variant('warm', true, emulator);
const floors = await floor(emulator, warm.lane);
await warm.lane.close();
const cold = await variant('cold', false, emulator);
await cold.lane.close();
emulator.child.kill('SIGTERM');
const commitOnly = summarize('intent_commit_only', warm.commit, { note: 'pay() → intent committed (fsync), part of "warm"' });
const sortedPages = [...warm.pages].sort((a, b) => a - b);
const pagesPerIntent = {
  p50: sortedPages[Math.floor(sortedPages.length / 2)] ?? Number.NaN,
  max: sortedPages[sortedPages.length - 1] ?? Number.NaN,
  mean: Math.round((sortedPages.reduce((s, v) => s + v, 0) / Math.max(1, sortedPages.length)) * 100) / 100,
};
const ratio = Math.round((warm.result.p99_ms / floors.floor.p99_ms) * 100) / 100;
writeResults('dispatch', [warm.result, floors.floor, cold.result, commitOnly, floors.fsync], {
  goal: 'warm p99 ≤ 2× floor p99 (same run); seed budget 500 ms',
  warm_over_floor_p99: ratio,
  pages_per_intent: pagesPerIntent,
  load: `loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores (shared machine)`,
  path: 'pay() → journal intent (WAL, synchronous=FULL) → checkout request arrival at the emulator (separate process, loopback TLS)',
});
console.log(`warm p99 ${warm.result.p99_ms} ms = ${ratio}× floor p99 ${floors.floor.p99_ms} ms (goal ≤ 2×); ${pagesPerIntent.p50} WAL pages per intent (p50)`);
