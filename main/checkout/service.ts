// The checkout service: the provider-neutral entry point for payments, cancels and refunds.
// It validates, enforces "one payment per order / per card session", commits the intent, and hands
// the operation to an actor that drives its state machine. On start it resumes every operation the
// journal holds in a non-final state, so nothing stays unknown after a crash.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  availabilityInputSchema, operationQuerySchema, payInputSchema, refundInputSchema,
  type AvailabilityInput, type AvailabilityResult, type OperationQuery, type OperationView, type PayInput, type RefundInput,
} from '../contract/checkout';
import type { CheckoutApi } from '../core/types';
import { PaydeskError, httpStatusKey, koshelekCodeKey, type ErrorKey } from '../errors/catalogue';
import type { OperationRow, OperationStore } from '../journal/operations';
import type { PaydeskConfig } from '../config/schema';
import type { ApiOutcome, KoshelekClient } from '../payapi/koshelek/client';
import { KoshelekPaymentDriver, KoshelekRefundDriver, PROVIDER } from '../payapi/koshelek/drivers';
import type { MachineEvent } from '../payapi/koshelek/machine-common';
import { initialPayment, type PaymentState } from '../payapi/koshelek/payment-machine';
import { parsePaymentState, parseRefundState, persistState } from '../payapi/koshelek/persisted';
import { initialRefund, type RefundState } from '../payapi/koshelek/refund-machine';
import type { ReceiptRequest, StatusResponse } from '../payapi/koshelek/wire';
import { failpoint } from './failpoints';
import { fromItemRows, planRefund, planSale, toItemRows, toWireItems } from './basket';
import { JOURNAL_BACKOFF_MAX_MS, JOURNAL_BACKOFF_MS, OperationActor, isolated, monotonicNow, type ActorHooks } from './runner';
import { operationView } from './views';

/** Decides which shift an operation belongs to (the shifts capability implements it). */
export interface ShiftPolicy {
  assignForOperation(kind: 'payment' | 'cancel' | 'refund'): number | null;
}

export interface CheckoutDeps {
  store: OperationStore;
  config: () => PaydeskConfig;
  /** The Pay API client for new work; operations keep the client they started with. */
  client: () => KoshelekClient;
  logger: Logger;
  shiftPolicy?: ShiftPolicy | undefined;
  now?: () => number;
  /**
   * The live connection's identity (environment + base URL + login, hashed), or why sales are blocked.
   * Absent (unit tests): one anonymous connection. docs/safety.md "connection identity".
   */
  connection?: () => { identity: string; client: KoshelekClient } | { blocked: PaydeskError };
  /** Null while the journal accepts writes; otherwise new sales are refused (docs/safety.md). */
  journalFault?: () => PaydeskError | null;
}

/** An operation resumes only on the connection it was started on. */
export function mayResumeOn(recorded: string | null | undefined, current: string | null): boolean {
  if (current === null) return false;
  // Operations journaled before identities were recorded resume on the current connection (upgrade path).
  if (recorded === undefined || recorded === null) return true;
  return recorded === current;
}

interface ActorHandle {
  dispatch(event: MachineEvent): void;
  whenFinal(): Promise<void>;
  stop(): void;
  start(): void;
}

/** How stale the status bar's parked count may get when nothing parked changed (the 24 h window ages). */
const PARKED_SUMMARY_TTL_MS = 15_000;

export class CheckoutService implements CheckoutApi {
  private readonly actors = new Map<string, ActorHandle>();
  private readonly heldIds = new Set<string>();
  private readonly unreadableIds = new Set<string>();
  private readonly listeners = new Set<(operation: OperationView) => void>();
  private parkedCache: { at: number; value: { open: number; endedPaid: number } } | null = null;
  private readonly now: () => number;

  /** Operations whose last journal write failed; while any, new sales are refused (docs/safety.md). */
  private readonly journalFailing = new Set<string>();
  private intentFailures = 0;
  private intentRetryAt = 0;
  private readonly journalListeners = new Set<(unavailable: boolean, error: string | null) => void>();

  constructor(private readonly deps: CheckoutDeps) {
    this.now = deps.now ?? monotonicNow;
  }

