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

export function createFrameDecoder(options: { tryHarder?: boolean } = {}): (frame: FrameLike) => { text: string; symbology: Symbology } | null {
  const reader = new MultiFormatReader();
  reader.setHints(new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128, BarcodeFormat.PDF_417, BarcodeFormat.DATA_MATRIX, BarcodeFormat.QR_CODE]],
    [DecodeHintType.TRY_HARDER, options.tryHarder ?? false],
  ]));
  // One binarizer alone misses some QR payloads (~4 % in our tests): alternate them frame by frame.
  let frameNo = 0;
  return (frame) => {
    const { data, width, height } = frame;
    frameNo += 1;
    if (width <= 0 || height <= 0 || data.length < width * height * 4) return null;
    const luminance = new Uint8ClampedArray(width * height);
    for (let i = 0, p = 0; i < luminance.length; i += 1, p += 4) {
      luminance[i] = ((data[p] ?? 0) * 306 + (data[p + 1] ?? 0) * 601 + (data[p + 2] ?? 0) * 117) >> 10;
    }
    try {
      const source = new RGBLuminanceSource(luminance, width, height);
      const binarizer = frameNo % 2 === 1 ? new HybridBinarizer(source) : new GlobalHistogramBinarizer(source);
      const result = reader.decodeWithState(new BinaryBitmap(binarizer));
      return { text: result.getText(), symbology: SYMBOLOGY[result.getBarcodeFormat()] ?? 'other' };
    } catch {
      return null; // no code in this frame: the next frame tries again
    } finally {
      reader.reset();
    }
  };
}
