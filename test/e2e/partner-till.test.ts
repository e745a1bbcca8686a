// A partner sale at the till, end to end, as the cashier does it: the kiosk shell over the real core, the partner
// emulator on loopback (it verifies every ECDSA signature), Debian Chromium. The customer's partner payment code
// (docs/partner-api.yaml "Presented payment code") is SCANNED with a keyboard-wedge scanner while the OS has the
// Russian layout on (DevTools key events: physical US key codes, Cyrillic key text, uneven 5–60 ms gaps); the sale
// screen offers the partner's method only; F9 → F6 pays. Items are added to the paid sale and «Доплата» (F7,
// pressed twice) charges the difference once. The refund screen reverses part of the extra charge on its own row.
// The emulator's ledger: one charge per operation, the reversal signed with the till's reversal key.
import crypto from 'node:crypto';
import path from 'node:path';
import type { CDPSession } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPartnerEmulator, type PartnerEmulator } from '../../emulators/partner/server';
import { PartnerKeyStore } from '../../main/payapi/partner/keys';
import { composePartnerCode } from '../../main/payapi/partner/token';
import { startTill, waitFor, type Till } from './harness';

let partner: PartnerEmulator;
let till: Till;
let cdp: CDPSession;
let keys: PartnerKeyStore;

beforeAll(async () => {
  partner = await startPartnerEmulator({ completionDelayMs: 50 });
  till = await startTill({
    serial: false,
    config: {
      providers: ['koshelek', 'partner'],
      partner: { enabled: true, baseUrl: partner.baseUrl, merchantId: 'merchant-1', currency: 'RUB', timing: { requestTimeoutMs: 2_000, recheckMs: 150, retryMs: 50 } },
    },
  });
  // Onboarding: the till generated its key pairs at first start; their public halves go to the partner.
  keys = new PartnerKeyStore(path.join(till.dir, 'data', 'providers', 'partner'));
  await waitFor(() => keys.publicKeys().length >= 2, 10_000, 'the till\'s partner keys');
  for (const k of keys.publicKeys()) partner.registerKey(crypto.createPublicKey(k.pem), k.purpose);
  cdp = await till.page.context().newCDPSession(till.page);
});
afterAll(async () => {
  await till?.close();
  await partner?.close();
});

const US = 'qwertyuiopasdfghjklzxcvbnm';
const RU = 'йцукенгшщзфывапролдячсмить';
const SHIFT = 8;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A US-keyboard HID scanner typing `code` while the OS layout is Russian: key codes are US keys, text Cyrillic. */
async function russianWedgeScan(code: string): Promise<void> {
  let x = 17;
  const gap = (): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return 5 + (x % 56);
  };
  const sent: Promise<unknown>[] = [];
  const start = Date.now();
  let at = 0;
  const key = async (type: 'keyDown' | 'keyUp' | 'rawKeyDown', keyCode: string, keyValue: string, vk: number, modifiers: number, text?: string, offsetMs = 0): Promise<void> => {
    const when = start + at + offsetMs;
    const wait = when - Date.now();
    if (wait > 0) await sleep(wait);
    sent.push(cdp.send('Input.dispatchKeyEvent', {
      type, code: keyCode, key: keyValue, windowsVirtualKeyCode: vk, nativeVirtualKeyCode: vk, modifiers, timestamp: when / 1000,
      ...(text !== undefined ? { text, unmodifiedText: text } : {}),
    }));
  };
  const press = async (keyCode: string, shown: string, vk: number, shift: boolean): Promise<void> => {
    if (shift) await key('rawKeyDown', 'ShiftLeft', 'Shift', 16, SHIFT);
    await key('keyDown', keyCode, shown, vk, shift ? SHIFT : 0, shown, 1);
    await key('keyUp', keyCode, shown, vk, shift ? SHIFT : 0, undefined, 2);
    if (shift) await key('keyUp', 'ShiftLeft', 'Shift', 16, 0, undefined, 3);
  };
  for (const ch of code) {
    const lower = ch.toLowerCase();
    const letter = US.indexOf(lower);
    if (letter >= 0) {
      const upper = ch !== lower;
      const cyr = RU.charAt(letter);
      await press(`Key${lower.toUpperCase()}`, upper ? cyr.toUpperCase() : cyr, lower.toUpperCase().charCodeAt(0), upper);
    } else if (/\d/.test(ch)) {
      await press(`Digit${ch}`, ch, ch.charCodeAt(0), false);
    } else if (ch === ':') {
      await press('Semicolon', 'Ж', 186, true); // Shift + the ;-key: «Ж» in ЙЦУКЕН
    } else if (ch === '-') {
      await press('Minus', '-', 189, false);
    } else {
      throw new Error(`no key for ${ch}`);
    }
    at += gap();
  }
  await key('keyDown', 'Enter', 'Enter', 13, 0, '\r');
  await key('keyUp', 'Enter', 'Enter', 13, 0, undefined, 2);
  await Promise.all(sent);
}

