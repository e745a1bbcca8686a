// The banks through the real, provider-neutral checkout and core (config file, registry, composition root,
// journal on disk, the shared webhook listener): Tochka SBP and Russian-card sales paid in its emulator and
// seen by poll and by webhook, the ambiguous create and the ambiguous refund, a KZ sale in tenge, refunds
// through both banks, the card-origin question as methods, and a bank switched off in the config file
// while the till runs. The kill -9 steps through a real core process are in bank-core-crash.test.ts.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HalykEmulator } from '../../emulators/halyk';
import { TochkaEmulator, type TochkaEmulatorOptions } from '../../emulators/tochka';
import type { OperationView } from '../../main/contract/checkout';
import { invoiceIdFor } from '../../main/payapi/halyk/adapter';
import { deliveries } from '../../main/webhooks';
import { orderId, startTill, type Till } from '../support/till';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Banks { till: Till; ru: TochkaEmulator; kz: HalykEmulator }

async function bankTill(o: { ru?: TochkaEmulatorOptions; tochka?: Record<string, unknown>; webhooks?: boolean; providers?: string[] } = {}): Promise<Banks> {
  const ru = new TochkaEmulator({ holdMs: 1_500, ...o.ru });
  const ruUrl = await ru.start();
  cleanups.push(() => ru.stop());
  const kz = new HalykEmulator();
  const kzUrl = await kz.start();
  cleanups.push(() => kz.stop());
  const till = await startTill({
    extra: {
      providers: o.providers ?? ['koshelek', 'tochka', 'halyk'],
      tochka: {
        enabled: true, baseUrl: ruUrl, token: 'test.jwt.token', webhookKeys: [ru.publicJwk()],
        timing: { requestTimeoutMs: 600, pollScheduleMs: [100, 100, 200] }, ...o.tochka,
      },
      halyk: {
        enabled: true, oauthUrl: kzUrl, apiUrl: kzUrl, clientId: 'test', clientSecret: 'secret', terminalId: 'terminal-1', shopId: 'shop-1',
        timing: { requestTimeoutMs: 600, pollScheduleMs: [100, 100, 200] },
      },
      ...(o.webhooks ? { webhooks: { enabled: true, port: 0 } } : {}),
    },
  });
  cleanups.push(() => till.close());
  if (till.core.webhookUrl) ru.opts.webhookUrl = `${till.core.webhookUrl}tochka`;
  return { till, ru, kz };
}

