// zxing-cpp (WebAssembly build, npm `zxing-wasm`) as the image decoder. Its default loader fetches the
// .wasm from a CDN; the till has no internet and must not reach out, so the binary is read from the
// installed package file and handed over (`wasmBinary`). Runs in the decode worker (image-worker.ts).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes, type ReaderOptions, type ReadResult } from 'zxing-wasm/reader';
import type { Symbology } from '../contract/scan';

let ready: Promise<unknown> | null = null;

/** Path of the installed reader .wasm (no network involved). */
export function zxingWasmPath(): string {
  return createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
}

export function loadZxingWasm(): Promise<unknown> {
  if (!ready) {
    const bytes = fs.readFileSync(zxingWasmPath());
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    ready = prepareZXingModule({ overrides: { wasmBinary, locateFile: (file: string) => file }, fireImmediately: true });
  }
  return ready;
}

const FORMAT_SYMBOLOGY: Readonly<Record<string, Symbology>> = {
  Code128: 'code128', PDF417: 'pdf417', DataMatrix: 'datamatrix', QRCode: 'qr', Code39: 'code39', EAN13: 'ean13',
};

/** The card symbologies and the legacy store cards (EAN-13, Code 39); docs/scanning.md. */
export const WASM_READER_OPTIONS: ReaderOptions = {
  formats: ['Code128', 'PDF417', 'DataMatrix', 'QRCode', 'EAN13', 'Code39'],
  tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true, maxNumberOfSymbols: 1,
  // the payload as encoded (GS stays 0x1D); the default 'HRI' mode would print it as "<GS>"
  textMode: 'Plain',
};

export interface WasmDecode { text: string; symbology: Symbology; aim: string }

/** Decodes one RGBA picture; null when nothing valid is found. */
export async function decodeRgbaWasm(rgba: Uint8ClampedArray, width: number, height: number): Promise<WasmDecode | null> {
  await loadZxingWasm();
  const results: ReadResult[] = await readBarcodes({ data: rgba, width, height, colorSpace: 'srgb' } as ImageData, WASM_READER_OPTIONS);
  const hit = results.find((r) => r.isValid);
  if (!hit) return null;
  return { text: hit.text, symbology: FORMAT_SYMBOLOGY[hit.format] ?? 'other', aim: hit.symbologyIdentifier };
}
