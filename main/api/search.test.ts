import { describe, expect, it } from 'vitest';
import type { OperationQuery, OperationView } from '../contract/checkout';
import { parseSearchText } from '../checkout/views';
import { searchOperations, SEARCH_SCAN_MAX } from './search';

function payment(i: number): OperationView {
  const created = new Date(2026, 10, 30, 9 + Math.floor(i / 60), i % 60, 7);
  return {
    id: `op-${i}`, kind: 'payment', provider: 'koshelek', providerTitle: 'Кошелёк Pay', customerAction: null, parentId: null, orderId: `POS-01-20261130-0900${String(i).padStart(2, '0')}-${(i * 7919).toString(36)}`,
    amountKop: 10_000 + i * 100, phase: 'paid', phaseText: 'Оплачено', isFinal: true, outcome: 'paid', requestId: `r${i}`,
    transactionId: `tx-${(i * 104729).toString(16)}`, refTransactionId: null, paymentType: 'SBP', loyaltyId: `20000000${String(i).padStart(5, '0')}`,
    error: null, slip: null, lines: [], cancellable: false, refundableKop: 10_000 + i * 100, shiftId: 1, recovered: false,
    createdAt: created.toISOString(), updatedAt: created.toISOString(), finishedAt: created.toISOString(),
  };
}
const ALL = Array.from({ length: 200 }, (_, i) => payment(i));
const queried: OperationQuery[] = [];
const query = (q: OperationQuery): OperationView[] => {
  queried.push(q);
  return ALL.filter((o) => !q.kind || o.kind === q.kind).slice(0, q.limit ?? 200);
};

describe('operation.search', () => {
  it('finds one payment among 200 by a 4-character fragment of its transaction id', () => {
    const target = ALL[137] as OperationView;
    const fragment = (target.transactionId ?? '').slice(-4);
    const found = searchOperations(query, { text: fragment.toUpperCase() });
    expect(found.items.map((o) => o.id)).toContain(target.id);
    expect(found.total).toBeLessThan(5);
  });
  it('finds by amount (both «1 137,00» and «1137»), by card fragment and by local time', () => {
    expect(searchOperations(query, { text: '113,00' }).items.map((o) => o.id)).toContain('op-13');
    expect(searchOperations(query, { text: '11 300' }).total).toBe(0);
    expect(searchOperations(query, { text: '123' }).items.map((o) => o.id)).toContain('op-23'); // 123,00 ₽
    expect(searchOperations(query, { text: '00042', limit: 50 }).items.map((o) => o.id)).toContain('op-42');
    const at = searchOperations(query, { text: '10:05' });
    expect(at.items.map((o) => o.id)).toEqual(['op-65']);
  });
  it('pages past the first results and says how many match', () => {
    const first = searchOperations(query, { text: '', limit: 8 });
    const third = searchOperations(query, { text: '', offset: 16, limit: 8 });
    expect(first.total).toBe(200);
    expect(first.items).toHaveLength(8);
    expect(third.items[0]?.id).toBe('op-16');
    expect(new Set([...first.items, ...third.items].map((o) => o.id)).size).toBe(16);
    expect(queried.at(-1)?.limit).toBe(SEARCH_SCAN_MAX);
  });
  it('reads a time, an amount or a fragment from the text', () => {
    expect(parseSearchText('9:05')).toEqual({ kind: 'time', hhmm: '09:05' });
    expect(parseSearchText('1 000,50')).toMatchObject({ kind: 'amount', kop: 100050 });
    expect(parseSearchText('a3F9')).toEqual({ kind: 'fragment', fragment: 'a3f9' });
    expect(parseSearchText('  ')).toEqual({ kind: 'all' });
  });
});
