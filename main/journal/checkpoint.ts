// WAL checkpoints off the payment hot path, by pages written and by time — never by the WAL file's size.
// SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL pages (sometimes a
// payment's intent) and costs several fsyncs, so it is off. Instead a timer checkpoints (PASSIVE: never
// waits for readers) when frames are waiting and either the till is quiet (no operation in flight and no
// commit since the previous tick), or the frames waiting passed `maxPages`, or they have waited
// `maxAgeMs`. Quiet, not merely idle: a checkpoint's fsyncs delay a commit running beside them (the
// dispatch bench measured an intent's commit p99 1.0 ms without checkpoints, 2.2 ms with), and the next
// press is likeliest right after a sale ends, so one quiet interval passes first. The file size is useless as a signal:
// after a complete checkpoint SQLite writes the next commits from the WAL's start, so the file keeps
// its size while filling up again. The frames waiting are read from the WAL-index (the -shm file:
// mxFrame and nBackfill, https://sqlite.org/walformat.html), which costs one 136-byte read and no
// lock. journal_size_limit then truncates the WAL back to `capBytes` whenever it restarts, so one
// burst does not leave a big file for the rest of the day. docs/architecture.md "A bounded day".
// The timer's checkpoints run on a worker thread with its own connection (copying 1,000 pages and
// their fsyncs would otherwise hold the core's loop); runNow() stays synchronous for shutdown.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { z } from 'zod';

export interface CheckpointerOptions {
  file: string;
  /** True while a payment or refund is being driven (a checkpoint then waits, unless pages or time say otherwise). */
  busy: () => boolean;
  intervalMs?: number;
  /** Checkpoint even when busy once this many WAL frames (pages) wait (default 1,000 ≈ 4 MiB). */
  maxPages?: number;
  /** Checkpoint even when busy once frames have waited this long (default 30 s). */
  maxAgeMs?: number;
  /**
   * The WAL file is cut back to this size whenever SQLite restarts it (journal_size_limit; default 8 MiB: above
   * a busy cycle's peak of maxPages + one tick + one pass, so the file is not cut and regrown every cycle).
   */
  capBytes?: number;
  now?: () => number;
}

export interface Checkpointer {
  stop(): void;
  /** One timer step, checkpointing on this thread (tests drive it directly). */
  tick(): void;
  /** One timer step as the timer runs it: the checkpoint, when due, on the worker thread. */
  tickOffLoop(): Promise<void>;
  runNow(): void;
  /** A PASSIVE checkpoint on the worker thread's own connection (falls back to runNow if the worker fails). */
  runOffLoop(): Promise<void>;
  runs(): number;
  /** WAL frames written and not yet copied into the database (-1 when the WAL-index cannot be read). */
  pendingPages(): number;
}

