// Bank payments end to end: the kiosk shell over the real core with Tochka configured in the config file
// (webhook listener on), the Tochka emulator on loopback, Debian Chromium on the built renderer. The sale is
// started through the same API session the renderer uses (sale.methods → sale.pay); the QR the customer
// scans is the operation view's customerAction; the emulator "customer" pays and the till learns it by the
// signed webhook (no poll is due for a minute); the cashier's journal screen shows the sale paid.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TochkaEmulator } from '../../emulators/tochka';
import type { OperationView, PaymentMethodView } from '../../main/contract/checkout';
import { startTill, waitFor, type Till } from './harness';

let till: Till;
let bank: TochkaEmulator;

async function api<T>(method: string, input?: unknown): Promise<T> {
  const r = await till.shell.session.dispatch(method, input);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.data as T;
}

beforeAll(async () => {
  bank = new TochkaEmulator({ webhookIntervalMs: 100 });
  await bank.start();
  till = await startTill({ serial: false });
  const config = JSON.parse(fs.readFileSync(till.configFile, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(till.configFile, `${JSON.stringify({
    ...config,
    providers: ['koshelek', 'tochka'],
    tochka: { enabled: true, baseUrl: bank.url, token: 'test.jwt.token', webhookKeys: [bank.publicJwk()], timing: { requestTimeoutMs: 2_000, pollScheduleMs: [60_000] } },
    webhooks: { enabled: true, port: 0 },
  }, null, 2)}\n`);
  // The webhook listener binds at core start: restart the shell on the edited config, as IT would.
  await till.restartShell();
  bank.opts.webhookUrl = `${till.shell.core.webhookUrl ?? ''}tochka`;
});
afterAll(async () => {
  await till?.close();
  await bank?.stop();
});

describe('Tochka SBP sale in the till', () => {
  it('sale.methods offers Tochka SBP first; the QR is the payment link; paid by webhook; the journal screen shows it paid', async () => {
    const methods = await api<PaymentMethodView[]>('sale.methods');
    const tochka = methods.filter((m) => m.provider === 'tochka');
    expect(tochka.map((m) => [m.method, m.titleRu, m.ready])).toEqual([['sbp', 'СБП — QR-код', true], ['card_ru', 'Карта российского банка', true]]);

    const orderId = `E2E-BANK-${Date.now().toString(36)}`;
    const started = await api<OperationView>('sale.pay', { orderId, paymentType: 'sbp', provider: 'tochka', lines: [{ name: 'Чай', article: 'T-1', priceKop: 25_000, quantity: 1 }] });
    expect(started).toMatchObject({ provider: 'tochka', amountKop: 25_000, outcomeUnknown: true });
    const shown = await waitFor(() => till.shell.core.checkout.get(started.id)?.customerAction, 10_000, 'the QR');
    const link = bank.byLinkId(started.requestId);
    expect(shown).toEqual({ kind: 'qr', payload: link?.paymentLink, hintRu: expect.stringContaining('СБП') });

    const { page } = till;
    await page.keyboard.press('F3');
    const row = page.getByTestId('journal-row').filter({ hasText: 'QR-код' }).first();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-outcome')).toBe('pending');
    await till.screenshot('bank-01-journal-awaiting-qr');

    bank.pay(link?.operationId ?? '', 'sbp');
    const done = await till.shell.core.checkout.waitFinal(started.id, 15_000);
    expect(done).toMatchObject({ outcome: 'paid', customerAction: null });
    expect(bank.webhookAttempts.filter((a) => a.operationId === link?.operationId && a.status === 200)).toHaveLength(1);
    await page.keyboard.press('F5');
    await page.getByTestId('journal-row').filter({ hasText: 'Оплачено' }).first().waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator('[data-testid="journal-row"][data-outcome="paid"]').count()).toBeGreaterThanOrEqual(1);
    await till.screenshot('bank-02-journal-paid');
  });

  // The same sales driven from the sale screen (keys, the QR drawn, poll and webhook): bank-sale-screen.test.ts.
});
