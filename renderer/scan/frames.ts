// Helpers around createFrameDecoder for the till's camera and dropped images. Pure (no DOM): the
// camera component passes a `grab` that draws the <video> into a canvas; tests pass synthetic frames.
import type { Symbology } from '../../main/contract/scan';
import { createFrameDecoder, FRAME_STRATEGIES, type FrameLike } from './camera';

export interface DecodedFrame {
  text: string;
  symbology: Symbology;
}

export type FrameDecoder = (frame: FrameLike) => DecodedFrame | null;

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
 * not an interval: a slow decode delays the next frame instead of piling frames up.
 */
export function startFrameLoop(options: FrameLoopOptions): FrameLoop {
  const decode = options.decode ?? createFrameDecoder();
  const intervalMs = options.intervalMs ?? CAMERA_FRAME_MS;
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((timer: unknown) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  let stopped = false;
  let frames = 0;
  let timer: unknown = null;

  const tick = (): void => {
    timer = null;
    if (stopped) return;
    let found: DecodedFrame | null = null;
    try {
      const frame = options.grab();
      if (frame) {
        frames += 1;
        found = decode(frame);
      }
    } catch {
      found = null; // a frame that cannot be read (video not ready, canvas tainted…) is skipped
    }
    if (found) {
      stopped = true;
      options.onCode(found);
      return;
    }
    if (!stopped) timer = setTimer(tick, intervalMs);
  };
  timer = setTimer(tick, 0);

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

/**
 * A still image (a dropped JPEG, a large photo): every strategy of the frame decoder (both binarizers,
 * trying harder, half size, pure mode) — the decoder takes the next strategy on each call.
 * Slower than a camera frame; run once per file.
 */
export function decodeStill(frame: FrameLike): DecodedFrame | null {
  const decode = createFrameDecoder({ tryHarder: true });
  for (let strategy = 0; strategy < FRAME_STRATEGIES; strategy += 1) {
    const found = decode(frame);
    if (found) return found;
  }
  return null;
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