  /** Null while the journal takes writes; otherwise the error new sales get. */
  journalFault(): PaydeskError | null {
    const external = this.deps.journalFault?.() ?? null;
    if (external) return external;
    if (this.journalFailing.size > 0 || this.now() < this.intentRetryAt) return new PaydeskError('journal.unavailable');
    return null;
  }

  /** Told when the journal becomes unavailable and when it recovers. */
  onJournalHealth(listener: (unavailable: boolean, error: string | null) => void): () => void {
    this.journalListeners.add(listener);
    return () => this.journalListeners.delete(listener);
  }

  private journalChanged(wasFaulty: boolean, error: unknown): void {
    const faulty = this.journalFault() !== null;
    if (faulty === wasFaulty) return;
    for (const listener of this.journalListeners) isolated(() => undefined, () => listener(faulty, faulty ? String(error) : null));
  }

  // ---- availability (optional call, nothing journaled: no money moves) ----------------------

  async availability(raw: AvailabilityInput): Promise<AvailabilityResult> {
    const input = parseOr(availabilityInputSchema, raw);
    if (!input.card.cardSession) throw new PaydeskError('payment.no_card_session');
    const config = this.deps.config();
    const basket = planSale(input);
    const client = this.liveConnection().client;
    const request = {
      requestId: randomUUID(),
      cardSession: input.card.cardSession,
      storeId: config.till.storeId,
      terminalId: config.till.terminalId,
      checkoutInvoice: { orderId: input.orderId, totalAmount: basket.amountKop, currency: 'RUB' as const, items: toWireItems(basket.lines) },
      user: { loyaltyId: input.card.loyaltyId },
    };
    // Optional call, no money moves: one retry on no answer, then a clear next step (the cashier may go on
    // without it), never an endless "please wait" (docs/safety.md).
    let outcome = await client.availability(request);
    if (unanswered(outcome)) {
      await sleep(config.koshelek.timing.retryDelayMs);
      outcome = await client.availability(request);
    }
    if (unanswered(outcome)) throw new PaydeskError('availability.unavailable', outcome.kind === 'no_answer' ? outcome.fault : outcome.kind === 'http_error' ? `HTTP ${outcome.status}` : 'no answer');
    const data = outcome.kind === 'ok' ? outcome.data : throwFor(outcome);
    let list = data.kind === 'sync' ? data.data : null;
    if (data.kind === 'async') {
      // Deprecated since 1.2.0 but still answered by older servers: wait `timeout`, then poll.
      const until = this.now() + config.koshelek.timing.requestTimeoutMs * 2;
      let wait = data.timeoutMs;
      while (!list) {
        await sleep(Math.max(50, wait));
        if (this.now() > until) throw new PaydeskError('availability.unavailable', 'availability computation did not complete');
        const poll = await client.availabilityPoll(data.availabilityInfoId);
        const body = poll.kind === 'ok' ? poll.data : throwFor(poll);
        if (body.computationComplete && body.paymentTypeAvailabilityInfoList) {
          list = { koshelekPayIsDefault: body.koshelekPayIsDefault ?? false, paymentTypeAvailabilityInfoList: body.paymentTypeAvailabilityInfoList };
        }
        wait = body.pollingTimeout ?? 250;
      }
    }
    if (!list) throw new PaydeskError('response.invalid', 'no availability list');
    const answer = list;
    const known = new Set(config.koshelek.enums.paymentTypes);
    const methods = answer.paymentTypeAvailabilityInfoList.map((m) => ({
      paymentType: m.paymentType,
      available: m.available,
      known: known.has(m.paymentType),
      ...(m.message ? { message: m.message } : {}),
    }));
    for (const m of methods.filter((x) => !x.known)) this.deps.logger.warn({ paymentType: m.paymentType }, 'availability lists a payment type the config does not know');
    const firstAvailable = methods.find((m) => m.available && m.known)?.paymentType ?? null;
    return {
      koshelekPayIsDefault: answer.koshelekPayIsDefault,
      methods,
      autoStart: answer.koshelekPayIsDefault && config.koshelek.autoStartWhenDefault ? firstAvailable : null,
    };
  }

