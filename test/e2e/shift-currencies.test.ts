// The shift screen and the status bar in Chromium against a scripted core: an X report with roubles and
// tenge shows one set of summary blocks per currency, each amount in its own sign, and no cross-currency
// total; the Z list shows each currency's net; a provider that is down shows its Russian instruction.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeReport } from '../../main/reports/compute';
import type { ReportOperationRow } from '../../main/reports/model';
import { CHROMIUM, CHROMIUM_ARGS, ensureRendererBuilt, SCREENSHOTS } from './harness';
import { startScriptedCore, statusFixture, type ScriptedCore } from './scripted-core';

let core: ScriptedCore;
let browser: Browser;
let page: Page;

const OPENED = new Date(Date.now() - 3_600_000).toISOString();
const row = (id: string, kind: 'payment' | 'refund', provider: string, currency: string, amountKop: number, minute: number): ReportOperationRow => ({
  id, kind, provider, currency, amountKop, parentId: null, shiftId: 1, orderId: `o-${id}`, isFinal: true, outcome: kind === 'payment' ? 'paid' : 'refunded',
  phase: 'done', requestId: `rq-${id}`, transactionId: `tx-${id}`, refTransactionId: null, paymentType: provider === 'halyk' ? 'card_foreign' : 'SBP', errorCode: null,
  createdAt: new Date(Date.parse(OPENED) + minute * 60_000).toISOString(), finishedAt: null, slip: null, parent: null,
});
const x = computeReport({
  type: 'x', zNumber: null, generatedAt: new Date().toISOString(),
  shift: { id: 1, openedAt: OPENED, openedBy: 'Иванова', closedAt: null, closedBy: null },
  till: { terminalId: 'POS-R', storeId: 's1', storeName: 'Тестовый магазин' },
  operations: [
    row('rub', 'payment', 'koshelek', 'RUB', 12_345, 1), row('rub-r', 'refund', 'koshelek', 'RUB', 2_345, 2),
    row('kzt', 'payment', 'halyk', 'KZT', 123_456, 3), row('kzt-r', 'refund', 'halyk', 'KZT', 23_456, 4),
  ],
  tenders: [],
});

const shiftView = (id: number) => ({ id, openedAt: OPENED, openedBy: 'Иванова', closedAt: null, closedBy: null, zNumber: null, expiresAt: new Date(Date.parse(OPENED) + 86_400_000).toISOString(), status: 'open' as const });

/** Shift 1 open; closing it answers a test-environment Z numbered `zNumber`. The test scripts the open. */
function scriptShiftChange(zNumber: number): { current: number | null } {
  const shifts = { current: 1 as number | null };
  const z = { ...x, type: 'z' as const, zNumber, environment: 'test' as const, shift: { ...x.shift, closedAt: new Date().toISOString(), closedBy: 'Иванова' } };
  core.on('shift.current', () => ({ shift: shifts.current === null ? null : shiftView(shifts.current), warnings: [], unresolved: [], tenderKinds: ['cash'], autoOpenOnSale: false, warnBeforeMinutes: 30 }));
  core.on('shift.close', () => {
    shifts.current = null;
    return z;
  });
  core.on('report.z', () => z);
  return shifts;
}

beforeAll(async () => {
  core = await startScriptedCore(ensureRendererBuilt());
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  core.on('sale.methods', () => []);
  core.on('sale.catalogue', () => ({ taxes: ['none'], measures: ['PIECE'] }));
  core.on('shift.current', () => ({
    shift: { id: 1, openedAt: OPENED, openedBy: 'Иванова', closedAt: null, closedBy: null, zNumber: null, expiresAt: new Date(Date.parse(OPENED) + 86_400_000).toISOString(), status: 'open' },
    warnings: [], unresolved: [], tenderKinds: ['cash'], autoOpenOnSale: false, warnBeforeMinutes: 30,
  }));
  core.on('report.list', () => [{
    zNumber: 7, shiftId: 0 + 1, openedAt: OPENED, openedBy: 'Иванова', closedAt: OPENED, closedBy: 'Иванова', operations: 4,
    tillNet: [{ currency: 'RUB', netKop: 10_000 }, { currency: 'KZT', netKop: 100_000 }], differences: 0,
  }]);
  core.on('report.x', () => x);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await (await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'ru-RU' })).newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(core.url);
  await page.getByTestId('status-env').waitFor();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await core?.close();
});

