// The sale screen against a scripted core (test/e2e/scripted-core.ts) in Debian Chromium: what the screen
// does with each provider-neutral contract field — the methods list (config order, number keys, F6/F7,
// problems in Russian, scan-needing methods waiting for a card), a terminal sale without a scan, the
// scanned token (payToken / payReady) going to availability and pay, taxes and measures from the config,
// slip refs rendered as the provider labels them. Every frame both ways is checked against the contract.
import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ScanResultView } from '../../main/contract/api';
import type { PaymentMethodView } from '../../main/contract/checkout';
import { PNG } from 'pngjs';
import { decodeRgbaWasm } from '../../main/scanner/zxing-wasm';
import { CHROMIUM, CHROMIUM_ARGS, ensureRendererBuilt, SCREENSHOTS } from './harness';
import { operationFixture, ScriptedError, startScriptedCore, statusFixture, type ScriptedCore } from './scripted-core';

let core: ScriptedCore;
let browser: Browser;
let page: Page;

const NOT_READY = { key: 'bank.unreachable', ru: 'Нет связи с банком. Примите оплату другим способом.', en: 'No bank.', action: 'other_method' as const, severity: 'error' as const };
const METHODS: PaymentMethodView[] = [
  { provider: 'koshelek', providerTitle: 'Кошелёк Pay', method: 'SBP', titleRu: 'СБП (Кошелёк Pay)', needsCardScan: true, ready: true, problem: null },
  { provider: 'koshelek', providerTitle: 'Кошелёк Pay', method: 'DOLYAME', titleRu: 'Долями (Кошелёк Pay)', needsCardScan: true, ready: true, problem: null },
  { provider: 'terminal', providerTitle: 'Карта (терминал)', method: 'card', titleRu: 'Карта (терминал)', needsCardScan: false, ready: true, problem: null },
  { provider: 'banklink', providerTitle: 'Ссылка банка', method: 'link', titleRu: 'Ссылка банка', needsCardScan: false, ready: false, problem: NOT_READY },
];
let methods: PaymentMethodView[] = METHODS;
let seq = 0;

function scan(payReady: boolean, payToken: string | undefined = 'Tok123'): ScanResultView {
  seq += 1;
  return {
    scan: {
      seq, source: 'serial', raw: `KP1234567890123${payToken ?? ''}`, receivedAt: new Date().toISOString(), epoch: 0,
      parsed: { ok: true, prefix: 'KP', loyaltyId: '1234567890123', ...(payToken ? { payToken } : {}), payReady, verified: payReady },
    },
    error: null,
  };
}

const callsOf = (method: string): unknown[] => core.calls.filter((c) => c.method === method).map((c) => c.input);

/** One key at a person's pace (slower than the wedge detector's scanner gap). */
async function personPress(key: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 250));
  await page.keyboard.press(key);
}

async function newSale(amount: string): Promise<void> {
  await page.keyboard.press('F10');
  await page.getByTestId('amount').fill(amount);
}

