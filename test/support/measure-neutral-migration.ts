// What the provider-neutral migration costs on a big journal (docs/journal-neutral.md): the release-2
// fixture's real rows repeated with fresh ids (plain SQL) to ~100k operations, then the migration timed
// as a till runs it (openJournal: backup, then the migration in one transaction) and on its own.
//   npx tsx test/support/measure-neutral-migration.ts [operations=100000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openJournal } from '../../main/journal/database';
import { findMigrationsDir, readMigrations } from '../../main/journal/migrate';

const target = Number(process.argv[2] ?? 100_000);
const fixture = path.resolve(import.meta.dirname, '../fixtures/journal-release-2.db');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-neutral-bench-'));
const big = path.join(dir, 'big.db');
fs.copyFileSync(fixture, big);

const db = new Database(big);
db.pragma('journal_mode = WAL');
const templates = (db.prepare('SELECT count(*) AS n FROM operations').get() as { n: number }).n;
const copies = Math.ceil(target / templates);
const openShift = (db.prepare('SELECT id FROM shifts WHERE closed_at IS NULL').get() as { id: number }).id;
const t0 = performance.now();
db.transaction(() => {
  db.exec(`CREATE TEMP TABLE n (i INTEGER PRIMARY KEY);
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${copies}) INSERT INTO n SELECT i FROM c;`);
  const sfx = (col: string) => `CASE WHEN ${col} IS NULL THEN NULL ELSE ${col} || '-' || n.i END`;
  // Payments before their refunds and cancels (foreign keys); all in the open shift, finished, so the
  // report triggers fill report_operations as a day of sales would.
  db.exec(`INSERT INTO operations SELECT o.id || '-' || n.i, kind, provider, ${sfx('parent_id')}, ${openShift}, o.order_id || '-' || n.i, amount_kop, currency,
      phase, is_final, outcome, o.request_id || '-' || n.i, ${sfx('transaction_id')}, ${sfx('ref_transaction_id')}, payment_type, provider_status,
      provider_ref_status, error_code, error_key, ${sfx('card_session')}, loyalty_id, attempts, context_json,
      strftime('%Y-%m-%dT%H:%M:%fZ', o.created_at, '+' || n.i || ' seconds'), updated_at, finished_at, recovered
    FROM operations o, n ORDER BY n.i, o.kind <> 'payment', o.created_at`);
  db.exec(`INSERT INTO slips SELECT operation_id || '-' || n.i, slip_id, payment_transaction_id, refund_transaction_id, payment_type, order_id, store_id,
      terminal_id, merchant_id, bank_operation_id, operation_date_time, qrc_id, kzo, total_amount_kop, currency, raw_json, received_at
    FROM slips s, n WHERE s.operation_id NOT LIKE '%-%-%-%-%-%'`);
  db.exec(`INSERT INTO operation_events (operation_id, at, type, endpoint, request_id, http_status, phase_from, phase_to, body_json)
    SELECT operation_id || '-' || n.i, at, type, endpoint, request_id, http_status, phase_from, phase_to, body_json
    FROM operation_events e, n WHERE e.operation_id NOT LIKE '%-%-%-%-%-%'`);
  db.exec(`INSERT INTO operation_items SELECT operation_id || '-' || n.i, line_no, name, article, price_kop, quantity, measure, total_kop, discount_kop, subtotal_kop, tax
    FROM operation_items i, n WHERE i.operation_id NOT LIKE '%-%-%-%-%-%'`);
})();
db.pragma('wal_checkpoint(TRUNCATE)');
const count = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
const made = { operations: count('operations'), slips: count('slips'), report_operations: count('report_operations'), events: count('operation_events') };
db.close();
const mb = (f: string) => Math.round(fs.statSync(f).size / 1e5) / 10;
process.stdout.write(`generated in ${Math.round(performance.now() - t0)} ms: ${JSON.stringify(made)}, ${mb(big)} MB\n`);

// The migration alone, in one transaction, on a copy.
const neutral = readMigrations(findMigrationsDir()).find((m) => m.name.endsWith('_neutral_tenders.sql'));
if (!neutral) throw new Error('no *_neutral_tenders.sql migration');
const alone = path.join(dir, 'alone.db');
fs.copyFileSync(big, alone);
const a = new Database(alone);
a.pragma('journal_mode = WAL');
a.pragma('synchronous = FULL');
a.pragma('foreign_keys = ON');
const t1 = performance.now();
a.transaction(() => a.exec(neutral.sql))();
const migrationMs = performance.now() - t1;
a.close();

// As a till does it at start-up: backup (VACUUM INTO), then the migration.
const t2 = performance.now();
const j = openJournal(big, { backupDir: path.join(dir, 'backups') });
const openMs = performance.now() - t2;
j.close();
process.stdout.write(`${neutral.name} on ${made.operations} operations (${mb(alone)} MB): migration ${Math.round(migrationMs)} ms; openJournal with backup ${Math.round(openMs)} ms; ${os.cpus().length} CPUs, ${new Date().toISOString()}\n`);
fs.rmSync(dir, { recursive: true, force: true });
