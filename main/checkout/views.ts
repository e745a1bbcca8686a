// Journal rows → the OperationView the renderer and the CLI show. Pure mapping; texts in Russian.
import type { OperationView, Outcome, SlipView } from '../contract/checkout';
import { CATALOGUE, describeError, isErrorKey, type ErrorKey } from '../errors/catalogue';
import type { OperationItemRow, OperationRow } from '../journal/operations';
import type { SlipsTable } from '../journal/tables';

export const PHASE_TEXT: Record<string, string> = {
  checkout_pending: 'Отправка запроса на оплату…',
  awaiting_status: 'Ожидаем подтверждения покупателем…',
  resolving_checkout: 'Нет ответа сервиса: выясняем результат и отменяем оплату…',
  cancel_pending: 'Отмена оплаты…',
  awaiting_cancel_status: 'Отмена обрабатывается…',
  paid: 'Оплачено',
  rejected: 'Оплата отклонена',
  canceled: 'Оплата отменена',
  failed: 'Оплата не выполнена',
  refund_pending: 'Отправка возврата…',
  awaiting_refund_status: 'Возврат обрабатывается…',
  refunded: 'Возврат выполнен',
  refund_rejected: 'Возврат отклонён',
  cancel_rejected: 'Отмена отклонена',
  not_found: 'Оплата не найдена: ничего не списано',
};

const HELD_TEXT = 'Ждёт исходного подключения: не завершена, обратитесь к администратору';
const UNREADABLE_TEXT = 'Состояние операции не читается: касса её не трогает, обратитесь к администратору';

const OUTCOMES = new Set<Outcome>(['paid', 'rejected', 'canceled', 'failed', 'refunded', 'refund_rejected', 'cancel_rejected', 'not_found']);

export function slipView(slip: SlipsTable | null): SlipView | null {
  if (!slip) return null;
  return {
    slipId: slip.slip_id,
    orderId: slip.order_id,
    paymentTransactionId: slip.payment_transaction_id,
    refundTransactionId: slip.refund_transaction_id,
    paymentType: slip.payment_type,
    merchantId: slip.merchant_id,
    bankOperationId: slip.bank_operation_id,
    operationDateTime: slip.operation_date_time,
    qrcId: slip.qrc_id,
    kzo: slip.kzo,
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
  notPaidRetryMinutes: number;
  /** koshelek.timing.finalStatusTimeoutMs in seconds: texts quote the configured limit. */
  finalStatusSeconds?: number;
  /**
   * Left untouched: 'connection' — started on another connection, until it is configured again;
   * 'unreadable' — its persisted state does not parse (corrupted, or another Paydesk version): IT must look.
   */
  held?: 'connection' | 'unreadable' | null;
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

/** Phases in which the till does not know yet whether the customer paid. */
const UNKNOWN_PHASES = new Set(['checkout_pending', 'resolving_checkout', 'awaiting_status', 'cancel_pending', 'awaiting_cancel_status']);

export function operationView({ row, items, slip, children, notPaidRetryMinutes, finalStatusSeconds, held: heldAs = null }: ViewInputs): OperationView {
  const held = heldAs !== null;
  const facts = contextFacts(row.context_json);
  const parkedPaid = row.kind === 'payment' && facts.parked && row.outcome === 'paid';
  const errorKey = heldAs === 'unreadable' ? 'operation.state_unreadable' : held ? 'payment.held_connection' : parkedPaid ? 'payment.parked_paid' : finalKey(row, row.error_key && isErrorKey(row.error_key) ? row.error_key : null);
  const showError = errorKey !== null && (row.is_final === 1 ? row.outcome !== 'paid' || errorKey === 'payment.cancel_declined_paid' || errorKey === 'payment.parked_paid' : true);
  return {
    id: row.id,
    kind: row.kind,
    provider: row.provider,
    parentId: row.parent_id,
    orderId: row.order_id,
    amountKop: row.amount_kop,
    phase: row.phase,
    phaseText: heldAs === 'unreadable' ? UNREADABLE_TEXT : held ? HELD_TEXT : PHASE_TEXT[row.phase] ?? row.phase,
    isFinal: row.is_final === 1,
    outcome: row.outcome && OUTCOMES.has(row.outcome as Outcome) ? (row.outcome as Outcome) : null,
    requestId: row.request_id,
    transactionId: row.transaction_id,
    refTransactionId: row.ref_transaction_id,
    paymentType: row.payment_type,
    loyaltyId: row.loyalty_id,
    error: showError && errorKey ? describeError(errorKey, row.error_code ?? undefined, { minutes: notPaidRetryMinutes, seconds: finalStatusSeconds }) : null,
    slip: slipView(slip),
    lines: items.map((i) => ({ lineNo: i.line_no, name: i.name, article: i.article, priceKop: i.price_kop, quantity: i.quantity, measure: i.measure, totalKop: i.total_kop, tax: i.tax })),
    // Also without an answer yet: the cancel is queued and sent as soon as the payment can be cancelled.
    cancellable: !held && row.kind === 'payment' && (row.phase === 'checkout_pending' || row.phase === 'awaiting_status' || row.phase === 'resolving_checkout'),
    parked: facts.parked,
    cancelQueued: row.is_final === 0 && facts.cancelQueued,
    outcomeUnknown: row.kind === 'payment' && row.is_final === 0 && UNKNOWN_PHASES.has(row.phase),
    refundableKop: refundableKop(row, children),
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

/** Every id a customer or a receipt may carry: order, transactions, card, SBP qrcId, the local id. */
function idsOf(op: OperationView): string[] {
  const s = op.slip;
  return [op.orderId, op.transactionId, op.refTransactionId, op.loyaltyId, op.id, s?.qrcId, s?.paymentTransactionId, s?.refundTransactionId, s?.bankOperationId]
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
