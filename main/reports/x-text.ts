// An X report as the contract's JSON text, made in the report worker without building 10,000 line objects:
// SQLite writes each finished operation's line (json_object, the DTO's fields in the schema's order, the
// same rules as compute.ts toLine) and checks every row against the line contract in the same pass; the
// totals come from the GROUP BY that a Z close uses (z-store.ts finishedGroups → TotalsAccumulator, the
// rules computeReport applies row by row). The small head is checked with zod and the lines' text is
// spliced in. The bytes are those of `checkedReportJson(computeReport(…))` (x-text.test.ts): parsing the
// rows (JSON.parse), building lines and serialising them again was ~60 % of an X in the worker.
//
// A shift with operations still in flight takes the row-by-row path (computeReport): they are read from the
// journal and must interleave with the finished lines by time; it is rare and still well inside the goal.
import type Database from 'better-sqlite3';
import { checkedReportJson, checkedReportJsonWithLines, ReportContractError } from './checked-json';
import { computeReport, liveTenders, tenderTotals, TotalsAccumulator } from './compute';
import { loadShift, loadShiftOperations, loadShiftTenders, stmt, warnUnreadableRefs } from './load';
import type { ShiftReport, XReportRequest } from './model';
import { finishedGroups } from './z-store';

// A slip's refs as the report shows them: an object of strings, as stored (json() only re-minifies text
// JSON.stringify wrote). Anything else shows no refs and is named in one warning, as load.ts parseSlipRefs
// does. Walking every object with json_each costs a third of the lines' time, so it is asked only when the
// text could hold a value that is not a string: such a value follows a `":` with no `"` after it, and the
// GLOB finds every such text (and a few harmless ones, e.g. a value containing `\":1`, which json_each clears).
// (CASE, not AND: only CASE promises json_type never sees text that is not JSON, which it would refuse.)
const REFS_OK = `(CASE WHEN json_valid(slip_refs_json) THEN json_type(slip_refs_json) = 'object'
  AND (slip_refs_json NOT GLOB '*":[^"]*' OR NOT EXISTS (SELECT 1 FROM json_each(slip_refs_json) WHERE type <> 'text')) ELSE 0 END)`;
const REFS_UNREADABLE = `(has_slip AND slip_refs_json IS NOT NULL AND slip_refs_json NOT IN ('', '{}') AND NOT ${REFS_OK})`;
// What the contract's reportLineSchema requires of a row beyond its column types: TEXT columns hold only
// text (or NULL where allowed, or a BLOB, which json_object refuses, failing the whole report), so what is
// left is the enum, the bounds, the currency code and the INTEGER columns that could hold text or a
// fraction. (status, signedKop and crossShift are derived and well-formed when these are.) A row that
// breaks it fails the report.
const ROW_OK = `(kind IN ('payment', 'cancel', 'refund') AND typeof(amount_kop) = 'integer' AND amount_kop BETWEEN 0 AND 9999999999
  AND currency GLOB '[A-Z][A-Z][A-Z]' AND (NOT has_parent OR typeof(parent_shift_id) IN ('integer', 'null')))`;
// compute.ts toLine and succeeded() for a finished row, field for field.
const LINE = `json_object('id', id, 'kind', kind, 'provider', provider, 'createdAt', created_at, 'finishedAt', finished_at,
  'status', COALESCE(outcome, 'unknown'), 'amountKop', amount_kop, 'currency', currency,
  'signedKop', CASE WHEN kind = 'payment' AND outcome IN ('paid', 'refunded') THEN amount_kop WHEN kind = 'refund' AND outcome = 'refunded' THEN -amount_kop ELSE 0 END,
  'orderId', order_id,
  'paymentTransactionId', COALESCE(slip_payment_transaction_id, CASE WHEN kind = 'payment' THEN transaction_id ELSE COALESCE(transaction_id, parent_transaction_id) END),
  'refundTransactionId', COALESCE(slip_refund_transaction_id, CASE WHEN kind = 'payment' THEN NULL ELSE ref_transaction_id END),
  'requestId', request_id, 'paymentType', COALESCE(payment_type, slip_payment_type, parent_payment_type),
  'refs', CASE WHEN has_slip AND ${REFS_OK} THEN json(slip_refs_json) ELSE json('{}') END,
  'errorCode', error_code, 'parentId', parent_id, 'parentShiftId', CASE WHEN has_parent THEN parent_shift_id END,
  'crossShift', CASE WHEN has_parent AND parent_shift_id IS NOT shift_id THEN json('true') ELSE json('false') END)`;