  // ---- payment ----------------------------------------------------------------------------

  /** Commits the intent, sends checkout, returns at once. Pressing Pay twice returns the same payment. */
  async pay(raw: PayInput): Promise<OperationView> {
    return this.payNow(raw);
  }

  /** Synchronous up to the moment the request leaves: no await between the check and the insert. */
  payNow(raw: PayInput): OperationView {
    const input = parseOr(payInputSchema, raw);
    const { store } = this.deps;
    const existing = store.livePayment(PROVIDER, input.orderId);
    if (existing) {
      // A double press, or a sale retried after a crash, is the same intent: the same payment. The same orderId
      // with another amount, card or method is another intent: refused, never merged (docs/safety.md).
      const amount = planSale(input).amountKop;
      if (existing.amount_kop !== amount || existing.card_session !== (input.card.cardSession ?? null) || (existing.payment_type !== input.paymentType && existing.is_final === 0)) {
        throw new PaydeskError('payment.order_conflict', `order ${input.orderId}: ${existing.amount_kop} kop already started`);
      }
      return this.view(existing);
    }
    const cardSession = input.card.cardSession;
    if (!cardSession) throw new PaydeskError('payment.no_card_session');
    const connection = this.liveConnection(); // blocked (no credentials…) or journal down: nothing is written
    const journalFault = this.journalFault();
    if (journalFault) throw journalFault;
    const config = this.deps.config();
    if (!config.koshelek.enums.paymentTypes.includes(input.paymentType)) throw new PaydeskError('payment.method_unknown', input.paymentType);
    const used = store.paymentByCardSession(PROVIDER, cardSession);
    if (used) throw new PaydeskError('payment.card_session_used', `order ${used.order_id}`);
    const basket = planSale(input);
    const shiftId = this.deps.shiftPolicy?.assignForOperation('payment') ?? null;
    const now = this.now();
    const id = randomUUID();
    const state = initialPayment({
      requestId: randomUUID(),
      orderId: input.orderId,
      amountKop: basket.amountKop,
      paymentType: input.paymentType,
      cardSession,
      loyaltyId: input.card.loyaltyId,
      storeId: config.till.storeId,
      terminalId: config.till.terminalId,
      paymentPurpose: config.koshelek.paymentPurpose ?? null,
      items: toWireItems(basket.lines),
      connectionId: connection.identity,
    }, now);
    const row = baseRow({
      id, kind: 'payment', parentId: null, shiftId, orderId: input.orderId, amountKop: basket.amountKop, phase: state.phase,
      requestId: state.ctx.requestId, paymentType: input.paymentType, cardSession, loyaltyId: input.card.loyaltyId,
      context: persistState(state), now,
    });
    try {
      store.insertIntent(row, toItemRows(id, basket.lines), { type: 'intent', endpoint: 'checkout', requestId: state.ctx.requestId, body: { orderId: input.orderId, amountKop: basket.amountKop, paymentType: input.paymentType } });
    } catch (error) {
      if (String(error).includes('UNIQUE')) {
        const again = store.livePayment(PROVIDER, input.orderId);
        if (again) return this.view(again);
        throw new PaydeskError('payment.card_session_used');
      }
      this.intentFailed(error);
      throw new PaydeskError('journal.unavailable', String(error));
    }
    this.intentSucceeded();
    failpoint('payment.after_intent');
    this.startPaymentActor(row, state, connection.client);
    return this.view(row);
  }

  async cancel(paymentOperationId: string): Promise<OperationView> {
    const row = this.deps.store.get(paymentOperationId);
    if (!row || row.kind !== 'payment') throw new PaydeskError('refund.payment_not_found', paymentOperationId);
    if (row.is_final === 1) return this.view(row);
    const actor = this.actors.get(row.id);
    actor?.dispatch({ type: 'cancel_requested' });
    return this.view(this.deps.store.get(row.id) ?? row);
  }

