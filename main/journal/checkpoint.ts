// WAL checkpoints off the payment hot path. SQLite's automatic checkpoint runs inside whichever commit
// crosses 1,000 WAL pages — sometimes a payment's intent — and costs several fsyncs. We turn it off and
// checkpoint (PASSIVE: never waits for readers) when no operation is in flight, or at once if the WAL has
// grown past a limit, so the log never grows without bound.
import fs from 'node:fs';
import type Database from 'better-sqlite3';

export interface CheckpointerOptions {
  file: string;
  /** True while a payment or refund is being driven (a checkpoint then waits, unless the WAL is too big). */
  busy: () => boolean;
  intervalMs?: number;
  /** Checkpoint even when busy past this WAL size (default 16 MiB). */
  maxWalBytes?: number;
}

export function walBytes(file: string): number {
  try {
    return fs.statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

export function startCheckpointer(sqlite: Database.Database, options: CheckpointerOptions): { stop(): void; runNow(): void; runs(): number } {
  sqlite.pragma('wal_autocheckpoint = 0');
  const maxWal = options.maxWalBytes ?? 16 * 2 ** 20;
  let lastCheckpointedSize = -1;
  let runs = 0;
  const runNow = () => {
    if (!sqlite.open) return;
    sqlite.pragma('wal_checkpoint(PASSIVE)');
    runs += 1;
    lastCheckpointedSize = walBytes(options.file);
  };
  const timer = setInterval(() => {
    const size = walBytes(options.file);
    if (size === 0 || size === lastCheckpointedSize) return; // nothing new since the last checkpoint
    if (!options.busy() || size > maxWal) runNow();
  }, options.intervalMs ?? 1_000);
  timer.unref();
  return { stop: () => clearInterval(timer), runNow, runs: () => runs };
}