describe('X report per currency on the shift screen', () => {
  it('a section per currency with its own sign; the operations in their currency; the Z list per currency', async () => {
    await page.keyboard.press('F11');
    const sections = page.getByTestId('currency-section');
    await expect.poll(() => sections.count(), { timeout: 10_000 }).toBe(2);
    expect(await sections.evaluateAll((els) => els.map((e) => e.getAttribute('data-currency')))).toEqual(['RUB', 'KZT']);
    const rub = page.locator('[data-testid="currency-section"][data-currency="RUB"]');
    const kzt = page.locator('[data-testid="currency-section"][data-currency="KZT"]');
    expect(await rub.getByTestId('total-in').textContent()).toBe('123,45\u00a0₽');
    expect(await rub.getByTestId('total-till').textContent()).toBe('100,00\u00a0₽');
    expect(await kzt.getByTestId('total-in').textContent()).toBe('1\u00a0234,56\u00a0₸');
    expect(await kzt.getByTestId('total-out').textContent()).toBe('−234,56\u00a0₸');
    expect(await kzt.getByTestId('total-till').textContent()).toBe('1\u00a0000,00\u00a0₸');
    const amounts = await page.getByTestId('report-op').evaluateAll((rows) => rows.map((r) => r.querySelector('td.num')?.textContent));
    expect(amounts).toEqual(['123,45\u00a0₽', '−23,45\u00a0₽', '1\u00a0234,56\u00a0₸', '−234,56\u00a0₸']);
    const summary = (await page.getByTestId('report-summary').textContent()) ?? '';
    expect(summary).not.toContain('1\u00a0100,00'); // 100 ₽ + 1 000 ₸ added up would read 1 100,00
    expect(await page.getByTestId('z-row').first().textContent()).toContain('100,00\u00a0₽ · 1\u00a0000,00\u00a0₸');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'shift-currencies.png') });
  });

  it('the next shift opened after a Z: its card appears with its own X, never beside the previous shift\'s Z', async () => {
    const shifts = scriptShiftChange(8);
    core.on('shift.open', () => {
      shifts.current = 2;
      return shiftView(2);
    });
    // The new shift's X is slow to come (a big journal): the card must wait for it, not show the Z's marks.
    core.on('report.x', async () => {
      await new Promise((r) => setTimeout(r, 1_500));
      return { ...x, environment: 'production' as const, shift: { ...x.shift, id: 2 } };
    });
    await page.getByTestId('shift-cashier').fill('Иванова');
    await page.getByTestId('shift-close').click();
    await page.getByTestId('close-confirm-yes').click();
    await page.getByTestId('report-env-mark').waitFor({ timeout: 5000 }); // the Z of a test-environment shift is marked
    await page.keyboard.press('F5');
    await expect.poll(() => page.getByTestId('shift-number').textContent().catch(() => ''), { timeout: 5000 }).toContain('2');
    expect(await page.getByTestId('report-env-mark').count()).toBe(0);
    core.on('report.x', () => x);
  });

  it('a refresh begun while the next shift was being opened never puts the previous shift\'s Z beside the new shift', async () => {
    const shifts = scriptShiftChange(9);
    core.on('report.x', () => ({ ...x, environment: 'production' as const, shift: { ...x.shift, id: 3 } }));
    // The shift exists in the core at once, its answer is slow (a busy core): a refresh the status bar
    // triggers in between reads the new shift while the screen still shows the Z.
    core.on('shift.open', async () => {
      shifts.current = 3;
      await new Promise((r) => setTimeout(r, 1_500));
      return shiftView(3);
    });
    const status = statusFixture();
    core.emit('status', status); // the screen knows the open shift from the status bar
    await page.getByTestId('shift-cashier').fill('Иванова');
    await page.getByTestId('shift-close').click();
    await page.getByTestId('close-confirm-yes').click();
    await page.getByTestId('report-env-mark').waitFor({ timeout: 5000 });
    core.emit('status', { ...status, shift: { ...status.shift, state: 'none', id: null, openedAt: null, expiresAt: null } });
    await page.keyboard.press('F5');
    await page.waitForTimeout(800); // the status refresh (250 ms after the event) has come back; the open has not
    const seen = await page.evaluate(() => ({
      number: document.querySelector('[data-testid="shift-number"]')?.textContent ?? null,
      envMark: document.querySelectorAll('[data-testid="report-env-mark"]').length,
    }));
    // Either the closed shift's Z still alone, or nothing new yet: never shift 3 beside the Z's mark.
    expect(seen.number !== null && seen.number.includes('3') && seen.envMark > 0).toBe(false);
    await expect.poll(() => page.getByTestId('shift-number').textContent().catch(() => ''), { timeout: 5000 }).toContain('3');
    expect(await page.getByTestId('report-env-mark').count()).toBe(0);
    core.on('report.x', () => x);
  });

  it('F5 pressed the moment the Z appears opens the next shift, though the screen is still refreshing', async () => {
    const shifts = scriptShiftChange(10);
    // The refresh after the close is slow (a busy core): the cashier does not wait for it.
    core.on('shift.current', async () => {
      if (shifts.current === null) await new Promise((r) => setTimeout(r, 2_000));
      return { shift: shifts.current === null ? null : shiftView(shifts.current), warnings: [], unresolved: [], tenderKinds: ['cash'], autoOpenOnSale: false, warnBeforeMinutes: 30 };
    });
    core.on('shift.open', () => {
      shifts.current = 4;
      return shiftView(4);
    });
    core.on('report.x', () => ({ ...x, environment: 'production' as const, shift: { ...x.shift, id: 4 } }));
    await page.getByTestId('shift-cashier').fill('Иванова');
    await page.getByTestId('shift-close').click();
    await page.getByTestId('close-confirm-yes').click();
    await page.getByTestId('report-env-mark').waitFor({ timeout: 5000 });
    await page.keyboard.press('F5');
    await expect.poll(() => page.getByTestId('shift-number').textContent().catch(() => ''), { timeout: 1_500 }).toContain('4');
    expect(await page.getByTestId('report-env-mark').count()).toBe(0);
    core.on('report.x', () => x);
  });

  it('a provider that is down: the status bar names it with its Russian instruction', async () => {
    core.emit('status', {
      ...statusFixture(),
      providers: [
        { provider: 'koshelek', title: 'Кошелёк Pay', ready: true, problem: null, health: 'unknown', healthProblem: null },
        { provider: 'halyk', title: 'Halyk Bank', ready: true, problem: null, health: 'down',
          healthProblem: { key: 'provider.down', ru: 'Нет связи с платёжной системой. Выберите другой способ оплаты и сообщите администратору.', en: 'down', action: 'other_method', severity: 'error' } },
      ],
    });
    const pill = page.getByTestId('status-provider-health');
    await expect.poll(() => pill.count(), { timeout: 5000 }).toBe(1);
    expect(await pill.getAttribute('data-provider')).toBe('halyk');
    expect(await pill.getAttribute('data-health')).toBe('down');
    expect(await pill.textContent()).toContain('Halyk Bank: Нет связи с платёжной системой');
  });
});
