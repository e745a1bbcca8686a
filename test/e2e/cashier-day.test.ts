// The till as a cashier lives with it all day (issue #10), in Debian Chromium at 1024×768 against the
// real core, the Koshelek emulator, a SQLite journal and a socat pty scanner:
//  * twenty consecutive sales typed from the keyboard only (amount, scan, F9, F10), no keystroke lost;
//  * a refund is never made without a confirmation that shows what goes back;
//  * one payment among 200 is found by 4 characters of its id, with paging past the first page;
//  * an 8+ line basket (weighed goods in kg with a decimal comma) keeps «Итого» on screen;
//  * garbage amounts are refused with a message, a large one asks first;
//  * every cashier screen visited is scanned for Latin enum values and ISO dates.
// Screenshots go to test-output/screenshots/ (docs/ui.md uses them).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCard, testCardBarcode, type ReceivedRequest } from '../../emulators/koshelek';
import type { OperationView } from '../../main/contract/checkout';
import { matchesSearch, parseSearchText } from '../../main/checkout/views';
import { startTill, type Till } from './harness';

let till: Till;

beforeAll(async () => {
  till = await startTill({ confirmDelayMs: 150, timing: { finalStatusTimeoutMs: 4000 } });
});
afterAll(async () => {
  await till?.close();
});

interface Body {
  cardSession?: string;
  transactionId?: string;
  refundAmount?: number;
  checkoutInvoice?: { orderId: string; totalAmount: number; items: { name: string; price: number; quantity: number; measure: string; totalAmount?: number }[] };
}
const body = (r: ReceivedRequest): Body => r.body as Body;
const sent = (endpoint: ReceivedRequest['endpoint'], pred: (b: Body) => boolean = () => true): ReceivedRequest[] =>
  till.emulator.received.filter((r) => r.endpoint === endpoint && pred(body(r)));

/** Words a cashier screen may show in Latin letters (key caps, brand, file formats). */
const LATIN_OK = new Set(['Enter', 'Esc', 'PgUp', 'PgDn', 'Alt', 'Q', 'English', 'Pay', 'PAY', 'PNG', 'JPEG', 'ID', 'qrcId', 'CSV', 'PDF', 'TXT', 'X', 'Z', 'F']);
/**
 * What the cashier can read (visible text only: folded IT details are not rendered) must hold no
 * enum value or English word and no ISO date. Ids carry digits and are removed first.
 */
async function audit(screen: string, alsoAllowed: readonly string[] = []): Promise<void> {
  const text = await till.page.evaluate(() => document.body.innerText);
  expect(text, `${screen}: ISO date on screen`).not.toMatch(/\d{4}-\d{2}-\d{2}(?:T|\s+\d{2}:)/);
  expect(text, `${screen}: ISO date on screen`).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
  const words = text.replace(/\S*\d\S*/g, ' ').match(/[A-Za-z_]+/g) ?? [];
  const foreign = words.filter((w) => !LATIN_OK.has(w) && !alsoAllowed.includes(w));
  expect(foreign, `${screen}: Latin words on a cashier screen`).toEqual([]);
}

/** A quick cashier on the number pad; slower than the harness's wedge-scanner gap (120 ms). */
const CASHIER_KEY_MS = 140;

async function waitPaid(): Promise<void> {
  await till.page.getByTestId('result').waitFor({ timeout: 10_000 });
}

