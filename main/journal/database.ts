// Opening the journal database: WAL with synchronous=FULL, because better-sqlite3's bundled SQLite
// defaults WAL to NORMAL and a committed payment could then vanish on power loss.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, type MigrationReport } from './migrate';

export interface Journal {
  readonly file: string;
  readonly sqlite: Database.Database;
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
  return {
    file,
    sqlite,
    migration,
    close() {
      if (sqlite.open) sqlite.close();
    },
  };
}
