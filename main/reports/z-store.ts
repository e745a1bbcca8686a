// A Z report stored compactly (format 6; 4 before currencies, 3 before refs): its header and totals, plus the hash, count and time range
// of the report_operations rows it covers. The 10,000 operation lines are not copied into z_reports:
// they are rebuilt on read from those rows, which are checked against the hash and the totals first,
// so an edited, added or removed row is refused (report.integrity) instead of shown. Closing a shift
// therefore aggregates in SQL and hashes one string instead of materialising and writing ~3 MB inside
// its transaction. docs/reports.md "Z reports are stored compactly" explains the choice.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { shiftReportSchema } from '../contract/api';
import { PaydeskError } from '../errors/catalogue';
import { TILL_CURRENCY } from '../contract/currency';
import { computeReport, liveTenders, tenderTotals, TotalsAccumulator, type OperationGroup } from './compute';
import { legacyCoverRefColumns, upgradeStoredReport } from './legacy';
import { loadShiftOperations, loadShiftTenders, stmt } from './load';
import type { OperationKind, RefColumn, ShiftInfo, ShiftReport } from './model';
import { bodyHash, readStoredZ } from './stored';

/** What a compact Z covers: every report_operations row of its shift, in (created_at, id) order. */
export interface ZCover {
  shiftId: number;
  count: number;
  firstCreatedAt: string | null;
  lastCreatedAt: string | null;
  /** sha256 of the rows' canonical text (COVER_SQL). */
  rowsSha256: string;
}

