// Keyboard-wedge scans as a Russian till gets them, end to end: Debian Chromium drives the built renderer
// through the kiosk shell against the real core and the Koshelek emulator. Keys are sent over the
// DevTools protocol the way the OS would deliver a HID scanner's key codes with the Russian ЙЦУКЕН layout
// active (KeyboardEvent.code = the US key, key/text = the Cyrillic letter) and, in one case, with Caps
// Lock on (Shift + Caps Lock gives lowercase Cyrillic). Gaps are uneven, 5–60 ms. The amount the cashier
// typed must survive and the sale must be paid with it. Screenshots: wedge-*.png.
import fs from 'node:fs';
import type { CDPSession } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCardBarcode, type ReceivedRequest } from '../../emulators/koshelek';
import { startTill, waitFor, type Till } from './harness';

let till: Till;
let cdp: CDPSession;

beforeAll(async () => {
  till = await startTill({ serial: false, confirmDelayMs: 300 });
  // The shop's defaults, not the harness's widened 120 ms gap: these bursts must pass as a real till sees them.
  const config = JSON.parse(fs.readFileSync(till.configFile, 'utf8')) as { scanner: Record<string, unknown> };
  config.scanner.wedge = {};
  fs.writeFileSync(till.configFile, JSON.stringify(config, null, 2));
  await waitFor(() => till.shell.core.config.current().scanner.wedge.maxInterKeyMs === 80, 10_000, 'default wedge config');
  await till.page.reload();
  await till.page.getByTestId('status-env').waitFor();
  cdp = await till.page.context().newCDPSession(till.page);
});
afterAll(async () => {
  await till?.close();
});

interface Body { cardSession?: string; checkoutInvoice?: { totalAmount: number; items: { name: string }[] } }
const body = (r: ReceivedRequest): Body => (r.body ?? {}) as Body;
const checkouts = (session: string): ReceivedRequest[] =>
  till.emulator.received.filter((r) => r.endpoint === 'checkout' && body(r).cardSession === session);

const RU = 'йцукенгшщзфывапролдячсмить';
const US = 'qwertyuiopasdfghjklzxcvbnm';
const SHIFT = 8;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A deterministic uneven 5–60 ms gap sequence (not the detector's own numbers). */
function gaps(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return 5 + (x % 56);
  };
}

/**
 * What the OS delivers when a US-keyboard HID scanner types `barcode` with the Russian layout active:
 * physical key codes, Cyrillic characters; Shift for capitals; with Caps Lock on, Shift+letter is lowercase.
 * Like hardware input, every event carries the time the key arrived (uneven 5–60 ms apart) and is sent at
 * that pace without waiting for the page to finish handling the previous one.
 */
async function russianWedgeScan(barcode: string, options: { capsLock: boolean; seed: number }): Promise<void> {
  const gap = gaps(options.seed);
  const sent: Promise<unknown>[] = [];
  const start = Date.now();
  let at = 0;
  const key = async (type: 'keyDown' | 'keyUp' | 'rawKeyDown', code: string, keyValue: string, vk: number, modifiers: number, text?: string, offsetMs = 0): Promise<void> => {
    const when = start + at + offsetMs;
    const wait = when - Date.now();
    if (wait > 0) await sleep(wait);
    sent.push(cdp.send('Input.dispatchKeyEvent', {
      type, code, key: keyValue, windowsVirtualKeyCode: vk, nativeVirtualKeyCode: vk, modifiers, timestamp: when / 1000,
      ...(text !== undefined ? { text, unmodifiedText: text } : {}),
    }));
  };
  for (const ch of barcode) {
    const lower = ch.toLowerCase();
    const letter = US.indexOf(lower);
    if (letter >= 0) {
      const upper = ch !== lower;
      const cyr = RU.charAt(letter);
      const shown = upper !== options.capsLock ? cyr.toUpperCase() : cyr;
      const code = `Key${lower.toUpperCase()}`;
      const vk = lower.toUpperCase().charCodeAt(0);
      const mods = upper ? SHIFT : 0;
      if (upper) await key('rawKeyDown', 'ShiftLeft', 'Shift', 16, SHIFT);
      await key('keyDown', code, shown, vk, mods, shown, 1);
      await key('keyUp', code, shown, vk, mods, undefined, 2);
      if (upper) await key('keyUp', 'ShiftLeft', 'Shift', 16, 0, undefined, 3);
    } else if (/\d/.test(ch)) {
      await key('keyDown', `Digit${ch}`, ch, ch.charCodeAt(0), 0, ch);
      await key('keyUp', `Digit${ch}`, ch, ch.charCodeAt(0), 0, undefined, 2);
    } else {
      throw new Error(`no key for ${ch}`);
    }
    at += gap();
  }
  await key('keyDown', 'Enter', 'Enter', 13, 0, '\r');
  await key('keyUp', 'Enter', 'Enter', 13, 0, undefined, 2);
  await Promise.all(sent);
}

/** The card panel after a scan; a rejection fails with its catalogue key and text (for the log). */
async function expectKoshelekCard(): Promise<void> {
  const { page } = till;
  await expect.poll(async () => {
    if (await page.getByTestId('error-panel').count()) {
      return `rejected: ${await page.getByTestId('error-panel').getAttribute('data-error-key')} ${await page.getByTestId('error-panel').textContent()}`;
    }
    return (await page.getByTestId('card-kp').count()) ? page.getByTestId('card-kp').textContent() : 'no card yet';
  }, { timeout: 10_000 }).toContain('Карта Кошелёк Pay');
}

