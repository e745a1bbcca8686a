// Card scans from images and the camera, end to end: Debian Chromium drives the built renderer through
// the kiosk shell against the real core and the Koshelek emulator. Image files are dropped on the
// till as a cashier would drag them (a DataTransfer with a File); the camera is Chromium's fake capture
// device playing a Y4M video made here from a bwip-js barcode. Screenshots: image-scan-*.png.
import bwipjs from 'bwip-js/node';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page, type WebSocket } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCard, type ReceivedRequest } from '../../emulators/koshelek';
import { CATALOGUE } from '../../main/errors/catalogue';
import { zxingWasmPath } from '../../main/scanner/zxing-wasm';
import { CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, startTill, type Till } from './harness';

let till: Till;
let camBrowser: Browser | null = null;

beforeAll(async () => {
  till = await startTill({ serial: false, confirmDelayMs: 300 });
});
afterAll(async () => {
  await camBrowser?.close().catch(() => undefined);
  await till?.close();
});

interface Body { cardSession?: string; checkoutInvoice?: { totalAmount: number } }
const body = (r: ReceivedRequest): Body => (r.body ?? {}) as Body;
const sent = (endpoint: ReceivedRequest['endpoint'], session: string): ReceivedRequest[] =>
  till.emulator.received.filter((r) => r.endpoint === endpoint && body(r).cardSession === session);

async function barcodePng(bcid: string, text: string, scale = 3): Promise<Buffer> {
  return bwipjs.toBuffer({ bcid, text, scale, ...(bcid === 'code128' ? { height: 12 } : {}), paddingwidth: 12, paddingheight: 12, backgroundcolor: 'FFFFFF' });
}

async function newSale(page: Page = till.page): Promise<void> {
  await page.keyboard.press('F1');
  await page.keyboard.press('F10');
  await page.getByTestId('card').filter({ hasText: 'Отсканируйте' }).waitFor();
}

/** Drag a file over the till and drop it on `target` (a cashier dragging from the file manager). */
async function dropFile(page: Page, file: { bytes: Buffer; name: string; type: string }, options: { target?: string; screenshot?: string } = {}): Promise<void> {
  const dataTransfer = await page.evaluateHandle(({ b64, name, type }) => {
    const binary = atob(b64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type }));
    return dt;
  }, { b64: file.bytes.toString('base64'), name: file.name, type: file.type });
  const target = page.getByTestId(options.target ?? 'card');
  await target.dispatchEvent('dragenter', { dataTransfer });
  await target.dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('drop-hint').waitFor({ timeout: 3000 });
  if (options.screenshot) await page.screenshot({ path: path.join(SCREENSHOTS, `${options.screenshot}.png`) });
  await target.dispatchEvent('drop', { dataTransfer });
  await page.getByTestId('drop-hint').waitFor({ state: 'detached', timeout: 3000 });
}

/** A JPEG of the PNG, made by the page's own canvas (the renderer-side decoding path). */
async function jpegOf(page: Page, png: Buffer): Promise<Buffer> {
  const b64 = await page.evaluate(async (pngB64) => {
    const bytes = Uint8Array.from(atob(pngB64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    // a photo-sized picture: the code in the middle of a larger light-grey frame
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width + 400;
    canvas.height = bitmap.height + 300;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.fillStyle = '#e5e5e5';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 200, 150);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
    if (!blob) throw new Error('no jpeg');
    const out = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (const b of out) s += String.fromCharCode(b);
    return btoa(s);
  }, png.toString('base64'));
  return Buffer.from(b64, 'base64');
}

/**
 * A YUV4MPEG2 (I420) video for Chromium's fake camera: `blankFrames` light-grey frames, then the code
 * centred on white. Chromium loops the file. `dark`: a phone screen in dark mode — light modules on a
 * black screen, the picture around it dark grey.
 */
function y4m(file: string, png: Buffer, options: { width?: number; height?: number; blankFrames?: number; codeFrames?: number; dark?: boolean } = {}): void {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const code = PNG.sync.read(png);
  const x0 = Math.floor((width - code.width) / 2);
  const y0 = Math.floor((height - code.height) / 2);
  const luma = (withCode: boolean): Buffer => {
    const y = Buffer.alloc(width * height, options.dark ? 40 : withCode ? 235 : 180);
    if (!withCode) return y;
    for (let j = 0; j < code.height; j += 1) {
      for (let i = 0; i < code.width; i += 1) {
        const p = (j * code.width + i) * 4;
        const paper = ((code.data[p] ?? 0) * 299 + (code.data[p + 1] ?? 0) * 587 + (code.data[p + 2] ?? 0) * 114) / 1000;
        const v = options.dark ? 255 - paper : paper;
        // BT.601 studio range, what a camera delivers
        y[(y0 + j) * width + x0 + i] = Math.round(16 + (v * 219) / 255);
      }
    }
    return y;
  };
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = (withCode: boolean): Buffer => Buffer.concat([Buffer.from('FRAME\n'), luma(withCode), chroma]);
  const blank = frame(false);
  const coded = frame(true);
  const frames = [...Array.from({ length: options.blankFrames ?? 0 }, () => blank), ...Array.from({ length: options.codeFrames ?? 10 }, () => coded)];
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), ...frames]));
}