export function walBytes(file: string): number {
  try {
    return fs.statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

/** mxFrame − nBackfill from the WAL-index header (native byte order, as SQLite maps it). */
export function walPendingFrames(file: string): number {
  let fd: number | null = null;
  try {
    fd = fs.openSync(`${file}-shm`, 'r');
    const header = Buffer.alloc(136);
    if (fs.readSync(fd, header, 0, 136, 0) < 136) return 0;
    const mxFrame = header.readUInt32LE(16);
    const nBackfill = header.readUInt32LE(96);
    return Math.max(0, mxFrame - nBackfill);
  } catch {
    return -1;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

// The worker is eval'd source (no extra bundle to ship next to each shell); it loads the same
// better-sqlite3 the caller resolved. It only checkpoints: PASSIVE never waits for readers or writers.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('wal_autocheckpoint = 0');
parentPort.on('message', (msg) => {
  if (msg === 'close') { db.close(); parentPort.close(); return; }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, log: r.log, checkpointed: r.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error && error.message || error) });
  }
});`;

const workerReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), log: z.number(), checkpointed: z.number() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

type Reply = z.infer<typeof workerReplySchema>;

/**
 * The tail a worker pass leaves is copied on the core's thread once it is at most this many frames (~0.5 MiB:
 * about a millisecond of copying and one fsync on this machine); longer tails get another worker pass first.
 */
const TAIL_FRAMES = 128;
const TAIL_PASSES = 3;

function checkpointWorker(file: string): { run(): Promise<Reply>; close(): void } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file } });
  worker.unref();
  let waiting: ((reply: Reply) => void) | null = null;
  const fail = (error: string) => {
    const w = waiting;
    waiting = null;
    w?.({ ok: false, error });
  };
  worker.on('message', (msg: unknown) => {
    const parsed = workerReplySchema.safeParse(msg);
    const w = waiting;
    waiting = null;
    w?.(parsed.success ? parsed.data : { ok: false, error: 'malformed reply from the checkpoint worker' });
  });
  worker.on('error', (error) => fail(error.message));
  worker.on('exit', () => fail('checkpoint worker exited'));
  return {
    run: () => new Promise<Reply>((resolve) => {
      waiting = resolve;
      worker.postMessage('run');
    }),
    close: () => {
      fail('closed');
      worker.postMessage('close');
    },
  };
}

export function startCheckpointer(sqlite: Database.Database, options: CheckpointerOptions): Checkpointer {
  sqlite.pragma('wal_autocheckpoint = 0');
  sqlite.pragma(`journal_size_limit = ${Math.floor(options.capBytes ?? 8 * 2 ** 20)}`);
  const maxPages = options.maxPages ?? 1_000;
  const maxAgeMs = options.maxAgeMs ?? 30_000;
  const now = options.now ?? Date.now;
  let runs = 0;
  let waitingSince: number | null = null;
  /** Frames waiting at the previous tick: a change since then means the journal was written (not quiet). */
  let pendingAtLastTick = -1;
  let offLoop: ReturnType<typeof checkpointWorker> | null = null;
  let offLoopBroken = false;
  let inFlight: Promise<void> | null = null;
  const settle = (log: number, checkpointed: number) => {
    runs += 1;
    // A reader on an older snapshot can hold some frames back; they still count as waiting.
    waitingSince = checkpointed < log ? now() : null;
  };
  /** `count`: a checkpoint of its own (false: the tail of one the worker began, counted there). */
  const runNow = (count = true) => {
    if (!sqlite.open) return;
    const [result] = sqlite.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    if (!count) return;
    if (result) settle(result.log, result.checkpointed);
    else runs += 1;
  };
  const runOffLoop = (): Promise<void> => {
    if (!sqlite.open) return Promise.resolve();
    if (offLoopBroken) {
      runNow();
      return Promise.resolve();
    }
    inFlight ??= (async () => {
      try {
        offLoop ??= checkpointWorker(options.file);
        let reply = await offLoop.run();
        // A pass copies the frames there when it began while the core goes on writing, so under a steady
        // stream of sales the log is never complete at the next write and SQLite never restarts it: the file
        // grew without bound (162 MB in 3 s of back-to-back commits, checkpoint.test.ts). Passes on the
        // worker shrink the tail; the last few frames are copied here, on the writer's own thread, where no
        // commit can slip in between, so the next commit restarts the WAL and journal_size_limit applies.
        for (let pass = 0; reply.ok && reply.checkpointed >= reply.log && pass < TAIL_PASSES; pass += 1) {
          const tail = walPendingFrames(options.file);
          if (tail <= 0) break;
          if (tail <= TAIL_FRAMES) {
            runNow(false);
            break;
          }
          reply = await offLoop.run();
        }
        if (reply.ok) settle(reply.log, reply.checkpointed);
        else if (reply.error !== 'closed') {
          // A worker that cannot checkpoint (driver not loadable, file gone): the loop does it as before.
          offLoopBroken = true;
          offLoop = null;
          runNow();
        }
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };
  /** Whether a checkpoint is due now (null: the WAL-index is unreadable, checkpoint only when idle). */
  const due = (): boolean => {
    if (!sqlite.open) return false;
    const pending = walPendingFrames(options.file);
    const quiet = pending === pendingAtLastTick;
    pendingAtLastTick = pending;
    if (pending === 0) {
      waitingSince = null;
      return false;
    }
    // WAL-index unreadable (should not happen): fall back to "whenever idle".
    if (pending < 0) return !options.busy();
    waitingSince ??= now();
    return (quiet && !options.busy()) || pending >= maxPages || now() - waitingSince >= maxAgeMs;
  };
  const tick = () => {
    if (due()) runNow();
  };
  const tickOffLoop = async (): Promise<void> => {
    if (inFlight) return inFlight;
    if (due()) await runOffLoop();
  };
  // Every 100 ms: a tick is one 136-byte read unless frames wait, and a short interval keeps the frames
  // written between two ticks (the part of the WAL the page limit cannot bound) small even at bench pace.
  const timer = setInterval(() => void tickOffLoop(), options.intervalMs ?? 100);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      offLoop?.close();
      offLoop = null;
      offLoopBroken = true;
    },
    tick, tickOffLoop, runNow, runOffLoop, runs: () => runs, pendingPages: () => walPendingFrames(options.file),
  };
}