describe('keyboard loop', () => {
  it('twenty consecutive sales: amount typed, serial scan, F9, F10 — no keystroke lost', async () => {
    const { page } = till;
    await page.keyboard.press('F1');
    await page.keyboard.press('F10');
    await audit('sale (empty)');
    await till.screenshot('ux-01-sale-empty');
    const amounts: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const rubles = `${101 + i * 7},${String(10 + i).padStart(2, '0')}`;
      amounts.push(rubles);
      // Straight after F10 (or the first load): no click, no wait — the keys must land in the amount.
      // At a person's pace: the harness sets the wedge detector's scanner gap to 120 ms, and a burst
      // faster than that is (rightly) a scanner, not a cashier.
      await page.keyboard.type(rubles, { delay: CASHIER_KEY_MS });
      const card = makeTestCard('OK');
      till.serialScan(card.barcode);
      await expect.poll(() => page.getByTestId('card-kp').textContent(), { timeout: 5000 }).toContain('Кошелёк Pay');
      expect(await page.getByTestId('amount').inputValue()).toBe(rubles);
      await page.keyboard.press('F9');
      await waitPaid();
      if (i === 0) {
        await audit('sale (paid slip)');
        await till.screenshot('ux-02-sale-paid');
      }
      const checkout = sent('checkout', (b) => b.cardSession === card.cardSession);
      expect(checkout).toHaveLength(1);
      const [r, k] = rubles.split(',');
      expect(body(checkout[0] as ReceivedRequest).checkoutInvoice?.totalAmount).toBe(Number(r) * 100 + Number(k));
      await page.keyboard.press('F10');
    }
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('amount');
    const cues = await page.evaluate(() => (window as unknown as { __paydeskCues?: string[] }).__paydeskCues ?? []);
    expect(cues.filter((c) => c === 'paid')).toHaveLength(20);
  }, 180_000);
});

describe('amount and basket', () => {
  it('garbage amounts are refused with a message, never turned into 0,00 ₽; a large amount asks first', async () => {
    const { page } = till;
    await page.keyboard.press('F10');
    for (const [typed, says] of [['abc', 'не распознана'], ['-20', 'отрицательной'], ['12,345', 'двух знаков']] as const) {
      await page.getByTestId('amount').fill(typed);
      await expect.poll(() => page.getByTestId('amount-error').textContent()).toContain(says);
      expect(await page.getByTestId('total').textContent()).toContain('0,00');
    }
    await till.screenshot('ux-03-amount-refused');
    await page.getByTestId('amount').fill('150000');
    expect(await page.getByTestId('amount-error').count()).toBe(0);
    const card = makeTestCard('OK');
    till.serialScan(card.barcode);
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await expect.poll(() => page.getByTestId('next-step').textContent()).toContain('Необычно большая сумма');
    await till.screenshot('ux-04-amount-large');
    expect(sent('availability', (b) => b.cardSession === card.cardSession)).toHaveLength(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('next-step').textContent()).not.toContain('Необычно');
    await page.keyboard.press('F9');
    await page.keyboard.press('F9');
    await waitPaid();
    expect(body(sent('checkout', (b) => b.cardSession === card.cardSession)[0] as ReceivedRequest).checkoutInvoice?.totalAmount).toBe(15_000_000);
  });

  it('a 9-line basket with weighed goods (kg, decimal comma) keeps «Итого» visible; focus returns to the item name', async () => {
    const { page } = till;
    await page.keyboard.press('F10');
    const add = async (name: string, price: string, qty: string, measure = 'PIECE'): Promise<void> => {
      await page.getByTestId('line-measure').selectOption(measure);
      await page.getByTestId('line-name').focus();
      await page.keyboard.type(name, { delay: CASHIER_KEY_MS });
      await page.keyboard.press('Tab');
      await page.keyboard.type(price, { delay: CASHIER_KEY_MS });
      await page.keyboard.press('Tab');
      await page.keyboard.press('Control+A');
      await page.keyboard.type(qty, { delay: CASHIER_KEY_MS });
      await page.keyboard.press('F5');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('line-name');
    };
    // A weight typed as whole kilograms with a bad fraction is refused, not dropped or rounded.
    await page.getByTestId('line-measure').selectOption('KG');
    await page.getByTestId('line-name').fill('Сыр');
    await page.getByTestId('line-price').fill('899,90');
    await page.getByTestId('line-qty').fill('0,3505');
    await page.keyboard.press('F5');
    await expect.poll(() => page.getByTestId('line-error').textContent()).toContain('0,350');
    expect(await page.getByTestId('line-row').count()).toBe(0);
    await page.getByTestId('line-name').fill('');
    await page.getByTestId('line-price').fill('');
    await add('Сыр Российский', '899,90', '0,350', 'KG');
    await add('Яблоки', '129,00', '1,5', 'KG');
    for (let i = 0; i < 7; i += 1) await add(`Товар ${i + 1}`, `${10 + i},50`, '2');
    expect(await page.getByTestId('line-row').count()).toBe(9);
    const total = page.getByTestId('total');
    const box = await total.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(768 - 44);
    expect(await total.isVisible()).toBe(true);
    // 899,90 × 0,350 = 314,965 → 314,97; 129 × 1,5 = 193,50; 2 × (10,50 + … + 16,50) = 189,00
    await expect.poll(() => total.textContent()).toContain('697,47');
    expect(await page.getByTestId('lines').textContent()).toContain('0,350 кг × 899,90');
    await audit('sale (basket)');
    await till.screenshot('ux-05-sale-basket-9-lines');
    const card = makeTestCard('OK');
    till.serialScan(card.barcode);
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await waitPaid();
    const invoice = body(sent('checkout', (b) => b.cardSession === card.cardSession)[0] as ReceivedRequest).checkoutInvoice;
    expect(invoice?.totalAmount).toBe(69747);
    expect(invoice?.items[0]).toMatchObject({ measure: 'GRAM', quantity: 350 });
  });

  it('after a cashier cancel the next-step line does not invite F9 with the used card code', async () => {
    const { page } = till;
    await page.keyboard.press('F10');
    await page.keyboard.type('55', { delay: CASHIER_KEY_MS });
    till.serialScan(testCardBarcode('SL'));
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await expect.poll(async () => page.getByTestId('cancel').isEnabled(), { timeout: 5000 }).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByTestId('error-panel').waitFor({ timeout: 10_000 });
    await audit('sale (cancelled)');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('next-step').textContent()).not.toContain('F9');
    expect(await page.getByTestId('pay').isDisabled()).toBe(true);
  });
});

