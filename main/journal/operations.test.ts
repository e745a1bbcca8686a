import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from './database';
import { OperationStore, type OperationRow, type SlipInput } from './operations';
import { encodeSlipRefs } from './refs';

let journal: Journal;
let store: OperationStore;
beforeEach(() => {
  journal = openJournal(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-ops-')), 'journal.db'));
  journal.sqlite.prepare("INSERT INTO shifts (id, opened_at, opened_by) VALUES (1, '2026-01-01T00:00:00.000Z', 'Кассир')").run();
  store = new OperationStore(journal.sqlite);
});
afterEach(() => journal.close());

function row(id: string, over: Partial<OperationRow> = {}): OperationRow {
  return {
    id, kind: 'payment', provider: 'acme', parent_id: null, shift_id: 1, order_id: `ord-${id}`, amount_kop: 1000, currency: 'RUB', phase: 'checkout',
    is_final: 0, outcome: null, request_id: `rq-${id}`, transaction_id: null, ref_transaction_id: null, payment_type: 'FAST', provider_status: null,
    provider_ref_status: null, error_code: null, error_key: null, pay_token: null, loyalty_id: null, attempts: 0, context_json: '{"ctx":{}}',
    created_at: `2026-01-01T10:00:${id.padStart(2, '0')}.000Z`, updated_at: '2026-01-01T10:00:00.000Z', finished_at: null, recovered: 0, ...over,
  };
}

function slip(refs: Record<string, string | null>, over: Partial<SlipInput> = {}): SlipInput {
  return {
    slip_id: 'sl-1', payment_transaction_id: 'T1', refund_transaction_id: null, payment_type: 'FAST', order_id: 'ord-1', store_id: 'st', terminal_id: 'tm',
    refs_json: encodeSlipRefs(refs), operation_date_time: '2026-01-01T10:00:05.000Z', total_amount_kop: 1000, currency: 'RUB', raw_json: '{}', ...over,
  };
}

const reportRow = (id: string) => journal.sqlite.prepare('SELECT has_slip, slip_refs_json FROM report_operations WHERE id = ?').get(id);

describe('operation store', () => {
  it('one payment per (provider, pay token): found by paymentByPayToken, a second one refused by the journal', () => {
    store.insertIntent(row('1', { pay_token: 'TOK1', loyalty_id: 'L1' }), [], { type: 'intent' });
    expect(store.paymentByPayToken('acme', 'TOK1')?.id).toBe('1');
    expect(store.paymentByPayToken('acme', 'TOK2')).toBeNull();
    expect(store.paymentByPayToken('other', 'TOK1')).toBeNull();
    expect(() => store.insertIntent(row('2', { pay_token: 'TOK1' }), [], { type: 'intent' })).toThrow(/UNIQUE constraint failed: operations\.provider, operations\.pay_token/);
    // Another provider may see the same token; refunds and sales without a token are not limited.
    store.insertIntent(row('3', { provider: 'other', pay_token: 'TOK1' }), [], { type: 'intent' });
    store.insertIntent(row('4'), [], { type: 'intent' });
    store.insertIntent(row('5'), [], { type: 'intent' });
    expect(store.get('1')).toMatchObject({ pay_token: 'TOK1', loyalty_id: 'L1' });
  });

  it("a finished operation's slip ids reach its report row; a changed slip changes it; no slip is NULL", () => {
    store.insertIntent(row('1'), [], { type: 'intent' });
    store.write({ row: row('1', { is_final: 1, outcome: 'paid', transaction_id: 'T1' }), events: [], slip: slip({ first: 'A-1', second: null, third: '0042' }) });
    expect(reportRow('1')).toEqual({ has_slip: 1, slip_refs_json: '{"first":"A-1","third":"0042"}' });
    expect(store.slip('1')?.refs_json).toBe('{"first":"A-1","third":"0042"}');
    store.write({ row: row('1', { is_final: 1, outcome: 'paid', transaction_id: 'T1' }), events: [], slip: slip({ first: 'A-2' }) });
    expect(reportRow('1')).toEqual({ has_slip: 1, slip_refs_json: '{"first":"A-2"}' });
    store.write({ row: row('2', { is_final: 1, outcome: 'rejected' }), events: [] });
    expect(reportRow('2')).toEqual({ has_slip: 0, slip_refs_json: null });
  });

  it('a slip whose refs_json is not an object of strings is refused whole: neither the row nor the slip is written', () => {
    store.insertIntent(row('1'), [], { type: 'intent' });
    for (const bad of ['[]', '{"a":1}', 'nope']) {
      expect(() => store.write({ row: row('1', { is_final: 1, outcome: 'paid' }), events: [{ type: 'note' }], slip: slip({}, { refs_json: bad }) })).toThrow(/refs_json/);
    }
    expect(store.get('1')?.is_final).toBe(0);
    expect(store.slip('1')).toBeNull();
    // The journal itself refuses a non-object too, whoever writes it.
    expect(() => journal.sqlite.prepare("INSERT INTO slips (operation_id, refs_json, raw_json, received_at) VALUES ('1', '[]', '{}', 'x')").run()).toThrow(/CHECK constraint failed/);
  });
});

describe('one live payment per order, across providers', () => {
  it('finds the live or paid payment of an order whatever its provider, through the order index', () => {
    store.insertIntent(row('1', { provider: 'acme', order_id: 'ORD-X' }), [], { type: 'intent' });
    store.write({ row: { ...row('1', { provider: 'acme', order_id: 'ORD-X' }), is_final: 1, outcome: 'rejected' }, events: [] });
    expect(store.livePayment('ORD-X')).toBeNull();
    store.insertIntent(row('2', { provider: 'other', order_id: 'ORD-X', request_id: 'rq-2b' }), [], { type: 'intent' });
    expect(store.livePayment('ORD-X')).toMatchObject({ id: '2', provider: 'other' });
    const plan = (journal.sqlite.prepare("EXPLAIN QUERY PLAN SELECT * FROM operations WHERE order_id = ? AND kind = 'payment' AND (outcome IS NULL OR outcome = 'paid') ORDER BY created_at LIMIT 1").all('ORD-X') as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan).toMatch(/USING INDEX operations_order/);
  });
});
