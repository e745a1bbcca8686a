// Reading a shift's rows from the journal (thin adapter; the maths is in compute.ts). Synchronous
// better-sqlite3 with cached prepared statements: a Z report is computed inside the closing transaction.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { OperationKind, ReportOperationRow, ShiftInfo, TenderRow } from './model';

// Read in raw (array) mode with only the columns the report uses: materialising JS values is most
// of a report's cost (10,000 rows × columns), so every column here earns its place.
const OPERATION_SELECT = `
SELECT o.id, o.kind, o.provider, o.parent_id, o.shift_id, o.order_id, o.amount_kop, o.is_final, o.outcome, o.phase,
       o.request_id, o.transaction_id, o.ref_transaction_id, o.payment_type, o.error_code, o.created_at, o.finished_at,
       s.rowid, s.payment_transaction_id, s.refund_transaction_id, s.payment_type, s.refs_json,
       p.rowid, p.shift_id, p.transaction_id, p.payment_type, o.currency
  FROM operations o
  LEFT JOIN slips s ON s.operation_id = o.id
  LEFT JOIN operations p ON p.id = o.parent_id`;

type Cell = string | number | null;
const str = (v: Cell | undefined): string => (v === null || v === undefined ? '' : String(v));
const strOrNull = (v: Cell | undefined): string | null => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: Cell | undefined): number | null => (v === null || v === undefined ? null : Number(v));

/** slips.refs_json: the provider's slip ids, a JSON object of strings (migration 0009). */
export const slipRefsSchema = z.record(z.string(), z.string());

/** Where a report says that a stored value could not be read (the core may route it to its log). */
let warnSink: (message: string) => void = (message) => process.emitWarning(message, 'PaydeskReportWarning');
export function setReportWarningSink(sink: (message: string) => void): void {
  warnSink = sink;
}

// Operations whose refs_json did not parse during the current load (one warning per load, not per row);
// null outside a load: a single read warns at once.
let unreadableRefs: string[] | null = null;

const refsWarning = (ids: readonly string[]): string =>
  `report: unreadable slip refs_json of ${ids.length} operation(s), shown without their ids: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`;

/**
 * The refs of one slip. Unreadable text (not JSON, not an object of strings) gives no refs and a
 * warning: a report shows the operation without its ids rather than failing the whole shift.
 */
export function parseSlipRefs(text: Cell | undefined, operationId: string): Record<string, string> {
  if (text === null || text === undefined || text === '' || text === '{}') return {};
  let value: unknown;
  try {
    value = JSON.parse(String(text));
  } catch {
    value = undefined;
  }
  const parsed = slipRefsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  if (unreadableRefs) unreadableRefs.push(operationId);
  else warnSink(refsWarning([operationId]));
  return {};
}

/** Warns once of operations whose refs could not be read (x-text.ts finds them in SQL). */
export function warnUnreadableRefs(ids: readonly string[]): void {
  if (ids.length > 0) warnSink(refsWarning(ids));
}

/**
 * The refs of one slip as they arrive from REPORT_SELECT_JSON: already-parsed JSON (an object of
 * strings is used as it is, anything else is unreadable) or text (parseSlipRefs). Same results as
 * parseSlipRefs on the text (load.test.ts).
 */
export function slipRefsOf(cell: unknown, operationId: string): Record<string, string> {
  if (cell === null || cell === undefined || typeof cell === 'string') return parseSlipRefs(cell, operationId);
  if (typeof cell === 'object' && !Array.isArray(cell)) {
    const refs = cell as Record<string, unknown>;
    let ok = true;
    for (const key in refs) {
      if (Object.prototype.hasOwnProperty.call(refs, key) && typeof refs[key] !== 'string') {
        ok = false;
        break;
      }
    }
    if (ok) return refs as Record<string, string>;
  }
  // valid JSON but not an object of strings: what parseSlipRefs says of its text
  return parseSlipRefs(JSON.stringify(cell), operationId);
}

/** Runs a load and then reports, once, any slip refs it could not read. */
function withRefsWarning<T>(load: () => T): T {
  const bad: string[] = [];
  unreadableRefs = bad;
  try {
    return load();
  } finally {
    unreadableRefs = null;
    if (bad.length > 0) warnSink(refsWarning(bad));
  }
}

