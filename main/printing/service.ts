// Printing and exporting reports with a history: every attempt is a report_outputs row written
// before the bytes leave, so a failed print never loses the report — it is reprinted from history
// (X: the snapshot kept in the row; Z: the immutable z_reports body).
import type Database from 'better-sqlite3';
import type { Journal } from '../journal/database';
import { describeError, PaydeskError, type CashierError } from '../errors/catalogue';
import type { ShiftReport } from '../reports/model';
import type { TextLine } from '../reports/text';
import { receiptBlockLines, type ReceiptBlock } from '../reports/receipt';
import type { ReportOutputFormat, ReportOutputStatus, ReportOutputsTable } from '../shifts/tables';
import type { Selectable } from 'kysely';
import { encodeStoredReport } from '../reports/stored';
import { charsPerLine, type PrinterConfig } from './config';
import { encodeEscpos } from './escpos';
import { reportEscpos, reportOfOutput } from './report-escpos';
import { transportFor, type PrinterTransport } from './transport';

export { reportEscpos } from './report-escpos';

export interface OutputRecord {
  id: number;
  reportType: 'x' | 'z';
  shiftId: number;
  zNumber: number | null;
  format: ReportOutputFormat;
  target: string;
  status: ReportOutputStatus;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface PrintResult {
  record: OutputRecord;
  /** Set when the print failed (key 'print.failed' or 'print.not_configured'). */
  cashierError?: CashierError;
}

/** A report_outputs row as SQLite returns it. */
type OutputDbRow = Selectable<ReportOutputsTable>;

const toRecord = (r: OutputDbRow): OutputRecord => ({
  id: r.id, reportType: r.report_type, shiftId: r.shift_id, zNumber: r.z_number, format: r.format, target: r.target,
  status: r.status, error: r.error, createdAt: r.created_at, finishedAt: r.finished_at,
});

export interface ReportPrinterOptions {
  now?: () => Date;
  /** Replace the transport (tests use the real serial one over a pty; this is for other shells). */
  transport?: (config: PrinterConfig) => PrinterTransport;
}

/**
 * A print made before it reaches the printer: what it is of, an X's snapshot (encodeStoredReport; null for a
 * Z) and its ESC/POS bytes, asked for only once the output is recorded (a rendering error fails that record).
 */
export interface MadePrint {
  of: { type: 'x' | 'z'; shiftId: number; zNumber: number | null };
  snapshot: string | null;
  escpos: () => Buffer;
}

export function receiptBlockEscpos(block: ReceiptBlock, config: PrinterConfig): Buffer {
  const width = charsPerLine(config);
  return encodeEscpos(receiptBlockLines(block, width), { ...config, width, cut: false, feedLines: 0 });
}

export class ReportPrinter {
  private readonly sqlite: Database.Database;
  private readonly now: () => Date;
  private readonly makeTransport: (config: PrinterConfig) => PrinterTransport;

  constructor(journal: Journal, private readonly getConfig: () => PrinterConfig, options: ReportPrinterOptions = {}) {
    this.sqlite = journal.sqlite;
    this.now = options.now ?? (() => new Date());
    this.makeTransport = options.transport ?? transportFor;
  }

  /** Records an output attempt before anything leaves the till (X snapshots are stored in the row). */
  record(report: ShiftReport, format: ReportOutputFormat, target: string): OutputRecord {
    return this.recordOf({ type: report.type, shiftId: report.shift.id, zNumber: report.zNumber }, format, target,
      report.type === 'x' ? encodeStoredReport(report) : null);
  }

  /**
   * The same record from what the report is of and its snapshot already encoded (encodeStoredReport, an X's;
   * null for a Z): prints and exports made in the report worker never bring the report onto the core's thread.
   */
  recordOf(of: { type: 'x' | 'z'; shiftId: number; zNumber: number | null }, format: ReportOutputFormat, target: string, snapshot: string | null): OutputRecord {
    const info = this.sqlite.prepare(`INSERT INTO report_outputs (report_type, shift_id, z_number, format, target, status, body_json, created_at)
      VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`).run(of.type, of.shiftId, of.zNumber, format, target, snapshot, this.now().toISOString());
    return this.get(Number(info.lastInsertRowid)) as OutputRecord;
  }

