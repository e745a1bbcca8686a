// The callback receiver's replay protection that survives a restart (docs/partner.md "Callback receiver").
// The request ids of verified partner callbacks are kept in a small SQLite file beside the provider's outbox
// database, each with the second it was seen; ids older than the window are pruned on every write, so the
// table holds at most one window's worth of callbacks. A callback replayed after the till restarted (within
// the window) finds its id and is refused; beyond the window the skew check refuses it anyway.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { ReplayStore } from './canonical';

/** The file's schema version (PRAGMA user_version): a file from a newer till is refused, never guessed at. */
export const REPLAY_SCHEMA_VERSION = 1;
export const REPLAY_FILE = 'callback-replay.db';

const versionSchema = z.union([z.literal(0), z.literal(REPLAY_SCHEMA_VERSION)]);

export class SqliteReplayStore implements ReplayStore {
  private readonly db: Database.Database;
  private readonly prune: Database.Statement<[number]>;
  private readonly insert: Database.Statement<[string, number]>;
  private readonly rememberTx: (id: string, now: number) => boolean;

  /** @param keepSeconds how long an id is remembered: the skew window on both sides (2 × skew). */
  constructor(readonly file: string, private readonly keepSeconds: number) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      const found = versionSchema.safeParse(this.db.pragma('user_version', { simple: true }));
      if (!found.success) throw new Error(`${file}: replay cache schema version ${String(this.db.pragma('user_version', { simple: true }))} is newer than this till knows (${REPLAY_SCHEMA_VERSION})`);
      if (found.data === 0) {
        this.db.exec(`CREATE TABLE IF NOT EXISTS callback_replay (request_id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) STRICT;
          CREATE INDEX IF NOT EXISTS callback_replay_seen ON callback_replay(seen_at);
          PRAGMA user_version = ${REPLAY_SCHEMA_VERSION};`);
      }
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.prune = this.db.prepare('DELETE FROM callback_replay WHERE seen_at < ?');
    this.insert = this.db.prepare('INSERT OR IGNORE INTO callback_replay (request_id, seen_at) VALUES (?, ?)');
    // Prune and insert in one commit: the id is durable before the callback is answered.
    this.rememberTx = this.db.transaction((id: string, now: number) => {
      this.prune.run(now - this.keepSeconds);
      return this.insert.run(id, now).changes === 1;
    });
  }

  remember(id: string, nowSeconds: number): boolean {
    return this.rememberTx(id, nowSeconds);
  }

  /** Ids currently remembered (for tests and diagnosis). */
  size(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM callback_replay').get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
