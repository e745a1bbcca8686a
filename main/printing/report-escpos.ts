// A report as ESC/POS bytes, and the report an output-history row was made from: pure work on a report or a
// read connection, shared by the report worker (main/reports/report-worker.ts, where the receipt printer's
// bytes are normally made, off the core's loop) and the core's in-process fallback (service.ts).
import type Database from 'better-sqlite3';
import { PaydeskError } from '../errors/catalogue';
import type { ShiftReport } from '../reports/model';
import { decodeStoredReport } from '../reports/stored';
import { reportLines } from '../reports/text';
import { readZ } from '../reports/z-store';
import type { ReportOutputsTable } from '../shifts/tables';
import type { Selectable } from 'kysely';
import { charsPerLine, type PrinterConfig } from './config';
import { encodeEscpos } from './escpos';

/** ESC/POS bytes for a report at the printer's width. */
export function reportEscpos(report: ShiftReport, config: PrinterConfig, options: { summaryOnly?: boolean } = {}): Buffer {
  const width = charsPerLine(config);
  return encodeEscpos(reportLines(report, { width, summaryOnly: options.summaryOnly ?? false }), { ...config, width });
}

type OutputReportRow = Pick<Selectable<ReportOutputsTable>, 'report_type' | 'z_number' | 'body_json'>;

/** The report an output row was made from (X: the snapshot kept in the row; Z: the immutable z_reports body). */
export function reportOfOutput(sqlite: Database.Database, id: number): ShiftReport {
  const row = sqlite.prepare('SELECT report_type, z_number, body_json FROM report_outputs WHERE id = ?').get(id) as OutputReportRow | undefined;
  if (!row) throw new PaydeskError('report.not_found', `output ${id}`);
  if (row.report_type === 'x') {
    if (!row.body_json) throw new PaydeskError('report.not_found', `output ${id} has no snapshot`);
    return decodeStoredReport(row.body_json);
  }
  const z = sqlite.prepare('SELECT body_json, sha256 FROM z_reports WHERE number = ?').get(row.z_number) as { body_json: string; sha256: string } | undefined;
  if (!z) throw new PaydeskError('report.not_found', `Z ${String(row.z_number)}`);
  return readZ(sqlite, z.body_json, z.sha256, `Z ${String(row.z_number)}`);
}
