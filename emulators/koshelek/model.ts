// The Koshelek Pay emulator's server-side state: transactions, cancel/refund ("ref") transactions, the
// status model of reference §3, and one handler per endpoint. Pure in-memory logic, no HTTP: the server
// (server.ts) validates bodies, keeps the idempotency table and calls these handlers.
//
// Time is wall-clock since checkout (injected `now`): a payment is 'new', becomes 'pending' after
// confirmDelayMs/4 and final (scenario outcome) after confirmDelayMs. Transitions are evaluated lazily on
// every access and, when a postback is configured, by timers the server arms from `onDeadline`.
import { randomUUID } from 'node:crypto';
import type { AvailabilityRequest, CancelRequest, CheckoutRequest, Item, ReceiptRequest, RefundRequest, StatusRequest } from '../../main/payapi/koshelek/wire';
import { scenarioFor, UNAVAILABLE_MESSAGE, type Scenario } from './scenarios';
import { randomChars } from './testcard';
import type { TransactionSnapshot } from './types';

export interface ApiResult {
  status: number;
  /** JSON body; null = empty body. */
  body: Record<string, unknown> | null;
  headers?: Record<string, string>;
}

export type TxStatus = 'new' | 'pending' | 'accepted' | 'rejected' | 'canceled' | 'refunding' | 'partial_refunded' | 'refunded';
export type RefStatus = 'new' | 'accepted' | 'rejected';

interface RefOp {
  id: string;
  kind: 'cancel' | 'refund';
  txId: string;
  amount: number;
  refStatus: RefStatus;
  createdAt: number;
  /** When an asynchronous ('new') ref operation completes. */
  completeAt?: number;
  completedAt?: number;
  errorCode?: string;
  details?: string;
  slipId: string;
  /** Provider refund id (slip.operationId of a refund). */
  operationId?: string;
  /** article -> quantity reserved/refunded by this refund */
  quantities?: Map<string, number>;
}

interface Tx {
  id: string;
  cardSession: string;
  scenario: Scenario;
  storeId: string;
  terminalId: string;
  orderId: string;
  items: Item[];
  amount: number;
  paymentType: string;
  createdAt: number;
  pendingAt: number;
  finalAt: number;
  status: TxStatus;
  errorCode?: string;
  slipId: string;
  operationId?: string;
  qrcId?: string;
  kzo?: string;
  finalizedAt?: number;
  /** Accepted refunds (kopecks). */
  refunded: number;
  /** Refunds still 'new' (kopecks). */
  reserved: number;
  /** article -> refunded or reserved quantity */
  refundedQty: Map<string, number>;
  refs: RefOp[];
  cancelInFlight?: RefOp;
  refundInFlight?: RefOp;
  receipts: number;
}

export interface ChangeEvent {
  transactionId: string;
  refTransactionId?: string;
}

export interface ModelOptions {
  now: () => number;
  confirmDelayMs: () => number;
  /** A state change happened (for postback). */
  onChange?: (ev: ChangeEvent) => void;
  /** A future transition is due at `at` (ms on the `now` clock). */
  onDeadline?: (transactionId: string, at: number) => void;
}

/** The emulator's view of a transaction, for tests (same shape as the public snapshot). */
export type TransactionView = TransactionSnapshot;

/** The merchant's SBP id at the acquiring bank (fixed for the emulator). */
export const EMULATOR_MERCHANT_ID = 'MA0000000042';
export const MIN_AMOUNT = 400;
const PAID: ReadonlySet<TxStatus> = new Set(['accepted', 'refunding', 'partial_refunded', 'refunded']);
const KNOWN_TYPES = ['SBP', 'DOLYAME'] as const;
const EPS = 1e-9;

export const cancelDeclineText = {
  approved: (id: string) => `Отмена отклонена, т.к. транзакция оплаты с transactionId = ${id} уже была одобрена банком. Для отмены уже выполненной оплаты выполните операцию возврата.`,
  refundState: (id: string) => `Отмена отклонена, т.к. транзакция оплаты с transactionId = ${id} уже была одобрена банком.`,
  canceled: (id: string) => `Отмена отклонена, т.к. транзакция оплаты с transactionId = ${id} уже была отменена ранее.`,
  rejected: (id: string) => `Отмена отклонена, т.к. транзакция оплаты с transactionId = ${id} уже была отклонена.`,
  notFound: (id: string) => `Отмена отклонена, т.к. транзакция оплаты с transactionId = ${id} не найдена.`,
};