describe('card scan from a dropped image', () => {
  it('a QR code PNG dropped on the card panel: the card, Koshelek Pay, and a paid sale with that card', async () => {
    const { page } = till;
    await newSale();
    await page.getByTestId('amount').fill('321,50');
    expect(await page.getByTestId('drop-note').textContent()).toContain('перетащите');
    const card = makeTestCard('OK');
    await dropFile(page, { bytes: await barcodePng('qrcode', card.barcode), name: 'card-qr.png', type: 'image/png' }, { screenshot: 'image-scan-01-drop-hint' });
    await expect.poll(() => page.getByTestId('card-kp').textContent(), { timeout: 5000 }).toContain('Карта Кошелёк Pay');
    expect(await page.getByTestId('card-loyalty').textContent()).toContain(card.cardNumber);
    await till.screenshot('image-scan-02-qr-card');
    await page.keyboard.press('F9');
    await page.getByTestId('result').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('result-title').textContent()).toContain('Оплачено');
    const checkout = sent('checkout', card.cardSession);
    expect(checkout).toHaveLength(1);
    expect(body(checkout[0] as ReceivedRequest).checkoutInvoice?.totalAmount).toBe(32150);
    const tx = await page.getByTestId('slip-paymentTransactionId').textContent();
    expect(till.emulator.transaction(tx ?? '')?.cardSession).toBe(card.cardSession);
  });

  it('a code128 PNG dropped anywhere on the Sale screen, then a paid sale', async () => {
    const { page } = till;
    await newSale();
    await page.getByTestId('amount').fill('99');
    const card = makeTestCard('OK');
    await dropFile(page, { bytes: await barcodePng('code128', card.barcode), name: 'card-128.png', type: 'image/png' }, { target: 'total' });
    await expect.poll(() => page.getByTestId('card-kp').textContent(), { timeout: 5000 }).toContain('Карта Кошелёк Pay');
    expect(await page.getByTestId('card-loyalty').textContent()).toContain(card.cardNumber);
    await page.keyboard.press('F9');
    await page.getByTestId('result').waitFor({ timeout: 10_000 });
    expect(sent('checkout', card.cardSession)).toHaveLength(1);
    expect(sent('availability', card.cardSession)).toHaveLength(1);
  });

  it('a JPEG photo (decoded by the renderer) and a DataMatrix PNG (decoded by the core) also give the card', async () => {
    const { page } = till;
    const methods: string[] = [];
    const onSocket = (ws: WebSocket): void => {
      ws.on('framesent', (frame) => {
        const m = /"method":"(scan\.[a-z]+)"/.exec(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString());
        if (m?.[1]) methods.push(m[1]);
      });
    };
    page.on('websocket', onSocket);
    await page.reload(); // so the till's socket is one this test listens to
    await page.getByTestId('status-env').waitFor();
    await newSale();
    const first = makeTestCard('OK');
    await dropFile(page, { bytes: await jpegOf(page, await barcodePng('pdf417', first.barcode)), name: 'photo.jpg', type: 'image/jpeg' });
    await expect.poll(() => page.getByTestId('card-loyalty').textContent(), { timeout: 8000 }).toContain(first.cardNumber);
    expect(await page.getByTestId('card-kp').textContent()).toContain('Карта Кошелёк Pay');
    await newSale();
    const second = makeTestCard('OK');
    await dropFile(page, { bytes: await barcodePng('datamatrix', second.barcode), name: 'dm.png', type: 'image/png' });
    await expect.poll(() => page.getByTestId('card-loyalty').textContent(), { timeout: 5000 }).toContain(second.cardNumber);
    page.off('websocket', onSocket);
    // the JPEG was decoded in the renderer (only its text went to the core), the PNG by the core
    expect(methods).toEqual(['scan.camera', 'scan.image']);
  });

  it('an image without a barcode, and a file that is no image, get the catalogue instruction', async () => {
    const { page } = till;
    await newSale();
    const blank = new PNG({ width: 320, height: 200 });
    blank.data.fill(255);
    await dropFile(page, { bytes: PNG.sync.write(blank), name: 'blank.png', type: 'image/png' });
    await page.getByTestId('error-panel').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('barcode.not_decoded');
    expect(await page.getByTestId('error-text').textContent()).toBe(CATALOGUE['barcode.not_decoded'].ru);
    expect(await page.getByTestId('error-action').textContent()).toContain('Отсканировать карту заново');
    await till.screenshot('image-scan-03-not-decoded');
    expect(await page.getByTestId('card').getAttribute('class')).toContain('empty');

    await page.keyboard.press('Enter'); // rescan
    await dropFile(page, { bytes: Buffer.from('just some notes, not a picture\n'), name: 'notes.txt', type: 'text/plain' });
    await page.getByTestId('error-panel').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('barcode.not_decoded');
  });

  it('an image dropped while a payment is in flight is refused with the catalogue message and never joins the sale', async () => {
    const { page } = till;
    await newSale();
    await page.getByTestId('amount').fill('150');
    const paying = makeTestCard('SL');
    await dropFile(page, { bytes: await barcodePng('qrcode', paying.barcode), name: 'sl.png', type: 'image/png' });
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await expect.poll(async () => page.getByTestId('cancel').isEnabled(), { timeout: 5000 }).toBe(true);
    await expect.poll(() => page.getByTestId('camera-open').count()).toBe(0);

    const other = makeTestCard('OK');
    await dropFile(page, { bytes: await barcodePng('qrcode', other.barcode), name: 'other.png', type: 'image/png' });
    await page.getByTestId('scan-notice').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('scan-notice').getAttribute('data-error-key')).toBe('scan.busy');
    expect(await page.getByTestId('scan-notice').textContent()).toBe(CATALOGUE['scan.busy'].ru);
    expect(await page.getByTestId('card-loyalty').textContent()).toContain(paying.cardNumber);
    expect(await page.getByTestId('live-status').isVisible()).toBe(true);
    await till.screenshot('image-scan-04-busy-refused');

    await page.keyboard.press('Escape');
    await page.getByTestId('error-panel').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('payment.canceled');
    // the refused card never reached Koshelek
    expect(till.emulator.received.filter((r) => body(r).cardSession === other.cardSession)).toHaveLength(0);
  });
});

