// Still pictures through the decode worker: every card symbology and the legacy ones (bwip-js, an
// encoder we do not decode with), dark-mode inversion, a hostile PNG refused by its header, and the
// core's loop staying responsive while a heavy picture decodes.
import bwipjs from 'bwip-js/node';
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { composeBarcode } from '../barcode/compose';
import { DEFAULT_TEST_CARD, totpConfigSchema } from '../totp/config';
import { BuiltinTotpVerifier } from '../totp/verifier';
import { scannerConfigSchema } from './config';
import { createScanHub } from './hub';
import { createImageDecoderPool } from './image-pool';
import { pngSize, sizeProblem } from './still';

const GS = '\u001d';
const pool = createImageDecoderPool();
afterAll(() => pool.close());

async function png(bcid: string, text: string, extra: Record<string, unknown> = {}): Promise<Buffer> {
  return bwipjs.toBuffer({ bcid, text, scale: 3, ...(['code128', 'code39', 'ean13'].includes(bcid) ? { height: 12 } : {}), paddingwidth: 12, paddingheight: 12, backgroundcolor: 'FFFFFF', ...extra });
}

function invertPng(buffer: Buffer): Buffer {
  const image = PNG.sync.read(buffer);
  for (let i = 0; i < image.data.length; i += 4) for (let c = 0; c < 3; c += 1) image.data[i + c] = 255 - (image.data[i + c] ?? 0);
  return PNG.sync.write(image);
}

/** A PNG whose header claims `side`×`side` 1-bit pixels, with a real (all-zero) image stream: tiny file, huge picture. */
function bombPng(side: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grayscale
  const raw = Buffer.alloc(side * (1 + Math.ceil(side / 8)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const card = composeBarcode({ card: DEFAULT_TEST_CARD, cardNumber: '1234567890123', cardSession: 'OK0001', atMs: Date.now() });
const long = `KP1234567890123${GS}ABCDEFGHIJKLMNOPQRSTUVWXYZ012345${GS}123`;

describe('still pictures in the decode worker (zxing-wasm)', () => {
  it.each([['code128', 'code128'], ['pdf417', 'pdf417'], ['datamatrix', 'datamatrix'], ['qrcode', 'qr']] as const)('%s: the card, and a GS-separated payload', async (bcid, symbology) => {
    expect(await pool.decode(await png(bcid, card))).toEqual({ ok: true, text: card, symbology });
    if (bcid !== 'code128') expect(await pool.decode(await png(bcid, long.replaceAll(GS, '^029'), { parse: true }))).toEqual({ ok: true, text: long, symbology });
  });

  it('legacy store cards: EAN-13 and Code 39', async () => {
    expect(await pool.decode(await png('ean13', '4600000123455'))).toEqual({ ok: true, text: '4600000123455', symbology: 'ean13' });
    expect(await pool.decode(await png('code39', '2000012345'))).toEqual({ ok: true, text: '2000012345', symbology: 'code39' });
  });

  it.each(['code128', 'pdf417', 'datamatrix', 'qrcode'])('dark mode (inverted) %s', async (bcid) => {
    expect(await pool.decode(invertPng(await png(bcid, card)))).toMatchObject({ ok: true, text: card });
  });

  it('refuses a hostile PNG by its header, before inflating it; refuses non-PNG bytes', async () => {
    const bomb = bombPng(20_000);
    expect(bomb.length).toBeLessThan(200_000);
    expect(pngSize(bomb)).toEqual({ width: 20_000, height: 20_000 });
    expect(await pool.decode(bomb)).toMatchObject({ ok: false, detail: expect.stringContaining('image too large: 20000×20000') });
    expect(sizeProblem(4096, 3072)).toBeNull();
    expect(sizeProblem(4097, 10)).toMatch(/too large/);
    expect(await pool.decode(Buffer.from('GIF89a-not-a-png-at-all-really'))).toMatchObject({ ok: false, detail: expect.stringContaining('not a PNG') });
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    expect(await pool.decode(PNG.sync.write(blank))).toMatchObject({ ok: false, detail: 'no barcode found' });
  });

  it("the core's loop stays responsive while a heavy picture decodes: heartbeats tick, a wedge scan is answered first", async () => {
    const verifier = new BuiltinTotpVerifier(totpConfigSchema.parse({}));
    const hub = createScanHub(scannerConfigSchema.parse({}), verifier);
    try {
      // 4096 × 3072 of noise: the largest picture allowed, nothing to find, every strategy tried
      const noisy = new PNG({ width: 4096, height: 3072 });
      let x = 12_345;
      for (let i = 0; i < noisy.data.length; i += 1) { x = (x * 1_103_515_245 + 12_345) & 0x7fffffff; noisy.data[i] = (i & 3) === 3 ? 255 : x >> 23; }
      const heavy = PNG.sync.write(noisy, { deflateLevel: 1 });
      let beats = 0;
      const heartbeat = setInterval(() => { beats += 1; }, 5);
      const order: string[] = [];
      let beatsWhenWedgeAnswered = -1;
      const image = hub.submitImage(heavy).then((e) => { order.push('image'); return e; });
      const wedge = hub.submitWedge(card).then((e) => { order.push('wedge'); beatsWhenWedgeAnswered = beats; return e; });
      const [imageEvent, wedgeEvent] = await Promise.all([image, wedge]);
      const beatsAtEnd = beats;
      clearInterval(heartbeat);
      expect(order).toEqual(['wedge', 'image']);
      expect(wedgeEvent.parsed).toMatchObject({ ok: true, payToken: 'OK0001' });
      expect(imageEvent.parsed).toMatchObject({ ok: false, reason: 'not_decoded' });
      // the heartbeat kept ticking between the wedge answer and the end of the decode
      expect(beatsAtEnd).toBeGreaterThan(beatsWhenWedgeAnswered);
      expect(beatsAtEnd).toBeGreaterThan(3);
    } finally {
      await hub.stop();
    }
  });
});