function iso(ms: number): string {
  return new Date(ms).toISOString(); // yyyy-MM-ddTHH:mm:ss.SSSZ
}

function err(status: number, code: string, details?: string): ApiResult {
  return { status, body: details === undefined ? { code } : { code, details } };
}

function isRub(currency: string | undefined): boolean {
  return currency === undefined || currency === '' || currency === 'RUB';
}

function currencyProblem(invoiceCurrency: string | undefined, items: Item[]): string | undefined {
  if (!isRub(invoiceCurrency)) return `currency: only RUB expected, got ${invoiceCurrency}`;
  const bad = items.find((i) => !isRub(i.currency));
  return bad ? `items.currency: only RUB expected, got ${bad.currency}` : undefined;
}

function measureOf(i: Item): string {
  return i.measure === undefined || i.measure === '' ? 'PIECE' : i.measure;
}

export class KoshelekModel {
  private readonly txs = new Map<string, Tx>();
  private readonly refs = new Map<string, RefOp>();
  private readonly bySession = new Map<string, Tx>();
  private readonly availabilityTasks = new Map<string, { polls: number; result: Record<string, unknown> }>();
  private counters = { checkouts: 0, cancels: 0, refunds: 0 };

  constructor(private readonly opts: ModelOptions) {}

  // ---------- availability ----------

  private availabilityResult(sc: Scenario): Record<string, unknown> {
    return {
      koshelekPayIsDefault: sc.koshelekPayIsDefault,
      paymentTypeAvailabilityInfoList: KNOWN_TYPES.map((t) => ({
        paymentType: t,
        available: sc.available[t],
        message: sc.available[t] ? '' : UNAVAILABLE_MESSAGE[t],
      })),
    };
  }

  availability(req: AvailabilityRequest, asyncMode: boolean, pollPathPrefix: string): ApiResult {
    const sc = scenarioFor(req.cardSession);
    if (sc.unknownSession) return err(422, 'UNKNOWN_SESSION_ID', 'Сессия карты не найдена');
    const cur = currencyProblem(req.checkoutInvoice.currency, req.checkoutInvoice.items);
    if (cur) return err(400, 'INVALID_REQUEST', cur);
    const result = this.availabilityResult(sc);
    if (!asyncMode) return { status: 200, body: result };
    const id = randomUUID();
    this.availabilityTasks.set(id, { polls: 0, result });
    return { status: 201, body: { availabilityInfoId: id, timeout: 350 }, headers: { Location: `${pollPathPrefix}${id}` } };
  }

  availabilityPoll(id: string): ApiResult {
    const task = this.availabilityTasks.get(id);
    if (!task) return err(404, 'NOT_FOUND', `availabilityInfoId ${id} не найден`);
    task.polls += 1;
    if (task.polls === 1) return { status: 200, body: { availabilityInfoId: id, computationComplete: false, pollingTimeout: 250 } };
    return { status: 200, body: { availabilityInfoId: id, computationComplete: true, ...task.result } };
  }

  // ---------- checkout ----------

