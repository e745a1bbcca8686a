// The availability check cannot answer (connection dropped, then too slow): the sale screen never waits
// forever — it offers retry, pay without the check with the default method (F9; the check is optional in the
// contract), or another method (F8). In Chromium, with the emulator's fault rules on the availability call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCardBarcode } from '../../emulators/koshelek';
import { startTill, type Till } from './harness';

let till: Till;
beforeAll(async () => {
  till = await startTill({ timing: { requestTimeoutMs: 400, retryDelayMs: 20 } });
}, 60_000);
afterAll(async () => {
  await till.close();
});

/** Amount, then the card; `fault` is armed for the card's session before the scan (availability is asked at the scan). */
async function saleUpToF9(amount: string, fault: (session: string) => void): Promise<string> {
  const { page } = till;
  await page.keyboard.press('F1');
  await page.keyboard.press('F10');
  await page.getByTestId('amount').fill(amount);
  const barcode = testCardBarcode('OK');
  fault(barcode.slice(15, 21));
  till.serialScan(barcode);
  await expect.poll(() => page.getByTestId('card-kp').textContent(), { timeout: 5000 }).toContain('Карта Кошелёк Pay');
  return barcode.slice(15, 21);
}

describe('availability without an answer', () => {
  it('dropped connection: the screen offers the next step; F9 pays without the check with the default method', async () => {
    const { page } = till;
    const session = await saleUpToF9('70', (cardSession) => till.emulator.injectFault({ endpoint: 'availability', kind: 'drop_before_process', times: 1000, match: { cardSession } }));
    await page.keyboard.press('F9');
    await page.getByTestId('unchecked').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('next-step').textContent()).toContain('оплатите без проверки (F9)');
    expect(await page.getByTestId('unchecked-retry').isEnabled()).toBe(true);
    expect(await page.getByTestId('pay-unchecked').isEnabled()).toBe(true);
    expect(await page.getByTestId('new-sale').isEnabled()).toBe(true);
    await till.screenshot('24-availability-unanswered');
    // Retry asks again (still dropped: the same next step), then F9 pays without the check.
    const asked = () => till.emulator.received.filter((r) => r.endpoint === 'availability' && JSON.stringify(r.body ?? null).includes(session)).length;
    const before = asked();
    await page.getByTestId('unchecked-retry').click();
    await expect.poll(asked, { timeout: 10_000 }).toBeGreaterThan(before);
    await page.getByTestId('unchecked').waitFor({ timeout: 10_000 });
    await page.keyboard.press('F9');
    await expect.poll(() => page.getByTestId('result-title').textContent().catch(() => ''), { timeout: 15_000 }).toContain('Оплачено');
    const checkout = till.emulator.received.find((r) => r.endpoint === 'checkout' && JSON.stringify(r.body ?? null).includes(session));
    expect((checkout?.body as { paymentMethods?: { type: string }[] } | undefined)?.paymentMethods?.map((m) => m.type)).toEqual(['SBP']);
    till.emulator.clearFaults();
  });

  it('too slow: after the timeout the cashier can take another method (F8) and start the next sale', async () => {
    const { page } = till;
    const session = await saleUpToF9('30', (cardSession) => till.emulator.injectFault({ endpoint: 'availability', kind: 'delay', delayMs: 3_000, times: 1000, match: { cardSession } }));
    await page.keyboard.press('F9');
    await page.getByTestId('unchecked').waitFor({ timeout: 10_000 });
    await page.keyboard.press('F8');
    await expect.poll(() => page.getByTestId('next-step').textContent(), { timeout: 5000 }).toContain('Примите оплату наличными или картой');
    expect(till.emulator.received.some((r) => r.endpoint === 'checkout' && JSON.stringify(r.body ?? null).includes(session))).toBe(false);
    await page.keyboard.press('F10');
    expect(await page.getByTestId('amount').isEnabled()).toBe(true);
    till.emulator.clearFaults();
  });
});