describe('refund and search', () => {
  it('a refund shows what goes back and needs F9 to confirm; Esc backs out with nothing sent', async () => {
    const { page } = till;
    await page.keyboard.press('F10');
    await page.keyboard.type('640', { delay: CASHIER_KEY_MS });
    till.serialScan(testCardBarcode('OK'));
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await waitPaid();
    const orderId = (await page.getByTestId('slip-orderId').textContent()) ?? '';
    const tx = (await page.getByTestId('slip-paymentTransactionId').textContent()) ?? '';
    await page.keyboard.press('F2');
    await page.getByTestId('refund-query').waitFor();
    await page.keyboard.type(orderId.slice(-4), { delay: CASHIER_KEY_MS });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator(`[data-testid="refund-row"][data-order-id="${orderId}"]`).count(), { timeout: 5000 }).toBe(1);
    const rows = await page.getByTestId('refund-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-order-id')));
    // pick it with the arrows (focus is on the list after a search)
    for (let i = 0; i < rows.indexOf(orderId); i += 1) await page.keyboard.press('ArrowDown');
    await audit('refund (search)');
    // The old fast path (F5) does nothing here; F6 only asks.
    await page.keyboard.press('F5');
    await page.keyboard.press('F6');
    await page.getByTestId('refund-confirm').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('refund-confirm-amount').textContent()).toContain('640,00');
    await audit('refund (confirm)');
    await till.screenshot('ux-06-refund-confirm');
    await page.keyboard.press('Enter');
    await new Promise((r) => setTimeout(r, 300));
    expect(sent('refund', (b) => b.transactionId === tx)).toHaveLength(0);
    await page.keyboard.press('Escape');
    await page.getByTestId('refund-confirm').waitFor({ state: 'detached' });
    expect(sent('refund', (b) => b.transactionId === tx)).toHaveLength(0);
    await page.keyboard.press('F6');
    await page.getByTestId('refund-confirm').waitFor();
    await page.keyboard.press('F9');
    await page.getByTestId('refund-result').waitFor({ timeout: 10_000 });
    await audit('refund (done)');
    const refunds = sent('refund', (b) => b.transactionId === tx);
    expect(refunds).toHaveLength(1);
    expect(body(refunds[0] as ReceivedRequest).refundAmount).toBe(64000);
  });

  it('finds one payment among 200 by 4 characters of its id, and pages past the first page', async () => {
    const { page } = till;
    const checkout = till.shell.core.checkout;
    const made: OperationView[] = [];
    for (let batch = 0; batch < 20; batch += 1) {
      const views = await Promise.all(Array.from({ length: 10 }, async (_, j) => {
        const n = batch * 10 + j;
        const card = makeTestCard('OK');
        const started = await checkout.pay({
          orderId: `BULK-${String(n).padStart(3, '0')}-${card.cardSession}`, amountKop: 50_00 + n,
          card: { loyaltyId: card.cardNumber, payToken: card.cardSession }, paymentType: 'SBP',
        });
        return checkout.waitFinal(started.id, 15_000);
      }));
      made.push(...views);
    }
    expect(made.filter((v) => v.outcome === 'paid')).toHaveLength(200);
    const target = made[123] as OperationView;
    const fragment = (target.transactionId ?? '').slice(-4);
    // The till matches a fragment against every id (and digits as an amount too): count the others it may show.
    const term = parseSearchText(fragment);
    const others = made.filter((v) => v !== target && matchesSearch(v, term));
    await page.keyboard.press('F1');
    await page.keyboard.press('F2');
    await page.getByTestId('refund-query').fill(fragment);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator(`[data-testid="refund-row"][data-order-id="${target.orderId}"]`).count(), { timeout: 5000 }).toBe(1);
    expect(await page.getByTestId('refund-row').count()).toBeLessThanOrEqual(others.length + 1);
    await till.screenshot('ux-07-refund-found-by-fragment');
    // by amount: 51,23 ₽ is payment #123
    await page.getByTestId('refund-query').fill('51,23');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator(`[data-testid="refund-row"][data-order-id="${target.orderId}"]`).count(), { timeout: 5000 }).toBe(1);
    // everything today: paged, PgDn reaches rows the first page did not show
    await page.getByTestId('refund-query').fill('');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('refund-count').textContent(), { timeout: 5000 }).toMatch(/Найденные оплаты: 2\d\d/);
    const first = await page.getByTestId('refund-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-order-id')));
    expect(first.length).toBe(8);
    await page.keyboard.press('PageDown');
    await expect.poll(() => page.getByTestId('refund-count').textContent()).toContain('Стр. 2/');
    const second = await page.getByTestId('refund-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-order-id')));
    expect(second.some((id) => first.includes(id))).toBe(false);
    // rows are distinguishable although the ids share a long prefix
    const shown = await page.locator('[data-testid="refund-row"] .id-main').allTextContents();
    expect(new Set(shown).size).toBe(shown.length);
    await audit('refund (paged)');
    await till.screenshot('ux-08-refund-paged');
  }, 180_000);
});