  checkout(req: CheckoutRequest): ApiResult {
    this.counters.checkouts += 1;
    const sc = scenarioFor(req.cardSession);
    if (sc.unknownSession) return err(422, 'UNKNOWN_SESSION_ID', 'Сессия карты не найдена');
    const cur = currencyProblem(req.checkoutInvoice.currency, req.checkoutInvoice.items);
    if (cur) return err(400, 'INVALID_REQUEST', cur);
    const existing = this.bySession.get(req.cardSession);
    if (existing) {
      this.advance(existing);
      return PAID.has(existing.status)
        ? err(422, 'TRANSACTION_FOR_SESSION_ID_ALREADY_PAYED', `Транзакция для cardSession ${req.cardSession} уже оплачена`)
        : err(422, 'TRANSACTION_FOR_SESSION_ID_ALREADY_EXISTS', `Транзакция для cardSession ${req.cardSession} уже существует`);
    }
    const now = this.opts.now();
    const delay = Math.max(0, this.opts.confirmDelayMs());
    const requested = req.paymentMethods.map((m) => m.type);
    const chosen = requested.find((t): t is 'SBP' | 'DOLYAME' => (t === 'SBP' || t === 'DOLYAME') && sc.available[t]);
    const tx: Tx = {
      id: randomUUID(),
      cardSession: req.cardSession,
      scenario: sc,
      storeId: req.storeId,
      terminalId: req.terminalId,
      orderId: req.checkoutInvoice.orderId,
      items: req.checkoutInvoice.items,
      amount: req.checkoutInvoice.totalAmount,
      paymentType: chosen ?? requested[0] ?? 'SBP',
      createdAt: now,
      pendingAt: now + Math.floor(delay / 4),
      finalAt: now + delay,
      status: 'new',
      slipId: randomUUID(),
      refunded: 0,
      reserved: 0,
      refundedQty: new Map(),
      refs: [],
      receipts: 0,
    };
    if (chosen === undefined) {
      tx.status = 'rejected';
      tx.errorCode = 'EXTERNAL_PROVIDER_ERROR';
      tx.finalizedAt = now;
    } else if (tx.amount < MIN_AMOUNT) {
      tx.status = 'rejected';
      tx.errorCode = 'TOTAL_AMOUNT_IS_TOO_SMALL';
      tx.finalizedAt = now;
    }
    this.txs.set(tx.id, tx);
    this.bySession.set(tx.cardSession, tx);
    this.emit({ transactionId: tx.id });
    if (tx.status === 'new') {
      this.opts.onDeadline?.(tx.id, tx.pendingAt);
      if (sc.outcome !== 'stall') this.opts.onDeadline?.(tx.id, tx.finalAt);
    }
    const body: Record<string, unknown> = {
      requestId: req.requestId,
      transactionId: tx.id,
      status: tx.status,
      slip: {
        id: tx.slipId,
        paymentTransactionId: tx.id,
        paymentType: tx.paymentType,
        terminalId: tx.terminalId,
        storeId: tx.storeId,
        orderId: tx.orderId,
        operationDateTime: iso(now),
        totalAmount: tx.amount,
        currency: 'RUB',
      },
    };
    if (tx.errorCode) body.errorCode = tx.errorCode;
    return { status: 200, body };
  }

  // ---------- state machine ----------

  private emit(ev: ChangeEvent): void {
    this.opts.onChange?.(ev);
  }

  /** Apply every transition that is due at `now`. Returns true if something changed. */
  advance(tx: Tx, now: number = this.opts.now()): boolean {
    let changed = false;
    if (tx.cancelInFlight) {
      const c = tx.cancelInFlight;
      if (c.completeAt !== undefined && now >= c.completeAt) {
        c.refStatus = 'accepted';
        c.completedAt = c.completeAt;
        tx.status = 'canceled';
        tx.finalizedAt = c.completeAt;
        tx.cancelInFlight = undefined;
        this.emit({ transactionId: tx.id, refTransactionId: c.id });
        changed = true;
      }
      return changed; // a payment with a cancel in flight never progresses
    }
    if (tx.status === 'new' && now >= tx.pendingAt) {
      tx.status = 'pending';
      this.emit({ transactionId: tx.id });
      changed = true;
    }
    if (tx.status === 'pending' && tx.scenario.outcome !== 'stall' && now >= tx.finalAt) {
      tx.finalizedAt = tx.finalAt;
      if (tx.scenario.outcome === 'accept') {
        tx.status = 'accepted';
        if (tx.paymentType === 'SBP') {
          tx.operationId = `A${randomChars(31)}`;
          tx.qrcId = `BD1${randomChars(29)}`;
          tx.kzo = randomChars(8, '0123456789');
        } else {
          tx.operationId = randomUUID();
        }
      } else {
        tx.status = 'rejected';
        tx.errorCode = tx.scenario.rejectCode ?? 'EXTERNAL_PROVIDER_ERROR';
      }
      this.emit({ transactionId: tx.id });
      changed = true;
    }
    const r = tx.refundInFlight;
    if (r && r.completeAt !== undefined && now >= r.completeAt) {
      r.refStatus = 'accepted';
      r.completedAt = r.completeAt;
      r.operationId ??= this.refundOperationId(tx);
      tx.reserved -= r.amount;
      tx.refunded += r.amount;
      tx.refundInFlight = undefined;
      tx.status = tx.refunded >= tx.amount ? 'refunded' : 'partial_refunded';
      this.emit({ transactionId: tx.id, refTransactionId: r.id });
      changed = true;
    }
    return changed;
  }

  /** Advance a transaction by id (timer path). */
  advanceById(transactionId: string): void {
    const tx = this.txs.get(transactionId);
    if (tx) this.advance(tx);
  }