const coverSchema = z.object({
  shiftId: z.number().int(),
  count: z.number().int().nonnegative(),
  firstCreatedAt: z.string().nullable(),
  lastCreatedAt: z.string().nullable(),
  rowsSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
/**
 * Compact Z formats: 3 (before refs; its cover hashed two slip id columns: legacy.ts), 4 (refs; totals
 * of all currencies added up), 6 (totals per currency; the cover hashes each row's currency too).
 */
export const COMPACT_FORMAT = 6;
type CompactFormat = 3 | 4 | typeof COMPACT_FORMAT;
const compactFormat = z.union([z.literal(3), z.literal(4), z.literal(COMPACT_FORMAT)]);
const compactFormatSchema = z.object({ format: compactFormat }).loose();
// The stored head, parsed (never cast) after legacy.ts has upgraded a format-3/4 head to today's fields.
const compactHeadSchema = shiftReportSchema.omit({ operations: true }).extend({
  format: compactFormat,
  covers: coverSchema,
});

type CompactZ = Omit<ShiftReport, 'operations'> & { format: typeof COMPACT_FORMAT; covers: ZCover };

// Every column, typed and NULL-distinct (json_array), one row per line, in primary-key order: the text
// the hash is taken over. Built inside SQLite: one string back instead of 10,000 × 26 JS values. The
// order comes from the subquery, which walks the primary key (shift_id, created_at, id) and so needs
// no sort (an ORDER BY inside group_concat would sort again and double the cost); were the order ever
// different, the check would refuse the Z rather than pass a changed one.
const coverSql = (slipRefs: string, currency: string): string => `
SELECT count(*) AS n, min(created_at) AS first_at, max(created_at) AS last_at, group_concat(line, char(10)) AS body
  FROM (SELECT created_at, json_array(shift_id, created_at, id, kind, provider, parent_id, order_id, amount_kop, outcome, phase,
          request_id, transaction_id, ref_transaction_id, payment_type, error_code, finished_at, has_slip,
          slip_payment_transaction_id, slip_refund_transaction_id, slip_payment_type, ${slipRefs},
          has_parent, parent_shift_id, parent_transaction_id, parent_payment_type${currency}) AS line
          FROM report_operations WHERE shift_id = ? ORDER BY shift_id, created_at, id)`;
// Format 6 hashes the refs text and the currency as stored; format 4 the same without the currency
// (the column came later); format 3 hashed two id columns, read from the refs now.
const COVER_SQL = coverSql('slip_refs_json', ', currency');
const COVER_SQL_FORMAT_4 = coverSql('slip_refs_json', '');
const COVER_SQL_FORMAT_3 = coverSql(legacyCoverRefColumns(), '');

// The same grouping computeReport applies row by row (compute.ts TotalsAccumulator), done by SQL over
// the finished rows; groups come in the order of their earliest row so byOutcome keeps first-seen order.
// It reads only the covering index report_operations_totals (migrations/0012_report_lines.sql), whose key
// expressions are written exactly as here: change one, change both (z-store.test.ts checks the plan).
export const GROUPS_SQL = `
SELECT kind, provider, outcome, COALESCE(payment_type, slip_payment_type, parent_payment_type) AS payment_type,
       (has_parent = 1 AND parent_shift_id IS NOT shift_id) AS cross_shift, currency, count(*) AS n, sum(amount_kop) AS amount,
       min(created_at || char(1) || id) AS first_key
  FROM report_operations WHERE shift_id = ?
 GROUP BY kind, provider, outcome, COALESCE(payment_type, slip_payment_type, parent_payment_type), cross_shift, currency
 ORDER BY first_key`;

interface CoverDb { n: number; first_at: string | null; last_at: string | null; body: string | null }
interface GroupDb { kind: OperationKind; provider: string; outcome: string | null; payment_type: string | null; cross_shift: number; currency: string; n: number; amount: number }

/** The hash and range of a shift's report rows as they are now (as a Z of `format` hashed them). */
export function coverOf(sqlite: Database.Database, shiftId: number, format: CompactFormat = COMPACT_FORMAT): ZCover {
  const sql = format === 3 ? COVER_SQL_FORMAT_3 : format === 4 ? COVER_SQL_FORMAT_4 : COVER_SQL;
  const row = stmt(sqlite, sql).get(shiftId) as CoverDb;
  return {
    shiftId,
    count: row.n,
    firstCreatedAt: row.first_at,
    lastCreatedAt: row.last_at,
    rowsSha256: createHash('sha256').update(row.body ?? '').digest('hex'),
  };
}

/** Totals of a shift's finished operations, aggregated by SQL (a Z close: nothing is unfinished). */
export function finishedGroups(sqlite: Database.Database, shiftId: number): OperationGroup[] {
  return (stmt(sqlite, GROUPS_SQL).all(shiftId) as GroupDb[]).map((g) => ({
    kind: g.kind, provider: g.provider, isFinal: true, outcome: g.outcome, paymentType: g.payment_type,
    crossShift: g.cross_shift === 1, currency: g.currency, count: g.n, amountKop: g.amount,
  }));
}

export interface CompactZInput {
  zNumber: number;
  generatedAt: string;
  shift: ShiftInfo;
  till: ShiftReport['till'];
  reconciliation: ShiftReport['reconciliation'];
  environment: ShiftReport['environment'];
  tenderVoids: ShiftReport['tenderVoids'];
  /** Stored with the Z: it keeps the columns it was closed with whatever the config says later. */
  refColumns: readonly RefColumn[];
}

/**
 * The Z of a shift whose operations are all final, without its operation lines, and the text to store
 * (with its hash). Runs inside the closing transaction, so the cover is of exactly the rows it sums.
 */
export function buildCompactZ(sqlite: Database.Database, input: CompactZInput): { report: ShiftReport; body: string; sha256: string } {
  const acc = new TotalsAccumulator();
  for (const g of finishedGroups(sqlite, input.shift.id)) acc.add(g);
  const tenderEntries = liveTenders(loadShiftTenders(sqlite, input.shift.id), input.tenderVoids);
  const tenders = tenderTotals(tenderEntries);
  const sums = acc.result(tenders);
  const report: ShiftReport = {
    type: 'z', zNumber: input.zNumber, generatedAt: input.generatedAt, shift: input.shift, till: input.till,
    currencies: sums.currencies,
    unresolved: [], operations: [], refColumns: input.refColumns.map((c) => ({ key: c.key, label: c.label })), tenderEntries, reconciliation: input.reconciliation,
    environment: input.environment, tenderVoids: [...input.tenderVoids],
  };
  const { operations: _lines, ...head } = report;
  const stored: CompactZ = { ...head, format: COMPACT_FORMAT, covers: coverOf(sqlite, input.shift.id) };
  const body = JSON.stringify(stored);
  return { report, body, sha256: bodyHash(body) };
}

// Totals compared as canonical JSON (object keys sorted), so key order never matters.
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v));
}
const figuresOf = (r: ShiftReport): unknown => [r.currencies, r.tenderEntries];

