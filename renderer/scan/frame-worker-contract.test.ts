// The frame decode worker's message schema and both ends of it, without a real worker: requests are
// refused by size and by pixel-buffer length before any decode, replies off the contract are dropped,
// and a worker that hangs or dies is replaced (the frame counts as a miss).
import { describe, expect, it } from 'vitest';
import type { DecodedFrame } from './frame-decode';
import { createFrameWorkerDecoder, type WorkerLike } from './frame-worker-client';
import { answerFrameMessage, FRAME_MAX_PIXELS, FRAME_MAX_SIDE, frameReplySchema, frameRequestSchema } from './frame-worker-contract';

const frame = (width: number, height: number, length = width * height * 4): { id: number; width: number; height: number; data: Uint8ClampedArray } =>
  ({ id: 1, width, height, data: new Uint8ClampedArray(length) });

describe('frame request schema', () => {
  it('takes an RGBA frame whose buffer matches its size', () => {
    expect(frameRequestSchema.safeParse(frame(640, 480)).success).toBe(true);
    expect(frameRequestSchema.safeParse(frame(FRAME_MAX_SIDE, FRAME_MAX_PIXELS / FRAME_MAX_SIDE)).success).toBe(true);
  });

  it.each([
    ['too wide', frame(FRAME_MAX_SIDE + 1, 10)],
    ['too tall', frame(10, FRAME_MAX_SIDE + 1)],
    ['zero width', frame(0, 10, 0)],
    ['fractional height', { ...frame(10, 10), height: 10.5 }],
    ['NaN width', { ...frame(10, 10), width: Number.NaN }],
    ['buffer too short', frame(640, 480, 640 * 480 * 4 - 1)],
    ['buffer too long (a larger picture under a small size)', frame(10, 10, 10 * 10 * 4 + 4)],
    ['RGB, not RGBA', frame(10, 10, 10 * 10 * 3)],
    ['a plain array, not a typed array', { ...frame(2, 2), data: Array.from({ length: 16 }, () => 0) }],
    ['a Uint8Array, not Uint8ClampedArray', { ...frame(2, 2), data: new Uint8Array(16) }],
    ['a Float32Array', { ...frame(2, 2), data: new Float32Array(16) }],
    ['negative id', { ...frame(2, 2), id: -1 }],
    ['an extra field', { ...frame(2, 2), url: 'https://example.invalid/' }],
  ])('refuses %s', (_name, request) => {
    expect(frameRequestSchema.safeParse(request).success).toBe(false);
  });

  it('the largest frame (2048 × 2048) must come with exactly its 16 MiB of RGBA', () => {
    expect(FRAME_MAX_SIDE * FRAME_MAX_SIDE).toBe(FRAME_MAX_PIXELS);
    expect(frameRequestSchema.safeParse({ id: 1, width: FRAME_MAX_SIDE, height: FRAME_MAX_SIDE, data: new Uint8ClampedArray(4) }).success).toBe(false);
    expect(frameRequestSchema.safeParse({ id: 1, width: FRAME_MAX_SIDE, height: FRAME_MAX_SIDE, data: new Uint8ClampedArray(FRAME_MAX_PIXELS * 4) }).success).toBe(true);
  });
});

describe('the worker answer', () => {
  const found = async (): Promise<DecodedFrame> => ({ text: 'KP1', symbology: 'qr' });

  it('a valid frame is decoded; the answer carries the request id', async () => {
    expect(await answerFrameMessage({ ...frame(2, 2), id: 7 }, found)).toEqual({ id: 7, ok: true, text: 'KP1', symbology: 'qr' });
    expect(await answerFrameMessage({ ...frame(2, 2), id: 8 }, async () => null)).toEqual({ id: 8, ok: false, detail: 'none' });
  });

  it('a bad frame never reaches the decoder and is answered with why', async () => {
    let called = false;
    const reply = await answerFrameMessage(frame(4, 4, 10), async () => { called = true; return null; });
    expect(called).toBe(false);
    expect(reply).toMatchObject({ id: 1, ok: false });
    expect(reply.ok ? '' : reply.detail).toContain('needs 64 RGBA bytes, got 10');
    for (const junk of [null, 'frame', 42, { id: 'x' }]) expect((await answerFrameMessage(junk, found)).ok).toBe(false);
  });

  it('a decoder that throws, or text out of bounds, is a clean refusal', async () => {
    expect(await answerFrameMessage(frame(2, 2), async () => { throw new Error('wasm trap'); })).toEqual({ id: 1, ok: false, detail: 'decoder failed: wasm trap' });
    expect((await answerFrameMessage(frame(2, 2), async () => ({ text: 'x'.repeat(5000), symbology: 'qr' }))).ok).toBe(false);
    expect((await answerFrameMessage(frame(2, 2), async () => ({ text: '', symbology: 'qr' }))).ok).toBe(false);
    expect(frameReplySchema.safeParse({ id: 1, ok: true, text: 'a', symbology: 'aztec' }).success).toBe(false);
  });
});