  /** Future deadlines of unfinished transactions (to arm timers when a postback is configured late). */
  pendingDeadlines(): { transactionId: string; at: number }[] {
    const out: { transactionId: string; at: number }[] = [];
    for (const tx of this.txs.values()) {
      if (tx.cancelInFlight?.completeAt !== undefined) out.push({ transactionId: tx.id, at: tx.cancelInFlight.completeAt });
      else if (tx.status === 'new') {
        out.push({ transactionId: tx.id, at: tx.pendingAt });
        if (tx.scenario.outcome !== 'stall') out.push({ transactionId: tx.id, at: tx.finalAt });
      } else if (tx.status === 'pending' && tx.scenario.outcome !== 'stall') out.push({ transactionId: tx.id, at: tx.finalAt });
      if (tx.refundInFlight?.completeAt !== undefined) out.push({ transactionId: tx.id, at: tx.refundInFlight.completeAt });
    }
    return out;
  }

  private refundOperationId(tx: Tx): string {
    return tx.paymentType === 'SBP' ? `B${randomChars(31)}` : randomUUID();
  }

  // ---------- slips and status objects ----------

  private paymentSlip(tx: Tx): Record<string, unknown> | undefined {
    if (tx.status === 'new' || tx.status === 'pending' || tx.status === 'canceled') return undefined;
    const slip: Record<string, unknown> = {
      id: tx.slipId,
      paymentType: tx.paymentType,
      storeId: tx.storeId,
      terminalId: tx.terminalId,
      orderId: tx.orderId,
      paymentTransactionId: tx.id,
    };
    const accepted = tx.errorCode === undefined;
    if (accepted && tx.paymentType === 'SBP') slip.merchantId = EMULATOR_MERCHANT_ID;
    slip.operationDateTime = iso(tx.finalizedAt ?? tx.createdAt);
    if (accepted && tx.operationId) slip.operationId = tx.operationId;
    if (accepted && tx.paymentType === 'SBP') {
      slip.qrcId = tx.qrcId;
      slip.kzo = tx.kzo;
    }
    slip.totalAmount = tx.amount;
    slip.currency = 'RUB';
    return slip;
  }

  private refSlip(tx: Tx, ref: RefOp): Record<string, unknown> | undefined {
    if (ref.refStatus === 'rejected') return undefined;
    const slip: Record<string, unknown> = {
      id: ref.slipId,
      paymentType: tx.paymentType,
      storeId: tx.storeId,
      terminalId: tx.terminalId,
      orderId: tx.orderId,
      paymentTransactionId: tx.id,
    };
    if (ref.kind === 'refund') slip.refundTransactionId = ref.id;
    if (tx.paymentType === 'SBP' && ref.kind === 'refund') slip.merchantId = EMULATOR_MERCHANT_ID;
    slip.operationDateTime = iso(ref.completedAt ?? ref.createdAt);
    if (ref.kind === 'refund' && ref.operationId) slip.operationId = ref.operationId;
    slip.totalAmount = ref.amount;
    slip.currency = 'RUB';
    return slip;
  }

  /** The §2.4 status object (also the postback body). */
  statusObject(requestId: string, tx: Tx, ref?: RefOp): Record<string, unknown> {
    const o: Record<string, unknown> = { requestId, transactionId: tx.id };
    if (ref) o.refTransactionId = ref.id;
    o.status = tx.status;
    o.paymentGroup = tx.paymentType === 'DOLYAME' ? 'INSTALLMENT' : 'SBP';
    if (tx.paymentType === 'DOLYAME') o.paymentProvider = 'DOLYAME';
    const slip = ref ? this.refSlip(tx, ref) : this.paymentSlip(tx);
    if (slip) o.slip = slip;
    if (ref) o.refStatus = ref.refStatus;
    if (ref) {
      if (ref.refStatus === 'rejected' && ref.errorCode) o.errorCode = ref.errorCode;
    } else if (tx.status === 'rejected' && tx.errorCode) o.errorCode = tx.errorCode;
    return o;
  }

  /** Status object for a change event (postback); undefined if the ids are unknown. */
  eventObject(ev: ChangeEvent): Record<string, unknown> | undefined {
    const tx = this.txs.get(ev.transactionId);
    if (!tx) return undefined;
    const ref = ev.refTransactionId ? this.refs.get(ev.refTransactionId) : undefined;
    return this.statusObject(randomUUID(), tx, ref);
  }