function toRow(r: Cell[]): ReportOperationRow {
  return {
    id: str(r[0]),
    kind: str(r[1]) as OperationKind,
    provider: str(r[2]),
    parentId: strOrNull(r[3]),
    shiftId: Number(r[4]),
    orderId: str(r[5]),
    amountKop: Number(r[6]),
    currency: str(r[26]),
    isFinal: r[7] === 1,
    outcome: strOrNull(r[8]),
    phase: str(r[9]),
    requestId: str(r[10]),
    transactionId: strOrNull(r[11]),
    refTransactionId: strOrNull(r[12]),
    paymentType: strOrNull(r[13]),
    errorCode: strOrNull(r[14]),
    createdAt: str(r[15]),
    finishedAt: strOrNull(r[16]),
    slip: r[17] === null ? null : {
      paymentTransactionId: strOrNull(r[18]),
      refundTransactionId: strOrNull(r[19]),
      paymentType: strOrNull(r[20]),
      refs: slipRefsOf(r[21], str(r[0])),
    },
    parent: r[22] === null ? null : {
      shiftId: numOrNull(r[23]),
      transactionId: strOrNull(r[24]),
      paymentType: strOrNull(r[25]),
    },
  };
}

interface ShiftRowDb {
  id: number;
  opened_at: string;
  opened_by: string;
  closed_at: string | null;
  closed_by: string | null;
}

interface TenderRowDb {
  id: number;
  kind: string;
  direction: 'sale' | 'refund';
  amount_kop: number;
  note: string;
  cashier: string;
  created_at: string;
}

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** One prepared statement per connection and SQL text (reports run the same few queries over and over). */
export function stmt(sqlite: Database.Database, sql: string, raw = false): Database.Statement {
  let map = cache.get(sqlite);
  if (!map) {
    map = new Map();
    cache.set(sqlite, map);
  }
  let prepared = map.get(sql);
  if (!prepared) {
    prepared = sqlite.prepare(sql);
    if (raw) prepared.raw(true);
    map.set(sql, prepared);
  }
  return prepared;
}

// Finished operations come from report_operations (migration 0004: narrow, clustered by shift and time,
// slip and parent fields already joined, kept in the transaction that finishes the operation); the few
// unfinished ones from the journal through its small operations_unfinished index. Same columns, same
// order as OPERATION_SELECT, so one toRow reads both.
const REPORT_SELECT = `
SELECT id, kind, provider, parent_id, shift_id, order_id, amount_kop, 1, outcome, phase,
       request_id, transaction_id, ref_transaction_id, payment_type, error_code, created_at, finished_at,
       CASE WHEN has_slip THEN 1 END, slip_payment_transaction_id, slip_refund_transaction_id, slip_payment_type, slip_refs_json,
       CASE WHEN has_parent THEN 1 END, parent_shift_id, parent_transaction_id, parent_payment_type, currency
  FROM report_operations WHERE shift_id = ? ORDER BY created_at, id`;
// The same columns as one JSON text built inside SQLite and parsed once: better-sqlite3 materialises
// ~270,000 cells for a 10,000-operation shift one by one, which costs about twice what SQLite's
// json_array plus one JSON.parse do (bench/results/reports.json). The subquery walks the primary key,
// so the rows come in (created_at, id) order without a sort. A slip's refs that are valid JSON arrive
// embedded (parsed by the one JSON.parse, then only type-checked: parsing 10,000 small texts and
// checking each with zod was a third of an X); anything else arrives as its text and takes the slow
// path, which warns.
const REPORT_SELECT_JSON = `
SELECT COALESCE('[' || group_concat(line, ',') || ']', '[]') FROM (
SELECT json_array(id, kind, provider, parent_id, shift_id, order_id, amount_kop, 1, outcome, phase,
       request_id, transaction_id, ref_transaction_id, payment_type, error_code, created_at, finished_at,
       CASE WHEN has_slip THEN 1 END, slip_payment_transaction_id, slip_refund_transaction_id, slip_payment_type,
       CASE WHEN json_valid(slip_refs_json) THEN json(slip_refs_json) ELSE slip_refs_json END,
       CASE WHEN has_parent THEN 1 END, parent_shift_id, parent_transaction_id, parent_payment_type, currency) AS line
  FROM report_operations WHERE shift_id = ? ORDER BY shift_id, created_at, id)`;
const UNFINISHED_SELECT = OPERATION_SELECT.replace('FROM operations o', 'FROM operations o INDEXED BY operations_unfinished')
  + ' WHERE o.is_final = 0 AND o.shift_id = ? ORDER BY o.created_at, o.id';

const byTimeThenId = (a: ReportOperationRow, b: ReportOperationRow): number =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Both inputs sorted by (createdAt, id): one ordered list. */
export function mergeByTime(finished: ReportOperationRow[], unfinished: ReportOperationRow[]): ReportOperationRow[] {
  if (unfinished.length === 0) return finished;
  const out: ReportOperationRow[] = [];
  let i = 0;
  let j = 0;
  while (i < finished.length || j < unfinished.length) {
    const a = finished[i];
    const b = unfinished[j];
    if (b === undefined || (a !== undefined && byTimeThenId(a, b) <= 0)) {
      out.push(a as ReportOperationRow);
      i += 1;
    } else {
      out.push(b);
      j += 1;
    }
  }
  return out;
}

