// The UI thread's side of the frame decode worker (frame.worker.ts): one frame at a time, the pixels
// transferred (not copied), every reply validated. A worker that errors or takes longer than
// FRAME_WORKER_TIMEOUT_MS is ended and a fresh one takes the next frame; the frame counts as a miss.
import type { DecodedFrame, FrameLike } from './frame-decode';
import { frameReplySchema, type FrameRequest } from './frame-worker-contract';

/** First use compiles the .wasm (~1 MB); a frame itself takes milliseconds (bench/results/scan-images.json). */
export const FRAME_WORKER_TIMEOUT_MS = 10_000;

export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export interface FrameWorkerDecoder {
  decode(frame: FrameLike): Promise<DecodedFrame | null>;
  close(): void;
}

export function createFrameWorkerDecoder(spawn: () => WorkerLike, options: { timeoutMs?: number } = {}): FrameWorkerDecoder {
  const timeoutMs = options.timeoutMs ?? FRAME_WORKER_TIMEOUT_MS;
  let worker: WorkerLike | null = null;
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();

  const drop = (): void => {
    worker?.terminate();
    worker = null;
  };

  const once = (frame: FrameLike): Promise<DecodedFrame | null> => new Promise((resolve) => {
    const { width, height } = frame;
    // a whole, unshared buffer can be handed over; anything else is copied first
    const whole = frame.data instanceof Uint8ClampedArray && frame.data.byteOffset === 0 && frame.data.byteLength === frame.data.buffer.byteLength
      && frame.data.buffer instanceof ArrayBuffer;
    const data: Uint8ClampedArray<ArrayBuffer> = whole ? frame.data as Uint8ClampedArray<ArrayBuffer> : new Uint8ClampedArray(frame.data);
    const id = nextId;
    nextId += 1;
    let current: WorkerLike;
    try {
      current = worker ??= spawn();
    } catch {
      resolve(null); // no worker could be started: this frame is a miss, the next one tries again
      return;
    }
    const finish = (found: DecodedFrame | null, broken: boolean): void => {
      clearTimeout(timer);
      current.onmessage = null;
      current.onerror = null;
      if (broken && worker === current) drop();
      resolve(found);
    };
    const timer = setTimeout(() => finish(null, true), timeoutMs);
    current.onmessage = (event) => {
      const reply = frameReplySchema.safeParse(event.data);
      if (!reply.success || reply.data.id !== id) {
        finish(null, true); // off-contract: a fresh worker for the next frame
        return;
      }
      finish(reply.data.ok ? { text: reply.data.text, symbology: reply.data.symbology } : null, false);
    };
    current.onerror = () => finish(null, true);
    const request: FrameRequest = { id, width, height, data };
    try {
      current.postMessage(request, [data.buffer]);
    } catch {
      finish(null, true);
    }
  });

  return {
    decode(frame) {
      const result = queue.then(() => once(frame));
      queue = result.catch(() => undefined);
      return result;
    },
    close: drop,
  };
}

let shared: FrameWorkerDecoder | null = null;

/** The renderer's one decode worker, started on first use (vite bundles frame.worker.ts as its own file). */
export function decodeFrameInWorker(frame: FrameLike): Promise<DecodedFrame | null> {
  shared ??= createFrameWorkerDecoder(() => new Worker(new URL('./frame.worker.ts', import.meta.url), { type: 'module', name: 'paydesk-frame-decoder' }));
  return shared.decode(frame);
}