async function until<T>(f: () => T | null | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const view = (b: Banks, id: string): OperationView => {
  const v = b.till.core.checkout.get(id);
  if (!v) throw new Error(`no operation ${id}`);
  return v;
};

/** Starts a Tochka sale and waits until the link is shown as a QR; returns the sale and the bank's operation. */
async function tochkaSale(b: Banks, paymentType: 'sbp' | 'card_ru', amountKop = 12_345) {
  const op = await b.till.core.checkout.pay({ orderId: orderId(), paymentType, lines: [{ name: 'Кофе', article: 'A-1', priceKop: amountKop, quantity: 1 }] });
  expect(op).toMatchObject({ provider: 'tochka', providerTitle: 'Банк Точка (СБП и карта)', outcomeUnknown: true, cancellable: true });
  const shown = await until(() => view(b, op.id).customerAction, 10_000, 'the QR');
  const bankOp = await until(() => b.ru.byLinkId(op.requestId));
  return { op, shown, bankOp };
}

describe('bank methods through the checkout', () => {
  it('both banks configured: the card-origin question is two methods, SBP first; each bank its own provider and health', async () => {
    const b = await bankTill();
    const methods = b.till.core.checkout.methods().filter((m) => m.provider !== 'koshelek');
    expect(methods.map((m) => [m.provider, m.method, m.titleRu, m.ready, m.needsCardScan])).toEqual([
      ['tochka', 'sbp', 'СБП — QR-код', true, false],
      ['tochka', 'card_ru', 'Карта российского банка', true, false],
      ['halyk', 'card_foreign', 'Карта иностранного банка', true, false],
    ]);
    // The neutral routing fields the sale screen draws the question from (docs/banks.md, Routing).
    expect(methods.map((m) => [m.method, m.primary, m.cardOrigin, m.currency])).toEqual([
      ['sbp', true, 'russian', 'RUB'], ['card_ru', false, 'russian', 'RUB'], ['card_foreign', true, 'foreign', 'KZT'],
    ]);
    const [tochka, halyk] = ['tochka', 'halyk'].map((n) => b.till.core.providers.list().find((p) => p.name === n));
    expect(tochka?.connection()).not.toEqual(halyk?.connection());
    expect(tochka?.health?.().state).toBe('unknown');
  });
});

describe('Tochka through the checkout', () => {
  it('SBP: the link is shown as a QR, paid in the emulator, the till sees it by poll; one link, one charge, slip refs', async () => {
    const b = await bankTill();
    const { op, shown, bankOp } = await tochkaSale(b, 'sbp');
    expect(shown).toEqual({ kind: 'qr', payload: bankOp.paymentLink, hintRu: expect.stringContaining('СБП') });
    expect(bankOp.paymentMode).toEqual(['sbp']);
    expect(bankOp.items).toEqual([expect.objectContaining({ name: 'Кофе', amount: 123.45, quantity: 1 })]);
    b.ru.pay(bankOp.operationId, 'sbp');
    const done = await b.till.core.checkout.waitFinal(op.id, 15_000);
    expect(done).toMatchObject({ outcome: 'paid', isFinal: true, paymentType: 'sbp', transactionId: bankOp.operationId, customerAction: null, outcomeUnknown: false });
    expect(done.slip?.refs).toEqual([
      { key: 'operationId', label: 'Операция банка', value: bankOp.operationId },
      { key: 'paymentLinkId', label: 'Наша ссылка', value: op.requestId },
      { key: 'paymentType', label: 'Способ', value: 'sbp' },
    ]);
    expect(b.ru.creates.filter((c) => c.paymentLinkId === op.requestId)).toHaveLength(1);
    expect(b.ru.charges(op.requestId)).toBe(1);
    expect(b.till.core.providers.list().find((p) => p.name === 'tochka')?.health?.().state).toBe('ok');
    // A double press of Pay is the same sale, never a second link.
    const again = await b.till.core.checkout.pay({ orderId: op.orderId, paymentType: 'sbp', lines: [{ name: 'Кофе', article: 'A-1', priceKop: 12_345, quantity: 1 }] });
    expect(again.id).toBe(op.id);
    expect(b.ru.creates.filter((c) => c.paymentLinkId === op.requestId)).toHaveLength(1);
  });

  it('Russian card: a card-only link, paid by card; refunds part then the rest, each read back at the bank', async () => {
    const b = await bankTill();
    const { op, shown, bankOp } = await tochkaSale(b, 'card_ru', 10_000);
    expect(shown?.hintRu).toMatch(/картой/);
    expect(bankOp.paymentMode).toEqual(['card']);
    b.ru.pay(bankOp.operationId, 'card');
    expect(await b.till.core.checkout.waitFinal(op.id, 15_000)).toMatchObject({ outcome: 'paid', paymentType: 'card_ru' });
    const part = await b.till.core.checkout.refund({ paymentOperationId: op.id, amountKop: 2_500, clientRequestKey: 'r-1' });
    expect(part).toMatchObject({ kind: 'refund', provider: 'tochka', parentId: op.id, amountKop: 2_500 });
    // A double press with the same key is the same refund.
    expect((await b.till.core.checkout.refund({ paymentOperationId: op.id, amountKop: 2_500, clientRequestKey: 'r-1' })).id).toBe(part.id);
    expect(await b.till.core.checkout.waitFinal(part.id, 15_000)).toMatchObject({ outcome: 'refunded', isFinal: true });
    const rest = await b.till.core.checkout.refund({ paymentOperationId: op.id });
    expect(await b.till.core.checkout.waitFinal(rest.id, 15_000)).toMatchObject({ outcome: 'refunded', amountKop: 7_500 });
    expect(b.till.core.checkout.get(op.id)?.refundableKop).toBe(0);
    const refunds = b.ru.byLinkId(op.requestId)?.Order.filter((o) => o.type === 'refund').map((o) => o.amount);
    expect(refunds).toEqual([25, 75]);
  });

  it('ambiguous refund (the bank refunded, the answer never came): reconciled by the refunded total, sent once', async () => {
    const b = await bankTill();
    const { op, bankOp } = await tochkaSale(b, 'sbp', 5_000);
    b.ru.pay(bankOp.operationId, 'sbp');
    await b.till.core.checkout.waitFinal(op.id, 15_000);
    b.ru.queueFault('timeout_after_refund');
    const refund = await b.till.core.checkout.refund({ paymentOperationId: op.id, amountKop: 1_000 });
    const done = await b.till.core.checkout.waitFinal(refund.id, 15_000);
    expect(done).toMatchObject({ outcome: 'refunded' });
    expect(b.ru.byLinkId(op.requestId)?.Order.filter((o) => o.type === 'refund').map((o) => o.amount)).toEqual([10]);
  });

  it('ambiguous create (the bank made the link, the answer timed out): found by our reference, one link, paid once', async () => {
    const b = await bankTill();
    b.ru.queueFault('timeout_after_create');
    const op = await b.till.core.checkout.pay({ orderId: orderId(), amountKop: 4_200, paymentType: 'sbp' });
    await until(() => view(b, op.id).phase === 'resolving', 10_000, 'resolving');
    expect(view(b, op.id)).toMatchObject({ outcomeUnknown: true, error: { key: 'bank.checking' } });
    await until(() => view(b, op.id).customerAction, 10_000, 'the QR after the lookup');
    b.ru.pay(b.ru.byLinkId(op.requestId)?.operationId ?? '', 'sbp');
    expect(await b.till.core.checkout.waitFinal(op.id, 15_000)).toMatchObject({ outcome: 'paid' });
    expect(b.ru.creates.filter((c) => c.paymentLinkId === op.requestId)).toHaveLength(1);
    expect(b.ru.charges(op.requestId)).toBe(1);
  });

  it('cancel: the link is left to lapse; expired at the bank → canceled, nothing charged', async () => {
    const b = await bankTill();
    const { op, bankOp } = await tochkaSale(b, 'sbp');
    const canceling = await b.till.core.checkout.cancel(op.id);
    expect(canceling.phase).toBe('canceling');
    b.ru.expire(bankOp.operationId);
    expect(await b.till.core.checkout.waitFinal(op.id, 15_000)).toMatchObject({ outcome: 'canceled' });
    expect(b.ru.charges(op.requestId)).toBe(0);
  });
});

describe('twenty Tochka sales in a row against a hostile bank', () => {
  it('every create fault in rotation: each sale ends paid once, or failed with no link; never two links or two charges', async () => {
    const b = await bankTill({ ru: { autoPayAfterMs: 150 } });
    const faults = ['timeout_after_create', 'error_500', 'error_500_after_create', 'reset_after_create', null] as const;
    const results: { fault: string | null; outcome: string | null; sent: number; links: number; charges: number }[] = [];
    for (let i = 0; i < 20; i += 1) {
      const fault = faults[i % faults.length] ?? null;
      if (fault) b.ru.queueFault(fault);
      const op = await b.till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000 + i, paymentType: i % 2 === 0 ? 'sbp' : 'card_ru' });
      const done = await b.till.core.checkout.waitFinal(op.id, 20_000);
      const links = [...b.ru.operations.values()].filter((o) => o.paymentLinkId === op.requestId).length;
      results.push({ fault, outcome: done.outcome, sent: b.ru.creates.filter((c) => c.paymentLinkId === op.requestId).length, links, charges: b.ru.charges(op.requestId) });
    }
    for (const r of results) {
      // One create request per sale, whatever the bank answered: the unknown ones are resolved by lookup.
      if (r.fault === 'error_500') expect(r).toMatchObject({ outcome: 'failed', sent: 1, links: 0, charges: 0 });
      else expect(r).toMatchObject({ outcome: 'paid', sent: 1, links: 1, charges: 1 });
    }
    expect(b.till.core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM operations WHERE is_final = 0').get()).toEqual({ n: 0 });
  }, 120_000);
});

