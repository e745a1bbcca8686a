// A camera pointed at a still card sends the same picture frame after frame: every payload must decode
// within FRAME_STRATEGIES frames (zxing with one binarizer alone misses a few percent of QR payloads).
import bwipjs from 'bwip-js/node';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { createFrameDecoder, FRAME_STRATEGIES } from './camera';

function payload(i: number): string {
  // The shape of a Koshelek test card: prefix, 13-digit card, 6-char session, 3-digit TOTP.
  const digits = (n: number, len: number) => String(n).padStart(len, '0').slice(-len);
  return `KP${digits(2_000_000_000_000 + i * 7_919, 13)}OK${(i * 48_271).toString(36).toUpperCase().padStart(4, '0').slice(-4)}${digits(i * 37, 3)}`;
}

async function frame(bcid: string, text: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const png = PNG.sync.read(await bwipjs.toBuffer({ bcid, text, scale: 4, ...(bcid === 'code128' ? { height: 12 } : {}), paddingwidth: 16, paddingheight: 16, backgroundcolor: 'FFFFFF' }));
  return { data: png.data, width: png.width, height: png.height };
}

describe('camera frame decoder', () => {
  it.each(['qrcode', 'code128', 'pdf417'])('every %s payload of 60 decodes from a still picture within the strategy cycle', async (bcid) => {
    const misses: string[] = [];
    for (let i = 0; i < 60; i += 1) {
      const text = payload(i);
      const image = await frame(bcid, text);
      const decode = createFrameDecoder();
      let result: ReturnType<typeof decode> = null;
      for (let f = 0; f < FRAME_STRATEGIES && !result; f += 1) result = decode(image);
      if (result?.text !== text) misses.push(text);
    }
    expect(misses).toEqual([]);
  });

  it('ignores frames with nothing in them', () => {
    const blank = { data: new Uint8Array(64 * 64 * 4).fill(255), width: 64, height: 64 };
    const decode = createFrameDecoder();
    for (let f = 0; f < FRAME_STRATEGIES; f += 1) expect(decode(blank)).toBeNull();
  });
});
