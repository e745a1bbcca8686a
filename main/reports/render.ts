// A report as the bytes of an export file (CSV, text, PDF): one function for the report worker and for the
// core's fallback when the worker cannot run.
import { reportCsv } from './csv';
import type { ShiftReport } from './model';
import { reportText } from './text';

export type ExportFormat = 'csv' | 'pdf' | 'txt';

/** pdf: how the caller lays a PDF out (the worker with pdf.ts at hand; the core loads pdfkit only when needed). */
export async function renderReport(report: ShiftReport, format: ExportFormat, pdf: (report: ShiftReport) => Promise<Buffer>): Promise<Buffer> {
  if (format === 'pdf') return pdf(report);
  if (format === 'csv') return Buffer.from(reportCsv(report), 'utf8');
  return Buffer.from(reportText(report, 100), 'utf8');
}
