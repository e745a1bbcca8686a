import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openJournal } from './database';
import { DatabaseFromFutureError, findMigrationsDir, readMigrations } from './migrate';
import type { OperationsTable, ReportOperationsTable, SlipsTable } from './tables';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-migrate-'));

describe('migrations', () => {
  it('apply in order on a new database, with WAL and synchronous=FULL', () => {
    const dir = tmp();
    const j = openJournal(path.join(dir, 'journal.db'));
    expect(j.migration.from).toBe(0);
    expect(j.migration.applied[0]).toBe('0001_journal.sql');
    expect(j.migration.backupFile).toBeNull();
    expect(j.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(j.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    j.close();
    const again = openJournal(path.join(dir, 'journal.db'));
    expect(again.migration.applied).toEqual([]);
    again.close();
  });

  it('back up the database before applying new migrations; the backup is a complete database', () => {
    const dir = tmp();
    const file = path.join(dir, 'journal.db');
    const only1 = path.join(dir, 'm1');
    fs.mkdirSync(only1);
    fs.copyFileSync(path.join(findMigrationsDir(), '0001_journal.sql'), path.join(only1, '0001_journal.sql'));
    const v1 = openJournal(file, { migrationsDir: only1 });
    v1.sqlite.prepare("INSERT INTO app_meta (key, value) VALUES ('marker', 'kept')").run();
    v1.close();
    const full = openJournal(file);
    expect(full.migration.from).toBe(1);
    expect(full.migration.applied.length).toBeGreaterThan(0);
    expect(full.migration.backupFile).toBeTruthy();
    const backup = new Database(full.migration.backupFile as string, { readonly: true });
    expect(backup.prepare("SELECT value FROM app_meta WHERE key = 'marker'").get()).toEqual({ value: 'kept' });
    expect(backup.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: 1 });
    backup.close();
    full.close();
  });

  it('refuse a database written by a newer Paydesk, touching nothing', () => {
    const dir = tmp();
    const file = path.join(dir, 'journal.db');
    openJournal(file).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 'x')").run();
    db.close();
    const before = fs.readFileSync(file);
    expect(() => openJournal(file)).toThrow(DatabaseFromFutureError);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('the Kysely table types list exactly the columns the migrations create', () => {
    const j = openJournal(path.join(tmp(), 'journal.db'));
    const columns = (table: string) => (j.sqlite.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name).sort();
    // Each list is checked by the compiler against its table type (no column missing, none extra)
    // and here against the database the migrations build.
    const operations = [
      'amount_kop', 'attempts', 'context_json', 'created_at', 'currency', 'error_code', 'error_key', 'finished_at', 'id', 'is_final',
      'kind', 'loyalty_id', 'order_id', 'outcome', 'parent_id', 'pay_token', 'payment_type', 'phase', 'provider', 'provider_ref_status', 'provider_status',
      'recovered', 'ref_transaction_id', 'request_id', 'shift_id', 'transaction_id', 'updated_at',
    ] as const satisfies readonly (keyof OperationsTable)[];
    const slips = [
      'currency', 'operation_date_time', 'operation_id', 'order_id', 'payment_transaction_id', 'payment_type', 'raw_json', 'received_at',
      'refs_json', 'refund_transaction_id', 'slip_id', 'store_id', 'terminal_id', 'total_amount_kop',
    ] as const satisfies readonly (keyof SlipsTable)[];
    const reportOperations = [
      'amount_kop', 'created_at', 'currency', 'error_code', 'finished_at', 'has_parent', 'has_slip', 'id', 'kind', 'order_id', 'outcome', 'parent_id',
      'parent_payment_type', 'parent_shift_id', 'parent_transaction_id', 'payment_type', 'phase', 'provider', 'ref_transaction_id', 'request_id',
      'shift_id', 'slip_payment_transaction_id', 'slip_payment_type', 'slip_refs_json', 'slip_refund_transaction_id', 'transaction_id',
    ] as const satisfies readonly (keyof ReportOperationsTable)[];
    type Missing<T, L extends readonly unknown[]> = Exclude<keyof T, L[number]>;
    const complete: [Missing<OperationsTable, typeof operations>, Missing<SlipsTable, typeof slips>, Missing<ReportOperationsTable, typeof reportOperations>] extends [never, never, never] ? true : false = true;
    expect(complete).toBe(true);
    expect(columns('operations')).toEqual([...operations]);
    expect(columns('slips')).toEqual([...slips]);
    expect(columns('report_operations')).toEqual([...reportOperations]);
    j.close();
  });

  it('numbering has no gaps', () => {
    const migrations = readMigrations(findMigrationsDir());
    migrations.forEach((m, i) => expect(m.version).toBe(i + 1));
  });
});
