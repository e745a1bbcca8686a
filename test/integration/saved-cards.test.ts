// Card binding and saved cards end to end through the REAL core and API (config file, registry, composition
// root, checkout, journal on disk, the core's one outbox worker) against the Tochka emulator: the 2 ₽
// verification charge, the card saved against the scanned customer, exactly one refund at the bank, payment
// by the saved card (the bank sees its consumerId), unbinding (the manager's right), and a binding the bank
// returned no card for (still refunded). The kill -9 between "paid" and the refund is in bank-core-crash.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { startAtolEmulator } from '../../emulators/atol/server';
import { TochkaEmulator } from '../../emulators/tochka';
import { bindingRefundOperationId } from '../../main/acquiring/refund-job';
import type { OperationView } from '../../main/contract/checkout';
import { startApiHarness, type ApiHarness } from '../support/api-session';
import { orderId } from '../support/till';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function harness(o: { signIn?: boolean; tochka?: Record<string, unknown>; fiscal?: Record<string, unknown> } = {}): Promise<{ h: ApiHarness; bank: TochkaEmulator }> {
  const bank = new TochkaEmulator({ holdMs: 1_500 });
  const url = await bank.start();
  cleanups.push(() => bank.stop());
  const h = await startApiHarness({
    extra: {
      providers: ['koshelek', 'tochka'],
      tochka: { enabled: true, baseUrl: url, token: 'test.jwt.token', customerCode: '300000092', merchantId: '200000000001056', timing: { requestTimeoutMs: 600, pollScheduleMs: [100, 100, 200] }, ...o.tochka },
      ...(o.signIn ? { access: { signIn: true, autoLock: { idleSec: 0, warnSec: 0 } } } : {}),
      ...(o.fiscal ? { fiscal: o.fiscal } : {}),
    },
  });
  cleanups.push(() => h.close());
  return { h, bank };
}

