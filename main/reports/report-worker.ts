// The report worker's side: its own read-only connection to the journal, X reports and PDFs computed
// here, off the core's event loop (main/reports/worker.ts is the core's side). A read transaction in
// WAL mode sees one consistent snapshot and never blocks the till's writes.
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ReportContractError } from './checked-json';
import type { ShiftReport } from './model';
import { reportPdf } from './pdf';
import { xReportText } from './x-text';
import type { WorkerProgress, WorkerRequest, WorkerReply } from './worker';

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

// One read transaction: the lines and the totals come from the same snapshot of the journal.
const xReportJson = sqlite.transaction((req: Extract<WorkerRequest, { type: 'x' }>): string => xReportText(sqlite, req));

parentPort?.on('message', (req: WorkerRequest) => {
  void (async () => {
    let reply: WorkerReply;
    try {
      if (req.type === 'x') {
        // Checked here, not on the core: the core splices this text into the window's frame unparsed.
        reply = { id: req.id, ok: true, json: xReportJson(req) };
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
      reply = { id: req.id, ok: false, error: error instanceof Error ? error.message : String(error), ...(error instanceof ReportContractError ? { contract: true } : {}) };
    }
    parentPort?.postMessage(reply);
  })();
});
