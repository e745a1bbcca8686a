// Round trip through a reader: the modules drawn with a quiet zone decode to the same payload.
import { BinaryBitmap, DecodeHintType, HybridBinarizer, QRCodeReader, RGBLuminanceSource } from '@zxing/library';
import { describe, expect, it } from 'vitest';
import { qrModules } from './qr';

function decode(modules: boolean[][], scale = 4, quiet = 4): string {
  const n = modules.length;
  const size = (n + quiet * 2) * scale;
  const pixels = new Uint8ClampedArray(size * size).fill(255);
  for (let y = 0; y < n; y += 1) {
    for (let x = 0; x < n; x += 1) {
      if (!modules[y]?.[x]) continue;
      for (let dy = 0; dy < scale; dy += 1) {
        for (let dx = 0; dx < scale; dx += 1) pixels[((y + quiet) * scale + dy) * size + (x + quiet) * scale + dx] = 0;
      }
    }
  }
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(pixels, size, size)));
  return new QRCodeReader().decode(bitmap, new Map([[DecodeHintType.PURE_BARCODE, true]])).getText();
}

describe('qrModules', () => {
  it('a payment link reads back exactly, square, with the finder pattern in the corner', () => {
    const link = 'https://qr.nspk.ru/AS1000670LSS7DN18SJQDNP4B05KLJL2?type=01&bank=100000000111&sum=10000&cur=RUB&crc=AB75';
    const m = qrModules(link);
    expect(m.length).toBe(m[0]?.length);
    expect(m[0]?.slice(0, 7)).toEqual([true, true, true, true, true, true, true]);
    expect(decode(m)).toBe(link);
  });
  it('Cyrillic text survives (UTF-8)', () => {
    expect(decode(qrModules('оплата заказа №42'))).toBe('оплата заказа №42');
  });
  it('too much for any QR version throws instead of drawing garbage', () => {
    expect(() => qrModules('x'.repeat(5000))).toThrow();
  });
});
