// The shape of an X / Z report. Everything here is plain data (JSON-safe): a Z report is stored as
// this object, frozen, and every output format (screen, PDF, CSV, text, ESC/POS) renders from it.

export type OperationKind = 'payment' | 'cancel' | 'refund';

/** One journal operation as the report reads it (operations ⨝ slips ⨝ parent payment). */
export interface ReportOperationRow {
  id: string;
  kind: OperationKind;
  provider: string;
  parentId: string | null;
  shiftId: number;
  orderId: string;
  amountKop: number;
  /** ISO 4217 code of amountKop's minor units (operations.currency: RUB kopecks, KZT tiyn, USD cents). */
  currency: string;
  isFinal: boolean;
  outcome: string | null;
  phase: string;
  requestId: string;
  transactionId: string | null;
  refTransactionId: string | null;
  paymentType: string | null;
  errorCode: string | null;
  createdAt: string;
  finishedAt: string | null;
  slip: SlipFields | null;
  parent: ParentFields | null;
}

/** The slip fields a report shows (§7.2); the full slip stays in the slips table (§7.1). */
export interface SlipFields {
  paymentTransactionId: string | null;
  refundTransactionId: string | null;
  paymentType: string | null;
  /** The provider's own slip ids (slips.refs_json), by key; empty when none or unreadable. */
  refs: Record<string, string>;
}

/**
 * A provider id shown as a column of X / Z, CSV and print, in this order, under `label`. Providers
 * register theirs (`reportRefs`); the caller of a report passes the union for the configured ones.
 */
export interface RefColumn {
  key: string;
  label: string;
}

export interface ParentFields {
  shiftId: number | null;
  transactionId: string | null;
  paymentType: string | null;
}

export interface TenderRow {
  id: number;
  kind: string;
  direction: 'sale' | 'refund';
  amountKop: number;
  note: string;
  cashier: string;
  createdAt: string;
}

/** What an X report needs besides the journal rows (main/shifts gives it; the report worker computes from it). */
export interface XReportRequest {
  shiftId: number;
  till: ShiftReport['till'];
  generatedAt: string;
  environment: ShiftReport['environment'];
  tenderVoids: TenderVoidRow[];
  /** The provider id columns to show (ShiftService passes the configured ones); absent: none. */
  refColumns?: RefColumn[];
}

/** A tender entry voided by a manager (main/shifts): kept in the report with who, when and why. */
export interface TenderVoidRow {
  tenderId: number;
  kind: string;
  direction: 'sale' | 'refund';
  amountKop: number;
  voidedBy: string;
  reason: string;
  voidedAt: string;
}

/** The Pay API environment a shift ran in (null: not recorded, a shift older than that record). */
export type ReportEnvironment = 'emulator' | 'test' | 'production' | null;

export interface ShiftInfo {
  id: number;
  openedAt: string;
  openedBy: string;
  closedAt: string | null;
  closedBy: string | null;
}

export interface Bucket {
  count: number;
  amountKop: number;
}

export interface KindTotals {
  /** Every operation of this kind started in the shift. */
  all: Bucket;
  /** Payments paid, cancels accepted, refunds refunded. */
  succeeded: Bucket;
  /** Final but not succeeded (rejected, failed, declined cancel/refund, payment later cancelled). */
  notSucceeded: Bucket;
  unresolved: Bucket;
  /** Count and sum per final outcome ('unresolved' for open ones). */
  byOutcome: Record<string, Bucket>;
}

export interface PaymentTypeTotals {
  /** SBP, DOLYAME, ... or "(provider)" when an operation carries no paymentType. */
  paymentType: string;
  provider: string;
  payments: Bucket;
  refunds: Bucket;
  netKop: number;
}

export interface TenderTotals {
  kind: string;
  sales: Bucket;
  refunds: Bucket;
  netKop: number;
}