describe('card scan by camera', () => {
  it('without a camera the panel says so in Russian (and in English), and Esc closes it', async () => {
    const { page } = till;
    await newSale();
    await page.keyboard.press('F12');
    await page.getByTestId('camera-error').waitFor({ timeout: 10_000 });
    const text = await page.getByTestId('camera-error').textContent();
    expect(['Камера не найдена', 'Нет доступа к камере', 'Камера не включилась'].some((s) => text?.startsWith(s))).toBe(true);
    await till.screenshot('image-scan-05-no-camera');
    await page.keyboard.press('F4');
    expect(await page.getByTestId('camera-error').textContent()).toMatch(/^(No camera found|No access to the camera|The camera did not start)/);
    await page.keyboard.press('F4');
    await page.keyboard.press('Escape');
    await page.getByTestId('camera').waitFor({ state: 'detached' });
    await page.getByTestId('manual-code').waitFor();
  });

  /** A browser whose fake camera plays `video`, on the till's page; the card is read and the sale is paid. */
  async function cameraSale(video: string, cardSession: string, cardNumber: string, shots: { live: string; card: string }): Promise<void> {
    await camBrowser?.close().catch(() => undefined);
    camBrowser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    });
    const context = await camBrowser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'ru-RU' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => { problems.push(e.message); console.error('[camera page error]', e.message); });
    // a CSP refusal (worker, wasm compile, wasm fetch) shows up as a console error
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    await page.goto(till.shell.server.url);
    await page.getByTestId('status-env').waitFor();
    await newSale(page);
    await page.getByTestId('amount').fill('777');
    await page.keyboard.press('F12');
    await page.locator('[data-testid="camera"][data-state="live"]').waitFor({ timeout: 10_000 }).then(
      () => page.screenshot({ path: path.join(SCREENSHOTS, `${shots.live}.png`) }),
      () => undefined, // the code may already have been read
    );
    await expect.poll(() => page.getByTestId('card-kp').textContent(), { timeout: 15_000 }).toContain('Карта Кошелёк Pay');
    expect(await page.getByTestId('card-loyalty').textContent()).toContain(cardNumber);
    await expect.poll(() => page.getByTestId('camera').count()).toBe(0);
    // the camera is off: no live video track is left in the page
    await expect.poll(() => page.evaluate(() => Array.from(document.querySelectorAll('video')).length)).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${shots.card}.png`) });
    await page.keyboard.press('F9');
    await page.getByTestId('result').waitFor({ timeout: 10_000 });
    expect(sent('checkout', cardSession)).toHaveLength(1);
    expect(body(sent('checkout', cardSession)[0] as ReceivedRequest).checkoutInvoice?.totalAmount).toBe(77700);
    expect(problems.filter((p) => /Content Security Policy|wasm|WebAssembly|Worker/i.test(p))).toEqual([]);
    // the decoder came from the shell (the installed package's binary), not from a CDN
    const wasm = await page.evaluate(async () => {
      const r = await fetch('assets/zxing_reader.wasm', { cache: 'no-store' });
      return { status: r.status, type: r.headers.get('content-type'), csp: r.headers.get('content-security-policy'), size: (await r.arrayBuffer()).byteLength };
    });
    expect(wasm).toMatchObject({ status: 200, type: 'application/wasm' });
    expect(wasm.csp).toContain("'wasm-unsafe-eval'");
    expect(wasm.size).toBe(fs.statSync(zxingWasmPath()).size);
    await context.close();
  }

  it('Chromium\'s fake camera shows the card\'s QR code: the card fills in, the camera switches off, the sale is paid', async () => {
    const card = makeTestCard('OK');
    const video = path.join(till.dir, 'card.y4m');
    y4m(video, await barcodePng('qrcode', card.barcode, 4), { blankFrames: 15, codeFrames: 15 });
    await cameraSale(video, card.cardSession, card.cardNumber, { live: 'image-scan-06-camera-live', card: 'image-scan-07-camera-card' });
  });

  it('a phone in dark mode (light QR modules on a black screen) before the camera: read in the decode worker, the sale is paid', async () => {
    const card = makeTestCard('OK');
    const video = path.join(till.dir, 'card-dark.y4m');
    y4m(video, await barcodePng('qrcode', card.barcode, 4), { blankFrames: 5, codeFrames: 15, dark: true });
    await cameraSale(video, card.cardSession, card.cardNumber, { live: 'image-scan-08-camera-dark-live', card: 'image-scan-09-camera-dark-card' });
  });
});

describe('layout', () => {
  it('the Sale screen with the camera button and drop hint fits 1024×768 without scrolling', async () => {
    const { page } = till;
    await newSale();
    const size = await page.evaluate(() => ({ sh: document.documentElement.scrollHeight, sw: document.documentElement.scrollWidth, h: window.innerHeight, w: window.innerWidth }));
    expect(size.sh).toBeLessThanOrEqual(size.h);
    expect(size.sw).toBeLessThanOrEqual(size.w);
    const open = page.getByTestId('camera-open');
    expect(await open.isVisible()).toBe(true);
    expect(await open.textContent()).toContain('Камера');
    await till.screenshot('image-scan-08-sale-empty');
  });
});
