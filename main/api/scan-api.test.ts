// Camera and image scans through the real dispatcher, against a real core (SQLite in a temp folder)
// talking to the Koshelek emulator: a dropped PNG is decoded on the main side, a code the renderer
// decoded itself is checked like any scan, and both are refused while a payment is in flight.
import bwipjs from 'bwip-js/node';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../errors/catalogue';
import { card, orderId } from '../../test/support/till';
import { startApiHarness, type ApiHarness } from '../../test/support/api-session';

let harness: ApiHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function start(): Promise<ApiHarness> {
  harness = await startApiHarness();
  return harness;
}

async function pngBase64(bcid: string, text: string): Promise<string> {
  const png = await bwipjs.toBuffer({ bcid, text, scale: 3, ...(bcid === 'code128' ? { height: 12 } : {}), paddingwidth: 12, paddingheight: 12, backgroundcolor: 'FFFFFF' });
  return png.toString('base64');
}

describe('scan.image and scan.camera', () => {
  it.each([['qrcode', 'qr'], ['code128', 'code128'], ['pdf417', 'pdf417'], ['datamatrix', 'datamatrix']] as const)(
    'a dropped %s PNG is decoded by the core and becomes a card ready to pay (payToken, payReady)', async (bcid, symbology) => {
      const h = await start();
      const c = card('OK');
      const result = await h.call('scan.image', { pngBase64: await pngBase64(bcid, c.barcode) });
      expect(result.error).toBeNull();
      expect(result.scan).toMatchObject({ source: 'image', symbology, raw: c.barcode });
      expect(result.scan.parsed).toMatchObject({ ok: true, loyaltyId: c.loyaltyId, payToken: c.cardSession, payReady: true, verified: true });
      // the same result also reaches every renderer as a scan event
      expect(h.events.filter((e) => e.event === 'scan').map((e) => e.payload.scan.seq)).toContain(result.scan.seq);
    },
  );

  it('an image without a barcode, and a file that is not a PNG, get the catalogue instruction', async () => {
    const h = await start();
    const blank = new PNG({ width: 120, height: 80 });
    blank.data.fill(255);
    const none = await h.call('scan.image', { pngBase64: PNG.sync.write(blank).toString('base64') });
    expect(none.scan.parsed).toMatchObject({ ok: false, reason: 'not_decoded' });
    expect(none.error).toMatchObject({ key: 'barcode.not_decoded', ru: CATALOGUE['barcode.not_decoded'].ru, action: 'rescan' });
    const gif = await h.call('scan.image', { pngBase64: Buffer.from('GIF89a-not-a-png').toString('base64') });
    expect(gif.error?.key).toBe('barcode.not_decoded');
    expect(gif.error?.details).toContain('not a PNG');
  });

  it('refuses input outside the contract before the core sees it', async () => {
    const h = await start();
    expect((await h.fail('scan.image', { pngBase64: 'not base64 at all!' })).key).toBe('ipc.invalid');
    expect((await h.fail('scan.image', { pngBase64: 'A'.repeat(8 * 1024 * 1024 + 4) })).key).toBe('ipc.invalid');
    expect((await h.fail('scan.image', {})).key).toBe('ipc.invalid');
    expect((await h.fail('scan.camera', { code: 'KP1', symbology: 'aztec' })).key).toBe('ipc.invalid');
    expect((await h.fail('scan.camera', { code: '', symbology: 'qr' })).key).toBe('ipc.invalid');
    expect(h.events.filter((e) => e.event === 'scan')).toHaveLength(0);
  });

  it('a code decoded by the renderer is parsed and verified like any scan (source image, symbology kept)', async () => {
    const h = await start();
    const c = card('OK');
    const ok = await h.call('scan.camera', { code: c.barcode, symbology: 'datamatrix' });
    expect(ok.scan).toMatchObject({ source: 'image', symbology: 'datamatrix' });
    expect(ok.scan.parsed).toMatchObject({ ok: true, loyaltyId: c.loyaltyId, payReady: true });
    const wrong = await h.call('scan.camera', { code: 'ZZ1234567890', symbology: 'code128' });
    expect(wrong.error?.key).toBe('barcode.wrong_prefix');
    const forged = await h.call('scan.camera', { code: `${c.barcode.slice(0, 21)}${c.barcode.endsWith('000') ? '001' : '000'}`, symbology: 'qr' });
    expect(forged.scan.parsed.ok).toBe(false);
  });

  it('scan.wedge: half a scan flagged suspect is answered "scan again", never "not the store\'s card"', async () => {
    const h = await start();
    const c = card('OK');
    const half = c.barcode.slice(12);
    const plain = await h.call('scan.wedge', { code: half });
    expect(plain.error?.key).toBe('barcode.wrong_prefix');
    const suspect = await h.call('scan.wedge', { code: half, suspect: true });
    expect(suspect.scan.parsed).toMatchObject({ ok: false, reason: 'wrong_prefix' });
    expect(suspect.error).toMatchObject({ key: 'barcode.bad_length', ru: CATALOGUE['barcode.bad_length'].ru, action: 'rescan' });
    // a whole card flagged suspect is still a card
    const whole = await h.call('scan.wedge', { code: c.barcode, suspect: true });
    expect(whole.error).toBeNull();
    expect(whole.scan.parsed).toMatchObject({ ok: true, payToken: c.cardSession });
  });

  it('while a payment is in flight both are refused with scan.busy and never become a card', async () => {
    const h = await start();
    const c = card('OK');
    const png = await pngBase64('qrcode', c.barcode);
    // A scan sent right behind the Pay press, before sale.pay has answered, is refused too: the gate
    // closes with the call, not with the core's first operation event (that comes with the checkout answer).
    const paying = h.call('sale.pay', { orderId: orderId(), amountKop: 5_000, card: card('SL'), paymentType: 'SBP' });
    const racing = h.call('scan.image', { pngBase64: png });
    const slow = await paying;
    expect(slow.isFinal).toBe(false);
    expect((await racing).error?.key).toBe('scan.busy');
    const image = await h.call('scan.image', { pngBase64: png });
    expect(image.scan.parsed).toEqual({ ok: false, reason: 'busy', errorKey: 'scan.busy', detail: 'a payment is in flight' });
    expect(image.error).toMatchObject({ key: 'scan.busy', ru: CATALOGUE['scan.busy'].ru, action: 'wait' });
    const camera = await h.call('scan.camera', { code: c.barcode, symbology: 'qr' });
    expect(camera.error?.key).toBe('scan.busy');
    // once the payment is over (cancelled), the same image is accepted again
    await h.call('sale.cancel', { operationId: slow.id });
    await h.till.core.checkout.waitFinal(slow.id, 10_000);
    await expect.poll(async () => (await h.call('scan.image', { pngBase64: png })).scan.parsed.ok, { timeout: 5_000 }).toBe(true);
    const after = await h.call('scan.image', { pngBase64: png });
    expect(after.scan.parsed).toMatchObject({ ok: true, loyaltyId: c.loyaltyId });
  });
});