describe('Tochka webhooks through the core listener', () => {
  it('paid seen by webhook (no poll due for a minute); 30 duplicates act once; a bad signature is refused and logged', async () => {
    const b = await bankTill({ webhooks: true, tochka: { timing: { requestTimeoutMs: 600, pollScheduleMs: [60_000] } }, ru: { webhookIntervalMs: 50 } });
    expect(b.till.core.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/$/);
    const { op, bankOp } = await tochkaSale(b, 'sbp');
    b.ru.pay(bankOp.operationId, 'sbp');
    expect(await b.till.core.checkout.waitFinal(op.id, 10_000)).toMatchObject({ outcome: 'paid' });
    // Paid through the webhook: journaled as pushed news on the payment, the poll not due for a minute.
    expect(b.till.core.journal.sqlite.prepare("SELECT COUNT(*) AS n FROM operation_events WHERE operation_id = ? AND type = 'postback'").get(op.id)).toEqual({ n: 1 });
    const url = `${b.till.core.webhookUrl ?? ''}tochka`;
    const jwt = b.ru.sign(b.ru.webhookPayload(b.ru.byLinkId(op.requestId) ?? bankOp));
    const statuses = await Promise.all(Array.from({ length: 30 }, () => fetch(url, { method: 'POST', body: jwt, headers: { 'Content-Type': 'text/plain' } }).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
    const verdicts = deliveries(b.till.core.journal.sqlite, 'tochka').map((d) => d.verdict);
    expect(verdicts.filter((v) => v === 'accepted')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'duplicate').length).toBeGreaterThanOrEqual(30);
    const forged = new TochkaEmulator().sign({ webhookType: 'acquiringInternetPayment', operationId: bankOp.operationId, status: 'APPROVED', amount: '123.45' });
    expect((await fetch(url, { method: 'POST', body: forged })).status).toBe(401);
    expect(deliveries(b.till.core.journal.sqlite, 'tochka').at(-1)).toMatchObject({ verdict: 'rejected', reason: 'bad signature' });
    // The forged push changed nothing and started no second poll storm: still one paid operation.
    expect(b.till.core.checkout.query({ orderId: op.orderId })).toHaveLength(1);
  });
});

describe('Halyk (KZ) through the checkout', () => {
  it('a foreign card: invoice in tenge (tiyn), paid, then refunded in part through the bank', async () => {
    const b = await bankTill();
    const op = await b.till.core.checkout.pay({ orderId: orderId(), amountKop: 123_456, paymentType: 'card_foreign' });
    expect(op).toMatchObject({ provider: 'halyk', paymentType: 'card_foreign', currency: 'KZT' });
    const qr = await until(() => view(b, op.id).customerAction, 10_000, 'the QR');
    expect(qr.payload).toContain(invoiceIdFor(op.requestId));
    expect(b.kz.byInvoiceId(invoiceIdFor(op.requestId))).toMatchObject({ amount: 1_234.56, currency: 'KZT' });
    b.kz.pay(invoiceIdFor(op.requestId));
    const paid = await b.till.core.checkout.waitFinal(op.id, 15_000);
    expect(paid).toMatchObject({ outcome: 'paid', amountKop: 123_456 });
    expect(b.till.core.journal.sqlite.prepare('SELECT currency FROM operations WHERE id = ?').get(op.id)).toEqual({ currency: 'KZT' });
    const refund = await b.till.core.checkout.refund({ paymentOperationId: op.id, amountKop: 23_456 });
    expect(await b.till.core.checkout.waitFinal(refund.id, 15_000)).toMatchObject({ outcome: 'refunded' });
    expect(b.kz.byInvoiceId(invoiceIdFor(op.requestId))?.refunded).toBe(234.56);
    // Below ePay's 10 ₸ minimum: the bank refuses; the refund is rejected with the refusal, nothing refunded.
    const tiny = await b.till.core.checkout.refund({ paymentOperationId: op.id, amountKop: 500 });
    expect(await b.till.core.checkout.waitFinal(tiny.id, 15_000)).toMatchObject({ outcome: 'refund_rejected', error: { key: 'bank.refund_rejected' } });
    expect(b.kz.byInvoiceId(invoiceIdFor(op.requestId))?.refunded).toBe(234.56);
  });
});

describe('a bank switched off while the till runs', () => {
  it('tochka.enabled false in the config file: its methods stay listed, not ready, sales refused; Halyk keeps selling; back on → sells', async () => {
    const b = await bankTill();
    const file = b.till.configFile;
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { tochka: Record<string, unknown> };
    fs.writeFileSync(file, JSON.stringify({ ...config, tochka: { ...config.tochka, enabled: false } }, null, 2));
    await until(() => b.till.core.checkout.methods().find((m) => m.method === 'sbp' && !m.ready), 10_000, 'tochka switched off');
    expect(b.till.core.checkout.methods().find((m) => m.method === 'card_ru')?.problem?.key).toBe('bank.disabled');
    await expect(b.till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'sbp' })).rejects.toMatchObject({ key: 'bank.disabled' });
    expect(b.ru.creates).toHaveLength(0);
    const kz = await b.till.core.checkout.pay({ orderId: orderId(), amountKop: 5_000, paymentType: 'card_foreign' });
    await until(() => view(b, kz.id).customerAction);
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    await until(() => b.till.core.checkout.methods().find((m) => m.method === 'sbp' && m.ready), 10_000, 'tochka back on');
    const { op } = await tochkaSale(b, 'sbp');
    expect(op.provider).toBe('tochka');
  });

  it('Tochka acquiring switched off at the bank: its sale fails with the admin instruction and its health is down; Halyk stays healthy', async () => {
    const b = await bankTill();
    b.ru.opts.acquiringOff = true;
    const op = await b.till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'sbp' });
    expect(await b.till.core.checkout.waitFinal(op.id, 15_000)).toMatchObject({ outcome: 'failed', error: { key: 'tochka.acquiring_off' } });
    const kz = await b.till.core.checkout.pay({ orderId: orderId(), amountKop: 5_000, paymentType: 'card_foreign' });
    await until(() => view(b, kz.id).customerAction);
    const health = (name: string) => b.till.core.providers.list().find((p) => p.name === name)?.health?.();
    expect(health('tochka')).toMatchObject({ state: 'down', lastError: expect.stringContaining('tochka.acquiring_off') });
    expect(health('halyk')).toMatchObject({ state: 'ok', lastError: null });
  });

  it('a bank left out of `providers` offers nothing and its method is refused before anything is written', async () => {
    const b = await bankTill({ providers: ['koshelek', 'halyk'] });
    expect(b.till.core.checkout.methods().map((m) => m.provider)).not.toContain('tochka');
    await expect(b.till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'sbp' })).rejects.toMatchObject({ key: 'payment.method_unknown' });
    expect(b.till.core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM operations').get()).toEqual({ n: 0 });
  });
});

