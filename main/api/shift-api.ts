// The manager's shift and report methods of the API: open / close (Z, reconciled with the payment
// providers), tenders outside them (cash, …), X / Z reports on screen, printing (with history, reprintable) and
// exports under the data folder. The status bar's shift summary is computed here too.
import fs from 'node:fs';
import path from 'node:path';
import type {
  ExportResultView, PrintResultView, ShiftReportDto, ShiftStatusView, ShiftViewDto, ShiftWarningDto, ZSummaryView,
} from '../contract/api';
import type { StartedCore } from '../core/core';
import type { Core } from '../core/types';
import { describeError, PaydeskError } from '../errors/catalogue';
import type { PrinterTransport } from '../printing/transport';
import type { PrinterConfig } from '../printing/config';
import { ReportPrinter, type PrintResult } from '../printing/service';
import { zFiguresOf, type ShiftReport } from '../reports/model';
import { checkReport, ReportContractError } from '../reports/checked-json';
import { renderReport } from '../reports/render';
import { encodeStoredReport } from '../reports/stored';
import { ReportWorker, type ExportMeta, type ExportSource, type PrintSource } from '../reports/worker';
import type { ZRef } from '../reports/z-store';
import type { ShiftView, ShiftWarning } from '../shifts/service';
import type { ApiHandlers } from './dispatcher';
import { systemPrinter, type OsPrinter } from './os-print';
import { PreSerialized } from './pre-serialized';

// The contract's report DTOs must stay the report model: a field added to one and not the other fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const reportMatches: Same<ShiftReport, ShiftReportDto> = true;
const shiftMatches: Same<ShiftView, ShiftViewDto> = true;
const warningFits: ShiftWarning extends ShiftWarningDto ? true : false = true;
void reportMatches;
void shiftMatches;
void warningFits;

/** What the shift API needs of the core (the shells pass the StartedCore). */
export type SessionCore = Core & Pick<StartedCore, 'shifts' | 'statusLookup'> & Partial<Pick<StartedCore, 'warmConnection' | 'fiscal' | 'savedCards' | 'providers'>>;

export interface ShiftApiOptions {
  core: SessionCore;
  /** Called after anything that changes the shift (open, close, tender): the session pushes a status. */
  onChange: () => void;
  /** Replace the printer transport (tests); default: the configured serial port or device file. */
  printerTransport?: (config: PrinterConfig) => PrinterTransport;
  /** Replace the OS print service (tests); default: lp / the Windows Print verb (main/api/os-print.ts). */
  osPrint?: OsPrinter;
  /** How the shell opens an exported file (report.open); without it the answer only says where the file is. */
  openFile?: FileOpener;
}

/** Electron: shell.openPath; kiosk: a download address (main/shell/kiosk/downloads.ts). */
export type FileOpener = (file: string) => Promise<{ url: string | null; opened: boolean }>;

export type ShiftMethod =
  | 'shift.current' | 'shift.open' | 'shift.claim' | 'shift.close' | 'shift.tender'
  | 'report.x' | 'report.z' | 'report.list' | 'report.print' | 'report.printOs' | 'report.reprint' | 'report.export' | 'report.open'
  | 'shift.voidTender' | 'admin.call' | 'admin.answer' | 'admin.calls';

