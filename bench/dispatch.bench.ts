// Seed 003 §3.1: ≤ 0.5 s from the cashier's press to the data leaving for Koshelek; our goal: warm p99
// ≤ 2× the floor of the same path measured in the same run. Measures the core path — pay() called →
// intent committed (WAL, synchronous=FULL, fsync) → checkout request bytes at the emulator (its own
// process, stamped on arrival, same monotonic clock) — on a warm kept-alive TLS connection and, as the
// baseline, with a new TLS connection per request; counts the WAL pages each intent writes.
// The floor: one small row committed the same way + one request written on a warm kept-alive socket
// to the same emulator process. Everything above the floor is ours. Warm and floor run in alternating
// blocks (BENCH_BLOCKS, default 10), so the ratio compares the two under the same minutes of this machine.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { tempDir } from '../test/support/till';
import { startEmulatorProcess, startPayLane, type Arrival, type EmulatorProcess, type PayLane } from './lib/pay-lane';
import { rssMb, summarize, writeResults } from './lib/results';

const N = Number(process.env.BENCH_N ?? 1000);
const GAP = Number(process.env.BENCH_GAP_MS ?? 2);
const N_SINGLE = Number(process.env.BENCH_N_SINGLE ?? 300);
/** warm, floor and floor_same_request alternate in this many blocks of N / BLOCKS presses each. */
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 10);

type LaneName = 'warm' | 'cold' | 'warm_one_sale_at_a_time';

/** A lane, warmed up (the first presses warm the JIT); its presses are measured in blocks by run(). */
async function openLane(name: LaneName, emulator: EmulatorProcess): Promise<PayLane> {
  const single = name === 'warm_one_sale_at_a_time';
  const lane = await startPayLane({ keepAlive: name !== 'cold', emulator, oneSaleAtATime: single });
  await lane.pay(single ? 20 : 50, GAP);
  return lane;
}

/** A request as it reached the emulator: its headers (authorization redacted there) and its JSON body. */
interface SeenRequest { headers: Record<string, string>; body: Record<string, unknown> }

/**
 * The same path with nothing of ours on it: one small row committed (WAL + FULL) and one request on a warm
 * socket. `same` replays the bytes the warm path's checkout put on the wire (its headers and a body of the
 * same size, the Koshelek contract fixes both) instead of the original floor's tiny two-header request.
 */
interface Floor {
  /** `n` presses of the floor: per press, ms to the request's arrival and to the one-row commit. */
  run(n: number): Promise<{ wire: number[]; fsync: number[] }>;
  close(): void;
}

