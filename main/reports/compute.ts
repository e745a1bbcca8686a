// Report maths: rows in, totals out. Pure functions, no I/O, so every figure can be checked against
// an independent sum over the journal (see compute.test.ts).
import type {
  Bucket, KindTotals, OperationKind, PaymentTypeTotals, ReportLine, ReportOperationRow, ShiftInfo, ShiftReport, TenderRow, TenderTotals, TenderVoidRow,
} from './model';

/**
 * Payment outcomes that mean the customer's money was taken. 'refunded' is included defensively: if
 * the core ever marks a fully refunded payment 'refunded', the money still came in and the refund
 * operations take it out.
 */
export const PAYMENT_PAID_OUTCOMES: readonly string[] = ['paid', 'refunded'];
export const REFUND_DONE_OUTCOME = 'refunded';
export const CANCEL_DONE_OUTCOME = 'canceled';

export function succeeded(row: Pick<ReportOperationRow, 'kind' | 'isFinal' | 'outcome'>): boolean {
  if (!row.isFinal || row.outcome === null) return false;
  switch (row.kind) {
    case 'payment': return PAYMENT_PAID_OUTCOMES.includes(row.outcome);
    case 'refund': return row.outcome === REFUND_DONE_OUTCOME;
    case 'cancel': return row.outcome === CANCEL_DONE_OUTCOME;
  }
}

/** Money effect on the day: + paid payment, − refund made; cancels move no money (the payment never did). */
export function signedAmount(row: ReportOperationRow): number {
  if (!succeeded(row)) return 0;
  if (row.kind === 'payment') return row.amountKop;
  if (row.kind === 'refund') return -row.amountKop;
  return 0;
}

const bucket = (): Bucket => ({ count: 0, amountKop: 0 });
const add = (b: Bucket, amountKop: number): void => {
  b.count += 1;
  b.amountKop += amountKop;
};
const kindTotals = (): KindTotals => ({ all: bucket(), succeeded: bucket(), notSucceeded: bucket(), unresolved: bucket(), byOutcome: {} });

/** paymentType of an operation: its own, its slip's, its payment's; else the provider in brackets. */
export function paymentTypeOf(row: ReportOperationRow): string {
  return row.paymentType ?? row.slip?.paymentType ?? row.parent?.paymentType ?? `(${row.provider})`;
}

export function toLine(row: ReportOperationRow, shiftId: number): ReportLine {
  const slip = row.slip;
  const isPayment = row.kind === 'payment';
  const parentShiftId = row.parent ? row.parent.shiftId : null;
  return {
    id: row.id,
    kind: row.kind,
    provider: row.provider,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
    status: row.isFinal ? (row.outcome ?? 'unknown') : 'unresolved',
    amountKop: row.amountKop,
    signedKop: signedAmount(row),
    orderId: row.orderId,
    paymentTransactionId: slip?.paymentTransactionId ?? (isPayment ? row.transactionId : (row.transactionId ?? row.parent?.transactionId ?? null)),
    refundTransactionId: slip?.refundTransactionId ?? (isPayment ? null : row.refTransactionId),
    requestId: row.requestId,
    paymentType: row.paymentType ?? slip?.paymentType ?? row.parent?.paymentType ?? null,
    qrcId: slip?.qrcId ?? null,
    kzo: slip?.kzo ?? null,
    errorCode: row.errorCode,
    parentId: row.parentId,
    parentShiftId,
    crossShift: row.parent !== null && parentShiftId !== shiftId,
  };
}

export function tenderTotals(tenders: readonly TenderRow[]): TenderTotals[] {
  const byKind = new Map<string, TenderTotals>();
  for (const t of tenders) {
    let totals = byKind.get(t.kind);
    if (!totals) {
      totals = { kind: t.kind, sales: bucket(), refunds: bucket(), netKop: 0 };
      byKind.set(t.kind, totals);
    }
    if (t.direction === 'sale') {
      add(totals.sales, t.amountKop);
      totals.netKop += t.amountKop;
    } else {
      add(totals.refunds, t.amountKop);
      totals.netKop -= t.amountKop;
    }
  }
  return [...byKind.values()].sort((a, b) => a.kind.localeCompare(b.kind));
}

