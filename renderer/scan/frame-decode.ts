// Camera frames and dropped stills → barcode text with zxing-cpp (npm `zxing-wasm`), the decoder chosen by
// measurement (docs/scanning.md "Decoder choice"). Pure apart from the zxing module, which the caller must
// have prepared with the .wasm bytes first (the worker fetches the file the shell serves; Node reads the
// installed package): zxing-wasm's default loader would fetch the binary from a CDN, and the till must not.
// Runs in the renderer's decode worker (frame.worker.ts), never on the UI thread; the benchmark and the
// integration tests call this same function.
import { readBarcodes, type ReaderOptions, type ReadResult } from 'zxing-wasm/reader';
import type { Symbology } from '../../main/contract/scan';

export interface FrameLike {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

export interface DecodedFrame {
  text: string;
  symbology: Symbology;
}

const FORMAT_SYMBOLOGY: Readonly<Record<string, Symbology>> = {
  Code128: 'code128', PDF417: 'pdf417', DataMatrix: 'datamatrix', QRCode: 'qr', Code39: 'code39', EAN13: 'ean13',
};

/** The card symbologies and the legacy store cards (EAN-13, Code 39), as the core's still decoder reads them. */
export const FRAME_READER_OPTIONS: ReaderOptions = {
  formats: ['Code128', 'PDF417', 'DataMatrix', 'QRCode', 'EAN13', 'Code39'],
  tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true, maxNumberOfSymbols: 1,
  // the payload as encoded (GS stays 0x1D); the default 'HRI' mode would print it as "<GS>"
  textMode: 'Plain',
};

/**
 * The retry on the inverted frame looks only for what zxing-cpp's own inversion misses (linear codes and
 * PDF417; QR and DataMatrix are already tried inverted by the first pass), so a miss costs less.
 */
const INVERTED_RETRY_OPTIONS: ReaderOptions = { ...FRAME_READER_OPTIONS, formats: ['Code128', 'PDF417', 'EAN13', 'Code39'], tryInvert: false };

async function readOnce(data: Uint8ClampedArray, width: number, height: number, options: ReaderOptions): Promise<DecodedFrame | null> {
  const results: ReadResult[] = await readBarcodes({ data, width, height, colorSpace: 'srgb' } as ImageData, options);
  const hit = results.find((r) => r.isValid && r.text.length > 0);
  return hit ? { text: hit.text, symbology: FORMAT_SYMBOLOGY[hit.format] ?? 'other' } : null;
}

/** RGB inverted, alpha kept: a dark-mode phone screen becomes dark-on-light. */
export function invertRgba(data: Uint8Array | Uint8ClampedArray): Uint8ClampedArray {
  const out = new Uint8ClampedArray(data.length);
  for (let i = 0; i + 3 < data.length; i += 4) {
    out[i] = 255 - (data[i] ?? 0);
    out[i + 1] = 255 - (data[i + 1] ?? 0);
    out[i + 2] = 255 - (data[i + 2] ?? 0);
    out[i + 3] = data[i + 3] ?? 255;
  }
  return out;
}

/**
 * One code from one frame, or null. zxing-cpp tries rotations, downscaling and inversion itself, but its
 * inversion does not cover 1-D and PDF417 codes (measured, bench/results/scan-images.json), so a miss is
 * retried on the inverted frame (dark mode). The text is only a candidate: the core parses it and verifies
 * its TOTP like any scan, so a misread can never become a payment.
 */
export async function decodeFrame(frame: FrameLike): Promise<DecodedFrame | null> {
  const { width, height } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || frame.data.length < width * height * 4) return null;
  const data = frame.data instanceof Uint8ClampedArray
    ? frame.data
    : new Uint8ClampedArray(frame.data.buffer, frame.data.byteOffset, width * height * 4);
  return await readOnce(data, width, height, FRAME_READER_OPTIONS) ?? await readOnce(invertRgba(data), width, height, INVERTED_RETRY_OPTIONS);
}
