// The till end to end: Debian Chromium drives the built renderer through the kiosk shell against
// the real core, the Koshelek emulator, a SQLite file in a temp dir and a socat pty serial scanner.
// Each scenario asserts what the cashier sees and what reached the emulator; screenshots go to
// test-output/screenshots/.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCardBarcode, makeTestCard } from '../../emulators/koshelek';
import type { ReceivedRequest } from '../../emulators/koshelek';
import { CATALOGUE } from '../../main/errors/catalogue';
import { startTill, type Till } from './harness';

let till: Till;

beforeAll(async () => {
  till = await startTill({ confirmDelayMs: 400, timing: { finalStatusTimeoutMs: 2500 } });
});
afterAll(async () => {
  await till?.close();
});

interface Body {
  cardSession?: string;
  transactionId?: string;
  refundAmount?: number;
  checkoutInvoice?: { orderId: string; totalAmount: number; items: { name: string; price: number; quantity: number; tax: string; measure: string }[] };
  paymentMethods?: { type: string }[];
}
const body = (r: ReceivedRequest): Body => r.body as Body;
const sent = (endpoint: ReceivedRequest['endpoint'], pred: (b: Body) => boolean = () => true): ReceivedRequest[] =>
  till.emulator.received.filter((r) => r.endpoint === endpoint && pred(body(r)));

async function newSale(): Promise<void> {
  const page = till.page;
  await page.keyboard.press('F1');
  await page.keyboard.press('F10');
  await page.getByTestId('card').filter({ hasText: 'Отсканируйте' }).waitFor();
}

async function typeAmount(rubles: string): Promise<void> {
  await till.page.getByTestId('amount').fill(rubles);
}

async function sessionOf(barcode: string): Promise<string> {
  // KP + 13-digit card + 6-char session + 3-digit TOTP
  return barcode.slice(15, 21);
}