export interface ComputeInput {
  type: 'x' | 'z';
  zNumber: number | null;
  generatedAt: string;
  shift: ShiftInfo;
  till: ShiftReport['till'];
  operations: readonly ReportOperationRow[];
  tenders: readonly TenderRow[];
  /** Recorded by main/shifts. Voided entries stay in `tenders` as stored; the totals leave them out here. */
  environment?: ShiftReport['environment'];
  tenderVoids?: readonly TenderVoidRow[];
}

export function computeReport(input: ComputeInput): ShiftReport {
  const voided = new Set((input.tenderVoids ?? []).map((v) => v.tenderId));
  const liveTenders = input.tenders.filter((t) => !voided.has(t.id));
  const byKind: Record<OperationKind, KindTotals> = { payment: kindTotals(), cancel: kindTotals(), refund: kindTotals() };
  const byType = new Map<string, PaymentTypeTotals>();
  const crossShiftRefunds = bucket();
  const unresolved: string[] = [];
  const operations: ReportLine[] = [];
  let electronicIn = 0;
  let electronicOut = 0;

  for (const row of input.operations) {
    const line = toLine(row, input.shift.id);
    operations.push(line);
    const totals = byKind[row.kind];
    add(totals.all, row.amountKop);
    const outcomeKey = row.isFinal ? (row.outcome ?? 'unknown') : 'unresolved';
    const outcomeBucket = totals.byOutcome[outcomeKey] ?? bucket();
    add(outcomeBucket, row.amountKop);
    totals.byOutcome[outcomeKey] = outcomeBucket;
    if (!row.isFinal) {
      add(totals.unresolved, row.amountKop);
      unresolved.push(row.id);
      continue;
    }
    const ok = succeeded(row);
    add(ok ? totals.succeeded : totals.notSucceeded, row.amountKop);
    if (!ok || row.kind === 'cancel') continue;

    const type = paymentTypeOf(row);
    const key = `${row.provider}\u0000${type}`;
    let typeTotals = byType.get(key);
    if (!typeTotals) {
      typeTotals = { paymentType: type, provider: row.provider, payments: bucket(), refunds: bucket(), netKop: 0 };
      byType.set(key, typeTotals);
    }
    if (row.kind === 'payment') {
      add(typeTotals.payments, row.amountKop);
      typeTotals.netKop += row.amountKop;
      electronicIn += row.amountKop;
    } else {
      add(typeTotals.refunds, row.amountKop);
      typeTotals.netKop -= row.amountKop;
      electronicOut += row.amountKop;
      if (line.crossShift) add(crossShiftRefunds, row.amountKop);
    }
  }

  const tenders = tenderTotals(liveTenders);
  const tendersNet = tenders.reduce((sum, t) => sum + t.netKop, 0);
  const electronicNet = electronicIn - electronicOut;
  return {
    type: input.type,
    zNumber: input.zNumber,
    generatedAt: input.generatedAt,
    shift: input.shift,
    till: input.till,
    byKind,
    byPaymentType: [...byType.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.paymentType.localeCompare(b.paymentType)),
    crossShiftRefunds,
    tenders,
    totals: {
      electronicInKop: electronicIn,
      electronicOutKop: electronicOut,
      electronicNetKop: electronicNet,
      tendersNetKop: tendersNet,
      tillNetKop: electronicNet + tendersNet,
    },
    unresolved,
    operations,
    tenderEntries: liveTenders,
    reconciliation: null,
    environment: input.environment ?? null,
    tenderVoids: [...(input.tenderVoids ?? [])],
  };
}