  async park(paymentOperationId: string): Promise<OperationView> {
    const row = this.deps.store.get(paymentOperationId);
    if (!row || row.kind !== 'payment') throw new PaydeskError('refund.payment_not_found', paymentOperationId);
    if (row.is_final === 0) this.actors.get(row.id)?.dispatch({ type: 'park' });
    this.parkedCache = null;
    return this.view(this.deps.store.get(row.id) ?? row);
  }

  /**
   * The status bar's parked count (asked on every operation event): cached until a parked operation changes,
   * and at most PARKED_SUMMARY_TTL_MS old so "ended paid in the last 24 h" ages out. A parked payment that
   * ends paid more than a week after it was made is not flagged here; the journal still shows it.
   */
  parkedSummary(): { open: number; endedPaid: number } {
    const now = Date.now();
    if (this.parkedCache && now - this.parkedCache.at < PARKED_SUMMARY_TTL_MS) return this.parkedCache.value;
    const endedSince = new Date(now - 86_400_000).toISOString();
    const createdSince = new Date(now - 8 * 86_400_000).toISOString();
    const { open, endedPaid } = this.deps.store.parkedPayments(endedSince, createdSince);
    const value = { open: open.length, endedPaid: endedPaid.length };
    this.parkedCache = { at: now, value };
    return value;
  }

  // ---- refund -----------------------------------------------------------------------------

  async refund(raw: RefundInput): Promise<OperationView> {
    const input = parseOr(refundInputSchema, raw);
    const { store } = this.deps;
    const payment = store.get(input.paymentOperationId);
    if (!payment || payment.kind !== 'payment') throw new PaydeskError('refund.payment_not_found', input.paymentOperationId);
    if (payment.outcome !== 'paid' || !payment.transaction_id) throw new PaydeskError('refund.not_paid', `payment is ${payment.phase}`);
    const siblings = store.children(payment.id).filter((c) => c.kind === 'refund');
    if (input.clientRequestKey) {
      // A sibling whose state does not parse cannot be compared: refuse rather than maybe refund twice.
      const keyed = siblings.map((c) => ({ row: c, parsed: parseRefundState(c.context_json) }));
      const unreadable = keyed.find((k) => !k.parsed.ok);
      if (unreadable && !unreadable.parsed.ok) throw this.unreadableState(unreadable.row, unreadable.parsed.reason);
      const same = keyed.find((k) => k.parsed.ok && k.parsed.state.ctx.clientRequestKey === input.clientRequestKey)?.row;
      if (same) {
        // A double press or a retried call is one refund; the same key with another amount is another intent.
        const sameItems = fromItemRows(store.items(same.id));
        const wanted = input.amountKop ?? null;
        const linesDiffer = input.lines !== undefined && JSON.stringify(input.lines.map((l) => [l.lineNo, l.quantity])) !== JSON.stringify(sameItems.map((l) => [l.lineNo, l.quantity]));
        if ((wanted !== null && wanted !== same.amount_kop) || linesDiffer) throw new PaydeskError('refund.key_conflict', `key ${input.clientRequestKey}: ${same.amount_kop} kop already requested`);
        return this.view(same);
      }
    }
    if (siblings.some((c) => c.is_final === 0)) throw new PaydeskError('refund.in_progress');
    const connection = this.liveConnection();
    const journalFault = this.journalFault();
    if (journalFault) throw journalFault;
    const paymentConnection = readConnectionId(payment.context_json);
    // A refund goes to the connection that took the money, never to another one.
    if (!mayResumeOn(paymentConnection, connection.identity)) throw new PaydeskError('refund.other_connection');
    const reserving = siblings.filter((c) => c.outcome === 'refunded');
    const refundable = payment.amount_kop - reserving.reduce((s, c) => s + c.amount_kop, 0);
    const already = reserving.flatMap((c) => fromItemRows(store.items(c.id)));
    const plan = planRefund(fromItemRows(store.items(payment.id)), payment.amount_kop, refundable, already, input);
    const config = this.deps.config();
    const shiftId = this.deps.shiftPolicy?.assignForOperation('refund') ?? null;
    const now = this.now();
    const id = randomUUID();
    const paymentParsed = parsePaymentState(payment.context_json);
    if (!paymentParsed.ok) throw this.unreadableState(payment, paymentParsed.reason);
    const paymentState = paymentParsed.state;
    const state = initialRefund({
      requestId: randomUUID(),
      paymentOperationId: payment.id,
      transactionId: payment.transaction_id,
      orderId: payment.order_id,
      amountKop: plan.amountKop,
      items: toWireItems(plan.lines),
      storeId: paymentState.ctx.storeId ?? config.till.storeId,
      terminalId: config.till.terminalId,
      paymentType: payment.payment_type,
      clientRequestKey: input.clientRequestKey ?? null,
      connectionId: connection.identity,
    }, now);
    const row = baseRow({
      id, kind: 'refund', parentId: payment.id, shiftId, orderId: payment.order_id, amountKop: plan.amountKop, phase: state.phase,
      requestId: state.ctx.requestId, paymentType: payment.payment_type, cardSession: null, loyaltyId: payment.loyalty_id,
      context: persistState(state), now,
    });
    row.transaction_id = payment.transaction_id;
    try {
      store.insertIntent(row, toItemRows(id, plan.lines), { type: 'intent', endpoint: 'refund', requestId: state.ctx.requestId, body: { amountKop: plan.amountKop, transactionId: payment.transaction_id } });
    } catch (error) {
      this.intentFailed(error);
      throw new PaydeskError('journal.unavailable', String(error));
    }
    this.intentSucceeded();
    failpoint('refund.after_intent');
    this.startRefundActor(row, state, connection.client);
    return this.view(row);
  }