/**
 * A stored Z as the full report. The body is checked against its hash, then parsed with the schema of
 * its format (older formats upgraded: legacy.ts); a compact body's covered rows against the hash,
 * count and range taken at close, and the totals recomputed from them against the stored ones. Bodies
 * with their lines inside (format 2, plain) are read through stored.ts. Z bodies written before
 * environments, voids and refs were recorded read as «not recorded», «none» and the old id columns;
 * written before currencies, as one section in the till's currency holding what that Z added up.
 */
export function readZ(sqlite: Database.Database, body: string, sha256: string, label: string): ShiftReport {
  if (bodyHash(body) !== sha256) throw new PaydeskError('report.integrity', label);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new PaydeskError('report.integrity', `${label}: not JSON`);
  }
  if (!compactFormatSchema.safeParse(parsed).success) return readStoredZ(body, sha256, label);
  const head = compactHeadSchema.safeParse(upgradeStoredReport(parsed));
  if (!head.success) throw new PaydeskError('report.integrity', `${label}: ${head.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { format, covers: cover, ...stored } = head.data;
  const now = coverOf(sqlite, cover.shiftId, format);
  if (now.rowsSha256 !== cover.rowsSha256 || now.count !== cover.count || now.firstCreatedAt !== cover.firstCreatedAt || now.lastCreatedAt !== cover.lastCreatedAt) {
    throw new PaydeskError('report.integrity', `${label}: the shift's operations changed since the close (${now.count} rows now, ${cover.count} at close)`);
  }
  const rebuilt = computeReport({
    type: 'z', zNumber: stored.zNumber, generatedAt: stored.generatedAt, shift: stored.shift, till: stored.till,
    operations: loadShiftOperations(sqlite, cover.shiftId), tenders: loadShiftTenders(sqlite, cover.shiftId),
    environment: stored.environment, tenderVoids: stored.tenderVoids,
    // A Z closed before currencies added every operation into one total: checked the way it was made.
    singleCurrency: format === COMPACT_FORMAT ? undefined : TILL_CURRENCY,
  });
  const report: ShiftReport = { ...stored, operations: rebuilt.operations };
  if (rebuilt.unresolved.length > 0 || canonical(figuresOf(rebuilt)) !== canonical(figuresOf(report))) {
    throw new PaydeskError('report.integrity', `${label}: totals recomputed from the journal differ from the stored ones`);
  }
  return report;
}

/** Which Z: by its number, by its shift, or (neither) the latest. */
export interface ZRef {
  number?: number;
  shiftId?: number;
}

interface ZRowDb { number: number; body_json: string; sha256: string }

/** A stored Z read whole (readZ), or report.not_found: what the core and the report worker both call. */
export function readZByRef(sqlite: Database.Database, ref: ZRef): ShiftReport {
  const row = (ref.number !== undefined
    ? stmt(sqlite, 'SELECT number, body_json, sha256 FROM z_reports WHERE number = ?').get(ref.number)
    : ref.shiftId !== undefined
      ? stmt(sqlite, 'SELECT number, body_json, sha256 FROM z_reports WHERE shift_id = ?').get(ref.shiftId)
      : stmt(sqlite, 'SELECT number, body_json, sha256 FROM z_reports ORDER BY number DESC LIMIT 1').get()) as ZRowDb | undefined;
  if (!row) {
    throw new PaydeskError('report.not_found', ref.number !== undefined ? `Z ${ref.number}` : ref.shiftId !== undefined ? `Z of shift ${ref.shiftId}` : 'no Z report yet');
  }
  return readZ(sqlite, row.body_json, row.sha256, `Z ${row.number}`);
}
