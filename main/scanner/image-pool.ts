// Runs still-picture decodes in one worker thread (image-worker.ts), one at a time, so the core's event
// loop keeps serving serial scans, the API and the payment while an image is read. A decode that takes
// longer than timeoutMs ends the worker (a fresh one starts for the next picture) and is answered
// "not decoded"; a crashed worker is replaced the same way. Nothing is ever decoded on the caller's loop.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImageDecode, ImageInput } from './image';
import type { DecodeReply, DecodeRequest } from './image-worker';

export interface ImageDecoderPool {
  decode(input: ImageInput): Promise<ImageDecode>;
  close(): Promise<void>;
}

export interface ImageDecoderPoolOptions {
  /** Longest decode before the worker is ended and the picture answered "not decoded". */
  timeoutMs?: number;
}

/**
 * The worker script: the bundled `scan-worker.mjs` next to the built shell (scripts/build.mjs), or the
 * TypeScript source through tsx when running from the source tree (tests, `npm run paydesk`).
 */
function workerScript(): string {
  const bundled = fileURLToPath(new URL('./scan-worker.mjs', import.meta.url));
  return fs.existsSync(bundled) ? bundled : fileURLToPath(new URL('./image-worker.dev.mjs', import.meta.url));
}

interface Job { id: number; input: ImageInput; resolve: (result: ImageDecode) => void }

export function createImageDecoderPool(options: ImageDecoderPoolOptions = {}): ImageDecoderPool {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const queue: Job[] = [];
  let worker: Worker | null = null;
  let current: Job | null = null;
  let timer: NodeJS.Timeout | null = null;
  let nextId = 1;
  let closed = false;

  const finish = (result: ImageDecode): void => {
    const job = current;
    current = null;
    if (timer) clearTimeout(timer);
    timer = null;
    job?.resolve(result);
    pump();
  };

  const discard = (why: string): void => {
    const w = worker;
    worker = null;
    if (w) void w.terminate();
    if (current) finish({ ok: false, detail: why });
  };

  const spawn = (): Worker => {
    const w = new Worker(workerScript());
    w.unref();
    w.on('message', (reply: DecodeReply) => {
      if (w === worker && current && reply.id === current.id) finish(reply.result);
    });
    w.on('error', (error) => { if (w === worker) discard(`decoder crashed: ${error.message}`); });
    w.on('exit', (code) => { if (w === worker) discard(`decoder exited (${code})`); });
    return w;
  };

  function pump(): void {
    if (current || closed) return;
    const job = queue.shift();
    if (!job) return;
    current = job;
    worker ??= spawn();
    timer = setTimeout(() => discard(`decode took longer than ${timeoutMs} ms`), timeoutMs);
    const request: DecodeRequest = { id: job.id, input: job.input };
    worker.postMessage(request);
  }

  return {
    decode(input) {
      if (closed) return Promise.resolve({ ok: false, detail: 'scanner stopped' });
      return new Promise((resolve) => {
        queue.push({ id: nextId++, input, resolve });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.resolve({ ok: false, detail: 'scanner stopped' });
      if (current) finish({ ok: false, detail: 'scanner stopped' });
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