describe('Sale', () => {
  it('full Koshelek Pay sale started by a serial scan (auto-start on koshelekPayIsDefault)', async () => {
    const { page } = till;
    await newSale();
    await till.screenshot('01-sale-empty');
    await typeAmount('1234,50');
    const barcode = testCardBarcode('OK');
    const session = await sessionOf(barcode);
    till.serialScan(barcode);
    await expect.poll(() => page.getByTestId('card-kp').textContent(), { timeout: 5000 }).toContain('Карта Кошелёк Pay');
    await expect.poll(() => page.getByTestId('card-loyalty').textContent()).toContain(barcode.slice(2, 15));
    await till.screenshot('02-sale-card-scanned');
    // Availability is asked at the scan, before F9, so Pay does not wait for it (and is not asked again).
    await expect.poll(() => sent('availability', (b) => b.cardSession === session).length, { timeout: 5000 }).toBe(1);
    expect(sent('checkout', (b) => b.cardSession === session)).toHaveLength(0);
    await page.keyboard.press('F9');
    await page.getByTestId('live-status').waitFor({ timeout: 5000 });
    await till.screenshot('03-sale-waiting');
    await page.getByTestId('result').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('result-title').textContent()).toContain('Оплачено');
    const tx = await page.getByTestId('slip-paymentTransactionId').textContent();
    expect(tx).toBeTruthy();
    // The method as the registry names it; the raw id stays on the element.
    expect(await page.getByTestId('slip-paymentType').getAttribute('data-raw')).toBe('SBP');
    expect(await page.getByTestId('slip-paymentType').textContent()).toContain('СБП');
    expect(await page.getByTestId('slip-orderId').textContent()).toMatch(/^POS-E2E-/);
    await till.screenshot('04-sale-paid-slip');

    const availability = sent('availability', (b) => b.cardSession === session);
    const checkout = sent('checkout', (b) => b.cardSession === session);
    expect(availability).toHaveLength(1);
    expect(checkout).toHaveLength(1);
    expect(body(checkout[0] as ReceivedRequest).checkoutInvoice?.totalAmount).toBe(123450);
    expect(body(checkout[0] as ReceivedRequest).paymentMethods?.[0]?.type).toBe('SBP');
    expect(till.emulator.transaction(tx as string)?.status).toBe('accepted');
  });

  it('the amount changed after the scan: availability is asked again for the new amount, and Pay uses that answer', async () => {
    const { page } = till;
    await newSale();
    await typeAmount('100');
    const barcode = testCardBarcode('OK');
    const session = await sessionOf(barcode);
    till.serialScan(barcode);
    const asked = (): number[] => sent('availability', (b) => b.cardSession === session).map((r) => body(r).checkoutInvoice?.totalAmount ?? -1);
    await expect.poll(asked, { timeout: 5000 }).toEqual([10_000]);
    await typeAmount('250');
    await expect.poll(asked, { timeout: 5000 }).toEqual([10_000, 25_000]);
    await page.keyboard.press('F9');
    await page.getByTestId('result').waitFor({ timeout: 10_000 });
    expect(asked()).toEqual([10_000, 25_000]);
    expect(body(sent('checkout', (b) => b.cardSession === session)[0] as ReceivedRequest).checkoutInvoice?.totalAmount).toBe(25_000);
  });

  it('full sale with basket lines started by a keyboard-wedge scan', async () => {
    const { page } = till;
    await newSale();
    await page.getByTestId('line-name').fill('Молоко 3,2%');
    await page.getByTestId('line-price').fill('89,90');
    await page.getByTestId('line-qty').fill('2');
    await page.getByTestId('line-tax').selectOption('vat10');
    await page.keyboard.press('F5');
    await page.getByTestId('line-name').fill('Сыр весовой');
    await page.getByTestId('line-price').fill('0,80');
    await page.getByTestId('line-qty').fill('250');
    await page.getByTestId('line-tax').selectOption('vat20');
    await page.getByTestId('line-measure').selectOption('GRAM');
    await page.keyboard.press('F5');
    expect(await page.getByTestId('total').textContent()).toContain('379,80');
    // The wedge types into whatever has focus: the amount field here. The detector takes it back out.
    await page.getByTestId('line-name').focus();
    const barcode = testCardBarcode('OK');
    const session = await sessionOf(barcode);
    await till.wedgeScan(barcode);
    await expect.poll(() => page.getByTestId('card-kp').textContent(), { timeout: 5000 }).toContain('Карта Кошелёк Pay');
    expect(await page.getByTestId('line-name').inputValue()).toBe('');
    await till.screenshot('05-sale-lines-wedge');
    await page.getByTestId('pay').click();
    await page.getByTestId('result').waitFor({ timeout: 10_000 });
    const checkout = sent('checkout', (b) => b.cardSession === session);
    expect(checkout).toHaveLength(1);
    const invoice = body(checkout[0] as ReceivedRequest).checkoutInvoice;
    expect(invoice?.totalAmount).toBe(37980);
    expect(invoice?.items.map((i) => [i.name, i.tax, i.measure])).toEqual([['Молоко 3,2%', 'vat10', 'PIECE'], ['Сыр весовой', 'vat20', 'GRAM']]);
  });

  it('the cashier chooses the method when Koshelek Pay is not the default', async () => {
    const { page } = till;
    await newSale();
    await typeAmount('500');
    const barcode = testCardBarcode('CH');
    const session = await sessionOf(barcode);
    till.serialScan(barcode);
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await page.getByTestId('methods').waitFor({ timeout: 5000 });
    await till.screenshot('06-sale-choose-method');
    expect(sent('checkout', (b) => b.cardSession === session)).toHaveLength(0);
    // Keyboard first: the method's number key (config order) takes it.
    const key = await page.getByTestId('method-DOLYAME').getAttribute('data-key');
    expect(key).toMatch(/^[1-9]$/);
    await page.keyboard.press(key as string);
    await page.getByTestId('result').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('slip-paymentType').getAttribute('data-raw')).toBe('DOLYAME');
    expect(await page.getByTestId('slip-paymentType').textContent()).toContain('Долями');
    expect(body(sent('checkout', (b) => b.cardSession === session)[0] as ReceivedRequest).paymentMethods?.[0]?.type).toBe('DOLYAME');
  });

  it('the customer declines: the catalogue instruction and one action', async () => {
    const { page } = till;
    await newSale();
    await typeAmount('250');
    const barcode = testCardBarcode('DC');
    const session = await sessionOf(barcode);
    till.serialScan(barcode);
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await page.getByTestId('error-panel').waitFor({ timeout: 10_000 });
    const key = await page.getByTestId('error-panel').getAttribute('data-error-key');
    expect(key).toBe('koshelek.PAYMENT_DECLINED_BY_EXTERNAL_PROVIDER');
    expect(await page.getByTestId('error-text').textContent()).toBe(CATALOGUE['koshelek.PAYMENT_DECLINED_BY_EXTERNAL_PROVIDER'].ru);
    expect(await page.getByTestId('error-action').textContent()).toContain('Другой способ оплаты');
    expect(await page.getByTestId('error-details').isVisible()).toBe(false);
    await till.screenshot('07-error-declined');
    const checkout = sent('checkout', (b) => b.cardSession === session);
    expect(checkout).toHaveLength(1);
    // Enter performs the one action: take payment another way.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('next-step').textContent()).toContain('наличными');
  });

  it('no final status in time: the till cancels automatically', async () => {
    const { page } = till;
    await newSale();
    await typeAmount('99');
    const barcode = testCardBarcode('SL');
    const session = await sessionOf(barcode);
    till.serialScan(barcode);
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await page.getByTestId('live-status').waitFor({ timeout: 5000 });
    await expect.poll(() => page.getByTestId('elapsed').textContent(), { timeout: 5000 }).toMatch(/Прошло: [1-9]/);
    await till.screenshot('08-sale-elapsed');
    await page.getByTestId('error-panel').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('payment.auto_canceled_timeout');
    await till.screenshot('09-error-auto-cancel');
    const checkout = sent('checkout', (b) => b.cardSession === session);
    expect(checkout).toHaveLength(1);
    const cancels = sent('cancel');
    const cancelled = cancels.map((c) => till.emulator.transaction(body(c).transactionId ?? '')).filter((t) => t?.cardSession === session);
    expect(cancelled[0]?.status).toBe('canceled');
  });

  it('the cashier cancels a payment in progress (Esc)', async () => {
    const { page } = till;
    await newSale();
    await typeAmount('150');
    const barcode = testCardBarcode('SL');
    const session = await sessionOf(barcode);
    till.serialScan(barcode);
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await expect.poll(async () => page.getByTestId('cancel').isEnabled(), { timeout: 5000 }).toBe(true);
    const before = sent('cancel').length;
    await page.keyboard.press('Escape');
    await page.getByTestId('error-panel').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('payment.canceled');
    expect(await page.getByTestId('error-text').textContent()).toBe(CATALOGUE['payment.canceled'].ru);
    await till.screenshot('10-sale-cancelled');
    const cancels = sent('cancel').slice(before);
    expect(cancels.length).toBeGreaterThanOrEqual(1);
    const t = till.emulator.transaction(body(cancels[0] as ReceivedRequest).transactionId ?? '');
    expect(t?.cardSession).toBe(session);
    expect(t?.status).toBe('canceled');
  });
});

