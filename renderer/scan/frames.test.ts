// The camera's frame loop with a stand-in decoder (the real one, zxing-wasm in the decode worker, is
// tested in test/integration/frame-decode.test.ts and end to end in test/e2e/image-scan.test.ts):
// blank frames before the code, frames that cannot be read, stop() while a frame is in the decoder.
import { describe, expect, it } from 'vitest';
import type { DecodedFrame, FrameLike } from './frame-decode';
import { cameraProblem, startFrameLoop } from './frames';

const CODE = 'KP2000000123456OK0001123';

/** A 4×4 frame; a code frame has a red first pixel (what the stand-in decoder "reads"). */
function scene(withCode: boolean): FrameLike {
  const data = new Uint8ClampedArray(4 * 4 * 4).fill(200);
  if (withCode) data[0] = 255;
  return { data, width: 4, height: 4 };
}
const fakeDecode = async (frame: FrameLike): Promise<DecodedFrame | null> => (frame.data[0] === 255 ? { text: CODE, symbology: 'qr' } : null);
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
    const frames = [null, scene(false), scene(false), scene(true), scene(true)];
    const timers = manualTimers();
    const found: DecodedFrame[] = [];
    let grabbed = 0;
    const loop = startFrameLoop({
      grab: () => frames[Math.min(grabbed++, frames.length - 1)] ?? null,
      decode: fakeDecode,
      onCode: (c) => found.push(c),
      setTimer: timers.set, clearTimer: timers.clear,
    });
    for (let i = 0; i < 20 && timers.run(); i += 1) await settle();
    expect(found).toEqual([{ text: CODE, symbology: 'qr' }]);
    expect(loop.stopped).toBe(true);
    expect(loop.frames).toBe(3); // the null frame is not counted
    expect(timers.pending).toBe(0);
  });

  it('one frame at a time: the next frame is grabbed only after the decoder answered', async () => {
    const timers = manualTimers();
    let answer: (v: DecodedFrame | null) => void = () => undefined;
    let grabbed = 0;
    startFrameLoop({
      grab: () => { grabbed += 1; return scene(false); },
      decode: () => new Promise((resolve) => { answer = resolve; }),
      onCode: () => undefined,
      setTimer: timers.set, clearTimer: timers.clear,
    });
    timers.run();
    await settle();
    expect(grabbed).toBe(1);
    expect(timers.pending).toBe(0); // nothing scheduled while the worker decodes
    answer(null);
    await settle();
    expect(timers.pending).toBe(1);
  });

  it('stop() while a frame is in the decoder: its code is not handed up', async () => {
    const timers = manualTimers();
    let answer: (v: DecodedFrame | null) => void = () => undefined;
    const found: DecodedFrame[] = [];
    const loop = startFrameLoop({
      grab: () => scene(true),
      decode: () => new Promise((resolve) => { answer = resolve; }),
      onCode: (c) => found.push(c),
      setTimer: timers.set, clearTimer: timers.clear,
    });
    timers.run();
    loop.stop();
    answer({ text: CODE, symbology: 'qr' });
    await settle();
    expect(found).toEqual([]);
    expect(timers.pending).toBe(0);
  });

  it('stop() (Esc, close, unmount) ends the loop; frames that throw are skipped', async () => {
    const timers = manualTimers();
    let calls = 0;
    const loop = startFrameLoop({
      grab: () => { calls += 1; if (calls === 1) throw new Error('video not ready'); return scene(false); },
      decode: fakeDecode,
      onCode: () => { throw new Error('no code expected'); },
      setTimer: timers.set, clearTimer: timers.clear,
    });
    timers.run();
    await settle();
    timers.run();
    await settle();
    expect(loop.frames).toBe(1);
    loop.stop();
    expect(timers.pending).toBe(0);
    expect(timers.run()).toBe(false);
    expect(calls).toBe(2);
  });

  it('a decoder that rejects is a miss, and the loop goes on', async () => {
    let n = 0;
    const result = await new Promise<DecodedFrame>((resolve) => {
      startFrameLoop({
        grab: () => scene(n >= 2),
        decode: async (frame) => { n += 1; if (n === 1) throw new Error('worker died'); return fakeDecode(frame); },
        onCode: resolve, intervalMs: 5,
      });
    });
    expect(result).toEqual({ text: CODE, symbology: 'qr' });
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
