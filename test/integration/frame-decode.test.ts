// The renderer's frame decoder (renderer/scan/frame-decode.ts, what its decode worker runs) on camera-like
// frames made here with bwip-js: every card symbology inside a larger grey picture, dark-mode phone screens
// (inverted, where zxing-cpp's own inversion does not reach 1-D and PDF417), no code at all, and the worker's
// message handler around it. The zxing module is prepared from the installed .wasm, as in the core.
import bwipjs from 'bwip-js/node';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadZxingWasm } from '../../main/scanner/zxing-wasm';
import { decodeFrame, invertRgba, type FrameLike } from '../../renderer/scan/frame-decode';
import { answerFrameMessage } from '../../renderer/scan/frame-worker-contract';
import { startFrameLoop } from '../../renderer/scan/frames';

const CARD = 'KP2000000123456OK0001123';
const GS = '\u001d';
const CARD_2D = `KP2000000123456${GS}ABCDEFGHIJKLMNOPQRSTUVWXYZ012345${GS}123`;

async function barcode(bcid: string, text: string): Promise<FrameLike> {
  const png = PNG.sync.read(await bwipjs.toBuffer({ bcid, text, scale: bcid === 'code128' ? 2 : 3, ...(bcid === 'code128' ? { height: 12 } : {}), paddingwidth: 12, paddingheight: 12, backgroundcolor: 'FFFFFF' }));
  return { data: new Uint8ClampedArray(png.data), width: png.width, height: png.height };
}

/** A 640×480 grey "camera picture" with the code in it. */
function scene(code: FrameLike | null, at = { x: 40, y: 120 }): FrameLike & { data: Uint8ClampedArray } {
  const width = 640;
  const height = 480;
  const data = new Uint8ClampedArray(width * height * 4).fill(190);
  if (code) {
    for (let y = 0; y < code.height && y + at.y < height; y += 1) {
      for (let x = 0; x < code.width && x + at.x < width; x += 1) {
        for (let k = 0; k < 4; k += 1) data[((y + at.y) * width + x + at.x) * 4 + k] = code.data[(y * code.width + x) * 4 + k] ?? 0;
      }
    }
  }
  return { data, width, height };
}

beforeAll(async () => {
  await loadZxingWasm();
});

const CASES = [['qrcode', 'qr', CARD_2D], ['datamatrix', 'datamatrix', CARD_2D], ['pdf417', 'pdf417', CARD_2D], ['code128', 'code128', CARD]] as const;

describe('camera frames (zxing-wasm, the decode worker\'s function)', () => {
  it.each(CASES)('%s inside a camera picture, GS kept', async (bcid, symbology, text) => {
    expect(await decodeFrame(scene(await barcode(bcid, text)))).toEqual({ text, symbology });
  });

  it.each(CASES)('%s on a dark-mode phone screen (the whole frame inverted)', async (bcid, symbology, text) => {
    const dark = scene(await barcode(bcid, text));
    expect(await decodeFrame({ ...dark, data: invertRgba(dark.data) })).toEqual({ text, symbology });
  });

  it('a frame without a code, and malformed frames, are null', async () => {
    expect(await decodeFrame(scene(null))).toBeNull();
    expect(await decodeFrame({ data: new Uint8ClampedArray(10), width: 640, height: 480 })).toBeNull();
    expect(await decodeFrame({ data: new Uint8ClampedArray(0), width: 0, height: 0 })).toBeNull();
  });

  it('the worker\'s handler: a real frame decoded, the id carried', async () => {
    const frame = scene(await barcode('qrcode', CARD_2D));
    expect(await answerFrameMessage({ id: 42, ...frame }, decodeFrame)).toEqual({ id: 42, ok: true, text: CARD_2D, symbology: 'qr' });
    expect(await answerFrameMessage({ id: 43, ...scene(null) }, decodeFrame)).toEqual({ id: 43, ok: false, detail: 'none' });
  });

  it('the camera loop with the real decoder: blank frames, then the card', async () => {
    const code = await barcode('qrcode', CARD_2D);
    let n = 0;
    const result = await new Promise((resolve) => {
      startFrameLoop({ grab: () => (n++ < 2 ? scene(null) : scene(code)), decode: decodeFrame, onCode: resolve, intervalMs: 5 });
    });
    expect(result).toEqual({ text: CARD_2D, symbology: 'qr' });
    expect(n).toBe(3);
  });
});