  status(req: StatusRequest): ApiResult {
    if (req.refTransactionId !== undefined) {
      const ref = this.refs.get(req.refTransactionId);
      const tx = ref ? this.txs.get(ref.txId) : undefined;
      if (!ref || !tx || (req.transactionId !== undefined && req.transactionId !== ref.txId)) {
        return { status: 200, body: { requestId: req.requestId, transactionId: req.transactionId ?? '', refTransactionId: req.refTransactionId, status: '' } };
      }
      this.advance(tx);
      return { status: 200, body: this.statusObject(req.requestId, tx, ref) };
    }
    const tx = this.txs.get(req.transactionId ?? '');
    if (!tx) return { status: 200, body: { requestId: req.requestId, transactionId: req.transactionId ?? '', status: '' } };
    this.advance(tx);
    return { status: 200, body: this.statusObject(req.requestId, tx) };
  }

  // ---------- receipt ----------

  receipt(req: ReceiptRequest): ApiResult {
    const tx = this.txs.get(req.transactionId) ?? this.txs.get(this.refs.get(req.transactionId)?.txId ?? '');
    if (!tx) return err(422, 'UNKNOWN_TRANSACTION_ID', `Транзакция с transactionId = ${req.transactionId} не найдена`);
    tx.receipts += 1;
    return { status: 200, body: null };
  }

  // ---------- cancel ----------

  private refResponse(requestId: string, tx: Tx, ref: RefOp): Record<string, unknown> {
    const o: Record<string, unknown> = { requestId, refTransactionId: ref.id, refStatus: ref.refStatus, transactionId: tx.id, status: tx.status };
    const slip = this.refSlip(tx, ref) ?? this.paymentSlip(tx);
    if (slip) o.slip = slip;
    if (ref.errorCode) o.errorCode = ref.errorCode;
    if (ref.details) o.details = ref.details;
    return o;
  }

  private newRef(tx: Tx, kind: 'cancel' | 'refund', amount: number, refStatus: RefStatus): RefOp {
    const ref: RefOp = { id: randomUUID(), kind, txId: tx.id, amount, refStatus, createdAt: this.opts.now(), slipId: randomUUID() };
    if (refStatus === 'accepted') ref.completedAt = ref.createdAt;
    this.refs.set(ref.id, ref);
    tx.refs.push(ref);
    if (kind === 'cancel') this.counters.cancels += 1;
    else this.counters.refunds += 1;
    return ref;
  }

  cancel(req: CancelRequest): ApiResult {
    const tx = this.txs.get(req.transactionId);
    if (!tx) return err(422, 'UNKNOWN_TRANSACTION_ID', cancelDeclineText.notFound(req.transactionId));
    this.advance(tx);
    if (tx.cancelInFlight) return err(422, 'TRANSACTION_IN_PROCESSING', 'Транзакция в обработке');
    if (tx.status === 'new' || tx.status === 'pending') {
      if (tx.scenario.asyncCancel) {
        const ref = this.newRef(tx, 'cancel', tx.amount, 'new');
        ref.completeAt = ref.createdAt + Math.max(0, this.opts.confirmDelayMs());
        tx.cancelInFlight = ref;
        this.emit({ transactionId: tx.id, refTransactionId: ref.id });
        this.opts.onDeadline?.(tx.id, ref.completeAt);
        return { status: 200, body: this.refResponse(req.requestId, tx, ref) };
      }
      const ref = this.newRef(tx, 'cancel', tx.amount, 'accepted');
      tx.status = 'canceled';
      tx.finalizedAt = ref.createdAt;
      this.emit({ transactionId: tx.id, refTransactionId: ref.id });
      return { status: 200, body: this.refResponse(req.requestId, tx, ref) };
    }
    const ref = this.newRef(tx, 'cancel', tx.amount, 'rejected');
    ref.details =
      tx.status === 'accepted' ? cancelDeclineText.approved(tx.id)
      : tx.status === 'canceled' ? cancelDeclineText.canceled(tx.id)
      : tx.status === 'rejected' ? cancelDeclineText.rejected(tx.id)
      : cancelDeclineText.refundState(tx.id);
    return { status: 200, body: this.refResponse(req.requestId, tx, ref) };
  }

  // ---------- refund ----------

