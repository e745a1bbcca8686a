// An X report as the contract's JSON text, made in the report worker without building 10,000 line objects:
// each finished operation's line is stored beside its report row (report_lines, made from the row by a
// trigger in the statement that writes it: migrations/0012_report_lines.sql, the same rules as compute.ts
// toLine), so the lines are joined here in the primary key's order; the totals come from the
// GROUP BY that a Z close uses (z-store.ts finishedGroups → TotalsAccumulator, the rules computeReport
// applies row by row). The small head is checked with zod and the lines' text is spliced in. The bytes are
// those of `checkedReportJson(computeReport(…))` (x-text.test.ts). Making the lines at read time was ~30 ms
// of a ~40 ms X over 10,000 operations; joining them stored is ~5 ms (docs/reports.md).
//
// A shift with operations still in flight takes the row-by-row path (computeReport): they are read from the
// journal and must interleave with the finished lines by time; it is rare and still well inside the goal.
import type Database from 'better-sqlite3';
import { checkedReportJson, checkedReportJsonWithLines, ReportContractError } from './checked-json';
import { computeReport, liveTenders, tenderTotals, TotalsAccumulator } from './compute';
import { loadShift, loadShiftOperations, loadShiftTenders, stmt, warnUnreadableRefs } from './load';
import type { ShiftReport, XReportRequest } from './model';
import { finishedGroups } from './z-store';

// A row whose line is NULL broke the line contract (report_lines_source checks it where it makes the line):
// it fails the report. The subquery walks the primary key: lines in (created_at, id) order without a sort.
// (The brackets are added in JS: `'[' || … || ']'` over 6 MB of text cost SQLite 7 ms, a JS concatenation nothing.)
export const LINES_SQL = `
SELECT group_concat(line_json, ',') AS lines, count(*) AS n, count(*) - count(line_json) AS bad,
       min(CASE WHEN line_json IS NULL THEN id END) AS first_bad,
       sum(refs_unreadable) AS unreadable, group_concat(CASE WHEN refs_unreadable THEN id END, ',') AS unreadable_ids
  FROM (SELECT id, line_json, refs_unreadable FROM report_lines WHERE shift_id = ? ORDER BY shift_id, created_at, id)`;
const UNFINISHED_COUNT_SQL = 'SELECT count(*) AS n FROM operations INDEXED BY operations_unfinished WHERE is_final = 0 AND shift_id = ?';

interface LinesDb { lines: string | null; n: number; bad: number | null; first_bad: string | null; unreadable: number | null; unreadable_ids: string | null }

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
  let counted = 0;
  for (const g of finishedGroups(sqlite, shift.id)) {
    acc.add(g);
    counted += g.count;
  }
  // The lines and the totals are read from two tables kept together: a line missing (or left over) would
  // list other operations than the totals add up.
  if (counted !== rows.n) {
    throw new ReportContractError(`the report worker's X report broke the contract: ${rows.n} line(s) for ${counted} operation row(s) in shift ${shift.id}`);
  }
  const live = liveTenders(tenders, req.tenderVoids);
  const { currencies } = acc.result(tenderTotals(live));
  const report: Omit<ShiftReport, 'operations'> = {
    type: 'x', zNumber: null, generatedAt: req.generatedAt, shift, till: req.till, currencies, unresolved: [],
    refColumns: head.refColumns, tenderEntries: live, reconciliation: null, environment: req.environment ?? null, tenderVoids: head.tenderVoids,
  };
  return checkedReportJsonWithLines(report, rows.lines);
}
