// Ordered SQL migrations from migrations/NNNN_name.sql, each in one transaction, tracked in
// schema_migrations. A backup is taken before anything is applied; a database written by a newer
// Paydesk is refused rather than guessed at.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
  backupFile: string | null;
}

export class DatabaseFromFutureError extends Error {
  constructor(readonly databaseVersion: number, readonly appVersion: number, file: string) {
    super(`Database ${file} has schema version ${databaseVersion}, newer than this Paydesk knows (${appVersion}). Update Paydesk or restore a backup; the database was not touched.`);
    this.name = 'DatabaseFromFutureError';
  }
}

export class MigrationFailedError extends Error {
  constructor(readonly migration: string, readonly backupFile: string | null, file: string, cause: unknown) {
    super(`Migration ${migration} of ${file} failed and was rolled back: the database is as it was${backupFile ? ` (backup: ${backupFile})` : ''}. ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationFailedError';
  }
}

/** Finds migrations/ whether we run from sources (tsx, vitest) or from a bundle in dist/. */
export function findMigrationsDir(): string {
  const fromEnv = process.env.PAYDESK_MIGRATIONS;
  if (fromEnv) return fromEnv;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    const candidate = path.join(dir, 'migrations');
    if (fs.existsSync(path.join(candidate, '0001_journal.sql'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('migrations folder not found (set PAYDESK_MIGRATIONS)');
}

export function readMigrations(dir: string): Migration[] {
  const migrations = fs
    .readdirSync(dir)
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ version: Number(name.slice(0, 4)), name, sql: fs.readFileSync(path.join(dir, name), 'utf8') }));
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) throw new Error(`migration numbering has a gap or duplicate at ${m.name}`);
  });
  return migrations;
}

export function migrate(
  sqlite: Database.Database,
  file: string,
  options: { backupDir: string; migrationsDir?: string | undefined },
): MigrationReport {
  const migrations = readMigrations(options.migrationsDir ?? findMigrationsDir());
  const appVersion = migrations.length;
  sqlite.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const row = sqlite.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number };
  const from = row.v;
  if (from > appVersion) throw new DatabaseFromFutureError(from, appVersion, file);
  const pending = migrations.filter((m) => m.version > from);
  let backupFile: string | null = null;
  if (pending.length > 0 && from > 0 && file !== ':memory:') {
    fs.mkdirSync(options.backupDir, { recursive: true });
    backupFile = path.join(options.backupDir, `${path.basename(file, '.db')}-v${from}-${new Date().toISOString().replace(/[:.]/g, '-')}.db`);
    // VACUUM INTO writes a consistent, self-contained copy (WAL content included).
    sqlite.prepare('VACUUM INTO ?').run(backupFile);
  }
  const record = sqlite.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of pending) {
    try {
      sqlite.transaction(() => {
        sqlite.exec(m.sql);
        record.run(m.version, m.name, new Date().toISOString());
      })();
    } catch (error) {
      throw new MigrationFailedError(m.name, backupFile, file, error);
    }
  }
  return { from, to: appVersion, applied: pending.map((m) => m.name), backupFile };
}
