import { describe, expect, it } from 'vitest';
import { PaydeskError } from '../errors/catalogue';
import { computeReport } from './compute';
import type { ReportOperationRow, ShiftReport } from './model';
import { COLUMNAR_FORMAT, decodeStoredReport, encodeStoredReport } from './stored';

const row = (i: number): ReportOperationRow => ({
  id: `op-${i}`, kind: 'payment', provider: i % 2 === 0 ? 'wallet' : 'terminal', parentId: null, shiftId: 1, orderId: `o-${i}`, amountKop: 1000 + i, currency: 'RUB',
  isFinal: true, outcome: 'paid', phase: 'done', requestId: `req-${i}`, transactionId: `tx-${i}`, refTransactionId: null, paymentType: i % 2 === 0 ? 'SBP' : 'card',
  errorCode: null, createdAt: `2026-11-22T10:${String(i % 60).padStart(2, '0')}:00.000Z`, finishedAt: null,
  slip: i % 5 === 0 ? null : { paymentTransactionId: `tx-${i}`, refundTransactionId: null, paymentType: null, refs: i % 2 === 0 ? { payRef: `Q${i}`, bank: String(i) } : { rrn: `R${i}` } },
  parent: null,
});

function report(count: number): ShiftReport {
  return computeReport({
    type: 'x', zNumber: null, generatedAt: '2026-11-22T12:00:00.000Z',
    shift: { id: 1, openedAt: '2026-11-22T06:00:00.000Z', openedBy: 'Иванова', closedAt: null, closedBy: null },
    till: { terminalId: 'POS-1', storeId: 's', storeName: 'Магазин' }, operations: Array.from({ length: count }, (_, i) => row(i)), tenders: [],
    refColumns: [{ key: 'payRef', label: 'ID оплаты' }, { key: 'rrn', label: 'RRN' }],
  });
}

describe('stored report', () => {
  it('round-trips exactly (refs and refColumns included) and is smaller than plain JSON', () => {
    const r = report(500);
    const stored = encodeStoredReport(r);
    expect((JSON.parse(stored) as { format: number }).format).toBe(COLUMNAR_FORMAT);
    expect(decodeStoredReport(stored)).toEqual(r);
    expect(decodeStoredReport(stored).operations[2]?.refs).toEqual({ payRef: 'Q2', bank: '2' });
    expect(stored.length).toBeLessThan(JSON.stringify(r).length * 0.7);
  });

  it('reads the plain form and an empty shift', () => {
    const plain = report(3);
    expect(decodeStoredReport(JSON.stringify(plain))).toEqual(plain);
    const empty = report(0);
    expect(decodeStoredReport(encodeStoredReport(empty))).toEqual(empty);
  });

  it('refuses, never casts, a body that does not fit the schema', () => {
    const key = (text: string): string => {
      try {
        decodeStoredReport(text);
      } catch (error) {
        if (error instanceof PaydeskError) return error.key;
        throw error;
      }
      return 'read';
    };
    const good = JSON.parse(encodeStoredReport(report(3))) as Record<string, unknown> & { operations: { rows: unknown[][] } };
    expect(key('{')).toBe('report.integrity');
    expect(key(JSON.stringify({ type: 'z', zNumber: 1, operations: [] }))).toBe('report.integrity');
    const badRefs = { ...good, operations: { ...good.operations, rows: good.operations.rows.map((r) => r.map((c) => (typeof c === 'object' && c !== null ? { payRef: 5 } : c))) } };
    expect(key(JSON.stringify(badRefs))).toBe('report.integrity');
    expect(key(JSON.stringify({ ...good, currencies: 'many' }))).toBe('report.integrity');
    // a report always has the till currency's section; a line without a valid currency is refused
    expect(key(JSON.stringify({ ...good, currencies: [] }))).toBe('report.integrity');
    expect(key(JSON.stringify({ ...good, operations: { ...good.operations, rows: good.operations.rows.map((r) => r.map((c) => (c === 'RUB' ? 'rub' : c))) } }))).toBe('report.integrity');
    expect(key(JSON.stringify(good))).toBe('read');
  });
});