  finish(id: number, error: string | null): OutputRecord {
    this.sqlite.prepare('UPDATE report_outputs SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(error === null ? 'done' : 'failed', error, this.now().toISOString(), id);
    return this.get(id) as OutputRecord;
  }

  get(id: number): OutputRecord | null {
    const row = this.sqlite.prepare('SELECT * FROM report_outputs WHERE id = ?').get(id) as OutputDbRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Output history, newest first (optionally one shift's). */
  history(shiftId?: number, limit = 100): OutputRecord[] {
    const rows = (shiftId === undefined
      ? this.sqlite.prepare('SELECT * FROM report_outputs ORDER BY id DESC LIMIT ?').all(limit)
      : this.sqlite.prepare('SELECT * FROM report_outputs WHERE shift_id = ? ORDER BY id DESC LIMIT ?').all(shiftId, limit)) as OutputDbRow[];
    return rows.map(toRecord);
  }

  /** Prints that failed and were not printed successfully afterwards. */
  failedPrints(): OutputRecord[] {
    const rows = this.sqlite.prepare(`SELECT o.* FROM report_outputs o WHERE o.format = 'escpos' AND o.status <> 'done'
      AND NOT EXISTS (SELECT 1 FROM report_outputs l WHERE l.format = 'escpos' AND l.status = 'done' AND l.id > o.id
        AND l.report_type = o.report_type AND l.shift_id = o.shift_id AND l.z_number IS o.z_number)
      ORDER BY o.id DESC`).all() as OutputDbRow[];
    return rows.map(toRecord);
  }

  /** The report an output row was made from (X snapshot or the stored Z). */
  reportOf(id: number): ShiftReport {
    return reportOfOutput(this.sqlite, id);
  }

  /** Prints on the receipt printer. Never throws for printer trouble: the result says what happened. */
  async print(report: ShiftReport, options: { summaryOnly?: boolean } = {}): Promise<PrintResult> {
    const config = this.getConfig();
    return this.printMade(config, {
      of: { type: report.type, shiftId: report.shift.id, zNumber: report.zNumber },
      snapshot: report.type === 'x' ? encodeStoredReport(report) : null,
      escpos: () => reportEscpos(report, config, options),
    });
  }

  /**
   * Prints a report already made (normally in the report worker, main/api/shift-api.ts) with the config it was
   * made for: recorded first, then its bytes sent. Never throws for printer trouble, as print().
   */
  async printMade(config: PrinterConfig, made: MadePrint): Promise<PrintResult> {
    const target = config.path;
    const record = this.recordOf(made.of, 'escpos', target, made.snapshot);
    if (!config.enabled || target === '') {
      const failed = this.finish(record.id, 'printer not configured (printer.enabled / printer.path)');
      return { record: failed, cashierError: describeError('print.not_configured') };
    }
    try {
      await this.makeTransport(config).write(made.escpos());
      return { record: this.finish(record.id, null) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { record: this.finish(record.id, message), cashierError: describeError('print.failed', message) };
    }
  }

  /** Prints again the report of an earlier output (failed or not). */
  reprint(outputId: number, options: { summaryOnly?: boolean } = {}): Promise<PrintResult> {
    return this.print(this.reportOf(outputId), options);
  }

  /** Prints raw lines (a receipt block, a test page) without history. */
  async printLines(lines: readonly TextLine[]): Promise<void> {
    const config = this.getConfig();
    if (!config.enabled || config.path === '') throw new PaydeskError('print.not_configured');
    try {
      await this.makeTransport(config).write(encodeEscpos(lines, { ...config, width: charsPerLine(config) }));
    } catch (error) {
      throw new PaydeskError('print.failed', error instanceof Error ? error.message : String(error));
    }
  }
}
