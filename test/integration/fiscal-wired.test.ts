// Fiscal receipts wired into the real core: a real checkout (Koshelek emulator, card terminal emulator)
// and the ATOL / ЮKassa emulators on loopback. A paid sale commits its receipt job with the paid state and
// is fiscalized exactly once whatever the fiscal service does (fails the first sends, answers late,
// answers "already exists"); a refund makes one refund receipt with its own lines only; a failed payment
// makes none; the cashier's view carries the receipt's state.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAtolEmulator, type AtolEmulator } from '../../emulators/atol/server';
import { startYookassaEmulator, type YookassaEmulator } from '../../emulators/yookassa/server';
import { execLaunch, Ledger } from '../../emulators/terminal';
import type { OperationView } from '../../main/contract/checkout';
import type { PaydeskConfigInput } from '../../main/config/schema';
import { card, orderId, startTill, tempDir, type Till } from '../support/till';
import { atolFiscal } from '../support/fiscal';

let atol: AtolEmulator;
let yookassa: YookassaEmulator;
let till: Till | null = null;

beforeAll(async () => {
  atol = await startAtolEmulator();
  yookassa = await startYookassaEmulator();
});
afterAll(async () => {
  await atol.close();
  await yookassa.close();
});
afterEach(async () => {
  await till?.close();
  till = null;
  atol.setFaults({ failFirst: 0, slowCount: 0, alreadyExistsCount: 0, garbageCount: 0, failDocuments: false });
  atol.setDown(false);
});

const FAST = { baseMs: 30, factor: 2, capMs: 300, jitter: 0, maxAttempts: null };
const LINES = [
  { name: 'Молоко 3,2 %', article: 'MILK', priceKop: 8_990, quantity: 2, tax: 'vat10' },
  { name: 'Кофе в зёрнах', article: 'COFFEE', priceKop: 129_900, quantity: 1, tax: 'vat22' },
  { name: 'Пакет', article: 'BAG', priceKop: 1_500, quantity: 1, tax: 'vat22' },
];

async function fiscalTill(extra: Partial<PaydeskConfigInput> = {}): Promise<Till> {
  return startTill({ extra: { fiscal: atolFiscal(atol.baseUrl), ...extra } });
}

