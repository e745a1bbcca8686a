// A realistic report-bench journal: rows of the real size and shape. A real till (core + emulator on
// loopback) makes a few payments (baskets, SBP and DOLYAME), rejections, a cancel and refunds; those
// rows — state JSON, slip raw JSON, report row — are the templates, and the generator repeats them
// with fresh ids, times and shifts. The ids inside the JSON are replaced by same-length ones, so
// every copy has its template's byte size. Events and basket lines are not copied (no report reads
// them; they make the file bigger, not the report slower).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { openJournal } from '../../main/journal/database';
import { card, orderId, startTill } from '../../test/support/till';

type Row = Record<string, string | number | null>;
export interface Template { op: Row; slip: Row | null }

/** Rows written by the real code paths of a till against the emulator. */
export async function captureTemplates(): Promise<Template[]> {
  const till = await startTill({ emulator: { confirmDelayMs: 20 }, timing: {} });
  try {
    const c = till.core.checkout;
    const lines = [
      { name: 'Молоко 3,2% 1 л', article: '4601234567890', priceKop: 8990, quantity: 2 },
      { name: 'Хлеб бородинский', article: '4600987654321', priceKop: 6450, quantity: 1 },
      { name: 'Сыр российский', article: '2000000012345', priceKop: 89, quantity: 350, measure: 'GRAM' },
    ];
    const paid: string[] = [];
    for (const [scenario, type] of [['OK', 'SBP'], ['OK', 'DOLYAME'], ['OK', 'SBP'], ['LM', 'SBP'], ['DC', 'DOLYAME'], ['OK', 'SBP']] as const) {
      const op = await c.pay({ orderId: orderId(), lines, card: card(scenario), paymentType: type });
      const done = await c.waitFinal(op.id, 10_000);
      if (done.outcome === 'paid') paid.push(done.id);
    }
    const toCancel = await c.pay({ orderId: orderId(), amountKop: 25_000, card: card('OK'), paymentType: 'SBP' });
    await c.cancel(toCancel.id);
    await c.waitFinal(toCancel.id, 10_000);
    for (const [i, id] of paid.slice(0, 2).entries()) {
      const r = await c.refund(i === 0 ? { paymentOperationId: id, lines: [{ lineNo: 0, quantity: 1 }] } : { paymentOperationId: id });
      await c.waitFinal(r.id, 10_000);
    }
    const sqlite = till.core.journal.sqlite;
    const ops = sqlite.prepare('SELECT * FROM operations WHERE is_final = 1 ORDER BY created_at').all() as Row[];
    return ops.map((op) => ({ op, slip: (sqlite.prepare('SELECT * FROM slips WHERE operation_id = ?').get(op.id) as Row | undefined) ?? null }));
  } finally {
    await till.close();
  }
}

/** Replaces every occurrence of each old id by its same-length new one. */
function swap(text: string, pairs: readonly [string, string][]): string {
  let out = text;
  for (const [from, to] of pairs) if (from !== '' && from !== to) out = out.split(from).join(to);
  return out;
}

/** A string of `like`'s length from a number (ids keep their byte size). */
function sameLength(like: string, prefix: string, n: number): string {
  const body = `${prefix}${n.toString(36)}`;
  return body.length >= like.length ? body : body.padStart(like.length, '0');
}

export interface GenerateOptions { file: string; total: number; perShift: number }

