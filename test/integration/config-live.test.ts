// Hot config in a running till: an edit applies to the next operation and never to one in flight.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { card, orderId, startTill, type Till } from '../support/till';

let till: Till | null = null;
let other: KoshelekEmulator | null = null;
afterEach(async () => {
  await till?.close();
  await other?.close();
  till = null;
  other = null;
});

async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('config edits while the till works', () => {
  it('switching the Pay API base URL mid-payment: the payment finishes where it started; the next goes to the new one', async () => {
    till = await startTill({ emulator: { confirmDelayMs: 1_500 } });
    other = await startKoshelekEmulator({ confirmDelayMs: 50 });
    const first = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    await eventually(() => till?.core.checkout.get(first.id)?.phase === 'awaiting_status');

    const json = JSON.parse(fs.readFileSync(till.configFile, 'utf8')) as { koshelek: { baseUrls: { test: string } } };
    json.koshelek.baseUrls.test = other.baseUrl;
    fs.writeFileSync(till.configFile, JSON.stringify(json, null, 2));
    await eventually(() => till?.core.environment().baseUrl === other?.baseUrl, 2_000);

    const done = await till.core.checkout.waitFinal(first.id, 10_000);
    expect(done.outcome).toBe('paid');
    expect(other.received.some((r) => (r.body as { transactionId?: string } | undefined)?.transactionId === done.transactionId)).toBe(false);

    const second = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    expect((await till.core.checkout.waitFinal(second.id, 10_000)).outcome).toBe('paid');
    expect(other.received.filter((r) => r.endpoint === 'checkout')).toHaveLength(1);
  });

  it('a broken edit leaves the till working on the last good config and reports the problem', async () => {
    till = await startTill();
    const events: number[] = [];
    till.core.onEvent((e) => { if (e.type === 'config') events.push(e.problems.length); });
    fs.writeFileSync(till.configFile, '{"koshelek": {"timing": {"firstPollMs": 5}}}');
    await eventually(() => events.includes(1) || events.some((n) => n > 0));
    expect(till.core.config.getStatus().problems[0]?.path).toBe('koshelek.timing.firstPollMs');
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    expect((await till.core.checkout.waitFinal(op.id, 10_000)).outcome).toBe('paid');
  });
});

describe('receipt (optional endpoint)', () => {
  it('sends the fiscal receipt of a paid payment; the emulator validates and accepts it', async () => {
    till = await startTill();
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 15000, card: card('OK'), paymentType: 'SBP' });
    const paid = await till.core.checkout.waitFinal(op.id, 10_000);
    const accepted = await till.core.checkout.sendReceipt(paid.id, {
      orderId: paid.orderId, receiptId: 'R-1', merchantName: 'ООО Магазин', merchantAddress: 'Москва', inn: '007707083893', dateTime: '2026-11-22T20:50:00+03:00', shift: '1', cashier: 'Иванова', receiptType: 'debit', totalAmount: 15000, items: [{ name: 'Покупка', article: 'SALE', price: 15000, quantity: 1, totalAmount: 15000, tax: 'none' }],
    });
    expect(accepted).toBe(true);
    const journaled = till.core.journal.sqlite.prepare("SELECT COUNT(*) AS n FROM operation_events WHERE operation_id = ? AND endpoint = 'receipt'").get(paid.id) as { n: number };
    expect(journaled.n).toBe(1);
    expect(till.emulator.received.some((r) => r.endpoint === 'receipt' && r.responseStatus === 200)).toBe(true);
  });
});
