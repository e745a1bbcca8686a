import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from './database';
import { OperationStore, type OperationRow } from './operations';
import { journalQueries } from './query';

let journal: Journal;
let store: OperationStore;
beforeEach(() => {
  journal = openJournal(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-query-')), 'journal.db'));
  journal.sqlite.prepare("INSERT INTO shifts (id, opened_at, opened_by) VALUES (1, '2026-01-01T00:00:00.000Z', 'Кассир')").run();
  store = new OperationStore(journal.sqlite);
});
afterEach(() => journal.close());

function row(id: string, over: Partial<OperationRow> = {}): OperationRow {
  return {
    id, kind: 'payment', provider: 'acme', parent_id: null, shift_id: 1, order_id: `ord-${id}`, amount_kop: 1000, currency: 'RUB', phase: 'checkout',
    is_final: 0, outcome: null, request_id: `rq-${id}`, transaction_id: null, ref_transaction_id: null, payment_type: null, provider_status: null,
    provider_ref_status: null, error_code: null, error_key: null, pay_token: null, loyalty_id: null, attempts: 0, context_json: '{"ctx":{}}',
    created_at: `2026-01-01T10:00:${id.padStart(2, '0')}.000Z`, updated_at: '2026-01-01T10:00:00.000Z', finished_at: null, recovered: 0, ...over,
  };
}

describe('journal queries built with Kysely, run on better-sqlite3', () => {
  it('values travel as parameters, never inside the SQL text', () => {
    const hostile = "x' OR 1=1; --";
    const { sql, parameters } = journalQueries.selectFrom('operations').selectAll().where('order_id', '=', hostile).compile();
    expect(sql).not.toContain(hostile);
    expect(parameters).toEqual([hostile]);
  });

  it('find: each filter narrows, newest first, limited; a hostile order id finds nothing and breaks nothing', () => {
    store.write({ row: row('1', { order_id: 'A', transaction_id: 'T1', is_final: 1, outcome: 'paid' }), events: [] });
    store.write({ row: row('2', { order_id: 'A', kind: 'refund', parent_id: '1', ref_transaction_id: 'R2', transaction_id: 'T1' }), events: [] });
    store.write({ row: row('3', { order_id: 'B', created_at: '2026-01-02T10:00:00.000Z' }), events: [] });
    expect(store.find({ limit: 10 }).map((r) => r.id)).toEqual(['3', '2', '1']);
    expect(store.find({ orderId: 'A', limit: 10 }).map((r) => r.id)).toEqual(['2', '1']);
    expect(store.find({ orderId: 'A', kind: 'refund', limit: 10 }).map((r) => r.id)).toEqual(['2']);
    expect(store.find({ transactionId: 'R2', limit: 10 }).map((r) => r.id)).toEqual(['2']);
    expect(store.find({ createdFrom: '2026-01-02T00:00:00.000Z', createdBefore: '2026-01-03T00:00:00.000Z', limit: 10 }).map((r) => r.id)).toEqual(['3']);
    expect(store.find({ limit: 1 }).map((r) => r.id)).toEqual(['3']);
    expect(store.find({ orderId: "A' OR '1'='1", limit: 10 })).toEqual([]);
  });

  it('a notification finds only unfinished operations it names', () => {
    store.write({ row: row('1', { transaction_id: 'T1' }), events: [] });
    store.write({ row: row('2', { transaction_id: 'T2', is_final: 1, outcome: 'paid' }), events: [] });
    store.write({ row: row('3', { kind: 'refund', parent_id: '2', transaction_id: 'T2', ref_transaction_id: 'R3' }), events: [] });
    expect(store.openByProviderIds('T1', '').map((r) => r.id)).toEqual(['1']);
    expect(store.openByProviderIds('T2', '')).toEqual([]);
    expect(store.openByProviderIds('', 'R3').map((r) => r.id)).toEqual(['3']);
  });

  it('parked payments: open ones, and those that ended paid since the given time', () => {
    store.write({ row: row('1', { context_json: '{"ctx":{"parkedAt":1}}' }), events: [] });
    store.write({ row: row('2', { context_json: '{"ctx":{"parkedAt":1}}', is_final: 1, outcome: 'paid', updated_at: '2026-01-01T12:00:00.000Z' }), events: [] });
    store.write({ row: row('3', { context_json: '{"ctx":{"parkedAt":1}}', is_final: 1, outcome: 'paid', updated_at: '2025-12-01T12:00:00.000Z' }), events: [] });
    store.write({ row: row('4'), events: [] });
    const parked = store.parkedPayments('2026-01-01T00:00:00.000Z', '2025-12-01T00:00:00.000Z');
    expect(parked.open.map((r) => r.id)).toEqual(['1']);
    expect(parked.endedPaid.map((r) => r.id)).toEqual(['2']);
  });

  it('the parked reads never scan the whole journal (the status bar asks on every operation event)', () => {
    for (const [q, params] of [[store.parkedSql.open, []], [store.parkedSql.endedPaid, ['x', 'y']]] as const) {
      const plan = journal.sqlite.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...params) as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' | ')).toMatch(/USING INDEX operations_(unfinished|created)/);
    }
  });
});
