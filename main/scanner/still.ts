// Still pictures (dropped PNG files, RGBA frames) → barcode text with zxing-cpp (zxing-wasm), the
// decoder chosen by measurement (docs/scanning.md, bench/results/scan-images.json). Runs inside the
// decode worker (image-worker.ts), never on the core's loop.
//
// The picture's size is checked before anything is inflated: a PNG's IHDR names its width and height in
// its first 24 bytes, so a 44 KB file claiming 20 000 × 20 000 pixels is refused without decoding it.
import { PNG } from 'pngjs';
import type { Symbology } from '../contract/scan';
import type { ImageDecode, ImageInput, RgbaImage } from './image';
import { decodeRgbaWasm } from './zxing-wasm';

/** Largest picture decoded: 4096 px a side and 12 Mpx (a 12 MP phone photo; 48 MiB of RGBA). */
export const MAX_IMAGE_SIDE = 4096;
export const MAX_IMAGE_PIXELS = 12 * 1024 * 1024;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isRgba(input: ImageInput): input is RgbaImage {
  return !(input instanceof Uint8Array) && typeof input === 'object' && 'rgba' in input;
}

/** Width and height from a PNG's IHDR chunk, or a reason it is not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | string {
  if (bytes.length < 24 || !PNG_MAGIC.every((b, i) => bytes[i] === b)) return 'not a PNG file (drop a PNG, or let the renderer send RGBA pixels)';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(bytes[12] ?? 0, bytes[13] ?? 0, bytes[14] ?? 0, bytes[15] ?? 0) !== 'IHDR') return 'unreadable PNG: no IHDR chunk first';
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** null when the size may be decoded, else why not. */
export function sizeProblem(width: number, height: number): string | null {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) return `bad image size ${width}×${height}`;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
    return `image too large: ${width}×${height} px (at most ${MAX_IMAGE_SIDE} px a side and ${MAX_IMAGE_PIXELS / 1024 / 1024} Mpx)`;
  }
  return null;
}

function readPng(bytes: Uint8Array): RgbaImage | string {
  const size = pngSize(bytes);
  if (typeof size === 'string') return size;
  const problem = sizeProblem(size.width, size.height);
  if (problem) return problem;
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { rgba: png.data, width: png.width, height: png.height };
  } catch (error) {
    return `unreadable PNG: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Long side a picture is decoded at: codes on photos stay readable, and a 12 Mpx miss stays affordable. */
export const DECODE_MAX_SIDE = 2048;

/** Box-filter shrink by an integer factor so the long side fits DECODE_MAX_SIDE. */
function fit(rgba: Uint8ClampedArray, width: number, height: number): { rgba: Uint8ClampedArray; width: number; height: number } {
  const k = Math.ceil(Math.max(width, height) / DECODE_MAX_SIDE);
  if (k <= 1) return { rgba, width, height };
  const w = Math.floor(width / k);
  const h = Math.floor(height / k);
  const out = new Uint8ClampedArray(w * h * 4);
  const n = k * k;
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      for (let c = 0; c < 4; c += 1) {
        let sum = 0;
        for (let dy = 0; dy < k; dy += 1) for (let dx = 0; dx < k; dx += 1) sum += rgba[((y * k + dy) * width + x * k + dx) * 4 + c] ?? 0;
        out[(y * w + x) * 4 + c] = sum / n;
      }
    }
  }
  return { rgba: out, width: w, height: h };
}

/** Transparent pixels read as white paper (zxing-cpp ignores alpha; a transparent PNG would be all black). */
function opaque(rgba: Uint8ClampedArray): Uint8ClampedArray {
  let transparent = false;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) { transparent = true; break; }
  if (!transparent) return rgba;
  const out = new Uint8ClampedArray(rgba.length);
  for (let i = 0; i < rgba.length; i += 4) {
    const a = rgba[i + 3] ?? 255;
    for (let c = 0; c < 3; c += 1) out[i + c] = 255 - (((255 - (rgba[i + c] ?? 0)) * a) >> 8);
    out[i + 3] = 255;
  }
  return out;
}

function inverted(rgba: Uint8ClampedArray): Uint8ClampedArray {
  const out = new Uint8ClampedArray(rgba.length);
  for (let i = 0; i < rgba.length; i += 4) {
    out[i] = 255 - (rgba[i] ?? 0); out[i + 1] = 255 - (rgba[i + 1] ?? 0); out[i + 2] = 255 - (rgba[i + 2] ?? 0); out[i + 3] = rgba[i + 3] ?? 255;
  }
  return out;
}

/**
 * Finds one code128 / PDF417 / DataMatrix / QR (or legacy EAN-13 / Code 39) code. Never throws.
 * zxing-cpp tries rotations, inversion and downscaling itself; its inversion does not cover linear and
 * PDF417 codes (measured), so a miss is retried on the inverted picture (dark-mode phone screens).
 * Pictures larger than DECODE_MAX_SIDE are shrunk first. The text is only a candidate: the hub still parses it and verifies its TOTP.
 */
export async function decodeStill(input: ImageInput): Promise<ImageDecode> {
  const image = isRgba(input) ? input : readPng(input);
  if (typeof image === 'string') return { ok: false, detail: image };
  const { width, height } = image;
  const problem = sizeProblem(width, height) ?? (image.rgba.length < width * height * 4 ? `bad image size ${width}×${height} for ${image.rgba.length} bytes` : null);
  if (problem) return { ok: false, detail: problem };
  const full = image.rgba instanceof Uint8ClampedArray ? image.rgba : new Uint8ClampedArray(image.rgba.buffer, image.rgba.byteOffset, width * height * 4);
  const shrunk = fit(full, width, height);
  const rgba = opaque(shrunk.rgba);
  const { width: w, height: h } = shrunk;
  try {
    const hit = await decodeRgbaWasm(rgba, w, h) ?? await decodeRgbaWasm(inverted(rgba), w, h);
    if (!hit) return { ok: false, detail: 'no barcode found' };
    const symbology: Symbology = hit.symbology;
    return { ok: true, text: hit.text, symbology };
  } catch (error) {
    return { ok: false, detail: `decoder failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
