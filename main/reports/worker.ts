// Reports off the core's event loop: X reports and PDFs run in a worker thread with its own read-only
// connection (main/reports/report-worker.ts), so a 10k-operation report never delays a payment's
// dispatch on the core's loop. Results come back as a JSON string (one memcpy across threads) —
// callers that only forward the report (to the renderer, to a file) need not parse it on the loop.
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ReportContractError } from './checked-json';
import type { ShiftReport, XReportRequest } from './model';
import type { PdfProgress } from './pdf';

export type WorkerRequest =
  | ({ id: number; type: 'x' } & XReportRequest)
  | { id: number; type: 'pdf'; reportJson: string }
  | { id: number; type: 'close' };

export type WorkerReply =
  | { id: number; ok: true; json?: string; pdf?: Uint8Array }
  /** `contract`: the worker's report failed the contract's schema (main/reports/checked-json.ts). */
  | { id: number; ok: false; error: string; contract?: true };

/** Sent while a PDF is laid out, page by page, before its reply. */
export interface WorkerProgress { id: number; progress: PdfProgress }

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
type Pending = { resolve: (reply: WorkerReply & { ok: true }) => void; reject: (error: Error) => void; onProgress?: (progress: PdfProgress) => void };

/** The worker's entry: the bundled .mjs beside a built bundle, else the TypeScript source through tsx. */
function spawnWorker(file: string): Worker {
  const built = new URL('./report-worker.mjs', import.meta.url);
  if (fs.existsSync(fileURLToPath(built))) return new Worker(built, { workerData: { file } });
  const source = pathToFileURL(fileURLToPath(new URL('./report-worker.ts', import.meta.url))).href;
  const bootstrap = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: { file } });
}

export class ReportWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(journalFile: string) {
    this.worker = spawnWorker(journalFile);
    this.worker.unref();
    this.worker.on('message', (reply: WorkerReply | WorkerProgress) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      if ('progress' in reply) {
        p.onProgress?.(reply.progress);
        return;
      }
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply);
      else p.reject(reply.contract ? new ReportContractError(reply.error) : new Error(reply.error));
    });
    this.worker.on('error', (error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
  }

  private ask(req: DistributiveOmit<WorkerRequest, 'id'>, onProgress?: (progress: PdfProgress) => void): Promise<WorkerReply & { ok: true }> {
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      this.worker.postMessage({ ...req, id });
    });
  }

  /**
   * The X report of a shift as JSON text, computed on the worker's own snapshot of the journal and checked
   * there against the contract's report schema; a reply without a report is refused (ReportContractError).
   */
  async xReportJson(request: XReportRequest): Promise<string> {
    const { json } = await this.ask({ type: 'x', ...request });
    if (typeof json !== 'string' || !json.startsWith('{')) throw new ReportContractError('the report worker replied without an X report');
    return json;
  }

  async xReport(request: XReportRequest): Promise<ShiftReport> {
    return JSON.parse(await this.xReportJson(request)) as ShiftReport;
  }

  /** A report's PDF, laid out in the worker; onProgress hears of each finished page. */
  async pdf(report: ShiftReport | string, onProgress?: (progress: PdfProgress) => void): Promise<Buffer> {
    const reply = await this.ask({ type: 'pdf', reportJson: typeof report === 'string' ? report : JSON.stringify(report) }, onProgress);
    const bytes = reply.pdf ?? new Uint8Array();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async close(): Promise<void> {
    await this.ask({ type: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }
}
