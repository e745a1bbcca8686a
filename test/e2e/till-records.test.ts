// #10 leftovers end to end (Debian Chromium → kiosk shell → real core → emulator, 1024×768):
// «Кошелёк Pay доступен» only after the Pay API named an available method; «Вызвать администратора»
// from the status bar, recorded and shown in the journal; a wrong cash entry voided with who and why;
// the report marked off production and opened from the till (ticketed download); a payment
// environment switched by a config edit under an open shift stops sales until the close.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCardBarcode } from '../../emulators/koshelek';
import { DEFAULT_TEST_CARD } from '../../main/totp/config';
import { startTill, type Till } from './harness';

/** A shop's own TOTP key for the production switch (any key but the emulator's public one). */
const SHOP_KEY_HEX = '53686f704f776e546f74704b6579466f7250726f64';

let till: Till;

beforeAll(async () => {
  till = await startTill({ confirmDelayMs: 400, timing: { finalStatusTimeoutMs: 2500 } });
});
afterAll(async () => {
  await till?.close();
});

/** Text with the money formatter's no-break spaces as plain spaces. */
const text = async (testId: string): Promise<string> => ((await till.page.getByTestId(testId).first().textContent()) ?? '').replace(/\s/g, ' ');
const cashTotal = async (): Promise<string> => ((await till.page.getByTestId('tender-total').filter({ hasText: 'Наличные' }).textContent()) ?? '').replace(/\s/g, ' ');

async function newSale(rubles: string): Promise<void> {
  const { page } = till;
  await page.keyboard.press('F1');
  await page.keyboard.press('F10');
  await page.getByTestId('card').filter({ hasText: 'Отсканируйте' }).waitFor();
  await page.getByTestId('amount').fill(rubles);
}

describe('Koshelek Pay availability line', () => {
  it('no method available: never «доступен»; a choice of methods: «доступен» after F9', async () => {
    const { page } = till;
    await newSale('150');
    till.serialScan(testCardBarcode('NA'));
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    expect(await text('card-kp')).toContain('проверятся по F9');
    expect(await text('card-kp')).not.toContain('доступен');
    await page.keyboard.press('F9');
    await expect.poll(() => page.getByTestId('card-kp').getAttribute('data-available'), { timeout: 5000 }).toBe('false');
    expect(await text('card-kp')).toContain('нет доступных способов');
    expect(await text('card-kp')).not.toContain('Кошелёк Pay доступен');

    await newSale('160');
    till.serialScan(testCardBarcode('CH'));
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await page.getByTestId('methods').waitFor({ timeout: 5000 });
    expect(await text('card-kp')).toContain('Кошелёк Pay доступен');
    await page.keyboard.press('Escape');
  });
});

describe('«Вызвать администратора» in the status bar', () => {
  it('records a call with its time, shows it in every screen\'s status bar and the journal, until answered', async () => {
    const { page } = till;
    await page.keyboard.press('F3');
    await page.getByTestId('status-call-admin').click();
    await page.getByTestId('status-admin-called').waitFor();
    expect(await text('status-admin-called')).toMatch(/Администратор вызван в \d{2}:\d{2}/);
    const calls = till.shell.core.shifts.adminCalls('2000-01-01T00:00:00.000Z');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.answeredAt).toBeNull();
    await page.getByTestId('admin-call-row').first().waitFor();
    expect(await page.getByTestId('admin-call-row').first().getAttribute('data-answered')).toBe('false');
    await till.screenshot('records-01-admin-called');
    await page.getByTestId('status-admin-came').click();
    await page.getByTestId('status-call-admin').waitFor();
    await expect.poll(() => page.getByTestId('admin-call-row').first().getAttribute('data-answered')).toBe('true');
    expect(till.shell.core.shifts.adminCalls('2000-01-01T00:00:00.000Z')[0]?.answeredAt).not.toBeNull();
  });
});

