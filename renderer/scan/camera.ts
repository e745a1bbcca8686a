// Webcam frame → barcode text in the renderer (@zxing/library: code128, PDF417, DataMatrix, QR).
// Pure: takes an ImageData-shaped object, so it runs on a canvas frame or in tests. The decoded text goes
// to the core as a scan with source 'image' (the core parses and verifies it like any other scan).
import {
  BarcodeFormat, BinaryBitmap, DecodeHintType, GlobalHistogramBinarizer, HybridBinarizer, MultiFormatReader, RGBLuminanceSource,
} from '@zxing/library';
import type { Symbology } from '../../main/contract/scan';

export interface FrameLike {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

const SYMBOLOGY: Partial<Record<BarcodeFormat, Symbology>> = {
  [BarcodeFormat.CODE_128]: 'code128', [BarcodeFormat.PDF_417]: 'pdf417', [BarcodeFormat.DATA_MATRIX]: 'datamatrix', [BarcodeFormat.QR_CODE]: 'qr',
};

/** How many frames a still image needs at most to meet every decoding strategy once. */
export const FRAME_STRATEGIES = 7;

export function createFrameDecoder(options: { tryHarder?: boolean } = {}): (frame: FrameLike) => { text: string; symbology: Symbology } | null {
  const formats = [BarcodeFormat.CODE_128, BarcodeFormat.PDF_417, BarcodeFormat.DATA_MATRIX, BarcodeFormat.QR_CODE];
  const fast = new MultiFormatReader();
  fast.setHints(new Map<DecodeHintType, unknown>([[DecodeHintType.POSSIBLE_FORMATS, formats], [DecodeHintType.TRY_HARDER, options.tryHarder ?? false]]));
  const hard = new MultiFormatReader();
  hard.setHints(new Map<DecodeHintType, unknown>([[DecodeHintType.POSSIBLE_FORMATS, formats], [DecodeHintType.TRY_HARDER, true]]));
  // Some QR payloads defeat zxing's finder-pattern detector at every scale; "pure" mode reads a code that
  // fills the picture (a dropped image, a phone screen held close) without that detector.
  const pure = new MultiFormatReader();
  pure.setHints(new Map<DecodeHintType, unknown>([[DecodeHintType.POSSIBLE_FORMATS, formats], [DecodeHintType.PURE_BARCODE, true]]));
  // zxing with one binarizer misses some payloads (~4 % of our QR codes), and a camera pointed at a still
  // card sends the same picture again and again: each frame tries the next strategy, cheapest first, so a
  // still image meets every strategy within FRAME_STRATEGIES frames at the cost of one decode per frame.
  let frameNo = 0;
  return (frame) => {
    const { data, width, height } = frame;
    if (width <= 0 || height <= 0 || data.length < width * height * 4) return null;
    const strategy = frameNo % FRAME_STRATEGIES;
    frameNo += 1;
    let luminance = new Uint8ClampedArray(width * height);
    for (let i = 0, p = 0; i < luminance.length; i += 1, p += 4) {
      luminance[i] = ((data[p] ?? 0) * 306 + (data[p + 1] ?? 0) * 601 + (data[p + 2] ?? 0) * 117) >> 10;
    }
    let w = width;
    let h = height;
    if ((strategy === 4 || strategy === 5) && width >= 64 && height >= 64) {
      // Half size: finder patterns missed at one module size are often found at another.
      w = Math.floor(width / 2);
      h = Math.floor(height / 2);
      const half = new Uint8ClampedArray(w * h);
      for (let y = 0; y < h; y += 1) {
        for (let x = 0; x < w; x += 1) {
          const i = 2 * y * width + 2 * x;
          half[y * w + x] = ((luminance[i] ?? 0) + (luminance[i + 1] ?? 0) + (luminance[i + width] ?? 0) + (luminance[i + width + 1] ?? 0)) >> 2;
        }
      }
      luminance = half;
    }
    const reader = strategy === 6 ? pure : strategy === 2 || strategy === 3 ? hard : fast;
    try {
      const source = new RGBLuminanceSource(luminance, w, h);
      const binarizer = strategy % 2 === 0 ? new HybridBinarizer(source) : new GlobalHistogramBinarizer(source);
      const result = reader.decodeWithState(new BinaryBitmap(binarizer));
      return { text: result.getText(), symbology: SYMBOLOGY[result.getBarcodeFormat()] ?? 'other' };
    } catch {
      return null; // no code in this frame: the next frame tries again
    } finally {
      reader.reset();
    }
  };
}
