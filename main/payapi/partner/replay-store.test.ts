// The persistent callback replay cache: ids survive a reopen (a restart), expire with the window, and the
// file never grows beyond one window's worth of ids.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { REPLAY_FILE, SqliteReplayStore } from './replay-store';

const dirs: string[] = [];
const file = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-replay-'));
  dirs.push(dir);
  return path.join(dir, REPLAY_FILE);
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('SqliteReplayStore', () => {
  it('an id seen before a reopen is still refused after it; a fresh one is accepted', () => {
    const f = file();
    const a = new SqliteReplayStore(f, 600);
    expect(a.remember('req-00000001', 1_000)).toBe(true);
    expect(a.remember('req-00000001', 1_001)).toBe(false);
    a.close();
    const b = new SqliteReplayStore(f, 600);
    expect(b.remember('req-00000001', 1_100)).toBe(false);
    expect(b.remember('req-00000002', 1_100)).toBe(true);
    b.close();
  });

  it('ids older than the window are pruned on the next write and may be seen again (the skew check refuses those)', () => {
    const s = new SqliteReplayStore(file(), 600);
    for (let i = 0; i < 500; i++) expect(s.remember(`old-${String(i).padStart(8, '0')}`, 1_000 + i)).toBe(true);
    expect(s.size()).toBe(500);
    // At 1 700 s the ids seen before 1 100 s (100 of them) are out of the window.
    expect(s.remember('new-00000001', 1_700)).toBe(true);
    expect(s.size()).toBe(1 + 400);
    expect(s.remember('old-00000150', 1_700)).toBe(false); // still inside the window
    expect(s.remember('new-00000002', 5_000)).toBe(true);
    expect(s.size()).toBe(1);
    expect(s.remember('old-00000000', 5_000)).toBe(true);
    s.close();
  });

  it('five thousand callbacks at one a second keep at most one window of ids', () => {
    const s = new SqliteReplayStore(file(), 600);
    let max = 0;
    for (let t = 0; t < 5_000; t++) {
      s.remember(`cb-${t}-xxxxxxxx`, t);
      if (t % 500 === 0) max = Math.max(max, s.size());
    }
    expect(max).toBeLessThanOrEqual(601);
    expect(s.size()).toBe(601);
    s.close();
  });

  it('a file written by a newer till (unknown schema version) is refused with a clear error', () => {
    const f = file();
    const raw = new Database(f);
    raw.pragma('user_version = 9');
    raw.close();
    expect(() => new SqliteReplayStore(f, 600)).toThrow(/schema version 9 is newer/);
  });
});