describe('the other screens', () => {
  it('journal and shift screens hold no enum values or ISO dates; the report rows fit one line', async () => {
    const { page } = till;
    await page.keyboard.press('F1');
    await page.keyboard.press('F10');
    await page.keyboard.type('77', { delay: CASHIER_KEY_MS });
    till.serialScan(testCardBarcode('OK'));
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await waitPaid();
    await page.keyboard.press('F3');
    await page.getByTestId('journal-row').first().waitFor();
    await audit('journal');
    await till.screenshot('ux-09-journal');
    // The manager's screen: X report of the shift the first sale opened (no «auto», no enum, Russian headers).
    await page.keyboard.press('F11');
    await page.getByTestId('shift-opened-by').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('shift-opened-by').textContent()).not.toContain('auto');
    // The shift the first sale opened gets a person's name (kept with the note that the till opened it).
    await page.getByTestId('shift-cashier').fill('Иванова');
    await page.getByTestId('shift-claim').click();
    await expect.poll(() => page.getByTestId('shift-opened-by').textContent()).toBe('Иванова (открыта кассой при первой продаже)');
    await page.keyboard.press('F7');
    await page.getByTestId('report-op').first().waitFor({ timeout: 10_000 });
    // The manager's report keeps the protocol's field names as a small second header line (on purpose), and
    // each configured provider's slip ids as it registered them (label and key, e.g. the terminal's RRN).
    const refWords = (await page.getByTestId('ref-column').evaluateAll((ths) => ths.map((th) => `${th.getAttribute('title') ?? ''} ${th.firstChild?.textContent ?? ''}`)))
      .join(' ').match(/[A-Za-z_]+/g) ?? [];
    const reportWords = ['orderId', 'paymentTransactionId', 'refundTransactionId', 'requestId', 'paymentType', ...refWords];
    await audit('shift (X report)', reportWords);
    const opRow = await page.getByTestId('report-op').first().boundingBox();
    expect(opRow?.height ?? 99).toBeLessThan(40); // one line per operation: ids do not wrap
    await till.screenshot('ux-14-shift-x-report');
    // A4 on the computer's printer: this machine has no CUPS, so the answer is the catalogue's print line
    // (never an English error), and the PDF is saved anyway.
    await page.getByTestId('report-print-os').click();
    await expect.poll(async () => (await page.getByTestId('error-panel').count()) + (await page.getByTestId('print-os-done').count()), { timeout: 10_000 }).toBe(1);
    if (await page.getByTestId('error-panel').count()) {
      expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('print.failed');
      await audit('shift (A4 print failed)', reportWords);
    }
    expect(fs.readdirSync(`${till.dir}/data/exports`).some((f) => f.endsWith('.pdf'))).toBe(true);
  });

  it('«?» shows the shortcut list (Esc, Enter, PgUp explained) without touching the amount; Esc closes it', async () => {
    const { page } = till;
    await page.keyboard.press('F1');
    await page.keyboard.press('F10');
    await page.keyboard.type('12', { delay: CASHIER_KEY_MS });
    await page.keyboard.press('?');
    await page.getByTestId('shortcut-help').waitFor();
    const text = (await page.getByTestId('shortcut-help').textContent()) ?? '';
    for (const key of ['Esc', 'Enter', 'PgUp', 'F9', 'F10', 'F6 / F7 / F8']) expect(text).toContain(key);
    await audit('shortcut list');
    await till.screenshot('ux-11-shortcuts');
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-help').waitFor({ state: 'detached' });
    expect(await page.getByTestId('amount').inputValue()).toBe('12');
  });
});