/** A shift's operations, oldest first: what X, Z and reconciliation read. */
export function loadShiftOperations(sqlite: Database.Database, shiftId: number): ReportOperationRow[] {
  return withRefsWarning(() => {
    const [text] = stmt(sqlite, REPORT_SELECT_JSON, true).get(shiftId) as [string];
    const finished = (JSON.parse(text) as Cell[][]).map(toRow);
    const unfinished = (stmt(sqlite, UNFINISHED_SELECT, true).all(shiftId) as Cell[][]).map(toRow);
    return mergeByTime(finished, unfinished);
  });
}

// As REPORT_SELECT_JSON read them before slip refs were embedded (each refs text parsed and checked per row).
const REPORT_SELECT_JSON_REFS_AS_TEXT = REPORT_SELECT_JSON.replace(
  'CASE WHEN json_valid(slip_refs_json) THEN json(slip_refs_json) ELSE slip_refs_json END', 'slip_refs_json');

/** The rows as loadShiftOperations read them before the refs were embedded (the bench compares, same run). */
export function loadShiftOperationsRefsAsText(sqlite: Database.Database, shiftId: number): ReportOperationRow[] {
  return withRefsWarning(() => {
    const [text] = stmt(sqlite, REPORT_SELECT_JSON_REFS_AS_TEXT, true).get(shiftId) as [string];
    const finished = (JSON.parse(text) as Cell[][]).map(toRow);
    const unfinished = (stmt(sqlite, UNFINISHED_SELECT, true).all(shiftId) as Cell[][]).map(toRow);
    return mergeByTime(finished, unfinished);
  });
}

/** The same rows with better-sqlite3 reading every cell (the way before REPORT_SELECT_JSON; tests and the bench compare). */
export function loadShiftOperationsCellByCell(sqlite: Database.Database, shiftId: number): ReportOperationRow[] {
  return withRefsWarning(() => {
    const finished = (stmt(sqlite, REPORT_SELECT, true).all(shiftId) as Cell[][]).map(toRow);
    const unfinished = (stmt(sqlite, UNFINISHED_SELECT, true).all(shiftId) as Cell[][]).map(toRow);
    return mergeByTime(finished, unfinished);
  });
}

/** The same rows read straight from the wide journal tables (reference for tests; exports by date use this path). */
export function loadShiftOperationsFromJournal(sqlite: Database.Database, shiftId: number): ReportOperationRow[] {
  // An operation starts after its shift opened: the time index bounds the read.
  const rows = stmt(sqlite, `${OPERATION_SELECT} WHERE o.created_at >= (SELECT opened_at FROM shifts WHERE id = @shift) AND o.shift_id = @shift ORDER BY o.created_at, o.id`, true)
    .all({ shift: shiftId }) as Cell[][];
  return withRefsWarning(() => rows.map(toRow));
}

/** Operations started in [from, to) (ISO strings), any shift: for exports. */
export function loadOperationsBetween(sqlite: Database.Database, fromIso: string, toIso: string): ReportOperationRow[] {
  const rows = stmt(sqlite, `${OPERATION_SELECT} WHERE o.created_at >= ? AND o.created_at < ? ORDER BY o.created_at, o.id`, true).all(fromIso, toIso) as Cell[][];
  return withRefsWarning(() => rows.map(toRow));
}

export function loadShiftTenders(sqlite: Database.Database, shiftId: number): TenderRow[] {
  const rows = stmt(sqlite, 'SELECT id, kind, direction, amount_kop, note, cashier, created_at FROM tenders WHERE shift_id = ? ORDER BY id').all(shiftId) as TenderRowDb[];
  return rows.map((t) => ({ id: t.id, kind: t.kind, direction: t.direction, amountKop: t.amount_kop, note: t.note, cashier: t.cashier, createdAt: t.created_at }));
}

export function loadShift(sqlite: Database.Database, shiftId: number): ShiftInfo | null {
  const row = stmt(sqlite, 'SELECT id, opened_at, opened_by, closed_at, closed_by FROM shifts WHERE id = ?').get(shiftId) as ShiftRowDb | undefined;
  return row ? { id: row.id, openedAt: row.opened_at, openedBy: row.opened_by, closedAt: row.closed_at, closedBy: row.closed_by } : null;
}