  refund(req: RefundRequest): ApiResult {
    const tx = this.txs.get(req.transactionId);
    if (!tx) return err(422, 'UNKNOWN_TRANSACTION_ID', `Транзакция оплаты с transactionId = ${req.transactionId} не найдена`);
    const cur = currencyProblem(req.currency, req.items);
    if (cur) return err(400, 'INVALID_REQUEST', cur);
    this.advance(tx);
    const decline = (errorCode: string): ApiResult => {
      const ref = this.newRef(tx, 'refund', req.refundAmount, 'rejected');
      ref.errorCode = errorCode;
      return { status: 200, body: this.refResponse(req.requestId, tx, ref) };
    };
    if (tx.status === 'new' || tx.status === 'pending') return decline('PAYMENT_TRANSACTION_IS_NOT_PAID');
    if (tx.status === 'canceled' || tx.status === 'rejected' || tx.status === 'refunded') return decline('TERMINAL_STATE_OF_PAYMENT_TRANSACTION');
    if (tx.refundInFlight || tx.status === 'refunding') return decline('PAYMENT_TRANSACTION_IS_BEING_REFUNDED_ALREADY');
    if (req.refundAmount > tx.amount - tx.refunded - tx.reserved) return decline('REQUESTED_REFUND_AMOUNT_IS_GREATER_THAN_AVAILABLE');

    // Items: each must be a paid article; quantity within what is left; non-piece positions only whole.
    const quantities = new Map<string, number>();
    for (const it of req.items) quantities.set(it.article, (quantities.get(it.article) ?? 0) + it.quantity);
    for (const [article, qty] of quantities) {
      const paid = tx.items.filter((p) => p.article === article);
      if (paid.length === 0) return err(422, 'WRONG_TRANSACTION_STATE_CHANGE', `Позиция с article = ${article} отсутствует в оплате`);
      const paidQty = paid.reduce((s, p) => s + p.quantity, 0);
      // Reference §2.7 across refunds, as written: only returned items, only returned quantities — what earlier
      // refunds returned (or hold while they run) is no longer there to return. Items sold by measure: whole, once.
      const left = paidQty - (tx.refundedQty.get(article) ?? 0);
      if (qty > left + EPS) return err(422, 'WRONG_TRANSACTION_STATE_CHANGE', `Количество к возврату по article = ${article} (${qty}) больше доступного (${left})`);
      const nonPiece = paid.filter((p) => measureOf(p) !== 'PIECE');
      if (nonPiece.length > 0) {
        const requestedLines = req.items.filter((i) => i.article === article);
        const whole = requestedLines.every((i) => nonPiece.some((p) => Math.abs(p.quantity - i.quantity) < EPS));
        if (!whole) return err(422, 'WRONG_TRANSACTION_STATE_CHANGE', `Позицию с article = ${article} (мера ${measureOf(nonPiece[0] as Item)}) можно вернуть только целиком`);
      }
    }

    for (const [article, qty] of quantities) tx.refundedQty.set(article, (tx.refundedQty.get(article) ?? 0) + qty);
    if (tx.scenario.asyncRefund) {
      const ref = this.newRef(tx, 'refund', req.refundAmount, 'new');
      ref.quantities = quantities;
      ref.completeAt = ref.createdAt + Math.max(0, this.opts.confirmDelayMs());
      tx.reserved += ref.amount;
      tx.refundInFlight = ref;
      tx.status = 'refunding';
      this.emit({ transactionId: tx.id, refTransactionId: ref.id });
      this.opts.onDeadline?.(tx.id, ref.completeAt);
      return { status: 200, body: this.refResponse(req.requestId, tx, ref) };
    }
    const ref = this.newRef(tx, 'refund', req.refundAmount, 'accepted');
    ref.quantities = quantities;
    ref.operationId = this.refundOperationId(tx);
    tx.refunded += ref.amount;
    tx.status = tx.refunded >= tx.amount ? 'refunded' : 'partial_refunded';
    this.emit({ transactionId: tx.id, refTransactionId: ref.id });
    return { status: 200, body: this.refResponse(req.requestId, tx, ref) };
  }

  // ---------- test helpers ----------

  cardSessionOf(transactionId: string): string | undefined {
    const tx = this.txs.get(transactionId) ?? this.txs.get(this.refs.get(transactionId)?.txId ?? '');
    return tx?.cardSession;
  }

  transaction(transactionId: string): TransactionView | undefined {
    const tx = this.txs.get(transactionId);
    if (!tx) return undefined;
    this.advance(tx);
    return {
      status: tx.status,
      amount: tx.amount,
      refunded: tx.refunded,
      paymentType: tx.paymentType,
      cardSession: tx.cardSession,
      refunds: tx.refs.filter((r) => r.kind === 'refund').map((r) => ({ refTransactionId: r.id, amount: r.amount, refStatus: r.refStatus })),
    };
  }

  stats(): { checkouts: number; transactions: number; refunds: number; cancels: number } {
    return { checkouts: this.counters.checkouts, transactions: this.txs.size, refunds: this.counters.refunds, cancels: this.counters.cancels };
  }
}
