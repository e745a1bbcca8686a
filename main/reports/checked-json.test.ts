import { describe, expect, it } from 'vitest';
import { reportLineSchema, shiftReportSchema } from '../contract/api';
import { asciiJson, checkedReportJson, LINE_FIELDS, lineProblem, ReportContractError } from './checked-json';

const line = {
  id: 'op-1', kind: 'refund', provider: 'koshelek', createdAt: '2026-11-30T09:00:00.000Z', finishedAt: null, status: 'refunded',
  amountKop: 1500, currency: 'RUB', signedKop: -1500, orderId: 'o', paymentTransactionId: 'tx', refundTransactionId: null, requestId: 'rq',
  paymentType: 'SBP', refs: { qrcId: 'Q' }, errorCode: null, parentId: 'op-0', parentShiftId: 3, crossShift: true,
};
const bucket = { count: 0, amountKop: 0 };
const kind = { all: bucket, succeeded: bucket, notSucceeded: bucket, unresolved: bucket, byOutcome: {} };
const report = {
  type: 'x', zNumber: null, generatedAt: 'g', shift: { id: 1, openedAt: 'o', openedBy: 'И', closedAt: null, closedBy: null },
  till: { terminalId: 't', storeId: 's', storeName: 'n' },
  currencies: [{ currency: 'RUB', byKind: { payment: kind, cancel: kind, refund: kind }, byPaymentType: [], crossShiftRefunds: bucket, tenders: [],
    totals: { electronicInKop: 0, electronicOutKop: 0, electronicNetKop: 0, tendersNetKop: 0, tillNetKop: 0 } }],
  unresolved: [], operations: [line], refColumns: [], tenderEntries: [], reconciliation: null, environment: null, tenderVoids: [],
};

// Values of every JSON kind and the edges of the contract's bounds.
const probes: unknown[] = [
  null, undefined, true, false, 0, -1, 1.5, 9_999_999_999, 10_000_000_000, -99_999_999_999, -100_000_000_000, Number.NaN,
  '', 'x', 'RUB', 'rub', 'RUBL', 'payment', 'gift', {}, { a: 'b' }, { a: 1 }, [], ['a'],
];

describe('checkedReportJson (the report worker\'s boundary)', () => {
  it('refuses what is not a report DTO, naming the field', () => {
    expect(() => checkedReportJson({ type: 'y' })).toThrow(ReportContractError);
    expect(() => checkedReportJson({ type: 'y' })).toThrow(/broke the contract: type/);
    expect(() => checkedReportJson(null)).toThrow(/broke the contract/);
  });

  it('makes the bytes zod\'s output would serialise to, the head\'s Russian as \\u escapes (one-byte text)', () => {
    const text = checkedReportJson(report);
    expect(text).toBe(asciiJson(shiftReportSchema.parse(report)));
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(shiftReportSchema.parse(report))));
    const russian = { ...report, till: { ...report.till, storeName: 'Магазин «Ромашка» 😀' } };
    const escaped = checkedReportJson(russian);
    expect(escaped).toMatch(/^[\x20-\x7e]*$/);
    expect(escaped).toContain('"storeName":"\\u041c\\u0430\\u0433');
    expect((JSON.parse(escaped) as typeof russian).till.storeName).toBe('Магазин «Ромашка» 😀');
  });

  it('checks a line field by field exactly as reportLineSchema does', () => {
    // the same fields, in the same order: a field added to the contract and not here fails
    expect(Object.keys(LINE_FIELDS)).toEqual(Object.keys(reportLineSchema.shape));
    expect(lineProblem(line)).toBeNull();
    for (const field of Object.keys(LINE_FIELDS)) {
      for (const value of probes) {
        const changed = { ...line, [field]: value };
        const zodSays = reportLineSchema.safeParse(changed).success;
        // undefined: JSON would drop the key, and the contract would see it missing
        expect({ field, value, ok: lineProblem(changed) === null }).toEqual({ field, value, ok: value === undefined ? false : zodSays });
      }
      const { [field]: _gone, ...missing } = line as Record<string, unknown>;
      expect(lineProblem(missing)).toMatch(/missing|out of order/);
    }
    expect(lineProblem({ ...line, extra: 1 })).toMatch(/unexpected key extra/);
    expect(lineProblem(null)).toBe('not an object');
    expect(lineProblem([line])).toBe('not an object');
    expect(() => checkedReportJson({ ...report, operations: [line, { ...line, amountKop: -1 }] })).toThrow(/operations\.1\.amountKop: invalid/);
  });
});