  // ---- fiscal receipt to the customer's app (optional endpoint §2.5) -------------------------

  /**
   * Sends the fiscal receipt of a paid payment so the customer sees it in the Koshelek app. Optional and
   * harmless to repeat: unanswered sends are retried with the same requestId; the result is journaled on
   * the payment. Returns whether Koshelek accepted it.
   */
  async sendReceipt(paymentOperationId: string, invoice: ReceiptRequest['invoice'], attempts = 3): Promise<boolean> {
    const payment = this.deps.store.get(paymentOperationId);
    if (!payment || payment.kind !== 'payment' || payment.outcome !== 'paid' || !payment.transaction_id) throw new PaydeskError('refund.not_paid', paymentOperationId);
    const config = this.deps.config();
    const body: ReceiptRequest = { requestId: randomUUID(), transactionId: payment.transaction_id, storeId: config.till.storeId, terminalId: config.till.terminalId, invoice };
    const client = this.deps.client();
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const outcome = await client.receipt(body);
      const answered = outcome.kind === 'ok' || outcome.kind === 'api_error' || (outcome.kind === 'http_error' && outcome.status < 500 && outcome.status !== 429);
      this.deps.store.appendEvents(payment.id, [{ type: answered ? 'response' : 'fault', endpoint: 'receipt', requestId: body.requestId, httpStatus: 'status' in outcome ? outcome.status : null, body: { kind: outcome.kind, ...(outcome.kind === 'api_error' ? { code: outcome.code } : {}) } }]);
      if (answered) return outcome.kind === 'ok';
      await sleep(this.deps.config().koshelek.timing.retryDelayMs * attempt);
    }
    return false;
  }

  // ---- reading ----------------------------------------------------------------------------

  get(operationId: string): OperationView | null {
    const row = this.deps.store.get(operationId);
    return row ? this.view(row) : null;
  }

  query(raw: OperationQuery): OperationView[] {
    const q = operationQuerySchema.parse(raw);
    // A local calendar day (the till's time zone), as the cashier means it.
    const start = q.date ? new Date(`${q.date}T00:00:00`) : null;
    const rows = this.deps.store.find({
      ...(q.orderId ? { orderId: q.orderId } : {}),
      ...(q.transactionId ? { transactionId: q.transactionId } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(start ? { createdFrom: start.toISOString(), createdBefore: new Date(start.getTime() + 86_400_000).toISOString() } : {}),
      limit: q.limit,
    });
    return rows.map((r) => this.view(r));
  }

  async waitFinal(operationId: string, timeoutMs = 60_000): Promise<OperationView> {
    const actor = this.actors.get(operationId);
    if (actor) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([actor.whenFinal(), new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
      if (timer) clearTimeout(timer);
    }
    const view = this.get(operationId);
    if (!view) throw new PaydeskError('refund.payment_not_found', operationId);
    return view;
  }

  onUpdate(listener: (operation: OperationView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Operations in flight (for the shell's busy state and shutdown). */
  inFlight(): number {
    return this.actors.size;
  }

  // ---- recovery and postbacks --------------------------------------------------------------

  /**
   * Resume every payment and refund the journal holds unfinished, each only on the connection it was started
   * on; the others are held (left untouched, listed by held()) until that connection is configured again.
   * Returns how many were resumed. Safe to call again (after a connection switch).
   */
  resumeOpen(): number {
    const open = this.deps.store.open();
    const live = this.connectionOrBlocked();
    let resumed = 0;
    for (const row of open) {
      if (this.actors.has(row.id)) continue;
      // Parsed with the versioned schema before anything is sent: a corrupted row or one a newer Paydesk
      // wrote is never resumed blindly — held for IT, like one waiting for its connection (docs/safety.md).
      const payment = row.kind === 'payment' ? parsePaymentState(row.context_json) : null;
      const refund = row.kind === 'refund' ? parseRefundState(row.context_json) : null;
      const failed = payment && !payment.ok ? payment : refund && !refund.ok ? refund : null;
      if (failed) {
        this.holdUnreadable(row, failed.reason);
        continue;
      }
      this.unreadableIds.delete(row.id);
      const recorded = readConnectionId(row.context_json);
      const identity = 'identity' in live ? live.identity : null;
      if (!mayResumeOn(recorded, identity) || !('client' in live)) {
        if (!this.heldIds.has(row.id)) {
          this.heldIds.add(row.id);
          try {
            this.deps.store.appendEvents(row.id, [{ type: 'note', body: { held: 'needs_original_connection', recordedConnection: recorded ?? null, currentConnection: identity } }]);
          } catch (error) {
            this.deps.logger.error({ operationId: row.id, err: String(error) }, 'cannot journal a held operation');
          }
          this.deps.logger.error({ operationId: row.id, kind: row.kind, phase: row.phase }, 'operation needs its original connection: not resumed');
        }
        continue;
      }
      this.heldIds.delete(row.id);
      row.recovered = 1;
      try {
        if (payment?.ok) {
          this.deps.store.write({ row, events: [{ type: 'recovered', phaseFrom: row.phase, phaseTo: payment.state.phase }] });
          this.startPaymentActor(row, payment.state, live.client);
        } else if (refund?.ok) {
          this.deps.store.write({ row, events: [{ type: 'recovered', phaseFrom: row.phase, phaseTo: refund.state.phase }] });
          this.startRefundActor(row, refund.state, live.client);
        }
        resumed += 1;
        this.deps.logger.info({ operationId: row.id, kind: row.kind, phase: row.phase }, 'resumed unfinished operation');
      } catch (error) {
        this.deps.logger.error({ operationId: row.id, err: String(error) }, 'cannot resume operation');
      }
    }
    return resumed;
  }

  /** Unfinished operations that wait for their original connection (never auto-finished, never sent elsewhere). */
  held(): string[] {
    return [...this.heldIds];
  }

  /** Unfinished operations whose persisted state does not parse (corrupted, or another version): IT must look. */
  unreadable(): string[] {
    return [...this.unreadableIds];
  }

  private holdUnreadable(row: OperationRow, reason: string): void {
    if (this.unreadableIds.has(row.id)) return;
    this.unreadableIds.add(row.id);
    try {
      this.deps.store.appendEvents(row.id, [{ type: 'note', body: { held: 'state_unreadable', reason } }]);
    } catch (error) {
      this.deps.logger.error({ operationId: row.id, err: String(error) }, 'cannot journal a held operation');
    }
    this.deps.logger.error({ operationId: row.id, kind: row.kind, phase: row.phase, reason }, 'operation state unreadable (corrupted or another Paydesk version): not resumed, needs IT');
  }

  private unreadableState(row: OperationRow, reason: string): PaydeskError {
    this.deps.logger.error({ operationId: row.id, kind: row.kind, reason }, 'operation state unreadable: refused to act on it');
    return new PaydeskError('operation.state_unreadable', `operation ${row.id}: ${reason}`);
  }

  /** A status object pushed by Koshelek. Returns whether an operation took it. */
  handlePostback(data: StatusResponse): boolean {
    const rows = this.deps.store.openByProviderIds(data.transactionId ?? '', data.refTransactionId ?? '');
    let taken = false;
    for (const row of rows) {
      const target = row.kind === 'cancel' ? row.parent_id : row.id;
      const actor = target ? this.actors.get(target) : undefined;
      if (actor) {
        try {
          this.deps.store.appendEvents(row.id, [{ type: 'postback', endpoint: 'postback', body: data }]);
        } catch (error) {
          this.deps.logger.error({ operationId: row.id, err: String(error) }, 'cannot journal a postback');
        }
        actor.dispatch({ type: 'postback', data });
        taken = true;
      }
    }
    return taken;
  }

  close(): void {
    for (const actor of this.actors.values()) actor.stop();
    this.actors.clear();
  }

  // ---- internals --------------------------------------------------------------------------

  private intentFailed(error: unknown): void {
    const was = this.journalFault() !== null;
    this.intentFailures += 1;
    // The next sale may try again only after a growing pause: one insert per pause, never a storm.
    this.intentRetryAt = this.now() + Math.min(JOURNAL_BACKOFF_MS * 2 ** (this.intentFailures - 1), JOURNAL_BACKOFF_MAX_MS);
    this.deps.logger.error({ err: String(error) }, 'journal refused an intent: new sales refused for a while');
    this.journalChanged(was, error);
  }

  private intentSucceeded(): void {
    if (this.intentFailures === 0) return;
    const was = this.journalFault() !== null;
    this.intentFailures = 0;
    this.intentRetryAt = 0;
    this.journalChanged(was, null);
  }

  private hooks<S>(): ActorHooks<S> {
    return {
      onChange: (operationId) => this.emit(operationId),
      onError: (operationId, error) => this.deps.logger.error({ operationId, err: String(error) }, 'operation step failed'),
      onSettled: (operationId) => {
        this.actors.delete(operationId);
      },
      onJournal: (operationId, failing, error) => {
        const was = this.journalFault() !== null;
        if (failing) this.journalFailing.add(operationId);
        else this.journalFailing.delete(operationId);
        this.journalChanged(was, error);
      },
    };
  }

  private connectionOrBlocked(): { identity: string; client: KoshelekClient } | { blocked: PaydeskError } {
    if (this.deps.connection) return this.deps.connection();
    try {
      return { identity: 'default', client: this.deps.client() };
    } catch (error) {
      return { blocked: error instanceof PaydeskError ? error : new PaydeskError('internal.unexpected', String(error)) };
    }
  }

  /** The connection new work goes to; throws the blocking reason (red status, instruction for IT). */
  private liveConnection(): { identity: string; client: KoshelekClient } {
    const live = this.connectionOrBlocked();
    if ('blocked' in live) throw live.blocked;
    return live;
  }

  private startPaymentActor(row: OperationRow, state: PaymentState, client: KoshelekClient): void {
    const config = this.deps.config();
    const driver = new KoshelekPaymentDriver(row.id, row, { client, timing: config.koshelek.timing, enums: config.koshelek.enums, now: this.now });
    const actor = new OperationActor<PaymentState, MachineEvent>(state, driver, this.deps.store, this.hooks<PaymentState>(), this.now);
    this.actors.set(row.id, actor);
    actor.start();
  }

  private startRefundActor(row: OperationRow, state: RefundState, client: KoshelekClient): void {
    const config = this.deps.config();
    const driver = new KoshelekRefundDriver(row.id, row, { client, timing: config.koshelek.timing, enums: config.koshelek.enums, now: this.now });
    const actor = new OperationActor<RefundState, MachineEvent>(state, driver, this.deps.store, this.hooks<RefundState>(), this.now);
    this.actors.set(row.id, actor);
    actor.start();
  }

  private emit(operationId: string): void {
    const row = this.deps.store.get(operationId);
    if (!row) return;
    if (this.parkedCache && row.context_json.includes('"parkedAt":')) this.parkedCache = null;
    if (this.listeners.size === 0) return;
    const view = this.view(row);
    // An observer's exception stays with it: it must never reach the actor that is moving money.
    const report = (error: unknown) => this.deps.logger.error({ operationId, err: String(error) }, 'an update listener failed');
    for (const listener of this.listeners) isolated(report, () => listener(view));
    if (row.parent_id) {
      const parent = this.get(row.parent_id);
      if (parent) for (const listener of this.listeners) isolated(report, () => listener(parent));
    }
  }

  private view(row: OperationRow): OperationView {
    const { store } = this.deps;
    return operationView({
      row,
      items: store.items(row.id),
      slip: store.slip(row.id),
      children: row.kind === 'payment' ? store.children(row.id) : [],
      notPaidRetryMinutes: this.deps.config().koshelek.timing.notPaidRetryMinutes,
      finalStatusSeconds: Math.round(this.deps.config().koshelek.timing.finalStatusTimeoutMs / 1000),
      held: this.unreadableIds.has(row.id) ? 'unreadable' : this.heldIds.has(row.id) ? 'connection' : null,
    });
  }
}

function baseRow(a: {
  id: string; kind: OperationRow['kind']; parentId: string | null; shiftId: number | null; orderId: string; amountKop: number; phase: string;
  requestId: string; paymentType: string | null; cardSession: string | null; loyaltyId: string | null; context: string; now: number;
}): OperationRow {
  const at = new Date(a.now).toISOString();
  return {
    id: a.id, kind: a.kind, provider: PROVIDER, parent_id: a.parentId, shift_id: a.shiftId, order_id: a.orderId, amount_kop: a.amountKop,
    currency: 'RUB', phase: a.phase, is_final: 0, outcome: null, request_id: a.requestId, transaction_id: null, ref_transaction_id: null,
    payment_type: a.paymentType, provider_status: null, provider_ref_status: null, error_code: null, error_key: null, card_session: a.cardSession,
    loyalty_id: a.loyaltyId, attempts: 0, context_json: a.context, created_at: at, updated_at: at, finished_at: null, recovered: 0,
  };
}

const UNREADABLE = '!unreadable-state';

/** The connection identity an operation recorded in its persisted state (absent before identities existed). */
export function readConnectionId(contextJson: string): string | null | undefined {
  try {
    const parsed: unknown = JSON.parse(contextJson);
    const ctx = parsed !== null && typeof parsed === 'object' ? (parsed as { ctx?: unknown }).ctx : undefined;
    const id = ctx !== null && typeof ctx === 'object' ? (ctx as { connectionId?: unknown }).connectionId : undefined;
    return typeof id === 'string' ? id : id === null ? null : undefined;
  } catch {
    return UNREADABLE; // unreadable state: never resumed blindly
  }
}

function parseOr<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new PaydeskError('ipc.invalid', issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'invalid input');
}

function throwFor(outcome: Exclude<ApiOutcome<unknown>, { kind: 'ok' }>): never {
  let key: ErrorKey;
  switch (outcome.kind) {
    case 'api_error':
      throw new PaydeskError(koshelekCodeKey(outcome.code), outcome.details ?? outcome.code);
    case 'http_error':
      key = httpStatusKey(outcome.status);
      throw new PaydeskError(key, `HTTP ${outcome.status}`);
    case 'invalid_response':
      throw new PaydeskError('response.invalid', outcome.problem);
    case 'no_answer':
      throw new PaydeskError(`network.${outcome.fault}` as ErrorKey, outcome.message);
    default:
      throw new PaydeskError('internal.unexpected');
  }
}

function unanswered(outcome: ApiOutcome<unknown>): boolean {
  return outcome.kind === 'no_answer' || outcome.kind === 'invalid_response' || (outcome.kind === 'http_error' && (outcome.status >= 500 || outcome.status === 429));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
