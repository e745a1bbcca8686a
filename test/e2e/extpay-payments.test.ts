// A till payment by QR through both external-payment methods, end to end: the kiosk shell over the real
// core with the embedded extpay emulator (environment "emulator"), the till page in Debian Chromium, and a
// second Chromium page as the customer's phone that opens the QR's payment link and presses «Оплатить».
// The sale is started and followed through the till's own API session (the dispatcher the renderer calls)
// and its pushed operation events: the sale screen's QR rendering is the renderer engineer's work, not in
// this branch, so what it would show (customerAction) is asserted on the API and the pushed events.
// Yandex Pay (RUB): the receiver gets the webhook before the next poll (a minute away) and settles it.
// PayPal (USD): no receiver, the webhook never arrives, the poll settles it.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEvent, ApiResponse } from '../../main/contract/api';
import type { OperationView } from '../../main/contract/checkout';
import { SCREENSHOTS, startTill, waitFor, type Till } from './harness';

let till: Till | null = null;
afterEach(async () => {
  await till?.close();
  till = null;
});

const WEBHOOK_TOKEN = 'e2e-webhook-secret-0123456789';

async function call<T>(t: Till, method: string, input: unknown): Promise<T> {
  const r: ApiResponse = await t.shell.session.dispatch(method, input);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.data as T;
}

async function qrSale(o: { currency: 'RUB' | 'USD'; method: 'yandex_pay' | 'paypal'; amountKop: number; shown: string; webhooks: boolean }): Promise<void> {
  till = await startTill({
    serial: false,
    config: {
      providers: ['koshelek', 'extpay'],
      extpay: {
        enabled: true, embeddedEmulator: true, currency: o.currency, webhookToken: WEBHOOK_TOKEN,
        ...(o.webhooks ? {} : { webhookUrl: 'http://127.0.0.1:9/never' }),
        listener: { enabled: o.webhooks },
        // With webhooks the first poll is a minute away: only the webhook can settle the sale in time.
        timing: { pollScheduleMs: o.webhooks ? [60_000] : [300] },
      },
    },
  });
  const t = till;
  const methods = await call<{ provider: string; method: string; ready: boolean; needsCardScan: boolean }[]>(t, 'sale.methods', undefined);
  expect(methods.filter((m) => m.provider === 'extpay')).toEqual([expect.objectContaining({ method: o.method, ready: true, needsCardScan: false })]);

  const pushed: OperationView[] = [];
  const unsubscribe = t.shell.session.subscribe((e: ApiEvent) => {
    if (e.event === 'operation') pushed.push(e.payload);
  });
  const op = await call<OperationView>(t, 'sale.pay', { orderId: `E2E-QR-${o.method}-${Date.now()}`, amountKop: o.amountKop, paymentType: o.method });
  expect(op).toMatchObject({ provider: 'extpay', paymentType: o.method, outcomeUnknown: true });
  // What the sale screen renders as the QR: pushed to the renderer while the payment is unfinished.
  const withQr = await waitFor(() => pushed.find((v) => v.id === op.id && v.customerAction), 15_000, 'an operation event with the QR');
  const action = withQr.customerAction;
  expect(action?.kind).toBe('qr');
  expect(action?.hintRu).toMatch(o.method === 'paypal' ? /PayPal/ : /Яндекс Пэй/);
  await t.screenshot(`extpay-${o.method}-till-qr`);

  // The customer's phone opens the link in the QR and pays.
  const phone = await t.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
  const page = await phone.newPage();
  await page.goto(action?.payload ?? 'about:blank');
  expect(await page.locator('h1').textContent()).toBe(o.method === 'paypal' ? 'PayPal' : 'Yandex Pay');
  expect(await page.locator('#amount').textContent()).toBe(o.shown);
  await page.screenshot({ path: path.join(SCREENSHOTS, `extpay-${o.method}-phone.png`) });
  await page.locator('#pay').click();
  await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('SUCCESS');
  await phone.close();

  const paid = await waitFor(() => pushed.find((v) => v.id === op.id && v.isFinal), 20_000, 'the paid operation event');
  expect(paid).toMatchObject({ outcome: 'paid', customerAction: null, amountKop: o.amountKop });
  const view = await call<OperationView>(t, 'operation.get', { operationId: op.id });
  expect(view.slip?.refs.find((r) => r.key === 'paymentMethod')?.value).toBe(o.method);
  expect(view.slip?.refs.find((r) => r.key === 'settledBy')?.value).toBe(o.webhooks ? 'webhook' : 'poll');
  unsubscribe();
  // The till page stayed up and connected throughout.
  expect(await t.page.getByTestId('status-env').isVisible()).toBe(true);
  await t.screenshot(`extpay-${o.method}-till-after`);
}

describe('QR payments through the external payments API (embedded emulator)', () => {
  it('Yandex Pay on a rouble till: the webhook arrives before the poll and settles the sale', async () => {
    await qrSale({ currency: 'RUB', method: 'yandex_pay', amountKop: 123_45, shown: '123.45 RUB', webhooks: true });
  });

  it('PayPal on a dollar till: the webhook never arrives, the poll settles the sale', async () => {
    await qrSale({ currency: 'USD', method: 'paypal', amountKop: 49_99, shown: '49.99 USD', webhooks: false });
  });
});
