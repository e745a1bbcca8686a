// The partner payment code (docs/partner-api.yaml "Presented payment code") through every scan input, via the
// neutral token-format hook: the provider contributes its format, the barcode layer answers { provider,
// payToken }. Serial over a real socat pty, the keyboard wedge with the Russian layout and Caps Lock (keys as
// the OS delivers them, decoded by the wedge's keymap), camera frames decoded by the renderer's decoder
// (bwip-js QR and Code 128 inside a 640×480 picture). Garbled and hostile codes are refused in Russian and never
// become a payment token; Koshelek cards still scan as cards.
import bwipjs from 'bwip-js/node';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { SerialPort } from 'serialport';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeBarcode } from '../../main/barcode/compose';
import { matchProviderToken, type ProviderTokenFormat } from '../../main/barcode/tokens';
import { scanEventSchema, type ScanEvent } from '../../main/contract/scan';
import { describeError } from '../../main/errors/catalogue';
import { composePartnerCode, parsePartnerCode, partnerCodeFormat } from '../../main/payapi/partner/token';
import { scannerConfigSchema } from '../../main/scanner/config';
import { createScanHub } from '../../main/scanner/hub';
import { createPtyPair, waitFor } from '../../main/scanner/testing/socat';
import { loadZxingWasm } from '../../main/scanner/zxing-wasm';
import { DEFAULT_TEST_CARD, totpConfigSchema } from '../../main/totp/config';
import { BuiltinTotpVerifier } from '../../main/totp/verifier';
import { decodeFrame, type FrameLike } from '../../renderer/scan/frame-decode';
import { keysForChar } from '../../renderer/scan/keymap';
import { WedgeDetector, type WedgeKeyEvent } from '../../renderer/scan/wedge';

const formats: ProviderTokenFormat[] = [{ provider: 'partner', ...partnerCodeFormat }];
const PAYMENT_ID = 'pay-3f9a1c2b7d4e';
const CODE = composePartnerCode(PAYMENT_ID);
const totp = totpConfigSchema.parse({});
const hubOf = (extra: Record<string, unknown> = {}) => createScanHub(scannerConfigSchema.parse(extra), new BuiltinTotpVerifier(totp), { tokenFormats: () => formats });

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup = [];
});

describe('the partner code format', () => {
  it('round trip; the marker in any case is ours; any single changed character is refused, never another token', () => {
    expect(CODE).toMatch(/^PTNR1:pay-3f9a1c2b7d4e:[0-9A-F]{4}$/);
    expect(parsePartnerCode(CODE)).toEqual({ kind: 'token', payToken: PAYMENT_ID });
    expect(parsePartnerCode('KP1234567890123OK0001987')).toEqual({ kind: 'none' });
    expect(parsePartnerCode(CODE.toLowerCase()).kind).toBe('invalid'); // Caps Lock flipped every letter
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:;ЖжЮ ';
    fc.assert(fc.property(fc.integer({ min: 6, max: CODE.length - 1 }), fc.integer({ min: 0, max: alphabet.length - 1 }), (at, k) => {
      const ch = alphabet.charAt(k);
      fc.pre(ch !== CODE.charAt(at));
      const mangled = CODE.slice(0, at) + ch + CODE.slice(at + 1);
      expect(parsePartnerCode(mangled).kind).toBe('invalid');
    }), { seed: 42, numRuns: 400 });
    // every id of the allowed shape round-trips
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9-]{8,32}$/), (id) => {
      expect(parsePartnerCode(composePartnerCode(id))).toEqual({ kind: 'token', payToken: id });
    }), { seed: 7, numRuns: 300 });
  });

  it('hostile input: never throws, never a token unless it is exactly a valid code', () => {
    const hostile = ['PTNR1:', 'PTNR1::', `PTNR1:${PAYMENT_ID}`, `PTNR1:${PAYMENT_ID}:`, `PTNR1:${'a'.repeat(5000)}:0000`, `PTNR1:${PAYMENT_ID}:ZZZZ`,
      `PTNR1:pay\u0000abcdefgh:0000`, `PTNR1:${PAYMENT_ID}:${CODE.slice(-4)}\u001d`, `PTNR1:../../etc/passwd:0000`, 'PTNR1:пэй-12345678:0000'];
    for (const h of hostile) expect(parsePartnerCode(h).kind).toBe('invalid');
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      const r = matchProviderToken(`PTNR1:${s}`, formats);
      if (r?.ok) expect(composePartnerCode(r.payToken ?? '')).toBe(`PTNR1:${s}`.replace(/[\r\n]+$/, '').trim());
    }), { seed: 3, numRuns: 500 });
  });

  it('a format that throws or answers a token outside the contract is a refusal, never a payment', () => {
    const broken: ProviderTokenFormat[] = [{ provider: 'x', name: 'throws', parse: () => { throw new Error('boom'); } }];
    expect(matchProviderToken('anything', broken)).toMatchObject({ ok: false, reason: 'token_invalid' });
    const wide: ProviderTokenFormat[] = [{ provider: 'x', name: 'wide', parse: () => ({ kind: 'token', payToken: 'a b' }) }];
    expect(matchProviderToken('anything', wide)).toMatchObject({ ok: false, reason: 'token_invalid' });
  });

  it('the refusal reads in Russian and says nothing was charged', () => {
    const r = matchProviderToken(`PTNR1:${PAYMENT_ID}:0000`, formats);
    expect(r).toMatchObject({ ok: false, reason: 'token_invalid', errorKey: 'barcode.token_invalid' });
    const text = describeError('barcode.token_invalid');
    expect(text.ru).toMatch(/Код оплаты прочитан с ошибкой/);
    expect(text.ru).toMatch(/Оплата не проводилась/);
    expect(text.action).toBe('rescan');
  });
});

