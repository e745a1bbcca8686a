// The customer display end to end: the kiosk shell over the real core with the embedded extpay emulator
// (PayPal by QR, settled by the poll), the till page and the display page (display.html, its own token) in
// Debian Chromium. The cashier types the amount → the display shows it; a QR sale (started through the till's
// API session, as test/e2e/extpay-payments.test.ts does) → the display draws the same payment link, read back
// from its pixels by another decoder (zxing-cpp); the customer's phone pays → «Оплачено». A config edit turning
// the display off blanks it at once (nothing of the till left on it) and on again brings it back.
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../../main/contract/api';
import type { OperationView } from '../../main/contract/checkout';
import { decodeRgbaWasm } from '../../main/scanner/zxing-wasm';
import { SCREENSHOTS, startTill, type Till } from './harness';

let till: Till | null = null;
afterEach(async () => {
  await till?.close();
  till = null;
});

async function call<T>(t: Till, method: string, input: unknown): Promise<T> {
  const r: ApiResponse = await t.shell.session.dispatch(method, input);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.data as T;
}

const stateOf = (display: Page): Promise<string | null> => display.getByTestId('display').getAttribute('data-state');

function editConfig(t: Till, change: (config: Record<string, unknown>) => void): void {
  const config = JSON.parse(fs.readFileSync(t.configFile, 'utf8')) as Record<string, unknown>;
  change(config);
  fs.writeFileSync(t.configFile, `${JSON.stringify(config, null, 2)}\n`);
}

describe('customer display', () => {
  it('shows the typed total, the QR of a QR sale (same link, read back from the screen), then «Оплачено»; a config edit turns it off and on', async () => {
    till = await startTill({
      serial: false,
      config: {
        providers: ['koshelek', 'extpay'],
        extpay: {
          enabled: true, embeddedEmulator: true, currency: 'USD', webhookToken: 'e2e-webhook-secret-0123456789',
          webhookUrl: 'http://127.0.0.1:9/never', listener: { enabled: false }, timing: { pollScheduleMs: [300] },
        },
        customerDisplay: { enabled: true, resultSeconds: 120 },
      },
    });
    const t = till;
    const context = await t.browser.newContext({ viewport: { width: 800, height: 600 }, locale: 'ru-RU' });
    const display = await context.newPage();
    display.on('pageerror', (e) => console.error('[display page error]', e.message));
    await display.goto(t.shell.server.displayUrl);
    await expect.poll(() => stateOf(display), { timeout: 10_000 }).toBe('idle');
    expect(await display.getByTestId('display-store').textContent()).toBe('Тестовый магазин');
    // The token left the address bar at once, as on the till page.
    expect(display.url()).not.toContain('#token');

    // The cashier types the amount on the till page: the display follows the running total.
    await t.page.getByTestId('amount').fill('49,99');
    await expect.poll(() => stateOf(display), { timeout: 10_000 }).toBe('basket');
    expect(await display.getByTestId('display-total').textContent()).toBe('49,99\u00a0₽');

    const op = await call<OperationView>(t, 'sale.pay', { orderId: `E2E-CD-${Date.now()}`, amountKop: 49_99, paymentType: 'paypal' });
    await display.getByTestId('customer-qr').waitFor({ timeout: 15_000 });
    expect(await stateOf(display)).toBe('pay');
    const live = await call<OperationView>(t, 'operation.get', { operationId: op.id });
    const link = live.customerAction?.payload ?? '';
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(await display.getByTestId('customer-action').getAttribute('data-payload')).toBe(link);
    expect(await display.getByTestId('customer-action-hint').textContent()).toBe(live.customerAction?.hintRu);
    // The PayPal acquirer charges in USD: the customer reads dollars, not roubles (the typed basket was ₽).
    expect(live.currency).toBe('USD');
    expect(await display.getByTestId('display-total').textContent()).toBe('49,99\u00a0$');
    const png = PNG.sync.read(await display.getByTestId('customer-qr').screenshot());
    expect((await decodeRgbaWasm(new Uint8ClampedArray(png.data), png.width, png.height))?.text).toBe(link);
    await display.screenshot({ path: path.join(SCREENSHOTS, 'customer-display-qr.png') });
    // Nothing the customer should not see: no order or operation id on the display.
    const text = await display.locator('body').innerText();
    expect(text).not.toContain(op.orderId);
    expect(text).not.toContain(op.id);

    // The customer's phone opens the link and pays; the poll settles the sale.
    const phone = await t.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
    const phonePage = await phone.newPage();
    await phonePage.goto(link);
    await phonePage.locator('#pay').click();
    await expect.poll(() => stateOf(display), { timeout: 20_000 }).toBe('paid');
    expect(await display.getByTestId('display-result').textContent()).toBe('Оплачено');
    expect(await display.getByTestId('customer-qr').count()).toBe(0);
    expect(await display.getByTestId('display-total').textContent()).toBe('49,99\u00a0$');
    await display.screenshot({ path: path.join(SCREENSHOTS, 'customer-display-paid.png') });
    await phone.close();

    // IT turns the display off: blank at once, nothing of the till on it (the link stays open).
    editConfig(t, (c) => { c.customerDisplay = { enabled: false }; });
    await expect.poll(() => stateOf(display), { timeout: 10_000 }).toBe('off');
    expect((await display.locator('body').innerText()).trim()).toBe('');
    // A new basket while it is off does not reach it.
    await t.page.getByTestId('amount').fill('12');
    await new Promise((r) => setTimeout(r, 500));
    expect(await stateOf(display)).toBe('off');
    // On again: the live state (the 12,00 ₽ basket) at once, without a reload.
    editConfig(t, (c) => { c.customerDisplay = { enabled: true }; });
    await expect.poll(() => stateOf(display), { timeout: 10_000 }).toBe('basket');
    expect(await display.getByTestId('display-total').textContent()).toBe('12,00\u00a0₽');
    await context.close();
  });
});
