// Journal rows → the OperationView the renderer and the CLI show. Pure mapping; texts in Russian.
import type { OperationView, Outcome, ReceiptView, SlipView } from '../contract/checkout';
import { CATALOGUE, describeError, isErrorKey, type ErrorKey } from '../errors/catalogue';
import type { OperationItemRow, OperationRow } from '../journal/operations';
import { decodeSlipRefs } from '../journal/refs';
import type { SlipsTable } from '../journal/tables';
import type { ProviderView, RefLabel } from '../providers/types';

/** Phases every provider shares; a provider's own texts (ProviderView.phaseText) come first. */
export const PHASE_TEXT: Readonly<Record<string, string>> = {
  paid: 'Оплачено',
  rejected: 'Оплата отклонена',
  canceled: 'Оплата отменена',
  failed: 'Оплата не выполнена',
  refunded: 'Возврат выполнен',
  refund_rejected: 'Возврат отклонён',
  cancel_rejected: 'Отмена отклонена',
  not_found: 'Оплата не найдена: ничего не списано',
};

const HELD_TEXT = 'Ждёт исходного подключения: не завершена, обратитесь к администратору';
const UNREADABLE_TEXT = 'Состояние операции не читается: касса её не трогает, обратитесь к администратору';

const OUTCOMES = new Set<Outcome>(['paid', 'rejected', 'canceled', 'failed', 'refunded', 'refund_rejected', 'cancel_rejected', 'not_found']);

/** slips.refs_json, parsed (never cast): a row that does not parse shows no refs rather than breaking the view. */
function readRefs(json: string | null): Record<string, string> {
  try {
    return decodeSlipRefs(json);
  } catch {
    return {};
  }
}

/** The provider's ids on a slip, labelled by the provider, in its order; unknown keys follow under their own name. */
export function labelRefs(refs: Record<string, string>, labels: readonly RefLabel[]): SlipView['refs'] {
  const known = labels.filter((l) => refs[l.key] !== undefined).map((l) => ({ key: l.key, label: l.label, value: refs[l.key] ?? '', ...(l.receipt === false ? { receipt: false } : {}) }));
  const rest = Object.keys(refs).filter((k) => !labels.some((l) => l.key === k)).map((k) => ({ key: k, label: k, value: refs[k] ?? '' }));
  return [...known, ...rest];
}

export function slipView(slip: SlipsTable | null, labels: readonly RefLabel[] = []): SlipView | null {
  if (!slip) return null;
  return {
    slipId: slip.slip_id,
    orderId: slip.order_id,
    paymentTransactionId: slip.payment_transaction_id,
    refundTransactionId: slip.refund_transaction_id,
    paymentType: slip.payment_type,
    operationDateTime: slip.operation_date_time,
    refs: labelRefs(readRefs(slip.refs_json), labels),
    totalAmountKop: slip.total_amount_kop,
    currency: slip.currency,
  };
}

export interface ViewInputs {
  row: OperationRow;
  items: OperationItemRow[];
  slip: SlipsTable | null;
  /** For payments: their refunds, to compute what is left to refund. */
  children: OperationRow[];
  /** The operation's provider as configured now (null: no longer configured — shown with neutral texts). */
  provider: { title: string; view: ProviderView; /** The provider takes extra charges (ExtraChargeFactory). */ extraCharges?: boolean } | null;
  /**
   * Left untouched: 'connection' — started on another connection, until it is configured again;
   * 'unreadable' — its persisted state does not parse (corrupted, or another Paydesk version): IT must look.
   */
  held?: 'connection' | 'unreadable' | null;
  /** The fiscal receipt's state, from the composition root's neutral reader (null: none due or none wired). */
  receipt?: ReceiptView | null;
}

/** Refunds that are done or still running both reserve their amount. */
export function refundableKop(payment: OperationRow, children: readonly OperationRow[]): number | null {
  if (payment.kind !== 'payment' || payment.outcome !== 'paid') return null;
  const reserved = children
    .filter((c) => c.kind === 'refund' && (c.outcome === 'refunded' || c.is_final === 0))
    .reduce((sum, c) => sum + c.amount_kop, 0);
  return Math.max(0, payment.amount_kop - reserved);
}

/** The same cause reads differently once the outcome is known (unknown → "cancelled, nothing charged"). */
function finalKey(row: OperationRow, key: ErrorKey | null): ErrorKey | null {
  if (row.is_final === 1 && row.outcome === 'canceled' && key === 'payment.auto_canceled_no_answer') return 'payment.canceled_no_answer';
  if (row.is_final === 1 && row.outcome === 'refunded') return null; // earlier "no answer" attempts no longer apply
  // A refused refund gets the refusal and its code, never the payment-side advice "choose another method".
  if (row.kind === 'refund' && row.outcome === 'refund_rejected' && key !== null && CATALOGUE[key].action === 'other_method') return 'refund.rejected';
  return key;
}

/** The few context facts the view shows (parsed defensively: the view never trusts the stored JSON's shape). */
function contextFacts(json: string): { parked: boolean; cancelQueued: boolean; startedAt: number | null } {
  try {
    const parsed: unknown = JSON.parse(json);
    const ctx = parsed !== null && typeof parsed === 'object' ? (parsed as { ctx?: Record<string, unknown> }).ctx : undefined;
    if (!ctx || typeof ctx !== 'object') return { parked: false, cancelQueued: false, startedAt: null };
    return {
      parked: typeof ctx.parkedAt === 'number',
      cancelQueued: ctx.cancelWanted === true,
      startedAt: typeof ctx.startedAt === 'number' ? ctx.startedAt : null,
    };
  } catch {
    return { parked: false, cancelQueued: false, startedAt: null };
  }
}