describe('through the scan hub', () => {
  it('wedge, manual and camera text: { provider, payToken }, contract-valid; a Koshelek card is still a card; garbled is refused', async () => {
    const hub = hubOf();
    const wedge = await hub.submitWedge(CODE);
    expect(scanEventSchema.parse(wedge)).toEqual(wedge);
    expect(wedge.parsed).toEqual({ ok: true, prefix: '', loyaltyId: PAYMENT_ID, payToken: PAYMENT_ID, payReady: true, verified: false, provider: 'partner' });
    expect((await hub.submit(CODE, 'image', 'qr')).parsed).toMatchObject({ ok: true, provider: 'partner', payToken: PAYMENT_ID });
    // an AIM identifier in front (a scanner set to send it) is stripped before the format looks
    expect((await hub.submitWedge(`]Q1${CODE}`)).parsed).toMatchObject({ ok: true, provider: 'partner' });
    const card = composeBarcode({ card: DEFAULT_TEST_CARD, cardNumber: '1234567890123', cardSession: 'OK0001', atMs: Date.now() });
    expect((await hub.submitWedge(card)).parsed).toMatchObject({ ok: true, payToken: 'OK0001', payReady: true });
    expect((await hub.submitWedge(card)).parsed).not.toHaveProperty('provider');
    const garbled = await hub.submitWedge(`${CODE.slice(0, -1)}${CODE.endsWith('0') ? '1' : '0'}`);
    expect(garbled.parsed).toMatchObject({ ok: false, reason: 'token_invalid', errorKey: 'barcode.token_invalid' });
    // busy still wins: no token is taken while a payment is in flight
    hub.setBusy(true);
    expect((await hub.submitWedge(CODE)).parsed).toMatchObject({ ok: false, reason: 'busy' });
    await hub.stop();
  });

  it('a provider list that cannot be read leaves card scanning working', async () => {
    const hub = createScanHub(scannerConfigSchema.parse({}), new BuiltinTotpVerifier(totp), { tokenFormats: () => { throw new Error('registry gone'); } });
    const card = composeBarcode({ card: DEFAULT_TEST_CARD, cardNumber: '1234567890123', cardSession: 'OK0002', atMs: Date.now() });
    expect((await hub.submitWedge(card)).parsed).toMatchObject({ ok: true, payToken: 'OK0002' });
    expect((await hub.submitWedge(CODE)).parsed).toMatchObject({ ok: false });
    await hub.stop();
  });

  it('serial over a socat pty (CR suffix, 9600 baud): the code arrives whole and becomes the token; a garbled one is refused', async () => {
    const pair = await createPtyPair('b9600');
    cleanup.push(() => pair.dispose());
    const hub = hubOf({ serial: { enabled: true, path: pair.tillPath, baudRate: 9600, suffix: 'CR', reconnectMs: 100, idleTimeoutMs: 30 } });
    cleanup.push(() => hub.stop());
    const scans: ScanEvent[] = [];
    hub.onScan((e) => scans.push(e));
    await hub.start();
    const port = new SerialPort({ path: pair.scannerPath, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    cleanup.push(() => new Promise((resolve) => port.close(() => resolve())));
    const write = (data: string): Promise<void> => new Promise((resolve, reject) => port.write(Buffer.from(data, 'latin1'), (e) => (e ? reject(e) : port.drain(() => resolve()))));
    await write(`${CODE.slice(0, 9)}`);
    await new Promise((r) => setTimeout(r, 20));
    await write(`${CODE.slice(9)}\r${CODE.replace('pay', 'pby')}\r`);
    await waitFor(() => scans.length === 2, 10_000, 'two serial scans');
    expect(scans[0]).toMatchObject({ source: 'serial', raw: CODE, parsed: { ok: true, provider: 'partner', payToken: PAYMENT_ID } });
    expect(scans[1]?.parsed).toMatchObject({ ok: false, reason: 'token_invalid' });
  });
});

/** The OS's Russian ЙЦУКЕН layout: what `key` says for a physical key (the wedge decodes `code`). */
const RU_ROWS: [string, string][] = [['qwertyuiop[]', 'йцукенгшщзхъ'], ["asdfghjkl;'", 'фывапролджэ'], ['zxcvbnm,./', 'ячсмитьбю.']];
const RU = new Map<string, string>();
for (const [us, ru] of RU_ROWS) [...us].forEach((c, i) => RU.set(c, ru.charAt(i)));

function ruStrokes(text: string, capsLock: boolean, start = 1_000): WedgeKeyEvent[] {
  let t = start;
  const events: WedgeKeyEvent[] = [];
  [...text].forEach((ch, i) => {
    const k = keysForChar(ch);
    if (!k) throw new Error(`no key for ${ch}`);
    t += 5 + ((i * 37) % 56); // uneven 5–60 ms, as wireless scanners send
    const base = RU.get(ch.toLowerCase()) ?? ch;
    const shown = k.shiftKey !== capsLock ? base.toUpperCase() : base;
    if (k.shiftKey) events.push({ type: 'keydown', code: 'ShiftLeft', key: 'Shift', shiftKey: true, ctrlKey: false, altKey: false, capsLock, timeStamp: t, editable: true });
    events.push({ ...k, type: 'keydown', key: ch === ':' ? 'Ж' : shown, capsLock, timeStamp: t, editable: true });
  });
  events.push({ type: 'keydown', code: 'Enter', key: 'Enter', shiftKey: false, ctrlKey: false, altKey: false, capsLock, timeStamp: t + 20, editable: true });
  return events;
}

describe('keyboard wedge with the Russian layout', () => {
  it.each([false, true])('Caps Lock %s: the keymap reads the code exactly; the hub makes it the partner token', async (caps) => {
    const detector = new WedgeDetector();
    const codes: string[] = [];
    for (const e of ruStrokes(CODE, caps)) {
      const d = detector.feed(e);
      if (d.scan) codes.push(d.scan.code);
    }
    expect(codes).toEqual([CODE]);
    const hub = hubOf();
    expect((await hub.submitWedge(codes[0] ?? '')).parsed).toMatchObject({ ok: true, provider: 'partner', payToken: PAYMENT_ID });
    await hub.stop();
  });

  it('typed by hand (layout characters, slow keys) it is never a scan, and the layout text is not a token', async () => {
    const detector = new WedgeDetector();
    let field = '';
    for (const [i, e] of ruStrokes(CODE, false).entries()) {
      const d = detector.feed({ ...e, timeStamp: 1_000 + i * 250 });
      expect(d.scan).toBeUndefined();
      if (!d.preventDefault && e.key && e.key.length === 1 && e.code !== 'ShiftLeft') field += e.key;
    }
    expect(field).not.toBe(CODE);
    const hub = hubOf();
    expect((await hub.submitManual(field)).parsed.ok).toBe(false);
    await hub.stop();
  });
});

async function picture(bcid: string, text: string): Promise<FrameLike> {
  const png = PNG.sync.read(await bwipjs.toBuffer({ bcid, text, scale: bcid === 'code128' ? 2 : 3, ...(bcid === 'code128' ? { height: 12 } : {}), paddingwidth: 12, paddingheight: 12, backgroundcolor: 'FFFFFF' }));
  // Code 128 of the code is 343 modules (686 px at 2 px a module): a 960-wide frame, as the camera view draws.
  const width = bcid === 'code128' ? 960 : 640;
  const height = 480;
  const data = new Uint8ClampedArray(width * height * 4).fill(190);
  for (let y = 0; y < png.height && y + 120 < height; y += 1) {
    for (let x = 0; x < png.width && x + 40 < width; x += 1) {
      for (let k = 0; k < 4; k += 1) data[((y + 120) * width + x + 40) * 4 + k] = png.data[(y * png.width + x) * 4 + k] ?? 0;
    }
  }
  return { data, width, height };
}

describe('camera frames (the renderer decoder, then the hub)', () => {
  beforeAll(async () => {
    await loadZxingWasm();
  });
  it.each(['qrcode', 'code128'])('%s of the partner code in a camera picture (640 or 960 wide) → the partner token', async (bcid) => {
    const decoded = await decodeFrame(await picture(bcid, CODE));
    expect(decoded?.text).toBe(CODE);
    const hub = hubOf();
    expect((await hub.submit(decoded?.text ?? '', 'image', decoded?.symbology)).parsed).toMatchObject({ ok: true, provider: 'partner', payToken: PAYMENT_ID });
    await hub.stop();
  });
});
