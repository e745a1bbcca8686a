// Report maths: rows in, totals out. Pure functions, no I/O, so every figure can be checked against
// an independent sum over the journal (see compute.test.ts).
import { compareCurrencies, TILL_CURRENCY } from '../contract/currency';
import type {
  Bucket, CurrencyTotals, KindTotals, OperationKind, PaymentTypeTotals, RefColumn, ReportLine, ReportOperationRow, ShiftInfo, ShiftReport, TenderRow, TenderTotals, TenderVoidRow,
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

/** A line's provider id under `key`, or undefined (own keys only: a key like "constructor" is just absent). */
export function refValue(refs: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(refs, key) ? refs[key] : undefined;
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
    currency: row.currency,
    signedKop: signedAmount(row),
    orderId: row.orderId,
    paymentTransactionId: slip?.paymentTransactionId ?? (isPayment ? row.transactionId : (row.transactionId ?? row.parent?.transactionId ?? null)),
    refundTransactionId: slip?.refundTransactionId ?? (isPayment ? null : row.refTransactionId),
    requestId: row.requestId,
    paymentType: row.paymentType ?? slip?.paymentType ?? row.parent?.paymentType ?? null,
    refs: slip?.refs ?? {},
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
  /** The provider id columns to show (the configured providers' reportRefs); default none. */
  refColumns?: readonly RefColumn[];
  /**
   * Count every operation in this one currency, whatever its own: only for re-reading a Z stored before
   * reports had currencies (it added them all up, and its stored totals are checked against that).
   */
  singleCurrency?: string;
}

/**
 * Finished or open operations that count alike in every total: what a report's figures are made of.
 * computeReport feeds one group per row; a Z close feeds groups aggregated by SQL (z-store.ts), so
 * both paths share this one set of rules.
 */
export interface OperationGroup {
  kind: OperationKind;
  provider: string;
  isFinal: boolean;
  outcome: string | null;
  /** Own, slip's or payment's type; null when none (the provider in brackets is used). */
  paymentType: string | null;
  crossShift: boolean;
  /** The currency of amountKop's minor units: groups of different currencies are never added together. */
  currency: string;
  count: number;
  amountKop: number;
}

export type ReportTotals = Pick<ShiftReport, 'currencies'>;

const addN = (b: Bucket, count: number, amountKop: number): void => {
  b.count += count;
  b.amountKop += amountKop;
};

/** The totals of one currency (TotalsAccumulator keeps one per currency). */
class CurrencyAccumulator {
  private readonly byKind: Record<OperationKind, KindTotals> = { payment: kindTotals(), cancel: kindTotals(), refund: kindTotals() };
  private readonly byType = new Map<string, PaymentTypeTotals>();
  private readonly crossShiftRefunds = bucket();
  private electronicIn = 0;
  private electronicOut = 0;

  /** Groups must come in the order of their earliest row, so byOutcome keys keep first-seen order. */
  add(g: OperationGroup): void {
    const totals = this.byKind[g.kind];
    addN(totals.all, g.count, g.amountKop);
    const outcomeKey = g.isFinal ? (g.outcome ?? 'unknown') : 'unresolved';
    const outcomeBucket = totals.byOutcome[outcomeKey] ?? bucket();
    addN(outcomeBucket, g.count, g.amountKop);
    totals.byOutcome[outcomeKey] = outcomeBucket;
    if (!g.isFinal) {
      addN(totals.unresolved, g.count, g.amountKop);
      return;
    }
    const ok = succeeded(g);
    addN(ok ? totals.succeeded : totals.notSucceeded, g.count, g.amountKop);
    if (!ok || g.kind === 'cancel') return;

    const type = g.paymentType ?? `(${g.provider})`;
    const key = `${g.provider}\u0000${type}`;
    let typeTotals = this.byType.get(key);
    if (!typeTotals) {
      typeTotals = { paymentType: type, provider: g.provider, payments: bucket(), refunds: bucket(), netKop: 0 };
      this.byType.set(key, typeTotals);
    }
    if (g.kind === 'payment') {
      addN(typeTotals.payments, g.count, g.amountKop);
      typeTotals.netKop += g.amountKop;
      this.electronicIn += g.amountKop;
    } else {
      addN(typeTotals.refunds, g.count, g.amountKop);
      typeTotals.netKop -= g.amountKop;
      this.electronicOut += g.amountKop;
      if (g.crossShift) addN(this.crossShiftRefunds, g.count, g.amountKop);
    }
  }

  result(currency: string, tenders: readonly TenderTotals[]): CurrencyTotals {
    const tendersNet = tenders.reduce((sum, t) => sum + t.netKop, 0);
    const electronicNet = this.electronicIn - this.electronicOut;
    return {
      currency,
      byKind: this.byKind,
      byPaymentType: [...this.byType.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.paymentType.localeCompare(b.paymentType)),
      crossShiftRefunds: this.crossShiftRefunds,
      tenders: [...tenders],
      totals: {
        electronicInKop: this.electronicIn,
        electronicOutKop: this.electronicOut,
        electronicNetKop: electronicNet,
        tendersNetKop: tendersNet,
        tillNetKop: electronicNet + tendersNet,
      },
    };
  }
}

/**
 * Totals per currency. Groups are added to their own currency's section only; the till's currency is
 * always present (it holds the tender entries, which are in the till's currency), the others appear
 * when an operation used them.
 */
export class TotalsAccumulator {
  private readonly sections = new Map<string, CurrencyAccumulator>();

  /** `singleCurrency`: count every group in that one currency (re-reading a Z stored before currencies). */
  constructor(private readonly singleCurrency: string | null = null) {}

  /** Groups must come in the order of their earliest row, so byOutcome keys keep first-seen order. */
  add(g: OperationGroup): void {
    const currency = this.singleCurrency ?? g.currency;
    let section = this.sections.get(currency);
    if (!section) {
      section = new CurrencyAccumulator();
      this.sections.set(currency, section);
    }
    section.add(g);
  }

  /** `tenders`: the till currency's tender totals. */
  result(tenders: readonly TenderTotals[]): ReportTotals {
    const till = this.singleCurrency ?? TILL_CURRENCY;
    if (!this.sections.has(till)) this.sections.set(till, new CurrencyAccumulator());
    const currencies = [...this.sections.keys()].sort(compareCurrencies)
      .map((currency) => (this.sections.get(currency) as CurrencyAccumulator).result(currency, currency === till ? tenders : []));
    return { currencies };
  }
}

/** Tender entries that count: voided ones stay stored and listed apart (`tenderVoids`), out of every total. */
export function liveTenders(tenders: readonly TenderRow[], voids: readonly TenderVoidRow[] = []): TenderRow[] {
  const voided = new Set(voids.map((v) => v.tenderId));
  return tenders.filter((t) => !voided.has(t.id));
}

export function computeReport(input: ComputeInput): ShiftReport {
  const live = liveTenders(input.tenders, input.tenderVoids);
  const acc = new TotalsAccumulator(input.singleCurrency ?? null);
  const unresolved: string[] = [];
  const operations: ReportLine[] = [];
  for (const row of input.operations) {
    const line = toLine(row, input.shift.id);
    operations.push(line);
    if (!row.isFinal) unresolved.push(row.id);
    acc.add({
      kind: row.kind, provider: row.provider, isFinal: row.isFinal, outcome: row.outcome,
      paymentType: row.paymentType ?? row.slip?.paymentType ?? row.parent?.paymentType ?? null,
      crossShift: line.crossShift, currency: row.currency, count: 1, amountKop: row.amountKop,
    });
  }
  const tenders = tenderTotals(live);
  const sums = acc.result(tenders);
  return {
    type: input.type,
    zNumber: input.zNumber,
    generatedAt: input.generatedAt,
    shift: input.shift,
    till: input.till,
    currencies: sums.currencies,
    unresolved,
    operations,
    refColumns: (input.refColumns ?? []).map((c) => ({ key: c.key, label: c.label })),
    tenderEntries: live,
    reconciliation: null,
    environment: input.environment ?? null,
    tenderVoids: [...(input.tenderVoids ?? [])],
  };
}

/** A report's section of `currency` (default the till's); a report always has the till's. */
export function currencySection(report: Pick<ShiftReport, 'currencies'>, currency: string = TILL_CURRENCY): CurrencyTotals | undefined {
  return report.currencies.find((c) => c.currency === currency);
}