beforeAll(async () => {
  core = await startScriptedCore(ensureRendererBuilt());
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  core.on('sale.methods', () => methods);
  core.on('sale.catalogue', () => ({ taxes: ['none', 'vat10'], measures: ['PIECE', 'GRAM', 'LITER'] }));
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
beforeEach(() => {
  methods = METHODS;
});

describe('sale line enums come from sale.catalogue', () => {
  it('offers exactly the config taxes and measures (KG weighed where grams are allowed), preferring an allowed default', async () => {
    const values = (id: string) => page.getByTestId(id).locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    await expect.poll(() => values('line-tax'), { timeout: 5000 }).toEqual(['none', 'vat10']);
    expect(await values('line-measure')).toEqual(['PIECE', 'GRAM', 'KG', 'LITER']);
    // vat20 is not in this config: the form holds the first allowed tax, never a value the core refuses.
    expect(await page.getByTestId('line-tax').inputValue()).toBe('none');
    expect(await page.getByTestId('line-measure').inputValue()).toBe('PIECE');
    expect(await page.getByTestId('line-measure').locator('option').allTextContents()).toEqual(['шт', 'г', 'кг (весовой)', 'л']);
  });
});

describe('methods from sale.methods', () => {
  it('without a card: scan methods wait for a scan, a provider that is not ready shows its problem, the terminal takes its number key', async () => {
    await newSale('500');
    await expect.poll(() => page.getByTestId('next-step').textContent()).toContain('или нажмите «Оплатить» (F9)');
    await page.keyboard.press('F9');
    await page.getByTestId('methods').waitFor();
    const rows = page.getByTestId('method-row');
    expect(await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-method'), e.getAttribute('data-enabled'), e.querySelector('kbd')?.textContent ?? null])))
      .toEqual([['SBP', 'false', '1'], ['DOLYAME', 'false', '2'], ['card', 'true', '3'], ['link', 'false', '4']]);
    expect(await page.getByTestId('method-note-SBP').textContent()).toContain('отсканируйте');
    expect(await page.getByTestId('method-note-link').textContent()).toBe(NOT_READY.ru);
    // A disabled method's key does nothing. (Keys at a person's pace: a faster burst of digits is the
    // keyboard-wedge scanner's, held back by its detector.)
    await personPress('1');
    await personPress('4');
    expect(callsOf('sale.pay')).toHaveLength(0);

    core.on('sale.pay', (input) => operationFixture({ id: 'term-1', orderId: input.orderId, amountKop: 50_000 }));
    await personPress('3');
    await expect.poll(() => callsOf('sale.pay').length).toBe(1);
    const pay = callsOf('sale.pay')[0] as Record<string, unknown>;
    expect(pay).toMatchObject({ paymentType: 'card', provider: 'terminal', amountKop: 50_000 });
    expect(pay.card).toBeUndefined();
    await page.getByTestId('live-status').waitFor();
    expect(await page.getByTestId('next-step').textContent()).toBe('Следуйте указаниям на терминале');
    const base = operationFixture({ id: 'term-1', orderId: String(pay.orderId), amountKop: 50_000 });
    core.emit('operation', {
      ...base, phase: 'paid', phaseText: 'Оплачено', isFinal: true, outcome: 'paid', transactionId: 'T-77', updatedAt: new Date(Date.now() + 1000).toISOString(),
      slip: {
        slipId: 's1', orderId: base.orderId, paymentTransactionId: 'T-77', refundTransactionId: null, paymentType: 'card', operationDateTime: null,
        totalAmountKop: 50_000, currency: 'RUB', refs: [{ key: 'rrn', label: 'RRN', value: '123456789012' }, { key: 'authCode', label: 'Код авторизации', value: 'A1B2C3' }],
      },
    });
    await page.getByTestId('result').waitFor();
    expect(await page.getByTestId('slip-authCode').textContent()).toBe('A1B2C3');
    expect(await page.getByTestId('slip-rrn').textContent()).toBe('123456789012');
    expect(await page.getByTestId('slip').textContent()).toContain('Код авторизации');
    expect(await page.getByTestId('slip-paymentType').textContent()).toBe('Карта (терминал)');
  });

  it('a declined terminal payment keeps its slip under the instruction; retry starts the terminal again without a scan', async () => {
    await newSale('120');
    let n = 0;
    core.on('sale.pay', (input) => {
      n += 1;
      return operationFixture({ id: `term-d${n}`, orderId: input.orderId, amountKop: 12_000 });
    });
    await page.keyboard.press('F9');
    await page.getByTestId('methods').waitFor();
    await personPress('3');
    await expect.poll(() => n).toBe(1);
    const declined = operationFixture({ id: 'term-d1', amountKop: 12_000 });
    core.emit('operation', {
      ...declined, phase: 'canceled', phaseText: 'Отменено на терминале', isFinal: true, outcome: 'canceled', updatedAt: new Date(Date.now() + 1000).toISOString(),
      error: { key: 'terminal.canceled', ru: 'Оплата отменена на терминале. Повторите оплату или выберите другой способ.', en: 'x', action: 'retry', severity: 'info' },
      slip: { slipId: null, orderId: null, paymentTransactionId: null, refundTransactionId: null, paymentType: 'card', operationDateTime: null, totalAmountKop: 12_000, currency: 'RUB', refs: [{ key: 'rrn', label: 'RRN', value: '999' }] },
    });
    await page.getByTestId('error-panel').waitFor();
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('terminal.canceled');
    expect(await page.getByTestId('failed-slip').textContent()).toContain('999');
    await page.keyboard.press('Enter');
    await expect.poll(() => n).toBe(2);
    expect(callsOf('sale.pay').at(-1)).toMatchObject({ paymentType: 'card', provider: 'terminal' });
    expect((callsOf('sale.pay').at(-1) as Record<string, unknown>).card).toBeUndefined();
    await page.getByTestId('live-status').waitFor();
    core.emit('operation', { ...operationFixture({ id: 'term-d2', amountKop: 12_000 }), phase: 'paid', phaseText: 'Оплачено', isFinal: true, outcome: 'paid', updatedAt: new Date(Date.now() + 1000).toISOString() });
    await page.getByTestId('result').waitFor();
  });

  it('a scanned token: availability and pay carry payToken; the unavailable method is greyed; F6 takes the first available', async () => {
    await newSale('300');
    // Set before the scan: availability is asked as soon as the card and the amount are there.
    core.on('sale.availability', () => ({
      providerIsDefault: false, autoStart: null,
      methods: [{ paymentType: 'SBP', available: false, known: true }, { paymentType: 'DOLYAME', available: true, known: true }],
    }));
    core.emit('scan', scan(true, 'Tok300'));
    await expect.poll(() => page.getByTestId('card-kp').textContent()).toBe('Карта Кошелёк Pay — способы оплаты проверятся по F9');
    core.on('sale.pay', (input) => operationFixture({ id: 'kp-1', provider: 'koshelek', providerTitle: 'Кошелёк Pay', paymentType: input.paymentType, orderId: input.orderId, amountKop: 30_000, loyaltyId: '1234567890123' }));
    await page.keyboard.press('F9');
    await page.getByTestId('methods').waitFor();
    expect(callsOf('sale.availability').at(-1)).toMatchObject({ card: { loyaltyId: '1234567890123', payToken: 'Tok300' } });
    expect(await page.getByTestId('card-kp').textContent()).toBe('Кошелёк Pay доступен');
    expect(await page.getByTestId('method-note-SBP').textContent()).toBe('недоступен');
    expect(await page.getByTestId('method-DOLYAME').isEnabled()).toBe(true);
    await page.keyboard.press('F6');
    await expect.poll(() => callsOf('sale.pay').length).toBeGreaterThan(0);
    expect(callsOf('sale.pay').at(-1)).toMatchObject({ paymentType: 'DOLYAME', provider: 'koshelek', card: { loyaltyId: '1234567890123', payToken: 'Tok300' } });
    expect(await page.getByTestId('next-step').textContent()).toBe('Покупатель подтверждает оплату в приложении');
    // The token is spent: after the payment ends the next attempt needs a new scan.
    core.emit('operation', { ...operationFixture({ id: 'kp-1', provider: 'koshelek', paymentType: 'DOLYAME', amountKop: 30_000 }), phase: 'rejected', phaseText: 'Отклонено', isFinal: true, outcome: 'rejected', updatedAt: new Date(Date.now() + 1000).toISOString(), error: { key: 'x.declined', ru: 'Отклонено. Выберите другой способ оплаты.', en: 'x', action: 'other_method', severity: 'warning' } });
    await page.getByTestId('error-panel').waitFor();
    await page.keyboard.press('Enter');
    // "Another method" with the terminal ready: the list again, the card methods now asking for a new scan.
    await page.getByTestId('methods').waitFor();
    expect(await page.getByTestId('method-note-DOLYAME').textContent()).toContain('отсканируйте заново');
    expect(await page.getByTestId('method-card').isEnabled()).toBe(true);
  });

  it('a plain loyalty card (no token): the provider is named unavailable, F9 still offers the terminal', async () => {
    await newSale('80');
    core.emit('scan', scan(false, undefined));
    await expect.poll(() => page.getByTestId('card-kp').textContent()).toBe('Кошелёк Pay недоступен — примите оплату другим способом');
    const before = callsOf('sale.availability').length;
    await page.keyboard.press('F9');
    await page.getByTestId('methods').waitFor();
    expect(callsOf('sale.availability')).toHaveLength(before);
    expect(await page.getByTestId('method-card').isEnabled()).toBe(true);
  });

  it('the check cannot answer: F9 pays the first ready scan method, the terminal stays offered by its number', async () => {
    await newSale('45');
    core.on('sale.availability', () => {
      throw new ScriptedError({ key: 'availability.unavailable', ru: 'Проверка способов оплаты не ответила.', en: 'x', action: 'retry', severity: 'warning' });
    });
    core.emit('scan', scan(true, 'Tok045'));
    await expect.poll(() => page.getByTestId('card-kp').textContent()).toContain('проверятся по F9');
    await page.keyboard.press('F9');
    await page.getByTestId('unchecked').waitFor();
    expect(await page.getByTestId('pay-unchecked').textContent()).toContain('СБП (Кошелёк Pay)');
    expect(await page.getByTestId('unchecked').getByTestId('method-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-method')))).toEqual(['card', 'link']);
    core.on('sale.pay', (input) => operationFixture({ id: 'kp-u', provider: 'koshelek', paymentType: input.paymentType, orderId: input.orderId, amountKop: 4_500 }));
    await page.keyboard.press('F9');
    await expect.poll(() => callsOf('sale.pay').at(-1)).toMatchObject({ paymentType: 'SBP', provider: 'koshelek', card: { payToken: 'Tok045' } });
    await page.getByTestId('live-status').waitFor();
    core.emit('operation', { ...operationFixture({ id: 'kp-u', provider: 'koshelek', paymentType: 'SBP', amountKop: 4_500 }), phase: 'paid', phaseText: 'Оплачено', isFinal: true, outcome: 'paid', updatedAt: new Date(Date.now() + 1000).toISOString() });
    await page.getByTestId('result').waitFor();
  });

  it('a customer action: the payment link as a QR that another decoder (zxing-cpp) reads back, the hint, then gone when final', async () => {
    methods = METHODS.map((m) => (m.provider === 'banklink' ? { ...m, ready: true, problem: null } : m));
    core.emit('status', { ...statusFixture(), providers: [{ provider: 'banklink', title: 'Ссылка банка', ready: true, problem: null, health: 'unknown', healthProblem: null }] });
    await newSale('215');
    const link = 'https://qr.nspk.ru/BS1A0054J6R8PKNB8G1QO1RPVKUJ7AT9?type=02&bank=100000000111&sum=21500&cur=RUB&crc=7F1E';
    core.on('sale.pay', (input) => operationFixture({ id: 'qr-1', provider: 'banklink', providerTitle: 'Ссылка банка', paymentType: 'link', orderId: input.orderId, amountKop: 21_500 }));
    await page.keyboard.press('F9');
    await expect.poll(() => page.locator('[data-testid="method-row"][data-method="link"]').getAttribute('data-enabled')).toBe('true');
    await personPress('4');
    await page.getByTestId('live-status').waitFor();
    const base = operationFixture({ id: 'qr-1', provider: 'banklink', providerTitle: 'Ссылка банка', paymentType: 'link', amountKop: 21_500 });
    core.emit('operation', { ...base, phase: 'awaiting_customer', updatedAt: new Date(Date.now() + 500).toISOString(), customerAction: { kind: 'qr', payload: link, hintRu: 'Отсканируйте QR-код камерой телефона' } });
    await page.getByTestId('customer-qr').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/sale-qr-customer-action.png` });
    expect(await page.getByTestId('customer-action-hint').textContent()).toBe('Отсканируйте QR-код камерой телефона');
    expect(await page.getByTestId('next-step').textContent()).toBe('Покажите покупателю QR-код: он оплачивает с телефона');
    const shot = await page.getByTestId('customer-qr').screenshot();
    const png = PNG.sync.read(shot);
    expect((await decodeRgbaWasm(new Uint8ClampedArray(png.data), png.width, png.height))?.text).toBe(link);
    core.emit('operation', { ...base, phase: 'paid', phaseText: 'Оплачено', isFinal: true, outcome: 'paid', updatedAt: new Date(Date.now() + 1000).toISOString(), customerAction: null });
    await page.getByTestId('result').waitFor();
    expect(await page.getByTestId('customer-action').count()).toBe(0);
  });

  it('nothing ready without a scan: F9 stays off until a card with a token is scanned', async () => {
    methods = METHODS.map((m) => (m.needsCardScan ? m : { ...m, ready: false, problem: NOT_READY }));
    // The status pushes a provider's readiness change (no config edit): the screen reads the methods again.
    core.emit('status', { ...statusFixture(), providers: [{ provider: 'terminal', title: 'Карта (терминал)', ready: false, problem: NOT_READY, health: 'unknown', healthProblem: null }] });
    await newSale('10');
    await expect.poll(() => page.getByTestId('next-step').textContent(), { timeout: 5000 }).toBe('Отсканируйте карту покупателя');
    expect(await page.getByTestId('pay').isDisabled()).toBe(true);
    core.emit('scan', scan(true, 'Tok010'));
    await expect.poll(() => page.getByTestId('pay').isEnabled()).toBe(true);
    expect(await page.getByTestId('next-step').textContent()).toBe('Нажмите «Оплатить» (F9)');
  });
});
