// A payment link as QR modules (the till shows a customer action as a QR the customer's phone scans).
// @zxing/library's encoder (already a dependency), imported by its module path so the renderer bundle
// takes the encoder only, not the readers.
import EncodeHintType from '@zxing/library/esm/core/EncodeHintType';
import ErrorCorrectionLevel from '@zxing/library/esm/core/qrcode/decoder/ErrorCorrectionLevel';
import Encoder from '@zxing/library/esm/core/qrcode/encoder/Encoder';

/** Rows of modules, true = dark, without the quiet zone (the renderer draws it). Throws when it cannot fit a QR. */
export function qrModules(payload: string): boolean[][] {
  // UTF-8 so a link with Cyrillic text reads back the same on any phone; M: survives a glare spot.
  const hints = new Map<EncodeHintType, unknown>([[EncodeHintType.CHARACTER_SET, 'UTF-8']]);
  const matrix = Encoder.encode(payload, ErrorCorrectionLevel.M, hints).getMatrix();
  const rows: boolean[][] = [];
  for (let y = 0; y < matrix.getHeight(); y += 1) {
    const row: boolean[] = [];
    for (let x = 0; x < matrix.getWidth(); x += 1) row.push(matrix.get(x, y) === 1);
    rows.push(row);
  }
  return rows;
}
