// The receipt queue in Chromium: real kiosk shell and core, the Koshelek emulator and the ATOL emulator on
// loopback. A receipt refused for bad credentials is listed as failed with its reason and the customer's
// receipt block (provider ids); IT fixes the config (hot reload), the manager presses F6 and the row
// leaves; a receipt waiting for a service that is down shows its next attempt and leaves by itself.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAtolEmulator, type AtolEmulator } from '../../emulators/atol/server';
import { atolFiscal } from '../support/fiscal';
import { card, orderId } from '../support/till';
import { startTill, type Till } from './harness';

let till: Till;
let atol: AtolEmulator;

beforeAll(async () => {
  atol = await startAtolEmulator();
  till = await startTill({ serial: false, confirmDelayMs: 200, config: { fiscal: atolFiscal(atol.baseUrl, {}, 'wrong-password') } });
});
afterAll(async () => {
  await till?.close();
  await atol?.close();
});

const LINE = [{ name: 'Сыр «Российский»', article: 'CHEESE', priceKop: 45_900, quantity: 1, tax: 'vat10' }];

async function paidSale(): Promise<{ id: string; transactionId: string | null }> {
  const core = till.shell.core;
  const op = await core.checkout.pay({ orderId: orderId(), lines: LINE, card: card('OK'), paymentType: 'SBP' });
  const done = await core.checkout.waitFinal(op.id, 20_000);
  expect(done.outcome).toBe('paid');
  return { id: done.id, transactionId: done.transactionId };
}

describe('receipt queue screen', () => {
  it('failed receipt: reason, attempts, the customer receipt block; IT fixes the password, F6 sends it once', async () => {
    const { page } = till;
    const sale = await paidSale();
    await page.keyboard.press('Alt+KeyQ');
    await page.getByTestId('queue-screen').waitFor();
    await expect.poll(() => page.locator('[data-testid="queue-row"][data-status="failed"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('queue-status').first().textContent()).toBe('Не пробит');
    expect(await page.getByTestId('queue-reason').textContent()).toMatch(/^Причина: Касса не авторизована в сервисе фискализации/);
    expect(await page.getByTestId('queue-failed-hint').textContent()).toMatch(/Оплату повторно не принимайте/);
    // The customer's receipt block of that sale: provider ids with labels, internal ones left off, the fiscal state.
    const params = await page.getByTestId('receipt-block-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-param')));
    expect(params).toEqual(['orderId', 'paymentTransactionId', 'paymentType', 'qrcId', 'kzo', 'fiscalReceipt']);
    expect(await page.getByTestId('receipt-block').textContent()).toContain(sale.transactionId ?? 'missing');
    await till.screenshot('queue-01-failed-receipt');
    // IT fixes the password in the config file; the till reloads it.
    const config = JSON.parse(fs.readFileSync(till.configFile, 'utf8')) as { fiscal: { atol: { password: string } } };
    config.fiscal.atol.password = 'emulator';
    fs.writeFileSync(till.configFile, `${JSON.stringify(config, null, 2)}\n`);
    await expect.poll(() => till.shell.core.config.current().fiscal.atol.password, { timeout: 10_000 }).toBe('emulator');
    await page.keyboard.press('F6');
    await page.getByTestId('queue-empty').waitFor({ timeout: 10_000 });
    expect(atol.documents().filter((d) => d.externalId === sale.id)).toHaveLength(1);
    expect((await till.shell.core.checkout.get(sale.id))?.receipt?.state).toBe('done');
    await till.screenshot('queue-02-retried-empty');
  });

  it('fiscal service down: the row says when it retries, and leaves the queue by itself once the service is back', async () => {
    const { page } = till;
    atol.setDown(true);
    const sale = await paidSale();
    await expect.poll(() => page.locator('[data-testid="queue-row"][data-status="retrying"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('queue-status').first().textContent()).toMatch(/^Повтор в \d{1,2}:\d{2}:\d{2}$/);
    await till.screenshot('queue-03-retrying');
    atol.setDown(false);
    await page.getByTestId('queue-empty').waitFor({ timeout: 15_000 });
    expect(atol.documents().filter((d) => d.externalId === sale.id)).toHaveLength(1);
  });
});
