import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { openJournal } from './database';
import { startCheckpointer, walBytes, walPendingFrames, type CheckpointerOptions } from './checkpoint';

function journal(options: Omit<CheckpointerOptions, 'file'>) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-wal-')), 'journal.db');
  const j = openJournal(file);
  // A long interval: tests drive tick() themselves unless they say otherwise.
  const cp = startCheckpointer(j.sqlite, { file, intervalMs: 3_600_000, ...options });
  const insert = j.sqlite.prepare('INSERT INTO app_meta (key, value) VALUES (?, ?)');
  let n = 0;
  // One commit of an intent's size: a row carrying ~1.5 KB of state JSON.
  const commit = () => insert.run(`k${(n += 1)}`, 'x'.repeat(1_500));
  return { j, cp, file, commit };
}


describe('WAL checkpointer', () => {
  it("turns SQLite's in-commit auto-checkpoint off", () => {
    const { j, cp, file, commit } = journal({ busy: () => true });
    for (let i = 0; i < 1_200; i += 1) commit(); // > 1,000 pages: SQLite's own checkpoint would have run inside one of these
    expect(j.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(walPendingFrames(file)).toBeGreaterThan(1_000);
    cp.stop();
    j.close();
  });

  it('waits while an operation is in flight, checkpoints once idle', () => {
    let busy = true;
    const { j, cp, file, commit } = journal({ busy: () => busy });
    for (let i = 0; i < 50; i += 1) commit();
    cp.tick();
    expect(cp.runs()).toBe(0);
    busy = false;
    cp.tick();
    expect(cp.runs()).toBe(1);
    expect(walPendingFrames(file)).toBe(0);
    cp.tick();
    expect(cp.runs()).toBe(1); // nothing new was written since
    cp.stop();
    j.close();
  });

  it('idle is not enough: a commit since the previous tick defers the checkpoint by one quiet tick', () => {
    const { j, cp, file, commit } = journal({ busy: () => false });
    commit();
    cp.tick(); // the sale's last commit just landed: the next press may be coming
    expect(cp.runs()).toBe(0);
    commit();
    cp.tick(); // still being written
    expect(cp.runs()).toBe(0);
    cp.tick(); // a whole interval without a commit
    expect(cp.runs()).toBe(1);
    expect(walPendingFrames(file)).toBe(0);
    cp.stop();
    j.close();
  });

  it('keeps checkpointing after SQLite reuses the WAL file from its start (same file size, new frames)', () => {
    const { j, cp, file, commit } = journal({ busy: () => false });
    for (let round = 1; round <= 5; round += 1) {
      for (let i = 0; i < 200; i += 1) commit();
      expect(walPendingFrames(file)).toBeGreaterThan(0);
      cp.tick(); // written since the previous tick: not quiet yet
      cp.tick();
      expect(cp.runs()).toBe(round);
      expect(walPendingFrames(file)).toBe(0);
    }
    cp.stop();
    j.close();
  });

  it('checkpoints while busy once frames have waited maxAgeMs', () => {
    let clock = 0;
    const { j, cp, commit } = journal({ busy: () => true, maxAgeMs: 30_000, now: () => clock });
    commit();
    cp.tick();
    clock += 29_000;
    cp.tick();
    expect(cp.runs()).toBe(0);
    clock += 1_000;
    cp.tick();
    expect(cp.runs()).toBe(1);
    cp.stop();
    j.close();
  });

  it('a long busy day: 6,000 commits, the WAL file never passes its cap', () => {
    const maxPages = 256;
    const capBytes = 2 * 2 ** 20;
    const { j, cp, file, commit } = journal({ busy: () => true, maxPages, capBytes });
    const page = j.sqlite.pragma('page_size', { simple: true }) as number;
    // The cap holds while maxPages plus the frames written between two ticks fit in it (here 256 + ~60 frames).
    let biggest = 0;
    for (let i = 1; i <= 6_000; i += 1) {
      commit();
      if (i % 20 === 0) cp.tick(); // ~1 s of a busy till between ticks
      biggest = Math.max(biggest, walBytes(file));
    }
    expect(cp.runs()).toBeGreaterThan(10);
    expect(biggest).toBeGreaterThan(maxPages * page); // it did fill up to the page limit
    expect(biggest).toBeLessThanOrEqual(capBytes);
    cp.stop();
    j.close();
  });

  it('after a burst, the WAL file is cut back to its cap when SQLite restarts it', () => {
    const capBytes = 2 ** 20;
    const { j, cp, file, commit } = journal({ busy: () => false, capBytes });
    for (let i = 0; i < 1_500; i += 1) commit(); // no tick: a burst far past the cap
    expect(walBytes(file)).toBeGreaterThan(4 * capBytes);
    cp.tick();
    commit(); // the next writer restarts the WAL from its start and truncates the file
    expect(walBytes(file)).toBeLessThanOrEqual(capBytes);
    cp.stop();
    j.close();
  });

  it('runs on its own timer', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-wal-')), 'journal.db');
    const j = openJournal(file);
    const cp = startCheckpointer(j.sqlite, { file, busy: () => false, intervalMs: 20 });
    j.sqlite.prepare("INSERT INTO app_meta (key, value) VALUES ('a', 'b')").run();
    // wait on the condition, not a fixed delay: a loaded 2-core CI box may fire the timer late
    await vi.waitFor(() => {
      expect(cp.runs()).toBeGreaterThanOrEqual(1);
      expect(walPendingFrames(file)).toBe(0);
    }, { timeout: 10_000, interval: 20 });
    cp.stop();
    j.close();
  });

  it("a forced checkpoint of 1,000+ pages runs off the core's loop: the loop keeps ticking and commits go on meanwhile", async () => {
    const { j, cp, file, commit } = journal({ busy: () => true, maxPages: 1_000 });
    for (let i = 0; i < 1_200; i += 1) commit();
    expect(walPendingFrames(file)).toBeGreaterThan(1_000);
    let ticks = 0;
    let done = false;
    const spin = (): void => {
      ticks += 1;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    // busy, but past maxPages: due; the timer's path hands it to the worker thread
    const forced = cp.tickOffLoop().then(() => {
      done = true;
    });
    commit(); // the core's connection is not held while the checkpoint is pending
    expect(ticks).toBe(0); // nothing ran yet: the call returned without checkpointing on this thread
    await forced;
    expect(cp.runs()).toBe(1);
    expect(ticks).toBeGreaterThan(0); // the loop went round while the worker checkpointed
    // Everything up to the checkpoint's snapshot was copied: at most the commit made meanwhile waits.
    expect(walPendingFrames(file)).toBeLessThan(10);
    cp.stop();
    j.close();
  });

  it('a steady stream of commits beside the worker: the WAL still restarts and the file stays under its cap', async () => {
    const maxPages = 256;
    const capBytes = 2 * 2 ** 20;
    // The real timer and the worker thread, as the core runs them; commits never stop long enough for a quiet tick.
    const { j, cp, file, commit } = journal({ busy: () => true, maxPages, capBytes, intervalMs: 20 });
    let biggest = 0;
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      commit();
      biggest = Math.max(biggest, walBytes(file));
      await new Promise((r) => setTimeout(r, 1)); // ~1,000 commits a second: twice the dispatch bench's pace
    }
    expect(cp.runs()).toBeGreaterThan(3);
    // Before: each worker pass copied what was there when it began while commits went on, so the log was never
    // complete at the next write, SQLite never restarted it, and the file grew with every commit.
    expect(biggest).toBeLessThanOrEqual(capBytes);
    cp.stop();
    j.close();
  });

  it('falls back to checkpointing on the loop when the worker cannot open the journal', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-wal-')), 'journal.db');
    const j = openJournal(file);
    // The worker is pointed at a file that does not exist (fileMustExist): it fails to start.
    const cp = startCheckpointer(j.sqlite, { file: `${file}.missing`, intervalMs: 3_600_000, busy: () => false });
    const insert = j.sqlite.prepare('INSERT INTO app_meta (key, value) VALUES (?, ?)');
    for (let i = 0; i < 50; i += 1) insert.run(`k${i}`, 'x'.repeat(1_500));
    expect(walPendingFrames(file)).toBeGreaterThan(0);
    await cp.runOffLoop();
    expect(cp.runs()).toBe(1);
    expect(walPendingFrames(file)).toBe(0);
    cp.stop();
    j.close();
  });
});
