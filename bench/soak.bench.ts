// A day at the till, compressed: 5,000 sales through the real core against the emulator (its own
// process), one press at a time. Every 500 sales: RSS, heap, the WAL file's size and the frames
// waiting in it, and the pay → checkout-at-the-emulator p99 of those 500. Goals: RSS growth ≤ 10 %
// after warm-up (the first 500), the WAL under its cap all day (checkpointer: by pages and time).
import os from 'node:os';
import { walBytes, walPendingFrames } from '../main/journal/checkpoint';
import { startPayLane } from './lib/pay-lane';
import { summarize, writeResults, type VariantResult } from './lib/results';

const SALES = Number(process.env.BENCH_SOAK_SALES ?? 5_000);
const BLOCK = 500;
const gc = (globalThis as { gc?: () => void }).gc;

const lane = await startPayLane();
const variants: VariantResult[] = [];
const blocks: { sales: number; rss_mb: number; heap_mb: number; wal_mb: number; wal_pending_pages: number; p99_ms: number }[] = [];
for (let done = 0; done < SALES; done += BLOCK) {
  const { wire } = await lane.pay(Math.min(BLOCK, SALES - done), 2);
  gc?.();
  const mem = process.memoryUsage();
  const file = lane.core.journal.file;
  const v = summarize(`sales_${done + 1}_${done + wire.length}`, wire, {
    rss_mb: Math.round((mem.rss / 2 ** 20) * 10) / 10,
    heap_mb: Math.round((mem.heapUsed / 2 ** 20) * 10) / 10,
    wal_mb: Math.round((walBytes(file) / 2 ** 20) * 100) / 100,
    wal_pending_pages: walPendingFrames(file),
  });
  variants.push(v);
  blocks.push({ sales: done + wire.length, rss_mb: v.rss_mb ?? 0, heap_mb: Number(v.heap_mb), wal_mb: Number(v.wal_mb), wal_pending_pages: Number(v.wal_pending_pages), p99_ms: v.p99_ms });
  console.log(`${done + wire.length} sales: rss ${v.rss_mb} MB, WAL ${v.wal_mb} MB, p99 ${v.p99_ms} ms`);
}
await lane.close();
const afterWarmUp = blocks[0]?.rss_mb ?? Number.NaN;
const last = blocks[blocks.length - 1]?.rss_mb ?? Number.NaN;
writeResults('soak', variants, {
  rss_growth_after_warm_up_pct: Math.round(((last - afterWarmUp) / afterWarmUp) * 1000) / 10,
  wal_max_mb: Math.max(...blocks.map((b) => b.wal_mb)),
  goals: 'RSS growth after the first 500 sales ≤ 10 %; WAL under its cap (8 MiB after each restart; checkpoint by ≥ 1,000 pages or 30 s); pay p99 flat',
  gc_exposed: gc !== undefined,
  load: `loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores (shared machine)`,
  path: 'core (no kiosk shell, no browser): pay() → intent → checkout at the emulator (separate process); every 100th sale waits for all in flight to finish',
});
