// Opening the journal database: WAL with synchronous=FULL, because better-sqlite3's bundled SQLite
// defaults WAL to NORMAL and a committed payment could then vanish on power loss.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { JournalSchema } from './tables';
import { migrate, type MigrationReport } from './migrate';

export interface Journal {
  readonly file: string;
  readonly sqlite: Database.Database;
  readonly db: Kysely<JournalSchema>;
  readonly migration: MigrationReport;
  close(): void;
}

export interface OpenJournalOptions {
  /** Folder for pre-migration backups; defaults to `<db dir>/backups`. */
  backupDir?: string;
  /** Override the migrations folder (tests). */
  migrationsDir?: string;
  readonly?: boolean;
}

export function openJournal(file: string, options: OpenJournalOptions = {}): Journal {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file, { readonly: options.readonly ?? false });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  let migration: MigrationReport;
  try {
    migration = migrate(sqlite, file, {
      backupDir: options.backupDir ?? path.join(path.dirname(file), 'backups'),
      migrationsDir: options.migrationsDir,
    });
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const db = new Kysely<JournalSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    file,
    sqlite,
    db,
    migration,
    close() {
      // Kysely's destroy would close the shared handle asynchronously; close it ourselves, once.
      if (sqlite.open) sqlite.close();
    },
  };
}
