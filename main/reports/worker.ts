// Reports off the core's event loop: X reports, stored Zs read back, exports, PDFs and receipt-printer bytes
// run in a worker thread with its own read-only connection (main/reports/report-worker.ts), so a 10k-operation
// report never delays a payment's dispatch on the core's loop. Results come back as a JSON string (one memcpy across threads) —
// callers that only forward the report (to the renderer, to a file) need not parse it on the loop.
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ReportContractError } from './checked-json';
import { isErrorKey, PaydeskError } from '../errors/catalogue';
import type { PrinterConfig } from '../printing/config';
import type { ShiftReport, XReportRequest, ZFigures } from './model';
import type { PdfProgress } from './pdf';
import type { ExportFormat } from './render';
import type { ZRef } from './z-store';

/** What an export file is of: its name and its output record are made from this (main/api/shift-api.ts). */
export interface ExportMeta {
  type: 'x' | 'z';
  zNumber: number | null;
  shiftId: number;
}


export type ExportSource = { type: 'x'; request: XReportRequest } | { type: 'z'; ref: ZRef };

/** What a receipt-printer print is of: an X or a Z as exports name them, or an earlier output row (reprint). */
export type PrintSource = ExportSource | { type: 'output'; outputId: number };

/** A print made in the worker: what it is of, an X's snapshot, and its ESC/POS bytes or why they could not be made. */
export interface EscposMade {
  meta: ExportMeta;
  snapshot: string | null;
  /** null when no printer was given (not configured: nothing to render) or rendering failed (renderError). */
  bytes: Buffer | null;
  renderError: string | null;
}

export type WorkerRequest =
  | ({ id: number; type: 'x' } & XReportRequest)
  | { id: number; type: 'z'; ref: ZRef }
  | { id: number; type: 'export'; source: ExportSource; format: ExportFormat }
  | { id: number; type: 'zFigures'; numbers: number[] }
  /** printer null: the report is made and checked, its snapshot returned, nothing rendered. */
  | { id: number; type: 'escpos'; source: PrintSource; printer: PrinterConfig | null; summaryOnly: boolean }
  | { id: number; type: 'pdf'; reportJson: string }
  | { id: number; type: 'close' };

export type WorkerReply =
  | {
    id: number; ok: true; json?: string; pdf?: Uint8Array;
    /** export: the file's bytes, what it is of, and an X's snapshot (stored with the output record) */
    bytes?: Uint8Array; meta?: ExportMeta; snapshot?: string | null;
    /** escpos: the printer's bytes could not be made (an unknown encoding): the core fails that print's record with it */
    renderError?: string;
    figures?: (ZFigures | null)[];
  }
  /**
   * `contract`: the worker's report failed the contract's schema (main/reports/checked-json.ts).
   * `key`, `details`: a catalogue error (report.not_found, report.integrity) to raise as it is on the core.
   */
  | { id: number; ok: false; error: string; contract?: true; key?: string; details?: string };

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
  private stopped: Error | null = null;

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
      else if (reply.contract) p.reject(new ReportContractError(reply.error));
      else if (reply.key !== undefined && isErrorKey(reply.key)) p.reject(new PaydeskError(reply.key, reply.details));
      else p.reject(new Error(reply.error));
    });
    this.worker.on('error', (error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
    // A thread that stops without an error event (terminated, process.exit in it) would leave its requests
    // waiting for ever, a print among them: they fail, and the caller falls back to the core's thread.
    this.worker.on('exit', (code) => {
      this.stopped = new Error(`the report worker stopped (exit code ${code})`);
      for (const p of this.pending.values()) p.reject(this.stopped);
      this.pending.clear();
    });
  }

  private ask(req: DistributiveOmit<WorkerRequest, 'id'>, onProgress?: (progress: PdfProgress) => void): Promise<WorkerReply & { ok: true }> {
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve, reject) => {
      if (this.stopped) {
        reject(this.stopped);
        return;
      }
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

  /**
   * A stored Z as JSON text, read back whole on the worker's connection (readZ: hashes, covered rows, totals
   * recomputed) and checked against the contract there; report.not_found / report.integrity as PaydeskError.
   */
  async zReportJson(ref: ZRef): Promise<string> {
    const { json } = await this.ask({ type: 'z', ref });
    if (typeof json !== 'string' || !json.startsWith('{')) throw new ReportContractError('the report worker replied without a Z report');
    return json;
  }

  /** An X or Z report rendered as an export file in the worker: its bytes, what it is of, and an X's snapshot. */
  async exportReport(source: ExportSource, format: ExportFormat): Promise<{ bytes: Buffer; meta: ExportMeta; snapshot: string | null }> {
    const reply = await this.ask({ type: 'export', source, format });
    if (!reply.bytes || !reply.meta) throw new Error('the report worker replied without an export');
    return { bytes: Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength), meta: reply.meta, snapshot: reply.snapshot ?? null };
  }

  /**
   * A report for the receipt printer, made, checked against the contract and rendered as ESC/POS in the worker:
   * only the bytes, what they are of and an X's snapshot come back (the core records the output and sends them).
   */
  async escposReport(source: PrintSource, printer: PrinterConfig | null, options: { summaryOnly?: boolean } = {}): Promise<EscposMade> {
    const reply = await this.ask({ type: 'escpos', source, printer, summaryOnly: options.summaryOnly ?? false });
    const renderError = reply.renderError ?? null;
    if (!reply.meta || reply.snapshot === undefined || (printer !== null && !reply.bytes && renderError === null)) {
      throw new Error('the report worker replied without a print');
    }
    const bytes = reply.bytes ? Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength) : null;
    return { meta: reply.meta, snapshot: reply.snapshot, bytes, renderError };
  }

  /** The figures of stored Zs by number (null: no such Z), each read and checked whole in the worker. */
  async zFigures(numbers: number[]): Promise<(ZFigures | null)[]> {
    const reply = await this.ask({ type: 'zFigures', numbers });
    if (!reply.figures || reply.figures.length !== numbers.length) throw new Error('the report worker replied without Z figures');
    return reply.figures;
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