describe('Refund, journal, status', () => {
  it('partial refund of a paid sale, found by order id', async () => {
    const { page } = till;
    await newSale();
    await typeAmount('1000');
    till.serialScan(makeTestCard('OK').barcode);
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await page.getByTestId('result').waitFor({ timeout: 10_000 });
    const orderId = (await page.getByTestId('slip-orderId').textContent()) ?? '';
    const tx = (await page.getByTestId('slip-paymentTransactionId').textContent()) ?? '';

    await page.keyboard.press('F2');
    await page.getByTestId('refund-query').fill(orderId);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('refund-row').count(), { timeout: 5000 }).toBe(1);
    await page.getByTestId('refund-selected').waitFor({ timeout: 5000 });
    await page.getByTestId('refund-amount').fill('300');
    await till.screenshot('11-refund-search');
    await page.keyboard.press('F7');
    await page.getByTestId('refund-confirm').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await page.getByTestId('refund-result').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('refund-result').textContent()).toContain('300,00');
    await till.screenshot('12-refund-done');
    const refunds = sent('refund', (b) => b.transactionId === tx);
    expect(refunds).toHaveLength(1);
    expect(body(refunds[0] as ReceivedRequest).refundAmount).toBe(30000);
    expect(till.emulator.transaction(tx)?.refunded).toBe(30000);
  });

  it('journal lists today\'s operations; the English switch works', async () => {
    const { page } = till;
    await page.keyboard.press('F3');
    await page.getByTestId('journal-row').first().waitFor();
    await expect.poll(() => page.getByTestId('journal-row').count()).toBeGreaterThanOrEqual(6);
    await till.screenshot('13-journal');
    await page.keyboard.press('F4');
    await expect.poll(() => page.getByTestId('nav-sale').textContent()).toContain('Sale');
    await till.screenshot('14-journal-english');
    await page.keyboard.press('F4');
    await expect.poll(() => page.getByTestId('nav-sale').textContent()).toContain('Продажа');
  });

  it('a bad config edit is shown live in the status bar, and clears when fixed', async () => {
    const { page } = till;
    await page.keyboard.press('F1');
    expect(await page.getByTestId('status-env').getAttribute('data-mode')).toBe('emulator');
    const good = fs.readFileSync(till.configFile, 'utf8');
    const bad = JSON.parse(good) as { koshelek: { timing: Record<string, number> } };
    bad.koshelek.timing.firstPollMs = 5;
    fs.writeFileSync(till.configFile, JSON.stringify(bad, null, 2));
    await page.getByTestId('status-config').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('status-config').textContent()).toContain('koshelek.timing.firstPollMs');
    await till.screenshot('15-status-config-error');
    fs.writeFileSync(till.configFile, good);
    await page.getByTestId('status-config').waitFor({ state: 'detached', timeout: 5000 });
  });
});