export function generateRealisticJournal(templates: readonly Template[], o: GenerateOptions): { bytesPerOperationRow: number; bytesPerSlipRow: number; bytesPerReportRow: number; bytesPerReportLine: number } {
  const temp = `${o.file}.tmp`;
  for (const f of [temp, `${temp}-wal`, `${temp}-shm`]) fs.rmSync(f, { force: true });
  const started = performance.now();
  const journal = openJournal(temp, { backupDir: os.tmpdir() });
  const db: Database.Database = journal.sqlite;
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -262144');
  const saved = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ('operations', 'slips', 'shifts', 'z_reports')").all() as { type: string; name: string; sql: string }[];
  for (const s of saved) db.exec(`DROP ${s.type.toUpperCase()} ${s.name}`);
  const shifts = Math.ceil(o.total / o.perShift);
  const day0 = Date.UTC(2020, 0, 1, 6);
  const insertShift = db.prepare('INSERT INTO shifts (id, opened_at, opened_by, closed_at, closed_by, z_number) VALUES (?, ?, ?, ?, ?, ?)');
  const insertZ = db.prepare("INSERT INTO z_reports (number, shift_id, created_at, cashier, body_json, sha256) VALUES (?, ?, ?, 'bench', '{}', '')");
  const opCols = Object.keys(templates[0]?.op ?? {});
  const slipCols = Object.keys(templates.find((t) => t.slip)?.slip ?? {});
  const insertOp = db.prepare(`INSERT INTO operations (${opCols.join(', ')}) VALUES (${opCols.map((c) => `@${c}`).join(', ')})`);
  const insertSlip = db.prepare(`INSERT INTO slips (${slipCols.join(', ')}) VALUES (${slipCols.map((c) => `@${c}`).join(', ')})`);
  const payments = templates.filter((t) => t.op.kind === 'payment');
  const refunds = templates.filter((t) => t.op.kind === 'refund');
  const cancels = templates.filter((t) => t.op.kind === 'cancel');
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const idOf = (i: number, like: string) => sameLength(like, 'b', i);
  let opBytes = 0;
  let slipBytes = 0;
  const write = (t: Template, i: number, shift: number, at: string, parent: { i: number; t: Template } | null): void => {
    const op = t.op;
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    const pairs: [string, string][] = [
      [str(op.id), idOf(i, str(op.id))],
      [str(op.request_id), idOf(i, str(op.request_id))],
      [str(op.order_id), parent ? idOf(parent.i, str(op.order_id)) : idOf(i, str(op.order_id))],
      [str(op.transaction_id), parent ? idOf(parent.i, str(op.transaction_id)) : idOf(i, str(op.transaction_id))],
      [str(op.ref_transaction_id), idOf(i, str(op.ref_transaction_id))],
      [str(op.pay_token), idOf(i, str(op.pay_token))],
    ];
    if (parent) pairs.push([str(op.parent_id), idOf(parent.i, str(parent.t.op.id))]);
    const row: Row = {};
    for (const c of opCols) row[c] = typeof op[c] === 'string' ? swap(op[c] as string, pairs) : (op[c] ?? null);
    row.shift_id = shift;
    row.created_at = at;
    row.updated_at = at;
    row.finished_at = at;
    if (op.kind === 'payment') row.pay_token = idOf(i, str(op.pay_token)); // unique per payment
    insertOp.run(row);
    opBytes += str(row.context_json).length;
    if (t.slip) {
      const slip: Row = {};
      for (const c of slipCols) slip[c] = typeof t.slip[c] === 'string' ? swap(t.slip[c] as string, pairs) : (t.slip[c] ?? null);
      slip.received_at = at;
      insertSlip.run(slip);
      slipBytes += str(slip.raw_json).length;
    }
  };
  // Payments a refund may point at: the last two shifts' worth, as a ring.
  const recent: { i: number; t: Template }[] = [];
  let recentNext = 0;
  let i = 0;
  db.transaction(() => {
    for (let s = 1; s <= shifts; s += 1) {
      const opened = new Date(day0 + (s - 1) * 86_400_000).toISOString();
      const closed = s < shifts ? new Date(day0 + (s - 1) * 86_400_000 + 14 * 3_600_000).toISOString() : null;
      insertShift.run(s, opened, 'bench', closed, closed ? 'bench' : null, closed ? s : null);
      if (closed) insertZ.run(s, s, closed);
      for (let k = 0; k < o.perShift && i < o.total; k += 1, i += 1) {
        const at = new Date(day0 + (s - 1) * 86_400_000 + k * 4_000).toISOString();
        const r = random();
        if (r > 0.9 && recent.length > 0) {
          const parent = recent[Math.floor(random() * recent.length)] as { i: number; t: Template };
          write(refunds[Math.floor(random() * refunds.length)] as Template, i, s, at, parent);
        } else {
          const t = payments[Math.floor(random() * payments.length)] as Template;
          write(t, i, s, at, null);
          const cancel = cancels[0];
          if (t.op.outcome === 'canceled' && cancel && k + 1 < o.perShift && i + 1 < o.total) {
            k += 1;
            i += 1;
            write(cancel, i, s, new Date(day0 + (s - 1) * 86_400_000 + k * 4_000).toISOString(), { i: i - 1, t });
          }
          if (t.op.outcome === 'paid') {
            if (recent.length < 2 * o.perShift) recent.push({ i, t });
            else recent[recentNext] = { i, t };
            recentNext = (recentNext + 1) % (2 * o.perShift);
          }
        }
        if (i % 500_000 === 499_999) console.log(`  ${(i + 1).toLocaleString('en')} rows, ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    }
  })();
  console.log(`  rows in ${((performance.now() - started) / 1000).toFixed(0)} s; rebuilding indexes`);
  for (const s of saved) if (s.type === 'index') db.exec(s.sql);
  // The report table exactly as the triggers keep it (same view), filled in key order in one pass.
  db.exec('INSERT INTO report_operations SELECT * FROM report_operations_source ORDER BY shift_id, created_at, id');
  for (const s of saved) if (s.type === 'trigger') db.exec(s.sql);
  const tableBytes = (name: string): number => {
    try {
      return (db.prepare('SELECT SUM(pgsize) AS b FROM dbstat WHERE name = ?').get(name) as { b: number | null }).b ?? 0;
    } catch {
      return Number.NaN; // dbstat not compiled in
    }
  };
  const reportBytes = tableBytes('report_operations');
  const lineBytes = tableBytes('report_lines');
  db.pragma('journal_mode = DELETE');
  journal.close();
  fs.renameSync(temp, o.file);
  console.log(`  generated ${o.file} (${(fs.statSync(o.file).size / 2 ** 30).toFixed(2)} GiB) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { bytesPerOperationRow: Math.round(opBytes / i), bytesPerSlipRow: Math.round(slipBytes / i), bytesPerReportRow: Math.round(reportBytes / i), bytesPerReportLine: Math.round(lineBytes / i) };
}

export function cachePath(name: string): string {
  const dir = process.env.PAYDESK_BENCH_CACHE ?? path.join(os.tmpdir(), 'paydesk-bench-cache');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
