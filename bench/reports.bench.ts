// Report time: X and Z over a shift of 10,000 operations in a journal of 5,000,000 operations with
// 5,000,000 slips (goal ≤ 100 ms each). The database is generated once into os.tmpdir(), keyed by a
// version, and reused; the Z close runs inside a transaction that is rolled back, so the cached
// database never changes and every sample closes the same shift.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openJournal } from '../main/journal/database';
import { ShiftService } from '../main/shifts/service';
import { shiftConfigSchema } from '../main/shifts/config';
import { reportCsv } from '../main/reports/csv';
import { reportText } from '../main/reports/text';
import { reportPdf } from '../main/reports/pdf';
import { rssMb, summarize, writeResults, type VariantResult } from './lib/results';

const VERSION = 2; // bump with every migration that changes the journal schema
const TOTAL = Number(process.env.BENCH_REPORT_OPS ?? 5_000_000);
const PER_SHIFT = 10_000;
const SHIFTS = Math.ceil(TOTAL / PER_SHIFT);
const DB_FILE = path.join(os.tmpdir(), `paydesk-bench-reports-v${VERSION}-${TOTAL}.db`);

function generate(file: string): void {
  const temp = `${file}.tmp`;
  for (const f of [temp, `${temp}-wal`, `${temp}-shm`]) fs.rmSync(f, { force: true });
  const started = performance.now();
  const journal = openJournal(temp, { backupDir: os.tmpdir() });
  const db = journal.sqlite;
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -262144');
  // Drop secondary indexes and triggers, load in key order, rebuild: much faster than maintaining them row by row.
  const saved = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ('operations', 'slips', 'shifts', 'z_reports')").all() as { type: string; name: string; sql: string }[];
  for (const s of saved) db.exec(`DROP ${s.type.toUpperCase()} ${s.name}`);
  const day0 = Date.UTC(2020, 0, 1, 6);
  const insertShift = db.prepare('INSERT INTO shifts (id, opened_at, opened_by, closed_at, closed_by, z_number) VALUES (?, ?, ?, ?, ?, ?)');
  const insertZ = db.prepare("INSERT INTO z_reports (number, shift_id, created_at, cashier, body_json, sha256) VALUES (?, ?, ?, 'bench', '{}', '')");
  const insertOp = db.prepare(`INSERT INTO operations (id, kind, provider, parent_id, shift_id, order_id, amount_kop, phase, is_final, outcome, request_id,
    transaction_id, ref_transaction_id, payment_type, context_json, created_at, updated_at, finished_at)
    VALUES (?, ?, 'koshelek', ?, ?, ?, ?, 'done', 1, ?, ?, ?, ?, ?, '{}', ?, ?, ?)`);
  const insertSlip = db.prepare(`INSERT INTO slips (operation_id, slip_id, payment_transaction_id, refund_transaction_id, payment_type, order_id, store_id,
    terminal_id, merchant_id, bank_operation_id, operation_date_time, qrc_id, kzo, total_amount_kop, currency, raw_json, received_at)
    VALUES (?, ?, ?, ?, ?, ?, 'store-1', 'POS-01', 'MA0000103685', ?, ?, ?, ?, ?, 'RUB', '{}', ?)`);
  const pad = (n: number): string => String(n).padStart(8, '0');
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  db.transaction(() => {
    for (let s = 1; s <= SHIFTS; s += 1) {
      const opened = new Date(day0 + (s - 1) * 86_400_000).toISOString();
      const closed = s < SHIFTS ? new Date(day0 + (s - 1) * 86_400_000 + 14 * 3_600_000).toISOString() : null;
      insertShift.run(s, opened, 'bench', closed, closed ? 'bench' : null, closed ? s : null);
      if (closed) insertZ.run(s, s, closed);
    }
    for (let i = 0; i < TOTAL; i += 1) {
      const shift = Math.floor(i / PER_SHIFT) + 1;
      const at = new Date(day0 + (shift - 1) * 86_400_000 + (i % PER_SHIFT) * 4_000).toISOString();
      const id = `o${pad(i)}`;
      const r = random();
      const type = r < 0.6 ? 'SBP' : 'DOLYAME';
      if (r > 0.9 && i > PER_SHIFT) {
        // a refund of a payment some while back (often an earlier shift)
        const parent = Math.max(0, i - 1 - Math.floor(random() * PER_SHIFT * 2));
        const amount = 100 + Math.floor(random() * 10_000);
        insertOp.run(id, 'refund', `o${pad(parent)}`, shift, `ord-${pad(parent)}`, amount, 'refunded', `r${pad(i)}`, `tx-${pad(parent)}`, `rtx-${pad(i)}`, null, at, at, at);
        insertSlip.run(id, `slip-${pad(i)}`, `tx-${pad(parent)}`, `rtx-${pad(i)}`, type, `ord-${pad(parent)}`, `bop-${pad(i)}`, at, type === 'SBP' ? `QRC${pad(i)}` : null, type === 'SBP' ? `KZO${pad(i)}` : null, amount, at);
      } else {
        const amount = 400 + Math.floor(random() * 500_000);
        const outcome = r < 0.8 ? 'paid' : r < 0.85 ? 'rejected' : 'canceled';
        insertOp.run(id, 'payment', null, shift, `ord-${pad(i)}`, amount, outcome, `r${pad(i)}`, `tx-${pad(i)}`, null, type, at, at, at);
        insertSlip.run(id, `slip-${pad(i)}`, `tx-${pad(i)}`, null, type, `ord-${pad(i)}`, `bop-${pad(i)}`, at, type === 'SBP' ? `QRC${pad(i)}` : null, type === 'SBP' ? `KZO${pad(i)}` : null, amount, at);
      }
      if (i % 1_000_000 === 999_999) console.log(`  ${(i + 1) / 1_000_000}M rows, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  })();
  console.log(`  rows in ${((performance.now() - started) / 1000).toFixed(0)} s; rebuilding indexes and triggers`);
  for (const s of saved) db.exec(s.sql);
  db.pragma('journal_mode = DELETE');
  journal.close();
  fs.renameSync(temp, file);
  console.log(`  generated ${file} (${(fs.statSync(file).size / 2 ** 30).toFixed(2)} GiB) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

function time<T>(fn: () => T): [number, T] {
  const t0 = performance.now();
  const value = fn();
  return [performance.now() - t0, value];
}

async function main(): Promise<void> {
  if (!fs.existsSync(DB_FILE)) {
    console.log(`generating ${TOTAL.toLocaleString('en')} operations + slips in ${SHIFTS} shifts → ${DB_FILE}`);
    generate(DB_FILE);
  } else console.log(`reusing ${DB_FILE}`);
  const journal = openJournal(DB_FILE, { backupDir: os.tmpdir() });
  const config = shiftConfigSchema.parse({});
  const service = new ShiftService(journal, () => config, { now: () => new Date(Date.UTC(2020, 0, 1, 7) + (SHIFTS - 1) * 86_400_000) });
  const open = service.current();
  if (!open) throw new Error('bench database has no open shift');
  const slips = (journal.sqlite.prepare('SELECT COUNT(*) AS n FROM slips').get() as { n: number }).n;

  const [coldX] = time(() => service.xReport());
  const xSamples: number[] = [];
  let ops = 0;
  for (let i = 0; i < 30; i += 1) {
    const [ms, report] = time(() => service.xReport());
    xSamples.push(ms);
    ops = report.operations.length;
  }
  const zSamples: number[] = [];
  let zBytes = 0;
  for (let i = 0; i < 15; i += 1) {
    journal.sqlite.exec('BEGIN');
    try {
      const [ms, z] = time(() => service.close('bench'));
      zSamples.push(ms);
      if (z.zNumber !== SHIFTS) throw new Error(`unexpected Z number ${z.zNumber}`);
      zBytes = (journal.sqlite.prepare('SELECT length(body_json) AS n FROM z_reports WHERE number = ?').get(SHIFTS) as { n: number }).n;
    } finally {
      journal.sqlite.exec('ROLLBACK');
    }
  }
  const report = service.xReport();
  const csvSamples: number[] = [];
  const txtSamples: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    csvSamples.push(time(() => reportCsv(report))[0]);
    txtSamples.push(time(() => reportText(report, 100))[0]);
  }
  const pdfSamples: number[] = [];
  let pdfBytes = 0;
  for (let i = 0; i < 2; i += 1) {
    const t0 = performance.now();
    pdfBytes = (await reportPdf(report)).length;
    pdfSamples.push(performance.now() - t0);
  }
  journal.close();
  const common = { shift_operations: ops, journal_operations: TOTAL, journal_slips: slips };
  const variants: VariantResult[] = [
    summarize('x_report_10k_ops_in_5M', xSamples, { ...common, cold_first_ms: Math.round(coldX * 1000) / 1000, goal_ms: 100, rss_mb: rssMb() }),
    summarize('z_close_10k_ops_in_5M', zSamples, { ...common, z_body_bytes: zBytes, goal_ms: 100, rss_mb: rssMb() }),
    summarize('csv_render_10k_ops', csvSamples),
    summarize('txt_render_10k_ops', txtSamples),
    summarize('pdf_render_10k_ops', pdfSamples, { pdf_bytes: pdfBytes }),
  ];
  writeResults('reports', variants, { database: path.basename(DB_FILE), note: 'Z samples close the same shift inside a rolled-back transaction; X and Z include reading all rows, slips and parent payments.' });
}

await main();