describe('partner payments at the till screen', () => {
  it('scan the partner code → pay; add items → «Доплата» once; reverse part of the extra charge on its own row', async () => {
    const { page } = till;
    const paymentId = `pay-${crypto.randomUUID().slice(0, 12)}`;
    partner.addPayment({ paymentId, amount: 0, currency: 'RUB' });

    // A garbled code first: refused in Russian, nothing sent to the partner.
    await page.getByTestId('amount').fill('100');
    const good = composePartnerCode(paymentId);
    await russianWedgeScan(`${good.slice(0, -4)}${good.endsWith('0000') ? '1111' : '0000'}`);
    await page.getByTestId('error-panel').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('barcode.token_invalid');
    expect(await page.getByTestId('error-text').textContent()).toMatch(/Код оплаты прочитан с ошибкой/);
    expect(partner.operations().filter((o) => o.paymentId === paymentId)).toHaveLength(0);
    await page.keyboard.press('Enter'); // «Отсканировать заново»

    // The real code, through the wedge with the Russian layout.
    await russianWedgeScan(good);
    await expect.poll(() => page.getByTestId('card-loyalty').textContent().catch(() => ''), { timeout: 10_000 }).toBe(`Код оплаты: ${paymentId}`);
    expect(await page.getByTestId('amount').inputValue()).toBe('100');
    await page.keyboard.press('F9');
    await page.getByTestId('methods').waitFor();
    // Only the partner's method takes this token: Koshelek's scan methods are not offered for it.
    const rows = page.getByTestId('method-row');
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-provider')))).toEqual(['partner']);
    await page.keyboard.press('F6');
    await page.getByTestId('result').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('result-title').textContent()).toContain('Оплачено');
    await till.screenshot('partner-paid');

    // The basket grew: two packets of 7,50 ₽ → «Доплата 15,00 ₽».
    await page.getByTestId('extra-charge').waitFor();
    await page.getByTestId('extra-line-name').fill('Пакет');
    await page.getByTestId('extra-line-price').fill('7,50');
    await page.getByTestId('extra-line-qty').fill('2');
    await page.keyboard.press('F6');
    await expect.poll(() => page.getByTestId('extra-charge-pay').textContent(), { timeout: 5_000 }).toMatch(/Доплата 15,00/);
    // A double press is one charge. The partner holds it PENDING: while it runs, F10 starts no new sale.
    partner.setFaults({ neverComplete: true });
    await page.keyboard.press('F7');
    await page.keyboard.press('F7');
    await expect.poll(() => page.getByTestId('extra-charge-status').getAttribute('data-state').catch(() => null), { timeout: 20_000 }).toBe('running');
    expect(await page.getByTestId('new-sale').isDisabled()).toBe(true);
    expect(await page.getByTestId('new-sale-blocked').textContent()).toMatch(/Идёт доплата/);
    await page.keyboard.press('F10');
    expect(await page.getByTestId('extra-charge-status').getAttribute('data-state')).toBe('running');
    expect(await page.getByTestId('result').count()).toBe(1);
    partner.setFaults({});
    partner.completeNow();
    await expect.poll(() => page.getByTestId('extra-charge-status').getAttribute('data-state').catch(() => null), { timeout: 20_000 }).toBe('paid');
    expect(await page.getByTestId('extra-charge-pay').count()).toBe(0);
    await till.screenshot('partner-extra-charge');
    expect(await page.getByTestId('new-sale').isDisabled()).toBe(false);
    expect(await page.getByTestId('new-sale-blocked').count()).toBe(0);
    expect(partner.settled(paymentId, 'extra_charge').map((o) => o.amount).sort((a, b) => a - b)).toEqual([1_500, 10_000]);

    // Refund screen: the extra charge is its own row; 5,00 ₽ of it goes back.
    await page.keyboard.press('F2');
    const extraRow = page.getByTestId('refund-row').filter({ has: page.getByTestId('refund-row-extra') });
    await extraRow.first().waitFor({ timeout: 10_000 });
    await extraRow.first().click();
    await expect.poll(() => page.getByTestId('refund-selected').textContent()).toContain('15,00');
    await page.getByTestId('refund-amount').fill('5');
    await page.keyboard.press('F7');
    await page.getByTestId('refund-confirm').waitFor();
    await page.keyboard.press('F9');
    await page.getByTestId('refund-result').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('refund-result').textContent()).toContain('5,00');
    await till.screenshot('partner-reversal');

    // The partner's ledger: each operation once; the reversal signed with the till's reversal key.
    const ops = partner.operations().filter((o) => o.paymentId === paymentId);
    expect(ops.map((o) => [o.type, o.amount, o.status]).sort()).toEqual([['extra_charge', 10_000, 'SUCCEEDED'], ['extra_charge', 1_500, 'SUCCEEDED'], ['reversal', 500, 'SUCCEEDED']].sort());
    const reversalKey = keys.live('reversal')[0]?.keyId;
    const paymentKey = keys.live('payment')[0]?.keyId;
    expect(ops.find((o) => o.type === 'reversal')?.keyId).toBe(reversalKey);
    for (const o of ops.filter((x) => x.type === 'extra_charge')) expect(o.keyId).toBe(paymentKey);
    expect(partner.settled(paymentId, 'reversal').map((o) => o.amount)).toEqual([500]);
  });
});
