// The report worker's side: its own read-only connection to the journal; X reports, stored Zs read back,
// exports, PDFs and receipt-printer (ESC/POS) bytes computed here, off the core's event loop
// (main/reports/worker.ts is the core's side). A read transaction in WAL mode sees one consistent snapshot and
// never blocks the till's writes.
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { PaydeskError } from '../errors/catalogue';
import { reportEscpos, reportOfOutput } from '../printing/report-escpos';
import { checkedReportJson, checkReport, ReportContractError } from './checked-json';
import { computeReport } from './compute';
import { loadShift, loadShiftOperations, loadShiftTenders } from './load';
import { zFiguresOf, type ShiftReport, type XReportRequest, type ZFigures } from './model';
import { reportPdf } from './pdf';
import { renderReport } from './render';
import { encodeStoredReport } from './stored';
import type { ExportSource, PrintSource, WorkerProgress, WorkerRequest, WorkerReply } from './worker';
import { xReportText } from './x-text';
import { readZByRef, type ZRef } from './z-store';

const { file } = workerData as { file: string };
// On Linux a thread has its own nice value (setpriority on the calling thread's id, which pid 0 means):
// a report yields the CPU to the till's payment path on a busy 2-core machine. Elsewhere the call would
// lower the whole process, so it is not made.
if (process.platform === 'linux') {
  try {
    os.setPriority(10);
  } catch {
    // not permitted: the report just runs at normal priority
  }
}
const sqlite = new Database(file, { readonly: true, fileMustExist: true });
sqlite.pragma('busy_timeout = 5000');

// Each in one read transaction: lines, totals and (Z) the covered rows come from the same snapshot.
const xReportJson = sqlite.transaction((req: XReportRequest): string => xReportText(sqlite, req));
const zReport = sqlite.transaction((ref: ZRef): ShiftReport => readZByRef(sqlite, ref));
const xReport = sqlite.transaction((req: XReportRequest): ShiftReport => {
  const shift = loadShift(sqlite, req.shiftId);
  if (!shift) throw new Error(`shift ${req.shiftId} not found`);
  return computeReport({
    type: 'x', zNumber: null, shift, till: req.till, generatedAt: req.generatedAt,
    operations: loadShiftOperations(sqlite, shift.id), tenders: loadShiftTenders(sqlite, shift.id),
    environment: req.environment, tenderVoids: req.tenderVoids, refColumns: req.refColumns,
  });
});
const zFigures = sqlite.transaction((numbers: number[]): (ZFigures | null)[] => numbers.map((number) => {
  let z: ShiftReport;
  try {
    z = readZByRef(sqlite, { number });
  } catch (error) {
    if (error instanceof PaydeskError && error.key === 'report.not_found') return null;
    throw error;
  }
  return zFiguresOf(z);
}));

const sourceReport = (source: ExportSource): ShiftReport => (source.type === 'x' ? xReport(source.request) : zReport(source.ref));
// A reprint reads the output row and (Z) the stored body and its covered rows in one snapshot too.
const outputReport = sqlite.transaction((outputId: number): ShiftReport => reportOfOutput(sqlite, outputId));
const printReport = (source: PrintSource): ShiftReport => (source.type === 'output' ? outputReport(source.outputId) : sourceReport(source));

/** Sends the bytes by transfer, not as a copy. */
function postBytes(reply: WorkerReply & { ok: true }, bytes: Buffer): void {
  const owned = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
  parentPort?.postMessage({ ...reply, bytes: owned } satisfies WorkerReply, [owned.buffer]);
}

parentPort?.on('message', (req: WorkerRequest) => {
  void (async () => {
    let reply: WorkerReply;
    try {
      if (req.type === 'x') {
        // Checked here, not on the core: the core splices this text into the window's frame unparsed.
        reply = { id: req.id, ok: true, json: xReportJson(req) };
      } else if (req.type === 'z') {
        reply = { id: req.id, ok: true, json: checkedReportJson(zReport(req.ref)) };
      } else if (req.type === 'zFigures') {
        reply = { id: req.id, ok: true, figures: zFigures(req.numbers) };
      } else if (req.type === 'export') {
        const report = sourceReport(req.source);
        const bytes = await renderReport(report, req.format, (r) => reportPdf(r));
        postBytes({
          id: req.id, ok: true, meta: { type: report.type, zNumber: report.zNumber, shiftId: report.shift.id },
          // An X is kept whole with its output record (reprint, history); a Z is immutable in z_reports.
          snapshot: report.type === 'x' ? encodeStoredReport(report) : null,
        }, bytes);
        return;
      } else if (req.type === 'escpos') {
        const report = printReport(req.source);
        checkReport(report); // refused here (ReportContractError), never printed
        const made = {
          id: req.id, ok: true as const, meta: { type: report.type, zNumber: report.zNumber, shiftId: report.shift.id },
          snapshot: report.type === 'x' ? encodeStoredReport(report) : null,
        };
        if (req.printer === null) {
          reply = made;
        } else {
          let bytes: Buffer;
          try {
            bytes = reportEscpos(report, req.printer, { summaryOnly: req.summaryOnly });
          } catch (error) {
            // The core records the print and fails it with this, as when it rendered the bytes itself.
            reply = { ...made, renderError: error instanceof Error ? error.message : String(error) };
            parentPort?.postMessage(reply);
            return;
          }
          postBytes(made, bytes);
          return;
        }
      } else if (req.type === 'pdf') {
        const pdf = await reportPdf(JSON.parse(req.reportJson) as ShiftReport, {
          onPage: (progress) => parentPort?.postMessage({ id: req.id, progress } satisfies WorkerProgress),
        });
        // Transfer the bytes, not a copy.
        const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength).slice();
        parentPort?.postMessage({ id: req.id, ok: true, pdf: bytes } satisfies WorkerReply, [bytes.buffer]);
        return;
      } else {
        sqlite.close();
        reply = { id: req.id, ok: true };
      }
    } catch (error) {
      reply = {
        id: req.id, ok: false, error: error instanceof Error ? error.message : String(error),
        ...(error instanceof ReportContractError ? { contract: true } : {}),
        ...(error instanceof PaydeskError ? { key: error.key, ...(error.details !== undefined ? { details: error.details } : {}) } : {}),
      };
    }
    parentPort?.postMessage(reply);
  })();
});
