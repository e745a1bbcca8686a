// The till's camera frame loop. Pure (no DOM): the camera component passes a `grab` that draws the
// <video> into a canvas; tests pass synthetic frames. Frames are decoded in the renderer's decode worker
// (frame-worker-client.ts → frame.worker.ts, zxing-wasm), never on the UI thread.
import type { DecodedFrame, FrameLike } from './frame-decode';
import { decodeFrameInWorker } from './frame-worker-client';

export type { DecodedFrame } from './frame-decode';

export type FrameDecoder = (frame: FrameLike) => DecodedFrame | null | Promise<DecodedFrame | null>;

/** ~8 frames a second: quick enough for a card held to the lens, light enough for the till's CPU. */
export const CAMERA_FRAME_MS = 125;

export interface FrameLoopOptions {
  /** The current frame, or null while the video has none yet (the loop simply tries again). */
  grab: () => FrameLike | null;
  decode?: FrameDecoder;
  /** Called once, with the first code found; the loop has stopped by then. */
  onCode: (code: DecodedFrame) => void;
  intervalMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export interface FrameLoop {
  stop(): void;
  readonly stopped: boolean;
  /** Frames looked at so far (grabbed and decoded). */
  readonly frames: number;
}

/**
 * Looks at one frame every `intervalMs` until a code is found or stop() is called. A timeout chain,
 * not an interval: a slow decode delays the next frame instead of piling frames up (one frame is in the
 * worker at a time).
 */
export function startFrameLoop(options: FrameLoopOptions): FrameLoop {
  const decode = options.decode ?? decodeFrameInWorker;
  const intervalMs = options.intervalMs ?? CAMERA_FRAME_MS;
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((timer: unknown) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  let stopped = false;
  let frames = 0;
  let timer: unknown = null;

  const tick = async (): Promise<void> => {
    timer = null;
    if (stopped) return;
    let found: DecodedFrame | null = null;
    try {
      const frame = options.grab();
      if (frame) {
        frames += 1;
        found = await decode(frame);
      }
    } catch {
      found = null; // a frame that cannot be read (video not ready, canvas tainted…) is skipped
    }
    if (stopped) return; // closed while the frame was being decoded: the code is not handed up
    if (found) {
      stopped = true;
      options.onCode(found);
      return;
    }
    timer = setTimer(run, intervalMs);
  };
  const run = (): void => { void tick(); };
  timer = setTimer(run, 0);

  return {
    stop() {
      stopped = true;
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
    get stopped() { return stopped; },
    get frames() { return frames; },
  };
}

export type CameraProblem = 'camera.none' | 'camera.denied' | 'camera.busy' | 'camera.failed';

/** What a getUserMedia failure means for the cashier (DOMException names, old and new). */
export function cameraProblem(error: unknown): CameraProblem {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'camera.denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError':
      return 'camera.none';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'camera.busy';
    default:
      return 'camera.failed';
  }
}