/** One line of the operation list: every §7.2 field plus what the manager needs to read it. */
export interface ReportLine {
  id: string;
  kind: OperationKind;
  provider: string;
  createdAt: string;
  finishedAt: string | null;
  /** Final outcome, or 'unresolved'. */
  status: string;
  /** In minor units of `currency`. */
  amountKop: number;
  currency: string;
  /** Effect on the till's takings: +amount for a paid payment, −amount for a refund made, else 0. */
  signedKop: number;
  orderId: string;
  paymentTransactionId: string | null;
  refundTransactionId: string | null;
  requestId: string;
  paymentType: string | null;
  /** The provider's slip ids by key (shown through ShiftReport.refColumns). */
  refs: Record<string, string>;
  errorCode: string | null;
  parentId: string | null;
  /** Shift of the payment a cancel/refund belongs to. */
  parentShiftId: number | null;
  /** A refund (or cancel) of a payment started in an earlier shift. */
  crossShift: boolean;
}

export type ReconciliationProblem = 'mismatch' | 'unresolved' | 'not_found' | 'lookup_failed' | 'amount';

export interface ReconciliationItem {
  operationId: string;
  kind: OperationKind;
  orderId: string;
  transactionId: string | null;
  refTransactionId: string | null;
  journal: string;
  /** What the provider says, as it says it (its own status words), or the lookup's error. */
  provider: string;
  problem: ReconciliationProblem;
}

export interface Reconciliation {
  checkedAt: string;
  /** Operations compared with their provider. */
  checked: number;
  matched: number;
  /** Providers that cannot look an operation up, or operations that never got a transaction id. */
  skipped: number;
  differences: ReconciliationItem[];
}

/**
 * The totals of one currency. Amounts are minor units of `currency` (kopecks, tiyn, cents): money in
 * different currencies is never added together (docs/reports.md "Currencies").
 */
export interface CurrencyTotals {
  currency: string;
  byKind: Record<OperationKind, KindTotals>;
  byPaymentType: PaymentTypeTotals[];
  /** Refunds made in this shift of payments from earlier shifts (already inside the refund totals). */
  crossShiftRefunds: Bucket;
  /** Tender entries (cash, card terminal…) are in the till's currency: only its section has them. */
  tenders: TenderTotals[];
  totals: {
    /** Payment providers (connectors): paid payments. */
    electronicInKop: number;
    /** Refunds made through connectors. */
    electronicOutKop: number;
    electronicNetKop: number;
    tendersNetKop: number;
    /** The whole till in this currency: connectors + cash + card terminal. */
    tillNetKop: number;
  };
}

export interface ShiftReport {
  type: 'x' | 'z';
  /** Z number (null on an X report). */
  zNumber: number | null;
  generatedAt: string;
  shift: ShiftInfo;
  till: { terminalId: string; storeId: string; storeName: string };
  /**
   * One section per currency: the till's currency (TILL_CURRENCY) first and always present, then every
   * other currency the shift's operations used, alphabetically.
   */
  currencies: CurrencyTotals[];
  /** Ids of operations still unresolved (an X report may have some; a Z report never does). */
  unresolved: string[];
  operations: ReportLine[];
  /** The provider ids shown per operation, in order (the configured providers' reportRefs). */
  refColumns: RefColumn[];
  tenderEntries: TenderRow[];
  reconciliation: Reconciliation | null;
  /** Where the shift's payments went: an emulator report is marked as such on every output. */
  environment: ReportEnvironment;
  /** Voided tender entries: left out of tenders / totals, listed here. */
  tenderVoids: TenderVoidRow[];
}

/** A stored Z's figures for the list of closed shifts (report.list). */
export interface ZFigures {
  operations: number;
  tillNet: { currency: string; netKop: number }[];
  differences: number | null;
}

export function zFiguresOf(z: ShiftReport): ZFigures {
  return {
    operations: z.operations.length,
    tillNet: z.currencies.map((c) => ({ currency: c.currency, netKop: c.totals.tillNetKop })),
    differences: z.reconciliation ? z.reconciliation.differences.length : null,
  };
}
