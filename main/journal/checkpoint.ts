// WAL checkpoints off the payment hot path, by pages written and by time — never by the WAL file's size.
// SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL pages (sometimes a
// payment's intent) and costs several fsyncs, so it is off. Instead a timer checkpoints (PASSIVE: never
// waits for readers) when frames are waiting and either no operation is in flight, or the frames
// waiting passed `maxPages`, or they have waited `maxAgeMs`. The file size is useless as a signal:
// after a complete checkpoint SQLite writes the next commits from the WAL's start, so the file keeps
// its size while filling up again. The frames waiting are read from the WAL-index (the -shm file:
// mxFrame and nBackfill, https://sqlite.org/walformat.html), which costs one 136-byte read and no
// lock. journal_size_limit then truncates the WAL back to `capBytes` whenever it restarts, so one
// burst does not leave a big file for the rest of the day. docs/architecture.md "A bounded day".
import fs from 'node:fs';
import type Database from 'better-sqlite3';

export interface CheckpointerOptions {
  file: string;
  /** True while a payment or refund is being driven (a checkpoint then waits, unless pages or time say otherwise). */
  busy: () => boolean;
  intervalMs?: number;
  /** Checkpoint even when busy once this many WAL frames (pages) wait (default 1,000 ≈ 4 MiB). */
  maxPages?: number;
  /** Checkpoint even when busy once frames have waited this long (default 30 s). */
  maxAgeMs?: number;
  /** The WAL file is cut back to this size whenever SQLite restarts it (journal_size_limit; default 4 MiB). */
  capBytes?: number;
  now?: () => number;
}

export interface Checkpointer {
  stop(): void;
  /** One timer step (tests drive it directly). */
  tick(): void;
  runNow(): void;
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

export function startCheckpointer(sqlite: Database.Database, options: CheckpointerOptions): Checkpointer {
  sqlite.pragma('wal_autocheckpoint = 0');
  sqlite.pragma(`journal_size_limit = ${Math.floor(options.capBytes ?? 4 * 2 ** 20)}`);
  const maxPages = options.maxPages ?? 1_000;
  const maxAgeMs = options.maxAgeMs ?? 30_000;
  const now = options.now ?? Date.now;
  let runs = 0;
  let waitingSince: number | null = null;
  const runNow = () => {
    if (!sqlite.open) return;
    const [result] = sqlite.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    runs += 1;
    // A reader on an older snapshot can hold some frames back; they still count as waiting.
    waitingSince = result && result.checkpointed < result.log ? now() : null;
  };
  const tick = () => {
    if (!sqlite.open) return;
    const pending = walPendingFrames(options.file);
    if (pending === 0) {
      waitingSince = null;
      return;
    }
    if (pending < 0) {
      // WAL-index unreadable (should not happen): fall back to "whenever idle".
      if (!options.busy()) runNow();
      return;
    }
    waitingSince ??= now();
    if (!options.busy() || pending >= maxPages || now() - waitingSince >= maxAgeMs) runNow();
  };
  // Every 100 ms: a tick is one 136-byte read unless frames wait, and a short interval keeps the frames
  // written between two ticks (the part of the WAL the page limit cannot bound) small even at bench pace.
  const timer = setInterval(tick, options.intervalMs ?? 100);
  timer.unref();
  return { stop: () => clearInterval(timer), tick, runNow, runs: () => runs, pendingPages: () => walPendingFrames(options.file) };
}
