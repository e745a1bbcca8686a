import { describe, expect, it } from 'vitest';
import type { ReportLine, ShiftReport } from './model';
import { decodeStoredReport, encodeStoredReport } from './stored';

const line = (i: number): ReportLine => ({
  id: `op-${i}`, kind: i % 3 === 0 ? 'refund' : 'payment', provider: 'koshelek', createdAt: '2026-11-22T10:00:00.000Z', finishedAt: null,
  status: 'paid', amountKop: 1000 + i, signedKop: 1000 + i, orderId: `o-${i}`, paymentTransactionId: `tx-${i}`, refundTransactionId: i % 3 === 0 ? `r-${i}` : null,
  requestId: `req-${i}`, paymentType: 'SBP', qrcId: `Q${i}`, kzo: String(i), errorCode: null, parentId: null, parentShiftId: null, crossShift: false,
});

describe('stored Z report', () => {
  it('round-trips exactly and is smaller than plain JSON', () => {
    const report = { type: 'z', zNumber: 7, operations: Array.from({ length: 500 }, (_, i) => line(i)), totals: { tillNetKop: 5 } } as unknown as ShiftReport;
    const stored = encodeStoredReport(report);
    expect(decodeStoredReport(stored)).toEqual(report);
    expect(stored.length).toBeLessThan(JSON.stringify(report).length * 0.7);
  });
  it('reads the older plain form and an empty shift', () => {
    const plain = { type: 'z', zNumber: 1, operations: [line(1)] } as unknown as ShiftReport;
    expect(decodeStoredReport(JSON.stringify(plain))).toEqual(plain);
    const empty = { type: 'z', zNumber: 2, operations: [] } as unknown as ShiftReport;
    expect(decodeStoredReport(encodeStoredReport(empty))).toEqual(empty);
  });
});
