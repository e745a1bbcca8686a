// How a report is stored whole (a printed X's snapshot; Z bodies of earlier versions): the same
// ShiftReport, with its operation lines as columns + rows instead of 10,000 objects repeating every
// key. Reading is one versioned parse (zod, the contract's report schema) of every form ever written:
//   no format  — plain ShiftReport (oldest);
//   format 2   — columnar lines, before refs (lines carry the old id fields: legacy.ts);
//   format 5   — columnar lines with refs and refColumns, one set of totals for all currencies;
//   format 7   — the same with totals per currency and each line's currency (written now).
// Older shapes are upgraded by legacy.ts. (Formats 3, 4 and 6 are compact Z bodies: z-store.ts.)
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { shiftReportSchema } from '../contract/api';
import { PaydeskError } from '../errors/catalogue';
import { upgradeStoredReport } from './legacy';
import type { ReportLine, ShiftReport } from './model';

export const COLUMNAR_FORMAT = 7;

const columnarSchema = z.object({
  format: z.union([z.literal(2), z.literal(5), z.literal(COLUMNAR_FORMAT)]),
  operations: z.object({ cols: z.array(z.string()), rows: z.array(z.array(z.unknown())) }),
}).loose();

interface ColumnarLines {
  cols: (keyof ReportLine)[];
  rows: unknown[][];
}

type StoredReport = Omit<ShiftReport, 'operations'> & { format: typeof COLUMNAR_FORMAT; operations: ColumnarLines };

export function encodeStoredReport(report: ShiftReport): string {
  const cols = (report.operations[0] ? Object.keys(report.operations[0]) : []) as (keyof ReportLine)[];
  const rows = report.operations.map((line) => cols.map((c) => line[c]));
  const stored: StoredReport = { ...report, format: COLUMNAR_FORMAT, operations: { cols, rows } };
  return JSON.stringify(stored);
}

/** Columnar lines back into objects; any other shape is left for the schema to judge. */
function expandColumnar(value: unknown): unknown {
  const columnar = columnarSchema.safeParse(value);
  if (!columnar.success) return value;
  const { format: _format, operations, ...rest } = columnar.data;
  return { ...rest, operations: operations.rows.map((row) => Object.fromEntries(operations.cols.map((c, i) => [c, row[i]]))) };
}

/** Any stored whole report, upgraded to the current shape and checked field by field. */
export const storedReportSchema = z.preprocess((value) => upgradeStoredReport(expandColumnar(value)), shiftReportSchema);

/** Parses a stored whole report; one that does not fit is refused (report.integrity), never cast. */
export function decodeStoredReport(text: string, label = 'stored report'): ShiftReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PaydeskError('report.integrity', `${label}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = storedReportSchema.safeParse(value);
  if (!parsed.success) throw new PaydeskError('report.integrity', `${label}: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** A stored Z, checked against the hash written with it (tampering is refused, never shown). */
export function readStoredZ(body: string, sha256: string, label: string): ShiftReport {
  if (bodyHash(body) !== sha256) throw new PaydeskError('report.integrity', label);
  return decodeStoredReport(body, label);
}
