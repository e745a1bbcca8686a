// The camera's frame loop and the still-image decoder on synthetic frames: a bwip-js barcode pasted
// into a larger "camera" picture, blank frames before it, frames that cannot be read.
import bwipjs from 'bwip-js/node';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { FrameLike } from './camera';
import { cameraProblem, decodeStill, startFrameLoop, type DecodedFrame } from './frames';

const CODE = 'KP2000000123456OK0001123';

async function barcode(bcid: string, text = CODE): Promise<FrameLike> {
  // code128 at scale 2 (514 px) so it fits a 640-px camera picture
  const png = PNG.sync.read(await bwipjs.toBuffer({ bcid, text, scale: bcid === 'code128' ? 2 : 3, ...(bcid === 'code128' ? { height: 12 } : {}), paddingwidth: 12, paddingheight: 12, backgroundcolor: 'FFFFFF' }));
  return { data: png.data, width: png.width, height: png.height };
}

/** A 640×480 grey "camera picture" with the code somewhere in it. */
function scene(code: FrameLike | null, at = { x: 150, y: 90 }): FrameLike {
  const width = 640;
  const height = 480;
  const data = new Uint8ClampedArray(width * height * 4).fill(200);
  if (code) {
    for (let y = 0; y < code.height && y + at.y < height; y += 1) {
      for (let x = 0; x < code.width && x + at.x < width; x += 1) {
        const s = (y * code.width + x) * 4;
        const d = ((y + at.y) * width + x + at.x) * 4;
        for (let k = 0; k < 4; k += 1) data[d + k] = code.data[s + k] ?? 0;
      }
    }
  }
  return { data, width, height };
}

/** Timers the test drives by hand. */
function manualTimers(): { set: (fn: () => void, ms: number) => unknown; clear: (t: unknown) => void; run(): boolean; pending: number } {
  const queue = new Map<number, () => void>();
  let id = 0;
  return {
    set(fn) { id += 1; queue.set(id, fn); return id; },
    clear(t) { queue.delete(t as number); },
    run() {
      const first = queue.entries().next();
      if (first.done) return false;
      queue.delete(first.value[0]);
      first.value[1]();
      return true;
    },
    get pending() { return queue.size; },
  };
}

describe('camera frame loop', () => {
  it('looks at frames until the first code, reports it once and stops', async () => {
    const code = await barcode('qrcode');
    const frames = [null, scene(null), scene(null), scene(code), scene(code)];
    const timers = manualTimers();
    const found: DecodedFrame[] = [];
    let grabbed = 0;
    const loop = startFrameLoop({
      grab: () => frames[Math.min(grabbed++, frames.length - 1)] ?? null,
      onCode: (c) => found.push(c),
      setTimer: timers.set, clearTimer: timers.clear,
    });
    for (let i = 0; i < 20 && timers.run(); i += 1) { /* drive */ }
    expect(found).toEqual([{ text: CODE, symbology: 'qr' }]);
    expect(loop.stopped).toBe(true);
    expect(loop.frames).toBeGreaterThanOrEqual(3); // the null frame is not counted
    expect(timers.pending).toBe(0);
  });

  // DataMatrix is left out: zxing-js finds a DataMatrix in a larger picture only now and then (its
  // detector wants the code alone); dropped images go to the core, which tries it as a pure barcode.
  it.each(['code128', 'pdf417'])('finds a %s in a camera-sized frame', async (bcid) => {
    const timers = manualTimers();
    const frame = scene(await barcode(bcid), { x: 40, y: 120 });
    const found: DecodedFrame[] = [];
    startFrameLoop({ grab: () => frame, onCode: (c) => found.push(c), setTimer: timers.set, clearTimer: timers.clear });
    // the decoder alternates binarizers: a few frames at most
    for (let i = 0; i < 6 && found.length === 0 && timers.run(); i += 1) { /* drive */ }
    expect(found[0]?.text).toBe(CODE);
  });

  it('stop() (Esc, close, unmount) ends the loop; frames that throw are skipped', () => {
    const timers = manualTimers();
    let calls = 0;
    const loop = startFrameLoop({
      grab: () => { calls += 1; if (calls === 1) throw new Error('video not ready'); return scene(null); },
      onCode: () => { throw new Error('no code expected'); },
      setTimer: timers.set, clearTimer: timers.clear,
    });
    timers.run();
    timers.run();
    expect(loop.frames).toBe(1);
    loop.stop();
    expect(timers.pending).toBe(0);
    expect(timers.run()).toBe(false);
    expect(calls).toBe(2);
  });

  it('runs on real timers at the configured pace', async () => {
    const code = await barcode('qrcode');
    let n = 0;
    const result = await new Promise<DecodedFrame>((resolve) => {
      startFrameLoop({ grab: () => (n++ < 2 ? scene(null) : scene(code)), onCode: resolve, intervalMs: 5 });
    });
    expect(result).toEqual({ text: CODE, symbology: 'qr' });
  });
});

describe('still images', () => {
  it('decodes QR, code128 and PDF417 inside a larger picture', async () => {
    for (const [bcid, symbology] of [['qrcode', 'qr'], ['code128', 'code128'], ['pdf417', 'pdf417']] as const) {
      const frame = scene(await barcode(bcid), { x: 40, y: 120 });
      expect(decodeStill(frame)).toEqual({ text: CODE, symbology });
    }
  });

  it('returns null for a picture without a code', () => {
    expect(decodeStill(scene(null))).toBeNull();
  });
});

describe('camera problems', () => {
  it.each([
    ['NotAllowedError', 'camera.denied'], ['SecurityError', 'camera.denied'], ['NotFoundError', 'camera.none'],
    ['OverconstrainedError', 'camera.none'], ['NotReadableError', 'camera.busy'], ['TypeError', 'camera.failed'],
  ] as const)('%s → %s', (name, problem) => {
    expect(cameraProblem({ name, message: 'x' })).toBe(problem);
  });
  it('anything else is a generic failure', () => {
    expect(cameraProblem(null)).toBe('camera.failed');
    expect(cameraProblem('boom')).toBe('camera.failed');
  });
});