export function operationView({ row, items, slip, children, provider, held: heldAs = null, receipt = null }: ViewInputs): OperationView {
  const view = provider?.view ?? null;
  const limits = view?.limits() ?? { minutes: 0, seconds: 0 };
  const held = heldAs !== null;
  const facts = contextFacts(row.context_json);
  const parkedPaid = row.kind === 'payment' && facts.parked && row.outcome === 'paid';
  const errorKey = heldAs === 'unreadable' ? 'operation.state_unreadable' : held ? 'payment.held_connection' : parkedPaid ? 'payment.parked_paid' : finalKey(row, row.error_key && isErrorKey(row.error_key) ? row.error_key : null);
  const showError = errorKey !== null && (row.is_final === 1 ? row.outcome !== 'paid' || errorKey === 'payment.cancel_declined_paid' || errorKey === 'payment.parked_paid' : true);
  return {
    id: row.id,
    kind: row.kind,
    provider: row.provider,
    providerTitle: provider?.title ?? row.provider,
    parentId: row.parent_id,
    orderId: row.order_id,
    amountKop: row.amount_kop,
    currency: /^[A-Z]{3}$/.test(row.currency) ? row.currency : 'RUB',
    phase: row.phase,
    phaseText: heldAs === 'unreadable' ? UNREADABLE_TEXT : held ? HELD_TEXT : view?.phaseText[row.phase] ?? PHASE_TEXT[row.phase] ?? row.phase,
    isFinal: row.is_final === 1,
    outcome: row.outcome && OUTCOMES.has(row.outcome as Outcome) ? (row.outcome as Outcome) : null,
    requestId: row.request_id,
    transactionId: row.transaction_id,
    refTransactionId: row.ref_transaction_id,
    paymentType: row.payment_type,
    loyaltyId: row.loyalty_id,
    error: showError && errorKey ? describeError(errorKey, row.error_code ?? undefined, limits) : null,
    slip: slipView(slip, view?.slipRefs ?? []),
    lines: items.map((i) => ({ lineNo: i.line_no, name: i.name, article: i.article, priceKop: i.price_kop, quantity: i.quantity, measure: i.measure, totalKop: i.total_kop, tax: i.tax })),
    // Also without an answer yet: the cancel is queued and sent as soon as the payment can be cancelled.
    cancellable: !held && row.kind === 'payment' && row.is_final === 0 && (view?.cancellablePhases.has(row.phase) ?? false),
    parked: facts.parked,
    cancelQueued: row.is_final === 0 && facts.cancelQueued,
    // A provider no longer configured cannot tell: unknown until it is back.
    outcomeUnknown: row.kind === 'payment' && row.is_final === 0 && (view?.unknownPhases.has(row.phase) ?? true),
    customerAction: row.kind === 'payment' && row.is_final === 0 && !held ? view?.customerAction?.(row) ?? null : null,
    receipt,
    refundableKop: refundableKop(row, children),
    // A paid sale (never an extra charge itself) of a provider that takes extra charges: the screen may offer one.
    extraChargeable: !held && row.kind === 'payment' && row.parent_id === null && row.outcome === 'paid' && provider?.extraCharges === true,
    shiftId: row.shift_id,
    recovered: row.recovered === 1,
    held,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

// ---- search (refund screen: "find the payment the customer brought back") ------------------------

/** What a cashier types to find an operation: a time, an amount, or a fragment of any id. */
export type SearchTerm =
  | { kind: 'all' }
  | { kind: 'time'; hhmm: string }
  | { kind: 'amount'; kop: number; fragment: string }
  | { kind: 'fragment'; fragment: string };

export function parseSearchText(raw: string): SearchTerm {
  const text = raw.trim();
  if (!text) return { kind: 'all' };
  const time = /^(\d{1,2})[:.](\d{2})$/.exec(text);
  if (time && Number(time[1]) < 24 && Number(time[2]) < 60) return { kind: 'time', hhmm: `${time[1]?.padStart(2, '0')}:${time[2]}` };
  const money = /^(\d{1,8})(?:[.,](\d{1,2}))?\s*₽?$/.exec(text.replace(/[\s\u00a0](?=\d{3}\b)/g, ''));
  if (money) {
    const kop = Number(money[1]) * 100 + Number((money[2] ?? '').padEnd(2, '0'));
    return { kind: 'amount', kop, fragment: text.replace(/[\s\u00a0]/g, '') };
  }
  return { kind: 'fragment', fragment: text.toLowerCase() };
}

/** Local "HH:MM" of an ISO instant (the core runs on the till, in the till's time zone). */
function localHhmm(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Every id a customer or a receipt may carry: order, transactions, card, the provider's slip refs, our ids, the fiscal receipt's number and sign. */
function idsOf(op: OperationView): string[] {
  const s = op.slip;
  return [op.orderId, op.transactionId, op.refTransactionId, op.loyaltyId, op.id, op.requestId, s?.paymentTransactionId, s?.refundTransactionId, ...(s?.refs.map((r) => r.value) ?? []),
    op.receipt?.documentNumber, op.receipt?.fiscalSign]
    .filter((v): v is string => typeof v === 'string' && v.length > 0)
    .map((v) => v.toLowerCase());
}

/** Digits are ambiguous ("1000" is an amount or part of an id): either matches. */
export function matchesSearch(op: OperationView, term: SearchTerm): boolean {
  switch (term.kind) {
    case 'all': return true;
    case 'time': return localHhmm(op.createdAt) === term.hhmm;
    case 'amount': return op.amountKop === term.kop || idsOf(op).some((id) => id.includes(term.fragment.toLowerCase()));
    case 'fragment': return idsOf(op).some((id) => id.includes(term.fragment));
  }
}