async function newSale(): Promise<void> {
  const { page } = till;
  await page.keyboard.press('F1');
  await page.keyboard.press('F10');
  await page.getByTestId('card').filter({ hasText: 'Отсканируйте' }).waitFor();
}

async function payAndCheck(session: string, totalKop: number): Promise<void> {
  const { page } = till;
  await page.keyboard.press('F9');
  await page.getByTestId('result').waitFor({ timeout: 15_000 });
  expect(await page.getByTestId('result-title').textContent()).toContain('Оплачено');
  const sent = checkouts(session);
  expect(sent).toHaveLength(1);
  expect(body(sent[0] as ReceivedRequest).checkoutInvoice?.totalAmount).toBe(totalKop);
}

describe('keyboard-wedge scanner under the Russian layout', () => {
  it('a scan into the focused amount field leaves the amount intact and pays the sale with it', async () => {
    const { page } = till;
    await newSale();
    const amount = page.getByTestId('amount');
    await amount.focus();
    // The cashier types the amount like a person (well over 100 ms per key), in the Russian layout.
    await page.keyboard.type('150', { delay: 160 });
    expect(await amount.inputValue()).toBe('150');
    const barcode = testCardBarcode('OK');
    await russianWedgeScan(barcode, { capsLock: false, seed: 7 });
    await expectKoshelekCard();
    expect(await page.getByTestId('card-loyalty').textContent()).toContain(barcode.slice(2, 15));
    expect(await amount.inputValue()).toBe('150');
    await till.screenshot('wedge-ru-amount-intact');
    await payAndCheck(barcode.slice(15, 21), 15_000);
  });

  it('with Caps Lock on as well, the scan is read exactly and the amount stays', async () => {
    const { page } = till;
    await newSale();
    const amount = page.getByTestId('amount');
    await amount.focus();
    await page.keyboard.type('1234,5', { delay: 140 });
    const barcode = testCardBarcode('OK');
    await russianWedgeScan(barcode, { capsLock: true, seed: 12_345 });
    await expectKoshelekCard();
    expect(await amount.inputValue()).toBe('1234,5');
    await till.screenshot('wedge-ru-capslock');
    await payAndCheck(barcode.slice(15, 21), 123_450);
  });

  it('a scan while the cashier is in the item-name field: the name keeps its text, the line and the card make the sale', async () => {
    const { page } = till;
    await newSale();
    await page.getByTestId('line-name').fill('Хлеб');
    await page.getByTestId('line-price').fill('45');
    await page.getByTestId('line-qty').fill('2');
    await page.keyboard.press('F5');
    await page.getByTestId('line-name').fill('Молоко');
    await page.getByTestId('line-name').focus();
    const barcode = testCardBarcode('OK');
    await russianWedgeScan(barcode, { capsLock: true, seed: 99 });
    await expectKoshelekCard();
    expect(await page.getByTestId('line-name').inputValue()).toBe('Молоко');
    await till.screenshot('wedge-ru-line-name');
    await payAndCheck(barcode.slice(15, 21), 9_000);
  });

  it('a scan while the VAT list has focus: the choice stays, the card is read', async () => {
    const { page } = till;
    await newSale();
    await page.getByTestId('amount').fill('10');
    const tax = page.getByTestId('line-tax');
    await tax.selectOption('vat0');
    await tax.focus();
    const barcode = testCardBarcode('OK');
    await russianWedgeScan(barcode, { capsLock: false, seed: 3 });
    await expectKoshelekCard();
    expect(await tax.inputValue()).toBe('vat0');
    expect(await page.getByTestId('amount').inputValue()).toBe('10');
  });

  it('a legacy EAN-13 store card (no cardSession, no TOTP) is taken for loyalty with its whole number; Koshelek Pay is not offered', async () => {
    const { page } = till;
    const config = JSON.parse(fs.readFileSync(till.configFile, 'utf8')) as { scanner: Record<string, unknown> };
    config.scanner.legacyCards = [{ name: 'ean13-store', lengths: [13], ranges: [{ from: '2000', to: '2099' }], checkDigit: 'gs1' }];
    fs.writeFileSync(till.configFile, JSON.stringify(config, null, 2));
    await expect.poll(() => till.shell.core.config.current().scanner.legacyCards.length, { timeout: 10_000 }).toBe(1);
    await newSale();
    const amount = page.getByTestId('amount');
    await amount.focus();
    await page.keyboard.type('99', { delay: 150 });
    const card = '2000123456782'; // EAN-13 with its check digit
    await russianWedgeScan(card, { capsLock: true, seed: 5 });
    await expect.poll(() => page.getByTestId('card-loyalty').textContent(), { timeout: 5000 }).toContain(card);
    expect(await page.getByTestId('card-kp').textContent()).toContain('Кошелёк Pay недоступен');
    expect(await page.getByTestId('next-step').textContent()).toContain('Примите оплату наличными или картой');
    expect(await amount.inputValue()).toBe('99');
    await till.screenshot('wedge-legacy-ean13');
    // a product EAN-13 (outside the store's range) is not a loyalty card
    await newSale();
    await russianWedgeScan('4600000123455', { capsLock: false, seed: 6 });
    await expect.poll(() => page.getByTestId('error-panel').getAttribute('data-error-key'), { timeout: 5000 }).toBe('barcode.wrong_prefix');
  });
});
