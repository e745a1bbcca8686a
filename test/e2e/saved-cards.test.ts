// Card binding from the sale screen, end to end: the kiosk shell over the real core with Tochka in the config
// file, the Tochka emulator on loopback, Debian Chromium on the built renderer. The cashier scans a customer
// card (keyboard wedge), presses Alt+0 «Привязать карту»: the QR of the 2 ₽ verification link shows; the
// emulated customer pays it by card; the screen says the card is bound and lists it; the till's own outbox
// worker refunds the 2 ₽ exactly once. Then Alt+1 pays a sale by that card (the bank sees its consumerId; a bank
// 500 first, and «Повторить» pays by the same card, once), and the Payments section lists the customer's card and unbinds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCardBarcode } from '../../emulators/koshelek';
import { TochkaEmulator, type EmulatedOperation } from '../../emulators/tochka';
import { startTill, waitFor, type Till } from './harness';

let till: Till;
let bank: TochkaEmulator;

beforeAll(async () => {
  bank = new TochkaEmulator();
  await bank.start();
  till = await startTill({
    serial: false,
    config: {
      providers: ['koshelek', 'tochka'],
      tochka: { enabled: true, baseUrl: bank.url, token: 'test.jwt.token', customerCode: '300000092', merchantId: '200000000001056', timing: { requestTimeoutMs: 2_000, pollScheduleMs: [200, 200, 300] } },
    },
  });
});
afterAll(async () => {
  await till?.close();
  await bank?.stop();
});

const refunds = (op: EmulatedOperation | undefined): number[] => op?.Order.filter((o) => o.type === 'refund').map((o) => o.amount) ?? [];

describe('card binding at the till', () => {
  it('Alt+0 binds the scanned customer\'s card (QR, paid by card, refunded once), the card is listed, Alt+1 pays by it, Payments unbinds it', async () => {
    const { page } = till;
    const barcode = testCardBarcode('OK');
    await till.wedgeScan(barcode);
    await expect.poll(() => page.getByTestId('card-loyalty').textContent(), { timeout: 10_000 }).toContain(barcode.slice(2, 15));
    await page.getByTestId('saved-cards-none').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('bind-card').textContent()).toContain('2,00');

    await page.keyboard.press('Alt+Digit0');
    await page.getByTestId('binding-progress').waitFor({ timeout: 10_000 });
    const qr = page.getByTestId('customer-qr');
    await qr.waitFor({ timeout: 10_000 });
    const link = await waitFor(() => [...bank.operations.values()].find((o) => o.saveCard), 10_000, 'the binding link');
    expect(link).toMatchObject({ amount: 2, paymentMode: ['card'] });
    expect(await page.getByTestId('customer-action').getAttribute('data-payload')).toBe(link.paymentLink);
    await till.screenshot('saved-cards-01-binding-qr');

    bank.pay(link.operationId, 'card');
    await page.getByTestId('binding-done').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('saved-card').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('saved-card').textContent()).toContain('Банк Точка');
    await waitFor(() => refunds(bank.operations.get(link.operationId)).length > 0, 15_000, 'the refund of the 2 ₽');
    await till.screenshot('saved-cards-02-bound');

    // A sale by the saved card: amount, then Alt+1. The bank answers 500 first (nothing created): the error
    // panel's retry pays by the same saved card again (savedCards.pay), never as an unknown 'saved_card' method.
    await page.getByTestId('amount').fill('150');
    bank.queueFault('error_500');
    await page.keyboard.press('Alt+Digit1');
    await page.getByTestId('error-panel').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('bank.not_created');
    expect(await page.getByTestId('error-action').textContent()).toContain('Повторить');
    expect([...bank.operations.values()].filter((o) => !o.saveCard)).toHaveLength(0);
    await page.keyboard.press('Enter'); // the panel's action: «Повторить»
    const sale = await waitFor(() => [...bank.operations.values()].find((o) => !o.saveCard && o.consumerId === link.consumerId), 10_000, 'the saved-card link');
    expect(sale.amount).toBe(150);
    bank.pay(sale.operationId, 'card');
    await page.getByTestId('result').waitFor({ timeout: 15_000 });
    expect(refunds(bank.operations.get(link.operationId))).toEqual([2]); // exactly one refund of the binding
    expect([...bank.operations.values()].filter((o) => !o.saveCard)).toHaveLength(1); // the retry charged once

    // The Payments section: the customer's card listed, then unbound.
    await page.keyboard.press('F10'); // the next sale
    await page.keyboard.press('Control+KeyP'); // sign-in off: Ctrl+P opens the Payments section
    await page.getByTestId('payments').waitFor({ timeout: 10_000 });
    await page.getByTestId('saved-cards-customer').fill(barcode.slice(2, 15));
    await page.getByTestId('saved-cards-show').click();
    await expect.poll(() => page.getByTestId('saved-cards-list').getByTestId('saved-card').count(), { timeout: 10_000 }).toBe(1);
    await page.getByTestId('saved-card-unbind').click();
    await page.getByTestId('saved-cards-done').waitFor({ timeout: 10_000 });
    await page.getByTestId('saved-cards-none').waitFor({ timeout: 10_000 });
    await till.screenshot('saved-cards-03-unbound');
  }, 120_000);
});
