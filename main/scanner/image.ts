// The former image decoder, @zxing/library with Paydesk's strategies (code128, PDF417, DataMatrix, QR):
// no till path decodes with it any more — stills go to zxing-wasm in the core's decode worker (still.ts),
// camera frames to zxing-wasm in the renderer's decode worker. Kept as the benchmark's measured baseline
// (bench/scan-images.bench.ts, docs/scanning.md "Decoder choice"), with the image types the core shares.
import {
  BarcodeFormat, BinaryBitmap, DecodeHintType, GlobalHistogramBinarizer, HybridBinarizer, MultiFormatReader, RGBLuminanceSource,
} from '@zxing/library';
import { PNG } from 'pngjs';
import type { Symbology } from '../contract/scan';

export interface RgbaImage {
  /** width × height × 4 bytes, RGBA row-major (ImageData.data). */
  rgba: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

export type ImageInput = Buffer | Uint8Array | RgbaImage;

export type ImageDecode =
  | { ok: true; text: string; symbology: Symbology }
  | { ok: false; detail: string };

const FORMATS = [BarcodeFormat.CODE_128, BarcodeFormat.PDF_417, BarcodeFormat.DATA_MATRIX, BarcodeFormat.QR_CODE];

const SYMBOLOGY: Partial<Record<BarcodeFormat, Symbology>> = {
  [BarcodeFormat.CODE_128]: 'code128',
  [BarcodeFormat.PDF_417]: 'pdf417',
  [BarcodeFormat.DATA_MATRIX]: 'datamatrix',
  [BarcodeFormat.QR_CODE]: 'qr',
};

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

function isRgba(input: ImageInput): input is RgbaImage {
  return !(input instanceof Uint8Array) && typeof input === 'object' && 'rgba' in input;
}

/** Rec. 601 luma, one byte per pixel (what zxing's RGBLuminanceSource takes as-is). */
export function toLuminance(image: RgbaImage): Uint8ClampedArray {
  const { rgba, width, height } = image;
  const out = new Uint8ClampedArray(width * height);
  for (let i = 0, p = 0; i < out.length; i += 1, p += 4) {
    const r = rgba[p] ?? 0;
    const g = rgba[p + 1] ?? 0;
    const b = rgba[p + 2] ?? 0;
    const a = rgba[p + 3] ?? 255;
    // transparent pixels read as white paper
    const y = (r * 306 + g * 601 + b * 117) >> 10;
    out[i] = a === 255 ? y : 255 - (((255 - y) * a) >> 8);
  }
  return out;
}

function readPng(buffer: Uint8Array): RgbaImage | string {
  if (!PNG_MAGIC.every((byte, i) => buffer[i] === byte)) return 'not a PNG file (drop a PNG, or let the renderer send RGBA pixels)';
  try {
    const png = PNG.sync.read(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength));
    return { rgba: png.data, width: png.width, height: png.height };
  } catch (error) {
    return `unreadable PNG: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const baseHints = new Map<DecodeHintType, unknown>([[DecodeHintType.POSSIBLE_FORMATS, FORMATS], [DecodeHintType.TRY_HARDER, true]]);
const reader = new MultiFormatReader();
const pureReader = new MultiFormatReader();
reader.setHints(baseHints);
pureReader.setHints(new Map([...baseHints, [DecodeHintType.PURE_BARCODE, true]]));

/** Half-size luminance: finder patterns zxing misses at one module size are often found at another. */
function halve(lum: Uint8ClampedArray, width: number, height: number): { lum: Uint8ClampedArray; width: number; height: number } {
  const w = Math.floor(width / 2);
  const h = Math.floor(height / 2);
  const out = new Uint8ClampedArray(w * h);
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const i = 2 * y * width + 2 * x;
      out[y * w + x] = ((lum[i] as number) + (lum[i + 1] as number) + (lum[i + width] as number) + (lum[i + width + 1] as number)) >> 2;
    }
  }
  return { lum: out, width: w, height: h };
}

/**
 * Finds one code128 / PDF417 / DataMatrix / QR code in an image. Never throws. zxing alone misses about
 * 4 % of our QR payloads with one binarizer, so several strategies are tried, cheapest first.
 */
export function decodeImage(input: ImageInput): ImageDecode {
  const image = isRgba(input) ? input : readPng(input);
  if (typeof image === 'string') return { ok: false, detail: image };
  const { width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || image.rgba.length < width * height * 4) {
    return { ok: false, detail: `bad image size ${width}×${height} for ${image.rgba.length} bytes` };
  }
  const lum = toLuminance(image);
  const small = width >= 64 && height >= 64 ? halve(lum, width, height) : null;
  const strategies: (() => BinaryBitmap)[] = [
    () => new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(lum, width, height))),
    () => new BinaryBitmap(new GlobalHistogramBinarizer(new RGBLuminanceSource(lum, width, height))),
    ...(small ? [() => new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(small.lum, small.width, small.height)))] : []),
  ];
  let lastError = 'no barcode found';
  for (const [r, bitmaps] of [[reader, strategies], [pureReader, strategies.slice(0, 1)]] as const) {
    for (const make of bitmaps) {
      try {
        const result = r.decodeWithState(make());
        return { ok: true, text: result.getText(), symbology: SYMBOLOGY[result.getBarcodeFormat()] ?? 'other' };
      } catch (error) {
        lastError = error instanceof Error && error.name !== 'Error' ? `no barcode found (${error.name})` : 'no barcode found';
      } finally {
        r.reset();
      }
    }
  }
  return { ok: false, detail: lastError };
}
