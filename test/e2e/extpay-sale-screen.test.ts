// A till payment by QR through the external payments API, driven from the SALE SCREEN with the keyboard:
// the amount typed, F9, the method's own key, the QR drawn on screen; the customer's phone (a second
// Chromium page) opens the QR's link and pays; the till finishes the sale by the service's webhook (the
// poll a minute away) or, with no webhook ever arriving, by its poll. Both methods: Yandex Pay on a rouble
// till, PayPal on a dollar till (the embedded emulator, environment "emulator").
// The API-level cases stay in extpay-payments.test.ts. Waits are on conditions, never on elapsed time.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SCREENSHOTS, startTill, type Till } from './harness';
import { saleOnScreen, SCREEN_WAIT_MS } from './sale-screen';

let till: Till | null = null;
afterEach(async () => {
  await till?.close();
  till = null;
});

const WEBHOOK_TOKEN = 'e2e-webhook-secret-0123456789';

interface Case {
  currency: 'RUB' | 'USD';
  method: 'yandex_pay' | 'paypal';
  titleRu: string;
  typed: string;
  /** The amount as the payer page shows it. */
  onPhone: string;
  /** The amount on the till's screen, in the currency charged. */
  onScreen: string;
  webhooks: boolean;
}

async function screenQrSale(c: Case): Promise<void> {
  till = await startTill({
    serial: false,
    config: {
      providers: ['koshelek', 'extpay'],
      extpay: {
        enabled: true, embeddedEmulator: true, currency: c.currency, webhookToken: WEBHOOK_TOKEN,
        // Without webhooks the service posts to a port nobody listens on: the webhook never arrives.
        ...(c.webhooks ? {} : { webhookUrl: 'http://127.0.0.1:9/never' }),
        listener: { enabled: c.webhooks },
        // With webhooks the first poll is a minute away: only the webhook can settle the sale in time.
        timing: { pollScheduleMs: c.webhooks ? [60_000] : [300] },
      },
    },
  });
  const t = till;
  const sale = await saleOnScreen(t.page, { amount: c.typed, method: c.method, titleRu: c.titleRu });
  expect(sale.hint).toMatch(c.method === 'paypal' ? /PayPal/ : /Яндекс Пэй/);
  expect(await t.page.getByTestId('live-amount').textContent()).toContain(c.onScreen);
  await t.screenshot(`extpay-screen-${c.method}-qr`);

  // The customer's phone opens the link drawn in the QR and pays.
  const phone = await t.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
  const page = await phone.newPage();
  await page.goto(sale.payload);
  expect(await page.locator('h1').textContent()).toBe(c.method === 'paypal' ? 'PayPal' : 'Yandex Pay');
  expect(await page.locator('#amount').textContent()).toBe(c.onPhone);
  await page.screenshot({ path: path.join(SCREENSHOTS, `extpay-screen-${c.method}-phone.png`) });
  await page.locator('#pay').click();
  await expect.poll(() => page.locator('#status').textContent(), { timeout: SCREEN_WAIT_MS }).toBe('SUCCESS');
  await phone.close();

  await sale.paid();
  const slip = t.page.getByTestId('slip');
  expect(await slip.getByTestId('slip-paymentMethod').textContent()).toBe(c.method);
  // Who told the till: the service's webhook, or the till's own poll when the webhook never came.
  expect(await slip.getByTestId('slip-settledBy').textContent()).toBe(c.webhooks ? 'webhook' : 'poll');
  expect(await slip.getByTestId('slip-amount').textContent()).toBe(c.onScreen);
  await t.screenshot(`extpay-screen-${c.method}-paid`);
}

describe('QR payments through the external payments API, from the sale screen', () => {
  it('Yandex Pay on a rouble till: the QR on screen, the webhook arrives before the poll and settles the sale', async () => {
    await screenQrSale({ currency: 'RUB', method: 'yandex_pay', titleRu: 'Яндекс Пэй (QR)', typed: '123,45', onPhone: '123.45 RUB', onScreen: '123,45\u00a0₽', webhooks: true });
  });

  it('PayPal on a dollar till: the QR on screen, the webhook never arrives, the poll settles the sale', async () => {
    await screenQrSale({ currency: 'USD', method: 'paypal', titleRu: 'PayPal (QR)', typed: '49,99', onPhone: '49.99 USD', onScreen: '49,99\u00a0$', webhooks: false });
  });
});
