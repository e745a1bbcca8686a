// An image file dropped on the till → one scan, sent only to the core:
//  - a PNG small enough for the link goes as it is to `scan.image` (the core decodes it with zxing);
//  - anything else the browser can draw (JPEG, WebP, BMP, a big PNG) is decoded here on a canvas
//    (renderer/scan decodeFrameInWorker: zxing-wasm in the renderer's decode worker) and the text goes to
//    `scan.camera`; when nothing is found, a downscaled PNG goes to `scan.image`, so the core gets the last
//    word and its answer carries the catalogue's instruction.
import { SCAN_IMAGE_INLINE_MAX_BASE64, type PaydeskApi, type ScanResultView } from '../../main/contract/api';
import { ApiCallError, localError } from '../api/client';
import { TEXTS, type TextKey } from '../lib/i18n';
import { decodeFrameInWorker } from '../scan';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Larger files are refused before they are read (a till has no business with 40 MB pictures). */
export const IMAGE_FILE_MAX_BYTES = 40 * 1024 * 1024;
/** Stills are decoded at most this big on the longer side. */
const STILL_MAX_SIDE = 2048;
/** The PNG handed to the core when the renderer found nothing. */
const FALLBACK_MAX_SIDE = 1024;

const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

export function isPng(bytes: Uint8Array): boolean {
  return PNG_MAGIC.every((byte, i) => bytes[i] === byte);
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

function imageError(key: Extract<TextKey, 'image.tooBig' | 'image.unreadable'>, details: string): ApiCallError {
  return new ApiCallError({ ...localError(key, TEXTS.ru[key], TEXTS.en[key], 'rescan', details), severity: 'warning' });
}

function canvasFor(bitmap: ImageBitmap, maxSide: number): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } | null {
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  ctx.fillStyle = '#ffffff'; // transparent pixels read as white paper
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0, width, height);
  return { canvas, ctx };
}

async function asPng(bitmap: ImageBitmap, maxSide: number): Promise<Uint8Array | null> {
  const drawn = canvasFor(bitmap, maxSide);
  if (!drawn) return null;
  const blob = await new Promise<Blob | null>((resolve) => drawn.canvas.toBlob(resolve, 'image/png'));
  return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
}

export async function scanImageFile(api: PaydeskApi, file: File): Promise<ScanResultView> {
  if (file.size > IMAGE_FILE_MAX_BYTES) throw imageError('image.tooBig', `${file.name}: ${file.size} bytes`);
  if (file.size === 0) throw imageError('image.unreadable', `${file.name}: empty file`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const fits = (n: number): boolean => base64Length(n) <= SCAN_IMAGE_INLINE_MAX_BASE64;
  if (isPng(bytes) && fits(bytes.length)) return api.call('scan.image', { pngBase64: toBase64(bytes) });

  const bitmap = await createImageBitmap(new Blob([bytes], { type: file.type || 'application/octet-stream' })).catch(() => null);
  try {
    if (bitmap) {
      const drawn = canvasFor(bitmap, STILL_MAX_SIDE);
      const found = drawn ? await decodeFrameInWorker(drawn.ctx.getImageData(0, 0, drawn.canvas.width, drawn.canvas.height)) : null;
      if (found) return await api.call('scan.camera', { code: found.text, symbology: found.symbology });
      const png = await asPng(bitmap, FALLBACK_MAX_SIDE);
      if (png && fits(png.length)) return await api.call('scan.image', { pngBase64: toBase64(png) });
    }
    // Not an image the browser can draw: the core looks at the bytes and answers with the catalogue's words.
    if (fits(bytes.length)) return await api.call('scan.image', { pngBase64: toBase64(bytes) });
    throw imageError(bitmap ? 'image.tooBig' : 'image.unreadable', `${file.name}: ${file.type || 'unknown type'}, ${file.size} bytes`);
  } finally {
    bitmap?.close();
  }
}