async function openFloor(emulator: EmulatorProcess, same: SeenRequest | null = null): Promise<Floor> {
  const db = new Database(path.join(tempDir('paydesk-floor-'), 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const agent = new https.Agent({ ca: fs.readFileSync(emulator.caFile), keepAlive: true, maxSockets: 1 });
  const url = new URL(`${emulator.baseUrl}/floor`);
  const sameHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(same?.headers ?? {})) {
    if (k === 'host' || k === 'connection' || k === 'content-length') continue;
    sameHeaders[k] = k === 'authorization' ? `Basic ${Buffer.from('emulator:emulator').toString('base64')}` : v;
  }
  const headersOf = (body: string): Record<string, string | number> => (same
    ? { ...sameHeaders, 'content-length': Buffer.byteLength(body) }
    : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  const send = (requestId: string) => new Promise<void>((resolve, reject) => {
    const body = JSON.stringify(same ? { ...same.body, requestId } : { requestId });
    const req = https.request(url, { method: 'POST', agent, headers: headersOf(body) }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
  let serial = 0;
  const run = async (n: number): Promise<{ wire: number[]; fsync: number[] }> => {
    const wire: number[] = [];
    const fsync: number[] = [];
    for (let i = 0; i < n; i += 1) {
      serial += 1;
      // Same length as the checkout's UUID requestId when replaying it: the same number of bytes on the wire.
      const requestId = same ? `floor-s${serial}-`.padEnd(String(same.body.requestId ?? '').length, 'x') : `floor-${serial}`;
      const t0 = process.hrtime.bigint();
      insert.run('x'.repeat(512));
      const committed = process.hrtime.bigint();
      const done = send(requestId);
      const arrived = await emulator.arrival(requestId);
      await done;
      wire.push(Number(arrived - t0) / 1e6);
      fsync.push(Number(committed - t0) / 1e6);
      await new Promise((r) => setTimeout(r, GAP));
    }
    return { wire, fsync };
  };
  await send('warm-up');
  await run(50);
  return { run, close: () => { agent.destroy(); db.close(); } };
}

/** The last checkout the warm lane put on the wire, as the emulator received it. */
async function lastCheckout(lane: PayLane): Promise<SeenRequest> {
  const all = await lane.arrivals(0);
  const seen = all.filter((a) => a.endpoint === 'checkout').at(-1) as (Arrival & Partial<SeenRequest>) | undefined;
  if (!seen?.headers || !seen.body) throw new Error('no checkout seen by the emulator');
  return { headers: seen.headers, body: seen.body };
}

/** Lets the lane's last sales end and the WAL checkpointer run (it waits for a quiet tick) before the next block. */
async function settle(lane: PayLane): Promise<void> {
  while (lane.core.checkout.inFlight() > 0) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 400));
}

const emulator = await startEmulatorProcess();
// The goal's ratio compares two paths measured on one noisy shared machine: they run in alternating blocks
// (warm, floor, floor replaying the checkout's bytes), so a slow minute lands on all three, not on one.
const warmLane = await openLane('warm', emulator);
const floorOriginal = await openFloor(emulator);
const floorSame = await openFloor(emulator, await lastCheckout(warmLane));
const warm = { wire: [] as number[], commit: [] as number[], pages: [] as number[] };
const floorRuns = { wire: [] as number[], fsync: [] as number[] };
const sameRuns = { wire: [] as number[], fsync: [] as number[] };
for (let b = 0; b < BLOCKS; b += 1) {
  const n = Math.ceil(N / BLOCKS);
  await settle(warmLane);
  const w = await warmLane.pay(n, GAP);
  warm.wire.push(...w.wire);
  warm.commit.push(...w.commit);
  warm.pages.push(...w.pages);
  await settle(warmLane);
  const f = await floorOriginal.run(n);
  floorRuns.wire.push(...f.wire);
  floorRuns.fsync.push(...f.fsync);
  const g = await floorSame.run(n);
  sameRuns.wire.push(...g.wire);
  sameRuns.fsync.push(...g.fsync);
}
const warmResult = summarize('warm', warm.wire, { rss_mb: rssMb(), connection: 'kept-alive TLS 1.3, pre-warmed', emulator: 'separate process', blocks: BLOCKS });
const floors = {
  floor: summarize('floor', floorRuns.wire, { note: 'one-row commit (WAL + FULL) + one request on a warm kept-alive TLS socket to the same emulator process', blocks: BLOCKS }),
  fsync: summarize('fsync_floor', floorRuns.fsync, { note: 'one-row commit, WAL + synchronous=FULL, same disk' }),
};
const sameFloors = {
  floor: summarize('floor_same_request', sameRuns.wire, { note: 'as "floor", but the request is the warm checkout\'s own: its headers (axios User-Agent, token, Basic auth…) and its body (a fresh requestId), same length', blocks: BLOCKS }),
  fsync: summarize('fsync_floor_same_request', sameRuns.fsync, { note: 'one-row commit, WAL + synchronous=FULL, same disk' }),
};
floorOriginal.close();
floorSame.close();
await warmLane.close();
const coldLane = await openLane('cold', emulator);
const coldRun = await coldLane.pay(N, GAP);
const cold = { result: summarize('cold', coldRun.wire, { rss_mb: rssMb(), connection: 'new TCP+TLS per request', emulator: 'separate process' }) };
await coldLane.close();
// One cashier: the next press after the previous sale is final (nothing of the previous sale runs during it).
const singleLane = await openLane('warm_one_sale_at_a_time', emulator);
const singleRun = await singleLane.pay(N_SINGLE, GAP);
const single = { result: summarize('warm_one_sale_at_a_time', singleRun.wire, { rss_mb: rssMb(), connection: 'kept-alive TLS 1.3, pre-warmed', emulator: 'separate process' }) };
await singleLane.close();
emulator.child.kill('SIGTERM');
const commitOnly = summarize('intent_commit_only', warm.commit, { note: 'pay() → intent committed (fsync), part of "warm"' });
const sortedPages = [...warm.pages].sort((a, b) => a - b);
const pagesPerIntent = {
  p50: sortedPages[Math.floor(sortedPages.length / 2)] ?? Number.NaN,
  max: sortedPages[sortedPages.length - 1] ?? Number.NaN,
  mean: Math.round((sortedPages.reduce((s, v) => s + v, 0) / Math.max(1, sortedPages.length)) * 100) / 100,
};
const ratio = Math.round((warmResult.p99_ms / floors.floor.p99_ms) * 100) / 100;
const sameRatio = Math.round((warmResult.p99_ms / sameFloors.floor.p99_ms) * 100) / 100;
const singleRatio = Math.round((single.result.p99_ms / floors.floor.p99_ms) * 100) / 100;
writeResults('dispatch', [warmResult, floors.floor, sameFloors.floor, cold.result, single.result, commitOnly, floors.fsync, sameFloors.fsync], {
  goal: 'warm p99 ≤ 2× floor p99 (same run); seed budget 500 ms',
  warm_over_floor_p99: ratio,
  warm_over_floor_same_request_p99: sameRatio,
  warm_one_sale_at_a_time_over_floor_p99: singleRatio,
  note: 'warm_over_floor_p99 is the goal\'s ratio against the original floor (a tiny two-header request). floor_same_request (added 2026-11-30) replays the warm checkout\'s own headers and body on the same kind of warm socket, measured in the same blocks; it is reported beside, not instead. warm_one_sale_at_a_time (added 2026-11-30): the same press with the previous sale already final (one cashier), against the same floor; "warm" keeps ~100 sales in flight and stays the goal\'s variant.',
  pages_per_intent: pagesPerIntent,
  load: `loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores (shared machine)`,
  path: 'pay() → journal intent (WAL, synchronous=FULL) → checkout request arrival at the emulator (separate process, loopback TLS)',
});
console.log(`warm p99 ${warmResult.p99_ms} ms = ${ratio}× floor p99 ${floors.floor.p99_ms} ms (goal ≤ 2×); ${sameRatio}× floor_same_request p99 ${sameFloors.floor.p99_ms} ms; one sale at a time p99 ${single.result.p99_ms} ms = ${singleRatio}×; ${pagesPerIntent.p50} WAL pages per intent (p50)`);