export interface ShiftApi {
  handlers: Pick<ApiHandlers, ShiftMethod>;
  /** The status bar's shift summary. */
  status(): ShiftStatusView;
  /** Folder the exports are written to. */
  readonly exportDir: string;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
function stamp(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

export function exportFileName(report: Pick<ShiftReport, 'type' | 'zNumber'> & { shift: { id: number } }, format: 'csv' | 'pdf' | 'txt', now: Date): string {
  return report.type === 'z'
    ? `Z-${pad(report.zNumber ?? 0, 4)}-shift-${report.shift.id}.${format}`
    : `X-shift-${report.shift.id}-${stamp(now)}.${format}`;
}

type ReportRef = { type: 'x' | 'z'; number?: number; shiftId?: number };
const zRefOf = (ref: ReportRef): ZRef => ({ ...(ref.number !== undefined ? { number: ref.number } : {}), ...(ref.shiftId !== undefined ? { shiftId: ref.shiftId } : {}) });
const metaOf = (report: ShiftReport): ExportMeta => ({ type: report.type, zNumber: report.zNumber, shiftId: report.shift.id });

/** Where report exports are written: exports/ next to the journal (the kiosk serves only from here). */
export function exportDirFor(core: Pick<SessionCore, 'journal'>): string {
  return path.join(path.dirname(core.journal.file), 'exports');
}

export function createShiftApi(options: ShiftApiOptions): ShiftApi {
  const { core, onChange } = options;
  const shifts = core.shifts;
  const exportDir = exportDirFor(core);
  const printerConfig = (): PrinterConfig => core.config.current().printer;
  const printer = new ReportPrinter(core.journal, printerConfig, options.printerTransport ? { transport: options.printerTransport } : {});
  // X reports (tens of ms for 10k operations), stored Zs read back whole, exports, PDFs (~1 s) and the receipt
  // printer's ESC/POS bytes are made in the report worker on its own read connection, off the core's loop
  // (docs/architecture.md "Reports off the core's loop"); in-process only if the worker cannot run.
  let reportWorker: ReportWorker | null = null;
  const offLoop = async <T, U = T>(work: (worker: ReportWorker) => Promise<T>, inProcess: () => U | Promise<U>): Promise<T | U> => {
    try {
      reportWorker ??= new ReportWorker(core.journal.file);
      return await work(reportWorker);
    } catch (error) {
      // A report that broke the contract is a bug to show, not a worker to replace (it would fail again); a
      // catalogue error (report.not_found, report.integrity) is the answer itself.
      if (error instanceof ReportContractError || error instanceof PaydeskError) throw error;
      void reportWorker?.close();
      reportWorker = null;
      return inProcess();
    }
  };
  // pdfkit costs ~0.3 s to load: only when a PDF is made on this thread (the worker normally makes it), not at start-up.
  const pdfInProcess = async (report: ShiftReport): Promise<Buffer> => (await import('../reports/pdf')).reportPdf(report);
  // The worker's text, checked there, goes to the window unparsed (main/api/pre-serialized.ts); in-process
  // the report is an object the dispatcher checks as before.
  const xReport = (shiftId: number | undefined): Promise<ShiftReport | PreSerialized<ShiftReport>> => {
    const req = shifts.xReportRequest(shiftId); // shift.not_open / shift.not_found, as before
    return offLoop(async (w) => new PreSerialized<ShiftReport>(await w.xReportJson(req)), () => shifts.xReport(req.shiftId));
  };
  // What the worker makes an X or a Z from; refuses here as reportFor would (shift.not_open / shift.not_found).
  const sourceOf = (ref: ReportRef): ExportSource => (ref.type === 'x' ? { type: 'x', request: shifts.xReportRequest(ref.shiftId) } : { type: 'z', ref: zRefOf(ref) });
  let closing: Promise<ShiftReport | PreSerialized<ShiftReport>> | null = null;
  const osPrint = options.osPrint ?? systemPrinter();

  const reportFor = (ref: ReportRef): ShiftReport => {
    if (ref.type === 'x') return shifts.xReport(ref.shiftId);
    if (ref.number !== undefined) {
      const z = shifts.zReport(ref.number);
      if (!z) throw new PaydeskError('report.not_found', `Z ${ref.number}`);
      return z;
    }
    if (ref.shiftId !== undefined) {
      const z = shifts.zReportForShift(ref.shiftId);
      if (!z) throw new PaydeskError('report.not_found', `Z of shift ${ref.shiftId}`);
      return z;
    }
    const latest = shifts.latestZ();
    if (!latest) throw new PaydeskError('report.not_found', 'no Z report yet');
    return latest;
  };

  const printView = (result: PrintResult): PrintResultView => ({
    outputId: result.record.id,
    printed: result.record.status === 'done',
    error: result.cashierError ?? null,
    reportType: result.record.reportType,
    shiftId: result.record.shiftId,
    zNumber: result.record.zNumber,
  });

  const close = async (cashier: string, pendingReceipts?: { decidedBy: string; reason: string }): Promise<ShiftReport | PreSerialized<ShiftReport>> => {
    const open = shifts.current();
    if (!open) throw new PaydeskError('shift.not_open');
    // Checked before the reconciliation's network round trips; close() checks again in its transaction.
    const unresolved = shifts.unresolvedOperations();
    if (unresolved.length > 0) {
      throw new PaydeskError('shift.unresolved_operations', `${unresolved.length} unresolved: ${unresolved.slice(0, 10).join(', ')}${unresolved.length > 10 ? ', …' : ''}`);
    }
    // Receipts not yet sent (docs/outbox.md): only a manager's recorded decision lets the Z go first.
    const receipts = core.fiscal?.pendingForShift(open.id) ?? [];
    if (receipts.length > 0) {
      if (!pendingReceipts) throw new PaydeskError('shift.receipts_pending', `${receipts.length} receipt(s): jobs ${receipts.slice(0, 10).map((r) => r.jobId).join(', ')}`);
      core.fiscal?.recordCloseDecision(open.id, pendingReceipts, receipts);
    }
    // The Z is read back whole (10,000 lines rebuilt from the covered rows and checked: ~45 ms) in the report
    // worker, not on this loop; only the closing transaction runs here.
    const closed = await shifts.closeShiftAndReconcile(cashier, core.statusLookup);
    const zNumber = closed.zNumber as number;
    return offLoop(async (w) => new PreSerialized<ShiftReport>(await w.zReportJson({ number: zNumber }), closed), () => shifts.zReport(zNumber) ?? closed);
  };

  const handlers: ShiftApi['handlers'] = {
    'shift.current': () => {
      const config = core.config.current().shift;
      const shift = shifts.current();
      return {
        shift,
        warnings: shifts.warnings(),
        unresolved: shift ? shifts.unresolvedOperations(shift.id) : [],
        tenderKinds: [...config.tenderKinds],
        autoOpenOnSale: config.autoOpenOnSale,
        warnBeforeMinutes: config.warnBeforeMinutes,
      };
    },
    'shift.open': (input) => {
      const opened = shifts.open(input.cashier);
      onChange();
      return opened;
    },
    'shift.claim': (input) => {
      const claimed = shifts.claim(input.cashier);
      onChange();
      return claimed;
    },
    'shift.close': async (input) => {
      // A double press closes once: the second caller gets the same Z.
      closing ??= close(input.cashier, input.pendingReceipts).finally(() => {
        closing = null;
        onChange();
      });
      return closing;
    },
    'shift.tender': (input) => {
      const row = shifts.recordTender({
        kind: input.kind, amountKop: input.amountKop, direction: input.direction,
        ...(input.note ? { note: input.note } : {}), ...(input.cashier ? { cashier: input.cashier } : {}),
      });
      onChange();
      return row;
    },
    'report.x': (input) => xReport(input.shiftId),
    // Read back and checked in the worker; its text goes to the window unparsed, like report.x.
    'report.z': (input) => offLoop(async (w) => new PreSerialized<ShiftReport>(await w.zReportJson({ number: input.number })), () => reportFor({ type: 'z', number: input.number })),
    'report.list': async (input) => {
      const limit = input.limit ?? 10;
      const closed = shifts.list(limit + 1).filter((s) => s.zNumber !== null && s.closedAt !== null).slice(0, limit);
      const numbers = closed.map((s) => s.zNumber as number);
      // Each Z is read back whole and checked (its 10,000 lines rebuilt): in the worker, not on this loop.
      const figures = await offLoop((w) => w.zFigures(numbers), () => numbers.map((n) => {
        const z = shifts.zReport(n);
        return z ? zFiguresOf(z) : null;
      }));
      const out: ZSummaryView[] = [];
      closed.forEach((shift, i) => {
        const z = figures[i];
        if (!z) return;
        out.push({
          zNumber: shift.zNumber as number, shiftId: shift.id, openedAt: shift.openedAt, openedBy: shift.openedBy,
          closedAt: shift.closedAt as string, closedBy: shift.closedBy ?? '', ...z,
        });
      });
      return out;
    },
    'report.print': async (input) => printView(await printEscpos(sourceOf(input), () => reportFor(input))),
    'report.reprint': async (input) => printView(await printEscpos({ type: 'output', outputId: input.outputId }, () => printer.reportOf(input.outputId))),
    'report.printOs': async (input): Promise<PrintResultView> => {
      const { saved, meta, snapshot } = await exportTo(input, 'pdf');
      const record = printer.recordOf(meta, 'pdf', `os:${saved.path}`, snapshot);
      const title = meta.type === 'z' ? `Z ${meta.zNumber ?? ''} shift ${meta.shiftId}` : `X shift ${meta.shiftId}`;
      let problem: string | null = null;
      try {
        await osPrint(saved.path, title);
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      printer.finish(record.id, problem);
      return {
        outputId: record.id, printed: problem === null, error: problem === null ? null : describeError('print.failed', problem),
        reportType: meta.type, shiftId: meta.shiftId, zNumber: meta.zNumber,
      };
    },
    'report.export': async (input): Promise<ExportResultView> => (await exportTo(input, input.format)).saved,
    'report.open': async (input) => {
      const { saved } = await exportTo(input, input.format);
      const how = options.openFile ? await options.openFile(saved.path) : { url: null, opened: false };
      return { ...saved, ...how };
    },
    'shift.voidTender': (input) => {
      const row = shifts.voidTender(input);
      onChange();
      return row;
    },
    'admin.call': (input) => {
      const call = shifts.callAdmin(input.reason ?? '');
      onChange();
      return call;
    },
    'admin.answer': () => {
      const answered = shifts.answerAdmin();
      onChange();
      return { answered };
    },
    'admin.calls': (input) => shifts.adminCalls(input.since),
  };
  /**
   * Prints on the receipt printer: the report made (or read back from the output history), checked and rendered
   * as ESC/POS in the worker; here only the output record, the bytes sent and the answer. Recorded before the
   * bytes leave, as ReportPrinter.print: a failed print stays reprintable. If the worker cannot run, here as before.
   */
  async function printEscpos(source: PrintSource, inProcess: () => ShiftReport): Promise<PrintResult> {
    const config = printerConfig();
    const configured = config.enabled && config.path !== '';
    const made = await offLoop((w) => w.escposReport(source, configured ? config : null), () => null);
    if (made === null) {
      const report = inProcess();
      checkReport(report); // as the worker does: a report that breaks the contract is not printed
      return printer.print(report);
    }
    return printer.printMade(config, {
      of: made.meta, snapshot: made.snapshot,
      escpos: () => {
        if (made.bytes === null) throw new Error(made.renderError ?? 'the report worker made no bytes');
        return made.bytes;
      },
    });
  }

  /**
   * Renders the report and writes it atomically under exports/, recorded in the output history. The report is
   * made and rendered in the worker (only the bytes, what they are of and an X's snapshot come back); if the
   * worker cannot run, here as before.
   */
  async function exportTo(ref: ReportRef, format: 'csv' | 'pdf' | 'txt'): Promise<{ saved: ExportResultView; meta: ExportMeta; snapshot: string | null }> {
    const made = await offLoop((w) => w.exportReport(sourceOf(ref), format), () => null);
    if (made === null) return exportInProcess(reportFor(ref), format);
    const fileName = exportFileName({ type: made.meta.type, zNumber: made.meta.zNumber, shift: { id: made.meta.shiftId } }, format, new Date());
    const file = path.join(exportDir, fileName);
    const record = printer.recordOf(made.meta, format, file, made.snapshot);
    return { saved: writeExport(record.id, file, fileName, made.bytes), meta: made.meta, snapshot: made.snapshot };
  }

  async function exportInProcess(report: ShiftReport, format: 'csv' | 'pdf' | 'txt'): Promise<{ saved: ExportResultView; meta: ExportMeta; snapshot: string | null }> {
    const fileName = exportFileName(report, format, new Date());
    const file = path.join(exportDir, fileName);
    const snapshot = report.type === 'x' ? encodeStoredReport(report) : null;
    const record = printer.recordOf(metaOf(report), format, file, snapshot);
    let bytes: Buffer;
    try {
      bytes = await renderReport(report, format, pdfInProcess);
    } catch (error) {
      printer.finish(record.id, error instanceof Error ? error.message : String(error));
      throw error;
    }
    return { saved: writeExport(record.id, file, fileName, bytes), meta: metaOf(report), snapshot };
  }

  function writeExport(recordId: number, file: string, fileName: string, data: Buffer): ExportResultView {
    try {
      fs.mkdirSync(exportDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, data);
      fs.renameSync(tmp, file);
      printer.finish(recordId, null);
      return { fileName, path: file, bytes: data.length };
    } catch (error) {
      printer.finish(recordId, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  return {
    handlers,
    exportDir,
    status(): ShiftStatusView {
      const shift = shifts.current();
      if (!shift) return { state: 'none', id: null, openedAt: null, expiresAt: null, forgotten: false, environment: null, environmentChanged: false };
      const environment = shifts.environmentOf(shift.id);
      const environmentChanged = environment !== null && environment !== core.environment().mode;
      const warnings = shifts.warnings();
      const has = (key: ShiftWarning['key']): boolean => warnings.some((w) => w.key === key);
      const state = shift.status === 'expired' || has('shift.expired') ? 'expired' : has('shift.expires_soon') ? 'expires_soon' : 'open';
      return { state, id: shift.id, openedAt: shift.openedAt, expiresAt: shift.expiresAt, forgotten: has('shift.forgotten'), environment, environmentChanged };
    },
  };
}