async function until<T>(read: () => T, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const receiptDone = (t: Till, id: string): Promise<OperationView> => until(() => t.core.checkout.get(id) as OperationView, (v) => v.receipt?.state === 'done' || v.receipt?.state === 'failed');
const docsFor = (id: string) => atol.documents().filter((d) => d.externalId === id);

async function paidSale(t: Till, lines: typeof LINES = LINES): Promise<OperationView> {
  const op = await t.core.checkout.pay({ orderId: orderId(), lines, card: card('OK'), paymentType: 'SBP' });
  const done = await t.core.checkout.waitFinal(op.id, 20_000);
  expect(done.outcome).toBe('paid');
  return done;
}

describe('a paid sale is fiscalized exactly once (ATOL)', () => {
  it('Koshelek sale: the job commits with `paid`, one receipt with the basket and the Koshelek block, the view says «Чек пробит»', async () => {
    till = await fiscalTill();
    const sale = await paidSale(till);
    // The job exists as soon as the payment is paid: written in the same transaction.
    const job = till.core.journal.sqlite.prepare("SELECT kind, state FROM outbox_jobs WHERE dedupe_key = ?").get(`fiscal.sell:${sale.id}`);
    expect(job).toBeDefined();
    const view = await receiptDone(till, sale.id);
    expect(view.receipt).toMatchObject({ state: 'done', textRu: 'Чек пробит', canFinish: false });
    expect(view.receipt?.documentNumber).toMatch(/\d+/);
    const docs = docsFor(sale.id);
    expect(docs).toHaveLength(1);
    expect(docs[0]?.request.receipt.items.map((i) => i.name)).toEqual(LINES.map((l) => l.name));
    expect(docs[0]?.request.receipt.items.map((i) => i.vat.type)).toEqual(['vat10', 'vat22', 'vat22']);
    const props = JSON.stringify(docs[0]?.request.receipt);
    expect(props).toContain(`orderId=${sale.orderId}`);
    expect(props).toContain(`paymentTransactionId=${sale.transactionId}`);
  });

  it('a refund of one line makes one sell_refund with exactly that line; the sale receipt stays one', async () => {
    till = await fiscalTill();
    const sale = await paidSale(till);
    await receiptDone(till, sale.id);
    const refund = await till.core.checkout.refund({ paymentOperationId: sale.id, lines: [{ lineNo: 1, quantity: 1 }] });
    const refunded = await till.core.checkout.waitFinal(refund.id, 20_000);
    expect(refunded.outcome).toBe('refunded');
    const view = await receiptDone(till, refund.id);
    expect(view.receipt?.state).toBe('done');
    const docs = docsFor(refund.id);
    expect(docs).toHaveLength(1);
    expect(docs[0]?.operation).toBe('sell_refund');
    expect(docs[0]?.request.receipt.items.map((i) => i.name)).toEqual(['Кофе в зёрнах']);
    expect(docs[0]?.request.receipt.total).toBe(1299);
    expect(docsFor(sale.id)).toHaveLength(1);
  });

  it('a declined payment makes no receipt and no job', async () => {
    till = await fiscalTill();
    const op = await till.core.checkout.pay({ orderId: orderId(), lines: LINES, card: card('DC'), paymentType: 'SBP' });
    const done = await till.core.checkout.waitFinal(op.id, 20_000);
    expect(done.outcome).toBe('rejected');
    expect(done.receipt).toBeNull();
    expect(till.core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM outbox_jobs').get()).toEqual({ n: 0 });
    expect(docsFor(op.id)).toHaveLength(0);
  });

  it('the fiscal service fails the first 3 sends: retrying in the view, then one receipt', async () => {
    till = await fiscalTill();
    atol.setFaults({ failFirst: 3 });
    const sale = await paidSale(till);
    const view = await receiptDone(till, sale.id);
    expect(view.receipt?.state).toBe('done');
    expect(view.receipt?.attempts).toBeGreaterThanOrEqual(4);
    expect(docsFor(sale.id)).toHaveLength(1);
  });

  it('answers after the till timed out, and answers "already exists": still one receipt', async () => {
    till = await fiscalTill();
    atol.setFaults({ slowCount: 1, slowMs: 900 });
    const slow = await paidSale(till);
    expect((await receiptDone(till, slow.id)).receipt?.state).toBe('done');
    expect(docsFor(slow.id)).toHaveLength(1);
    atol.setFaults({ alreadyExistsCount: 1 });
    const repeat = await paidSale(till);
    expect((await receiptDone(till, repeat.id)).receipt?.state).toBe('done');
    expect(docsFor(repeat.id)).toHaveLength(1);
  });

  it('down across a till restart: queued while down, sent once after the restart', async () => {
    till = await fiscalTill();
    atol.setDown(true);
    const sale = await paidSale(till);
    const waiting = await until(() => till?.core.checkout.get(sale.id) as OperationView, (v) => v.receipt?.state === 'retrying');
    expect(waiting.receipt).toMatchObject({ textRu: expect.stringMatching(/^Чек в очереди/), canFinish: true });
    expect(waiting.receipt?.nextAttemptAt).toBeDefined();
    const { dataDir, configFile } = till;
    await till.core.close();
    atol.setDown(false);
    const { startCore } = await import('../../main/core/core');
    const { silentLogger } = await import('../../main/log/logger');
    const core = await startCore({ configFile, dataDir, logger: silentLogger() });
    try {
      const view = await until(() => core.checkout.get(sale.id) as OperationView, (v) => v.receipt?.state === 'done');
      expect(view.receipt?.state).toBe('done');
      expect(docsFor(sale.id)).toHaveLength(1);
    } finally {
      await core.close();
      await till.emulator.close();
      till = null;
    }
  });

  it('a provider that fiscalizes itself: Paydesk sends nothing and says who does', async () => {
    till = await fiscalTill({ fiscal: atolFiscal(atol.baseUrl, { providerFiscalizes: ['koshelek'] }) });
    const sale = await paidSale(till);
    expect(sale.receipt).toMatchObject({ state: 'none', textRu: 'Чек пробивает платёжный сервис' });
    await new Promise((r) => setTimeout(r, 200));
    expect(docsFor(sale.id)).toHaveLength(0);
  });

  it('a basket line with a VAT rate the config forbids is refused before any money moves', async () => {
    till = await fiscalTill();
    const before = till.emulator.received.length;
    await expect(till.core.checkout.pay({ orderId: orderId(), lines: [{ name: 'Старый НДС', article: 'OLD', priceKop: 1000, quantity: 1, tax: 'vat20' }], card: card('OK'), paymentType: 'SBP' }))
      .rejects.toMatchObject({ key: 'fiscal.vat_rate_invalid' });
    expect(till.emulator.received.length).toBe(before);
  });

  it('an amount-only sale is one purchase line of the whole amount on the receipt', async () => {
    till = await fiscalTill();
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 1_234_567, card: card('OK'), paymentType: 'SBP' });
    const sale = await till.core.checkout.waitFinal(op.id, 20_000);
    await receiptDone(till, sale.id);
    const items = docsFor(sale.id)[0]?.request.receipt.items ?? [];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ name: 'Покупка', quantity: 1, price: 12345.67, sum: 12345.67 });
  });
});

