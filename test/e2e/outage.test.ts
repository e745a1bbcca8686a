// A Pay API outage at the till, in Chromium (docs/safety.md): the sale screen says the result is unknown and
// what to do, never freezes, lets the cashier park the payment and serve the next customer; the parked payment
// stays visible in the status bar and is resolved in the background when the service comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCardBarcode } from '../../emulators/koshelek';
import { startTill, type Till } from './harness';

let till: Till;
beforeAll(async () => {
  till = await startTill({ timing: { checkoutAttempts: 2, backgroundRetryMs: 500, requestTimeoutMs: 300 } });
}, 60_000);
afterAll(async () => {
  await till.close();
});

describe('outage', () => {
  it('unknown outcome is said; the payment is parked; the next sale can start; the parked one resolves', async () => {
    const { page } = till;
    await page.keyboard.press('F1');
    await page.keyboard.press('F10');
    await page.getByTestId('amount').fill('50');
    const barcode = testCardBarcode('OK');
    till.emulator.injectFault({ endpoint: 'checkout', kind: 'drop_before_process', times: 1000, match: { cardSession: barcode.slice(15, 21) } });
    till.serialScan(barcode);
    await expect.poll(() => page.getByTestId('card-kp').textContent(), { timeout: 5000 }).toContain('Карта Кошелёк Pay');
    await page.keyboard.press('F9');
    await page.getByTestId('live-status').waitFor({ timeout: 5000 });
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 10_000 }).toContain('Не принимайте другую оплату');
    expect(await page.getByTestId('live-status').textContent()).not.toContain('Выберите другой способ');
    expect(await page.getByTestId('park').isEnabled()).toBe(true);
    await till.screenshot('20-outage-unknown');
    await page.keyboard.press('F7');
    // The sale screen is free for the next customer; the parked payment is in the status bar.
    await page.getByTestId('live-status').waitFor({ state: 'detached', timeout: 5000 });
    expect(await page.getByTestId('amount').isEnabled()).toBe(true);
    await page.getByTestId('status-parked').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('status-parked').getAttribute('data-count')).toBe('1');
    await till.screenshot('21-outage-parked');
    // The service comes back: resolved by the same requestId and cancelled; the pill goes away.
    till.emulator.clearFaults();
    await page.getByTestId('status-parked').waitFor({ state: 'detached', timeout: 20_000 });
  });
});

describe('kiosk launch without the token on the command line', () => {
  it('the page trades a one-time launch code for the token; the code is then worthless', async () => {
    const launch = till.shell.server.launchUrl();
    expect(launch).not.toContain(till.shell.server.token);
    // A fresh browser context: no token in its storage, only the launch code in the URL.
    const context = await till.browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    await page.goto(launch);
    await page.getByTestId('status-env').waitFor({ timeout: 10_000 });
    expect(page.url()).not.toContain('launch=');
    expect(await page.evaluate(() => sessionStorage.getItem('paydesk.token'))).toBe(till.shell.server.token);
    await context.close();
    const code = /launch=([\w-]+)/.exec(launch)?.[1] ?? '';
    const again = await fetch(`${till.shell.server.origin}/session`, { method: 'POST', headers: { 'X-Paydesk-Launch': code, Origin: till.shell.server.origin } });
    expect(again.status).toBe(401);
    const fresh = /launch=([\w-]+)/.exec(till.shell.server.launchUrl())?.[1] ?? '';
    const foreign = await fetch(`${till.shell.server.origin}/session`, { method: 'POST', headers: { 'X-Paydesk-Launch': fresh, Origin: 'http://evil.example' } });
    expect(foreign.status).toBe(401);
  });
});