describe('Shift screen: void, environment mark, open the report', () => {
  it('voids a wrong cash entry with who and why; the X is marked off production; PDF and CSV open from the till', async () => {
    const { page } = till;
    await page.keyboard.press('F11');
    await page.getByTestId('shift-cashier').fill('Петрова');
    if (await page.getByTestId('shift-none').count()) await page.keyboard.press('F5');
    await page.getByTestId('shift-number').waitFor();

    await page.getByTestId('tender-kind').selectOption('cash');
    await page.getByTestId('tender-amount').fill('100');
    await page.getByTestId('tender-amount').press('Enter');
    await page.getByTestId('tender-done').waitFor();
    await page.getByTestId('tender-amount').fill('5000');
    await page.getByTestId('tender-amount').press('Enter');
    await expect.poll(cashTotal).toContain('5 100,00');

    const wrong = page.getByTestId('report-tender').filter({ hasText: /5\s000,00/ });
    await wrong.getByTestId('tender-void').click();
    await page.getByTestId('void-reason').fill('ошиблась суммой, было 500');
    await page.getByTestId('void-reason').press('Enter');
    await page.getByTestId('tender-voided').waitFor();
    await expect.poll(cashTotal).not.toContain('5 100');
    expect(await cashTotal()).toContain('100,00');
    const voided = page.getByTestId('report-tender-void');
    expect(await voided.count()).toBe(1);
    expect(await voided.textContent()).toContain('Петрова');
    expect(await voided.textContent()).toContain('ошиблась суммой, было 500');

    // The e2e till runs in the emulator environment: marked on screen.
    expect(await page.getByTestId('report-env-mark').getAttribute('data-environment')).toBe('emulator');
    expect(await text('report-env-mark')).toBe('ЭМУЛЯТОР');
    expect(await page.getByTestId('report-env-mark').getAttribute('title')).toContain('НЕ НАСТОЯЩИЕ ДЕНЬГИ');
    expect(await page.getByTestId('report-env-mark').isVisible()).toBe(true);
    await till.screenshot('records-02-void-and-mark');

    // Open the PDF: a new window shows the file served by the till over a ticketed address.
    await page.getByTestId('report-export-pdf').click();
    await page.getByTestId('export-saved').waitFor();
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('report-open').click()]);
    await expect.poll(() => popup.url(), { timeout: 5000 }).toMatch(/\/download\/[A-Za-z0-9_-]{43}\/X-shift-\d+-\d{8}-\d{6}\.pdf$/);
    const pdfUrl = popup.url();
    const fetched = await page.evaluate(async (u) => {
      const r = await fetch(u);
      const bytes = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)) };
    }, pdfUrl);
    expect(fetched).toEqual({ status: 200, type: 'application/pdf', head: '%PDF-' });
    await page.getByTestId('report-opened').waitFor();
    // Without the ticket, or with a path, nothing is served.
    const origin = new URL(pdfUrl).origin;
    expect((await fetch(`${origin}/download/${'x'.repeat(43)}/a.pdf`)).status).toBe(404);
    expect((await fetch(`${origin}/download/..%2f..%2fdata%2fjournal.db`)).status).toBe(404);
    await popup.close();

    await page.getByTestId('report-export-csv').click();
    await page.getByTestId('export-saved').filter({ hasText: '.csv' }).waitFor();
    const [csvPopup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('report-open').click()]);
    await page.getByTestId('report-opened').filter({ hasText: '.csv' }).waitFor();
    const csvFile = (await text('report-opened-path')).trim();
    const csv = fs.readFileSync(csvFile, 'utf8');
    expect(csv).toContain('ЭМУЛЯТОР — НЕ НАСТОЯЩИЕ ДЕНЬГИ');
    expect(csv).toContain('аннулировано: Петрова, ошиблась суммой, было 500');
    await csvPopup.close().catch(() => undefined);
  });
});

describe('payment environment switched under an open shift', () => {
  it('the status bar says so and a sale is refused with the instruction to close the shift; after the Z the till sells again', async () => {
    const { page } = till;
    if (!till.shell.core.shifts.current()) till.shell.core.shifts.open('Петрова');
    const config = JSON.parse(fs.readFileSync(till.configFile, 'utf8')) as { koshelek: { environment: string; baseUrls: Record<string, string> }; totp?: unknown };
    config.koshelek.environment = 'production';
    config.koshelek.baseUrls.production = till.emulator.baseUrl;
    // Production refuses the emulator's public TOTP key: the shop's own key, and cards signed with it.
    config.totp = { cards: [{ ...DEFAULT_TEST_CARD, keyHex: SHOP_KEY_HEX }] };
    fs.writeFileSync(till.configFile, `${JSON.stringify(config, null, 2)}\n`);
    fs.chmodSync(till.configFile, 0o600); // production refuses a config others can read (docs/safety.md)
    await page.getByTestId('status-env-changed').waitFor({ timeout: 5000 });
    expect(await text('status-env-changed')).toContain('закройте смену');

    await newSale('210');
    till.serialScan(testCardBarcode('OK', Date.now(), SHOP_KEY_HEX));
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await page.getByTestId('error-panel').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('shift.environment_changed');
    expect(await text('error-text')).toContain('закройте смену (Z-отчёт)');
    await till.screenshot('records-03-environment-changed');

    await page.keyboard.press('F11');
    await page.getByTestId('shift-number').waitFor();
    await till.screenshot('records-03b-before-close');
    await page.getByTestId('shift-close').click();
    await page.getByTestId('close-confirm-yes').click();
    await page.getByTestId('report').and(page.locator('[data-type="z"]')).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('status-env-changed').count()).toBe(0);
    await page.getByTestId('shift-cashier').fill('Петрова');
    await page.keyboard.press('F5');
    await page.getByTestId('shift-number').waitFor();
    expect(await page.getByTestId('report-env-mark').count()).toBe(0);

    await newSale('220');
    till.serialScan(testCardBarcode('OK', Date.now(), SHOP_KEY_HEX));
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await page.getByTestId('result').waitFor({ timeout: 10_000 });
    expect(await text('result-title')).toContain('Оплачено');
  });
});