describe('restart', () => {
  it('a payment left in flight by a restart is recovered and marked in the journal', async () => {
    const { page } = till;
    await newSale();
    await typeAmount('77');
    till.serialScan(testCardBarcode('SL'));
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await expect.poll(async () => page.getByTestId('cancel').isEnabled(), { timeout: 5000 }).toBe(true);
    await till.restartShell();
    await till.page.keyboard.press('F3');
    await till.page.getByTestId('recovered').first().waitFor({ timeout: 10_000 });
    await till.screenshot('16-journal-recovered');
  });
});

describe('kiosk shell security', () => {
  it('refuses the API without the per-start token and serves a strict CSP', async () => {
    const res = await fetch(`${till.shell.server.origin}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    // 'wasm-unsafe-eval' (WebAssembly compilation for the camera's decode worker) is allowed, JS eval is not
    expect(csp.replace("'wasm-unsafe-eval'", '')).not.toContain('unsafe-eval');
    const { WebSocket } = await import('ws');
    const denied = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${till.shell.server.port}/api`, ['paydesk.v1', 'paydesk.token.wrong']);
      ws.on('open', () => { ws.close(); resolve(false); });
      ws.on('error', () => resolve(true));
    });
    expect(denied).toBe(true);
    // DNS rebinding: a request naming another host is refused.
    const http = await import('node:http');
    const rebinding = await new Promise<number>((resolve) => {
      http.get({ host: '127.0.0.1', port: till.shell.server.port, path: '/', headers: { Host: `evil.example:${till.shell.server.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', () => resolve(0));
    });
    expect(rebinding).toBe(421);
    // The page never sees the Koshelek password.
    const status = await till.page.evaluate(() => document.body.innerText);
    expect(status).not.toContain('emulator:emulator');
  });
});