describe('embedded bank emulators (demo installs only)', () => {
  it('environment "emulator": both banks sell on their embedded emulators, whose customer pays after a few seconds', async () => {
    const till = await startTill({ mode: 'emulator', extra: { providers: ['koshelek', 'tochka', 'halyk'], tochka: { enabled: true, embeddedEmulator: true, timing: { pollScheduleMs: [200] } }, halyk: { enabled: true, embeddedEmulator: true, timing: { pollScheduleMs: [200] } } } });
    cleanups.push(() => till.close());
    expect(till.core.checkout.methods().filter((m) => m.provider !== 'koshelek').every((m) => m.ready)).toBe(true);
    const ru = await till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'sbp' });
    const kz = await till.core.checkout.pay({ orderId: orderId(), amountKop: 50_000, paymentType: 'card_foreign' });
    const [ruDone, kzDone] = await Promise.all([till.core.checkout.waitFinal(ru.id, 20_000), till.core.checkout.waitFinal(kz.id, 20_000)]);
    expect([ruDone.outcome, kzDone.outcome]).toEqual(['paid', 'paid']);
  });

  it('outside environment "emulator" an embedded bank emulator is refused: methods listed, not ready, nothing sent', async () => {
    const till = await startTill({ extra: { providers: ['koshelek', 'tochka'], tochka: { enabled: true, embeddedEmulator: true } } });
    cleanups.push(() => till.close());
    const sbp = till.core.checkout.methods().find((m) => m.method === 'sbp');
    expect(sbp).toMatchObject({ ready: false, problem: { key: 'config.invalid' } });
    await expect(till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'sbp' })).rejects.toMatchObject({ key: 'config.invalid' });
  });
});