describe('IT: a config typo', () => {
  it('is refused with "did you mean", summarised in Russian in the status bar, details on click, no file contents', async () => {
    const { page } = till;
    await page.keyboard.press('F1');
    const good = fs.readFileSync(till.configFile, 'utf8');
    const bad = JSON.parse(good) as { till: Record<string, unknown> };
    bad.till.storname = 'Ромашка';
    fs.writeFileSync(till.configFile, JSON.stringify(bad, null, 2));
    await page.getByTestId('status-config').waitFor({ timeout: 5000 });
    const pill = (await page.getByTestId('status-config').textContent()) ?? '';
    expect(pill).toContain('till.storname');
    expect(pill).toContain('прежними настройками');
    await page.getByTestId('status-config').click();
    const details = (await page.getByTestId('status-config-details').textContent()) ?? '';
    expect(details).toContain('возможно, имелось в виду «storeName»');
    expect(details).not.toContain('emulator:emulator');
    await till.screenshot('ux-10-status-config-typo');
    // a syntax error next to the password: the message never quotes the file
    fs.writeFileSync(till.configFile, good.replace('"password": "emulator"', '"password": "emulator" oops'));
    await expect.poll(() => page.getByTestId('status-config-details').textContent(), { timeout: 5000 }).toContain('не читается как JSON');
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('oops');
    fs.writeFileSync(till.configFile, good);
    await page.getByTestId('status-config').waitFor({ state: 'detached', timeout: 5000 });
  });
});