// The subquery walks the primary key: lines in (created_at, id) order without a sort. A malformed row's
// line is never built (json_object would fail on a BLOB): it is counted and named instead.
const LINES_SQL = `
SELECT COALESCE('[' || group_concat(line, ',') || ']', '[]') AS lines, count(*) AS n, sum(NOT ok) AS bad,
       min(CASE WHEN NOT ok THEN id END) AS first_bad,
       sum(unreadable) AS unreadable, group_concat(CASE WHEN unreadable THEN id END, ',') AS unreadable_ids
  FROM (SELECT id, ${ROW_OK} AS ok, ${LINE} AS line, ${REFS_UNREADABLE} AS unreadable
          FROM report_operations WHERE shift_id = ?
         ORDER BY shift_id, created_at, id)`;
const UNFINISHED_COUNT_SQL = 'SELECT count(*) AS n FROM operations INDEXED BY operations_unfinished WHERE is_final = 0 AND shift_id = ?';

interface LinesDb { lines: string; n: number; bad: number | null; first_bad: string | null; unreadable: number | null; unreadable_ids: string | null }

/**
 * The X report of `req.shiftId` as the contract's JSON text (ReportContractError when a row breaks the
 * contract). Call inside one read transaction: the lines and the totals come from the same snapshot.
 */
export function xReportText(sqlite: Database.Database, req: XReportRequest): string {
  const shift = loadShift(sqlite, req.shiftId);
  if (!shift) throw new Error(`shift ${req.shiftId} not found`);
  const tenders = loadShiftTenders(sqlite, shift.id);
  const head = {
    type: 'x' as const, zNumber: null, generatedAt: req.generatedAt, shift, till: req.till, environment: req.environment,
    tenderVoids: [...req.tenderVoids], refColumns: (req.refColumns ?? []).map((c) => ({ key: c.key, label: c.label })),
  };
  const unfinished = (stmt(sqlite, UNFINISHED_COUNT_SQL).get(shift.id) as { n: number }).n;
  if (unfinished > 0) {
    return checkedReportJson(computeReport({ ...head, operations: loadShiftOperations(sqlite, shift.id), tenders }));
  }
  const rows = stmt(sqlite, LINES_SQL).get(shift.id) as LinesDb;
  if ((rows.bad ?? 0) > 0) {
    throw new ReportContractError(`the report worker's X report broke the contract: ${rows.bad ?? 0} operation row(s) do not make a report line (first: ${rows.first_bad ?? '?'})`);
  }
  if ((rows.unreadable ?? 0) > 0) warnUnreadableRefs((rows.unreadable_ids ?? '').split(','));
  const acc = new TotalsAccumulator();
  for (const g of finishedGroups(sqlite, shift.id)) acc.add(g);
  const live = liveTenders(tenders, req.tenderVoids);
  const { currencies } = acc.result(tenderTotals(live));
  const report: Omit<ShiftReport, 'operations'> = {
    type: 'x', zNumber: null, generatedAt: req.generatedAt, shift, till: req.till, currencies, unresolved: [],
    refColumns: head.refColumns, tenderEntries: live, reconciliation: null, environment: req.environment ?? null, tenderVoids: head.tenderVoids,
  };
  return checkedReportJsonWithLines(report, rows.lines);
}