async function until<T>(f: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const refunds = (bank: TochkaEmulator, ref: string) => bank.byLinkId(ref)?.Order.filter((x) => x.type === 'refund').map((x) => x.amount) ?? [];

/** Binds through the API: the link is made for the charge, the customer pays it by card (or SBP: no card id). */
async function bind(h: ApiHarness, bank: TochkaEmulator, customer: string, paidBy: 'card' | 'sbp' = 'card'): Promise<OperationView> {
  const op = await h.call('savedCards.bind', { orderId: orderId(), card: { loyaltyId: customer } });
  const bankOp = await until(() => bank.byLinkId(op.requestId), 10_000, 'the binding link');
  bank.pay(bankOp.operationId, paidBy);
  return h.till.core.checkout.waitFinal(op.id, 10_000);
}

describe('card binding and saved cards at the till (Tochka emulator, real core)', () => {
  it('binding: 2 ₽ charged with saveCard, paid, the card listed for the customer, exactly one refund at the bank', async () => {
    const { h, bank } = await harness();
    const before = await h.call('savedCards.list', { loyaltyId: 'cust-1' });
    expect(before).toEqual({ cards: [], binding: { provider: 'tochka', providerTitle: 'Банк Точка (СБП и карта)', amountKop: 200 } });
    const paid = await bind(h, bank, 'cust-1');
    expect(paid).toMatchObject({ kind: 'payment', provider: 'tochka', amountKop: 200, outcome: 'paid', loyaltyId: 'cust-1', paymentType: 'card_ru' });
    const linked = bank.byLinkId(paid.requestId);
    expect(linked).toMatchObject({ saveCard: true, amount: 2, paymentMode: ['card'] });
    // The refund job runs on the core's own outbox worker: nobody here drives it.
    await until(() => refunds(bank, paid.requestId).length > 0, 10_000, 'the refund at the bank');
    await new Promise((r) => setTimeout(r, 500)); // a second refund would come now, if any
    expect(refunds(bank, paid.requestId)).toEqual([2]);
    expect(linked?.status).toBe('REFUNDED');
    const job = h.till.core.journal.sqlite.prepare("SELECT state, operation_external_id FROM outbox_jobs WHERE kind = 'tochka.refund'").all();
    expect(job).toEqual([{ state: 'done', operation_external_id: paid.id }]);
    // The bank's refund is the journal's refund too (written with the job's done): the X report nets the 2 ₽ out.
    const refundRows = h.till.core.journal.sqlite.prepare("SELECT kind, parent_id, amount_kop, outcome, is_final, shift_id, provider, currency FROM operations WHERE parent_id = ?").all(paid.id);
    expect(refundRows).toEqual([{ kind: 'refund', parent_id: paid.id, amount_kop: 200, outcome: 'refunded', is_final: 1, shift_id: expect.any(Number), provider: 'tochka', currency: 'RUB' }]);
    const x = await h.call('report.x', {});
    const [rub] = x.currencies;
    expect(rub?.byKind.payment.succeeded).toEqual({ count: 1, amountKop: 200 });
    expect(rub?.byKind.refund.succeeded).toEqual({ count: 1, amountKop: 200 });
    expect(rub?.totals).toMatchObject({ electronicInKop: 200, electronicOutKop: 200, electronicNetKop: 0 });
    expect(x.operations.map((l) => [l.kind, l.provider, l.amountKop])).toEqual([['payment', 'tochka', 200], ['refund', 'tochka', 200]]);
    const { cards } = await h.call('savedCards.list', { loyaltyId: 'cust-1' });
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ provider: 'tochka', customerId: 'cust-1' });
    // Our own id, never the bank's card id, crosses to the renderer.
    expect(JSON.stringify(cards)).not.toContain(linked?.consumerId ?? 'none');
    expect((await h.call('savedCards.list', { loyaltyId: 'someone-else' })).cards).toEqual([]);
  });

  it('pay by the saved card: the bank link carries the consumerId; another customer cannot use it; unbinding (manager) removes it and paying by it is refused', async () => {
    const { h, bank } = await harness({ signIn: true });
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-cashier', pin: '4821' });
    const paid = await bind(h, bank, 'cust-2');
    const consumerId = bank.byLinkId(paid.requestId)?.consumerId;
    expect(consumerId).toBeTruthy();
    const [card] = (await h.call('savedCards.list', { loyaltyId: 'cust-2' })).cards;
    if (!card) throw new Error('no saved card');

    const sale = await h.call('savedCards.pay', { orderId: orderId(), lines: [{ name: 'Кофе', article: 'A-1', priceKop: 15_000, quantity: 1 }], card: { loyaltyId: 'cust-2' }, savedCardId: card.id });
    const bankSale = await until(() => bank.byLinkId(sale.requestId), 10_000, 'the sale link');
    expect(bankSale).toMatchObject({ consumerId, saveCard: false, amount: 150, paymentMode: ['card'] });
    bank.pay(bankSale.operationId, 'card');
    expect(await h.till.core.checkout.waitFinal(sale.id, 10_000)).toMatchObject({ outcome: 'paid', amountKop: 15_000 });
    expect(refunds(bank, sale.requestId)).toEqual([]); // a sale by a saved card is no binding: nothing refunded

    // The card is the customer's: another scanned customer cannot pay with its id.
    expect((await h.fail('savedCards.pay', { orderId: orderId(), amountKop: 100, card: { loyaltyId: 'cust-3' }, savedCardId: card.id })).key).toBe('saved_card.not_found');
    // A cashier may not unbind; the manager may.
    expect((await h.fail('savedCards.unbind', { loyaltyId: 'cust-2', savedCardId: card.id })).key).toMatch(/^access\./);
    await h.call('people.signIn', { kind: 'card', code: 'STAFF-DEMO-MANAGER' });
    expect(await h.call('savedCards.unbind', { loyaltyId: 'cust-2', savedCardId: card.id })).toEqual({ unbound: true });
    expect((await h.call('savedCards.list', { loyaltyId: 'cust-2' })).cards).toEqual([]);
    const links = bank.creates.length;
    const refused = await h.fail('savedCards.pay', { orderId: orderId(), amountKop: 100, card: { loyaltyId: 'cust-2' }, savedCardId: card.id });
    expect(refused).toMatchObject({ key: 'saved_card.not_found' });
    expect(refused.ru).toMatch(/не привязана или уже отвязана/);
    expect(bank.creates.length).toBe(links); // nothing was sent to the bank
    expect((await h.fail('savedCards.unbind', { loyaltyId: 'cust-2', savedCardId: card.id })).key).toBe('saved_card.not_found');
  });

  it('a binding paid without a card id (the customer paid by SBP) saves nothing and is still refunded once', async () => {
    const { h, bank } = await harness();
    const paid = await bind(h, bank, 'cust-4', 'sbp');
    expect(paid.outcome).toBe('paid');
    expect(bank.byLinkId(paid.requestId)?.consumerId ?? null).toBeNull();
    await until(() => refunds(bank, paid.requestId).length > 0, 10_000, 'the refund');
    await new Promise((r) => setTimeout(r, 500));
    expect(refunds(bank, paid.requestId)).toEqual([2]);
    expect((await h.call('savedCards.list', { loyaltyId: 'cust-4' })).cards).toEqual([]);
  });

  it('binding follows the config: another charge amount; no cards on the link → binding not offered, refused clearly', async () => {
    const { h, bank } = await harness({ tochka: { binding: { amountMinor: 1_000 } } });
    expect((await h.call('savedCards.list', { loyaltyId: 'c' })).binding?.amountKop).toBe(1_000);
    const paid = await bind(h, bank, 'cust-5');
    expect(bank.byLinkId(paid.requestId)?.amount).toBe(10);
    await until(() => refunds(bank, paid.requestId).length > 0, 10_000, 'the refund');
    expect(refunds(bank, paid.requestId)).toEqual([10]);

    const sbpOnly = await harness({ tochka: { paymentModes: ['sbp'] } });
    expect((await sbpOnly.h.call('savedCards.list', { loyaltyId: 'c' })).binding).toBeNull();
    expect((await sbpOnly.h.fail('savedCards.bind', { orderId: orderId(), card: { loyaltyId: 'c' } })).key).toBe('saved_card.not_supported');
    expect(sbpOnly.bank.creates).toHaveLength(0);
  });

  it('a settle that fails (the card table refuses the write) never undoes the paid binding; the start-up catch-up saves the card and refunds once', async () => {
    const { h, bank } = await harness();
    const db = h.till.core.journal.sqlite;
    db.exec("CREATE TRIGGER refuse_cards BEFORE INSERT ON saved_cards BEGIN SELECT RAISE(ABORT, 'disk trouble'); END");
    const paid = await bind(h, bank, 'cust-7');
    expect(paid.outcome).toBe('paid'); // the customer's 2 ₽ are recorded as paid, whatever happened to the card
    await new Promise((r) => setTimeout(r, 500));
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox_jobs WHERE operation_external_id = ?').get(paid.id)).toEqual({ n: 0 });
    expect(refunds(bank, paid.requestId)).toEqual([]);
    db.exec('DROP TRIGGER refuse_cards');
    expect(h.till.core.savedCards.catchUp()).toBe(1); // what startCore runs before resuming anything
    expect(h.till.core.savedCards.catchUp()).toBe(0);
    await until(() => refunds(bank, paid.requestId).length > 0, 10_000, 'the refund');
    await new Promise((r) => setTimeout(r, 500));
    expect(refunds(bank, paid.requestId)).toEqual([2]);
    expect((await h.call('savedCards.list', { loyaltyId: 'cust-7' })).cards).toHaveLength(1);
  });

  it('the ambiguous refund (the bank refunded, then never answered): the job waits in the queue, then reconciles — one refund, never two', async () => {
    const { h, bank } = await harness();
    const op = await h.call('savedCards.bind', { orderId: orderId(), card: { loyaltyId: 'cust-8' } });
    const bankOp = await until(() => bank.byLinkId(op.requestId), 10_000, 'the binding link');
    bank.queueFault('timeout_after_refund'); // consumed by the next refund only (polls leave it)
    bank.pay(bankOp.operationId, 'card');
    const queued = await until(async () => (await h.call('queue.list', {})).find((j) => j.operationId === op.id), 10_000, 'the refund job in the queue');
    expect(queued).toMatchObject({ kindRu: 'Возврат проверочного списания (привязка карты)', orderId: op.orderId, amountKop: 200 });
    await until(() => h.till.core.journal.sqlite.prepare("SELECT state FROM outbox_jobs WHERE operation_external_id = ? AND state = 'done'").get(op.id), 30_000, 'the job done');
    expect(refunds(bank, op.requestId)).toEqual([2]);
    // Done by reconcile: its journal refund is written all the same, once.
    expect(h.till.core.journal.sqlite.prepare("SELECT kind, amount_kop, outcome FROM operations WHERE parent_id = ?").all(op.id)).toEqual([{ kind: 'refund', amount_kop: 200, outcome: 'refunded' }]);
    expect((await h.call('savedCards.list', { loyaltyId: 'cust-8' })).cards).toHaveLength(1);
  }, 45_000);

  it('fiscal receipts on (ATOL): a binding gets no sell receipt (its 2 ₽ are refunded at once, no sale), a sale by the same bank does', async () => {
    const atol = await startAtolEmulator();
    cleanups.push(() => atol.close());
    const { h, bank } = await harness({
      fiscal: {
        connector: 'atol',
        atol: { baseUrl: atol.baseUrl, emulator: true, login: 'emulator', password: 'emulator', groupCode: 'group-1', company: { inn: '7707083893', email: 'shop@example.ru', sno: 'osn', paymentAddress: 'г. Москва, ул. Тестовая, 1' }, timeoutMs: 400, pollForMs: 300, pollEveryMs: 30 },
      },
    });
    const db = h.till.core.journal.sqlite;
    const kinds = (id: string) => (db.prepare('SELECT kind FROM outbox_jobs WHERE operation_external_id = ? ORDER BY id').all(id) as { kind: string }[]).map((r) => r.kind);
    const paid = await bind(h, bank, 'cust-9');
    await until(() => db.prepare("SELECT 1 FROM outbox_jobs WHERE operation_external_id = ? AND state = 'done'").get(paid.id), 10_000, 'the refund job done');
    expect(kinds(paid.id)).toEqual(['tochka.refund']);
    expect(kinds(bindingRefundOperationId(paid.id))).toEqual([]); // nor a sell_refund for its journaled refund
    const sale = await h.till.core.checkout.pay({ orderId: orderId(), amountKop: 15_000, paymentType: 'card_ru', provider: 'tochka' });
    const bankSale = await until(() => bank.byLinkId(sale.requestId), 10_000, 'the sale link');
    bank.pay(bankSale.operationId, 'card');
    expect((await h.till.core.checkout.waitFinal(sale.id, 10_000)).outcome).toBe('paid');
    expect(kinds(sale.id)).toContain('fiscal.sell'); // the control: receipts are on for this bank
    expect(atol.documents().filter((d) => d.externalId === paid.id)).toEqual([]);
  });

  it('one live payment per order: a double press of «Привязать карту» is the same binding, one link', async () => {
    const { h, bank } = await harness();
    const order = orderId();
    const a = await h.call('savedCards.bind', { orderId: order, card: { loyaltyId: 'cust-6' } });
    const b = await h.call('savedCards.bind', { orderId: order, card: { loyaltyId: 'cust-6' } });
    expect(b.id).toBe(a.id);
    await until(() => bank.byLinkId(a.requestId), 10_000, 'the link');
    expect(bank.creates.filter((c) => c.paymentLinkId === a.requestId)).toHaveLength(1);
  });
});