describe('fiscal config is hot: a bad edit is refused clearly and the last good one stays', () => {
  it('ATOL without a login is refused with the path; the password never appears in the problems', async () => {
    till = await fiscalTill();
    const t = till;
    const fs = await import('node:fs');
    const good = fs.readFileSync(t.configFile, 'utf8');
    const config = JSON.parse(good) as { fiscal: { connector: string; atol: { login: string; password: string } } };
    config.fiscal.atol.login = '';
    config.fiscal.atol.password = 'secret-Пароль-123';
    fs.writeFileSync(t.configFile, JSON.stringify(config, null, 2));
    const status = await until(() => t.core.config.getStatus(), (st) => st.problems.length > 0);
    expect(status.problems.map((p) => p.path)).toContain('fiscal.atol.login');
    expect(JSON.stringify(status.problems)).not.toContain('secret-Пароль-123');
    expect(t.core.config.current().fiscal.atol.login).toBe('emulator');
    // Sales keep being fiscalized with the last good section.
    const sale = await paidSale(t);
    expect((await receiptDone(t, sale.id)).receipt?.state).toBe('done');
  });
});

describe("the provider's own copy (Koshelek receipt endpoint) as an outbox job", () => {
  it('sent once, after the fiscal receipt, with its fiscal number; waits while the fiscal receipt cannot go', async () => {
    till = await fiscalTill({ fiscal: atolFiscal(atol.baseUrl, { providerReceipt: { enabled: true, merchantName: 'ООО «Ромашка»', merchantAddress: 'г. Москва, ул. Тестовая, 1', inn: '770708389312' } }) });
    atol.setDown(true);
    const sale = await paidSale(till);
    const sql = till.core.journal.sqlite;
    const jobs = () => sql.prepare('SELECT kind, state, attempts FROM outbox_jobs WHERE operation_external_id = ? ORDER BY id').all(sale.id) as { kind: string; state: string; attempts: number }[];
    await until(jobs, (j) => (j[0]?.attempts ?? 0) >= 2);
    // The fiscal receipt is retrying: the provider's copy has not been tried (per-key FIFO).
    expect(jobs().map((j) => [j.kind, j.attempts])).toEqual([['fiscal.sell', expect.any(Number)], ['provider.receipt', 0]]);
    const sentToKoshelek = () => till?.emulator.received.filter((r) => r.endpoint === 'receipt' && (r.body as { transactionId?: string }).transactionId === sale.transactionId) ?? [];
    expect(sentToKoshelek()).toHaveLength(0);
    atol.setDown(false);
    await until(jobs, (j) => j.every((x) => x.state === 'done'));
    const sent = sentToKoshelek();
    expect(sent).toHaveLength(1);
    const invoice = (sent[0]?.body as { invoice: { receiptId: string; fdNumber?: string; inn: string; items: unknown[]; receiptType: string } }).invoice;
    expect(invoice).toMatchObject({ receiptId: sale.id, inn: '770708389312', receiptType: 'debit' });
    expect(invoice.fdNumber).toBe((await receiptDone(till, sale.id)).receipt?.documentNumber);
    expect(invoice.items).toHaveLength(LINES.length);
  });

  it('an enabled provider copy without the seller block is a config error IT sees', async () => {
    const { fiscalConfigSchema } = await import('../../main/fiscal/config');
    const parsed = fiscalConfigSchema.safeParse({ ...atolFiscal(atol.baseUrl), providerReceipt: { enabled: true } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['providerReceipt.merchantName', 'providerReceipt.merchantAddress', 'providerReceipt.inn']);
  });
});

describe('card terminal sale through the checkout', () => {
  it('one receipt per terminal sale, ЮKassa connector', async () => {
    const ledger = new Ledger(path.join(tempDir('paydesk-terminal-'), 'app'));
    const launch = await execLaunch(ledger.dir, { processingMs: 20 });
    till = await startTill({
      extra: {
        providers: ['koshelek', 'terminal'], terminal: { enabled: true, launch, timing: { lookupScheduleMs: [0, 200] } },
        fiscal: {
          connector: 'yookassa', backoff: FAST,
          yookassa: { baseUrl: yookassa.baseUrl, emulator: true, shopId: 'shop-1', secretKey: 'secret', fallbackEmail: 'shop@example.ru', timeoutMs: 400, pollForMs: 300, pollEveryMs: 30, maxRetryAfterMs: 100 },
        },
      },
    });
    const op = await till.core.checkout.pay({ orderId: orderId(), lines: LINES, paymentType: 'card' });
    const sale = await till.core.checkout.waitFinal(op.id, 20_000);
    expect(sale.outcome).toBe('paid');
    const view = await receiptDone(till, sale.id);
    expect(view.receipt?.state).toBe('done');
    const mine = yookassa.receipts().filter((r) => (r.request.additional_user_props?.value ?? '').includes(`orderId=${sale.orderId}`));
    expect(mine).toHaveLength(1);
  });
});
