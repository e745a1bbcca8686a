// The checkout request leaves before the API answer's bookkeeping: the payment view, the audit row (its
// own commit and fsync), the output check and the answer itself come after the request was created.
// Before, on a loaded till all of that (two commits instead of one) sat between the cashier's press and
// the bytes on the wire (docs/ui.md, "Press → wire"). Order only, no timing.
import dc from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-session';
import { card, orderId } from '../support/till';

let h: ApiHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('sale.pay: the provider request first, then the answer', () => {
  it('the checkout request is created before the audit row is written and before the API answers, twenty sales in a row', async () => {
    const harness = await startApiHarness();
    h = harness;
    const sqlite = harness.till.core.journal.sqlite;
    const seen: { answered: boolean; attributed: number }[] = [];
    let answered = false;
    let current = '';
    const onRequest = (message: unknown): void => {
      const path = (message as { request?: { path?: unknown } }).request?.path;
      if (typeof path !== 'string' || !path.endsWith('/checkout')) return;
      const attributed = (sqlite.prepare('SELECT COUNT(*) AS n FROM operation_people p JOIN operations o ON o.id = p.operation_id WHERE o.order_id = ?').get(current) as { n: number }).n;
      seen.push({ answered, attributed });
    };
    dc.subscribe('http.client.request.start', onRequest);
    try {
      for (let i = 0; i < 20; i += 1) {
        answered = false;
        current = orderId();
        const op = await harness.call('sale.pay', { orderId: current, amountKop: 100_00 + i, card: card('OK'), paymentType: 'SBP' });
        answered = true;
        expect((await harness.till.core.checkout.waitFinal(op.id, 10_000)).outcome).toBe('paid');
        // The attribution still lands (after the request): the sale is on the trail with its person.
        expect(harness.till.core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM operation_people WHERE operation_id = ?').get(op.id)).toEqual({ n: 1 });
      }
    } finally {
      dc.unsubscribe('http.client.request.start', onRequest);
    }
    expect(seen).toHaveLength(20);
    expect(seen).toEqual(Array.from({ length: 20 }, () => ({ answered: false, attributed: 0 })));
  }, 60_000);
});
