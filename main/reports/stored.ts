// How a Z report is stored: the same ShiftReport, with its operation lines as columns + rows instead of
// 10,000 objects repeating every key. A third smaller, so closing a shift serialises, hashes and writes
// less inside its transaction. Pure; reading accepts the older plain form too.
import { createHash } from 'node:crypto';
import { PaydeskError } from '../errors/catalogue';
import type { ReportLine, ShiftReport } from './model';

interface ColumnarLines {
  cols: (keyof ReportLine)[];
  rows: unknown[][];
}

type StoredReport = Omit<ShiftReport, 'operations'> & { format: 2; operations: ColumnarLines };

export function encodeStoredReport(report: ShiftReport): string {
  const cols = (report.operations[0] ? Object.keys(report.operations[0]) : []) as (keyof ReportLine)[];
  const rows = report.operations.map((line) => cols.map((c) => line[c]));
  const stored: StoredReport = { ...report, format: 2, operations: { cols, rows } };
  return JSON.stringify(stored);
}

export function decodeStoredReport(text: string): ShiftReport {
  const parsed = JSON.parse(text) as ShiftReport | StoredReport;
  if (!('format' in parsed) || parsed.format !== 2) return parsed as ShiftReport;
  const { cols, rows } = parsed.operations;
  const operations = rows.map((row) => Object.fromEntries(cols.map((c, i) => [c, row[i]])) as unknown as ReportLine);
  const { format: _format, ...rest } = parsed;
  return { ...rest, operations };
}

export function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** A stored Z, checked against the hash written with it (tampering is refused, never shown). */
export function readStoredZ(body: string, sha256: string, label: string): ShiftReport {
  if (bodyHash(body) !== sha256) throw new PaydeskError('report.integrity', label);
  return decodeStoredReport(body);
}