/** A stand-in Worker: answers with `reply(request)`, or never (undefined). */
function fakeWorker(reply: (request: { id: number; data: Uint8ClampedArray }) => unknown, log: { spawned: number; terminated: number; transferred: unknown[] }): () => WorkerLike {
  return () => {
    log.spawned += 1;
    const w: WorkerLike = {
      onmessage: null,
      onerror: null,
      postMessage(message, transfer) {
        log.transferred.push(...transfer);
        const answer = reply(message as { id: number; data: Uint8ClampedArray });
        if (answer !== undefined) setTimeout(() => w.onmessage?.({ data: answer } as MessageEvent<unknown>), 1);
      },
      terminate() { log.terminated += 1; },
    };
    return w;
  };
}

describe('the UI side of the worker', () => {
  it('sends the pixels by transfer and hands back the validated code', async () => {
    const log = { spawned: 0, terminated: 0, transferred: [] as unknown[] };
    const decoder = createFrameWorkerDecoder(fakeWorker((r) => ({ id: r.id, ok: true, text: 'KP123', symbology: 'datamatrix' }), log));
    const data = new Uint8ClampedArray(16);
    expect(await decoder.decode({ data, width: 2, height: 2 })).toEqual({ text: 'KP123', symbology: 'datamatrix' });
    expect(log.transferred).toEqual([data.buffer]);
    // a Uint8Array view on a larger buffer is copied, not transferred away from its owner
    const big = new Uint8Array(64);
    expect(await decoder.decode({ data: big.subarray(0, 16), width: 2, height: 2 })).toEqual({ text: 'KP123', symbology: 'datamatrix' });
    expect(log.transferred[1]).not.toBe(big.buffer);
    expect(log.spawned).toBe(1);
  });

  it('an off-contract or mismatched reply is a miss and the worker is replaced', async () => {
    const log = { spawned: 0, terminated: 0, transferred: [] as unknown[] };
    let n = 0;
    const decoder = createFrameWorkerDecoder(fakeWorker((r) => {
      n += 1;
      if (n === 1) return { id: r.id, ok: true, text: 'KP1', symbology: 'qr', extra: 'x' };
      if (n === 2) return { id: r.id + 1, ok: true, text: 'KP1', symbology: 'qr' };
      return { id: r.id, ok: true, text: 'KP1', symbology: 'qr' };
    }, log));
    const f = (): { data: Uint8ClampedArray; width: number; height: number } => ({ data: new Uint8ClampedArray(16), width: 2, height: 2 });
    expect(await decoder.decode(f())).toBeNull();
    expect(await decoder.decode(f())).toBeNull();
    expect(await decoder.decode(f())).toEqual({ text: 'KP1', symbology: 'qr' });
    expect(log).toMatchObject({ spawned: 3, terminated: 2 });
  });

  it('a worker that never answers is ended after the timeout; the next frame gets a fresh one', async () => {
    const log = { spawned: 0, terminated: 0, transferred: [] as unknown[] };
    let n = 0;
    const decoder = createFrameWorkerDecoder(fakeWorker((r) => (n++ === 0 ? undefined : { id: r.id, ok: false, detail: 'none' }), log), { timeoutMs: 20 });
    const f = (): { data: Uint8ClampedArray; width: number; height: number } => ({ data: new Uint8ClampedArray(16), width: 2, height: 2 });
    const [a, b] = await Promise.all([decoder.decode(f()), decoder.decode(f())]);
    expect([a, b]).toEqual([null, null]);
    expect(log).toMatchObject({ spawned: 2, terminated: 1 });
  });

  it('a worker that cannot start is a miss, not a throw', async () => {
    const decoder = createFrameWorkerDecoder(() => { throw new Error('CSP: worker-src'); });
    expect(await decoder.decode({ data: new Uint8ClampedArray(16), width: 2, height: 2 })).toBeNull();
  });
});
