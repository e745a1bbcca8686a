import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { openJournal } from './database';
import { startCheckpointer, walBytes } from './checkpoint';

function journalWithBigWal(busy: () => boolean, maxWalBytes: number) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-wal-')), 'journal.db');
  const j = openJournal(file);
  const cp = startCheckpointer(j.sqlite, { file, busy, intervalMs: 20, maxWalBytes });
  const insert = j.sqlite.prepare('INSERT INTO app_meta (key, value) VALUES (?, ?)');
  // > 1,000 pages: SQLite's own auto-checkpoint would have run inside one of these commits.
  for (let i = 0; i < 1_500; i += 1) insert.run(`k${i}`, 'x'.repeat(2_000));
  return { j, cp, file };
}

const settle = () => new Promise((r) => setTimeout(r, 120));

describe('WAL checkpointer', () => {
  it('turns SQLite\'s in-commit auto-checkpoint off', () => {
    const { j, cp, file } = journalWithBigWal(() => true, 64 * 2 ** 20);
    expect(j.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(walBytes(file)).toBeGreaterThan(4 * 2 ** 20); // all still in the WAL: no commit checkpointed
    cp.stop();
    j.close();
  });

  it('waits while an operation is in flight, checkpoints once idle', async () => {
    let busy = true;
    const { j, cp } = journalWithBigWal(() => busy, 64 * 2 ** 20);
    await settle();
    expect(cp.runs()).toBe(0);
    busy = false;
    await settle();
    expect(cp.runs()).toBe(1); // and only once: nothing new was written since
    cp.stop();
    j.close();
  });

  it('checkpoints even when busy once the WAL passes its limit', async () => {
    const { j, cp } = journalWithBigWal(() => true, 2 ** 20);
    await settle();
    expect(cp.runs()).toBeGreaterThanOrEqual(1);
    cp.stop();
    j.close();
  });
});
