// Real images of every symbology of 003 §6.1.1, generated with bwip-js and decoded with @zxing/library.
import bwipjs from 'bwip-js/node';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { composeBarcode } from '../barcode/compose';
import { DEFAULT_TEST_CARD, totpConfigSchema } from '../totp/config';
import { BuiltinTotpVerifier } from '../totp/verifier';
import { scannerConfigSchema } from './config';
import { createScanHub } from './hub';
import { decodeImage } from './image';

const GS = '\u001d';

async function png(bcid: string, text: string, extra: Record<string, unknown> = {}): Promise<Buffer> {
  return bwipjs.toBuffer({ bcid, text, scale: 3, ...(bcid === 'code128' ? { height: 12 } : {}), paddingwidth: 12, paddingheight: 12, backgroundcolor: 'FFFFFF', ...extra });
}

const oneD = composeBarcode({ card: DEFAULT_TEST_CARD, cardNumber: '1234567890123', cardSession: 'OK0001', atMs: Date.now() });
const long = `KP1234567890123${GS}ABCDEFGHIJKLMNOPQRSTUVWXYZ012345${GS}123`;

describe('image decoding', () => {
  it.each([
    ['code128', 'code128'],
    ['pdf417', 'pdf417'],
    ['datamatrix', 'datamatrix'],
    ['qrcode', 'qr'],
  ] as const)('decodes %s from a PNG', async (bcid, symbology) => {
    expect(decodeImage(await png(bcid, oneD))).toEqual({ ok: true, text: oneD, symbology });
  });

  it.each(['pdf417', 'datamatrix', 'qrcode'])('keeps GS separators of a 2-D %s payload', async (bcid) => {
    // bwip-js `parse`: ^029 is GS
    const result = decodeImage(await png(bcid, long.replaceAll(GS, '^029'), { parse: true }));
    expect(result).toMatchObject({ ok: true, text: long });
  });

  it('decodes every TOTP variant of the test card in all four symbologies (one binarizer alone missed ~4 % of QR codes)', async () => {
    const misses: string[] = [];
    for (let step = 0; step < 60; step += 1) {
      const text = composeBarcode({ card: DEFAULT_TEST_CARD, cardNumber: '1234567890123', cardSession: 'OK0001', atMs: 1_700_000_000_000 + step * 30_000 });
      for (const bcid of ['qrcode', 'datamatrix', 'pdf417', 'code128']) {
        const result = decodeImage(await png(bcid, text));
        if (!result.ok || result.text !== text) misses.push(`${bcid} ${text}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('decodes an RGBA frame (what the renderer sends for a webcam frame or a JPEG)', async () => {
    const image = PNG.sync.read(await png('qrcode', oneD));
    expect(decodeImage({ rgba: image.data, width: image.width, height: image.height })).toMatchObject({ ok: true, text: oneD, symbology: 'qr' });
  });

  it('says why when nothing is found', () => {
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    expect(decodeImage(PNG.sync.write(blank))).toMatchObject({ ok: false });
    expect(decodeImage(Buffer.from('GIF89a...'))).toMatchObject({ ok: false, detail: expect.stringContaining('not a PNG') });
    expect(decodeImage({ rgba: new Uint8Array(4), width: 10, height: 10 })).toMatchObject({ ok: false, detail: expect.stringContaining('bad image size') });
  });

  it('feeds the scan hub: a dropped image verifies like a scanned card', async () => {
    const hub = createScanHub(scannerConfigSchema.parse({}), new BuiltinTotpVerifier(totpConfigSchema.parse({})));
    const event = await hub.submitImage(await png('datamatrix', oneD));
    expect(event).toMatchObject({ source: 'image', symbology: 'datamatrix', raw: oneD, parsed: { ok: true, payToken: 'OK0001', payReady: true } });
    const blank = new PNG({ width: 32, height: 32 });
    blank.data.fill(255);
    expect((await hub.submitImage(PNG.sync.write(blank))).parsed).toMatchObject({ ok: false, reason: 'not_decoded', errorKey: 'barcode.not_decoded' });
  });
});
