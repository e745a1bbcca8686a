// The checkout service: the provider-neutral entry point for payments, cancels and refunds.
// It validates, enforces "one payment per order / per pay token", commits the intent, and hands the
// operation to an actor that drives its provider's state machine. Every source of news about an operation
// (request answers, polls, pushed news, the cashier's cancel, recovery) enters through that actor's one
// serial lane and the same reducer. On start it resumes every operation the journal holds unfinished, so
// nothing stays unknown after a crash. It knows no provider: they come from the composition root as
// CheckoutProvider (main/providers/types.ts; docs/providers.md).
import type { ProviderTokenFormat } from '../barcode/tokens';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  availabilityInputSchema, extraChargeInputSchema, operationQuerySchema, payInputSchema, refundInputSchema,
  type AvailabilityInput, type AvailabilityResult, type ExtraChargeInput, type OperationQuery, type OperationView, type PayInput, type PaymentMethodView, type ReceiptView, type RefundInput,
} from '../contract/checkout';
import type { CheckoutApi } from '../core/types';
import { describeError, PaydeskError } from '../errors/catalogue';
import type { OperationRow, OperationStore } from '../journal/operations';
import type { CardOnFile, CheckoutProvider, PackedRun, ScannedCard } from '../providers/types';
import { failpoint } from './failpoints';
import { fromItemRows, planRefund, planSale, toItemRows } from './basket';
import { JOURNAL_BACKOFF_MAX_MS, JOURNAL_BACKOFF_MS, OperationActor, isolated, monotonicNow, type ActorHooks } from './runner';
import { operationView } from './views';

/** Decides which shift an operation belongs to (the shifts capability implements it). */
/** Core-side choices a sale cannot carry over the wire (the provider's own saved-card id never reaches the renderer). */
export interface PayOptions {
  cardOnFile?: CardOnFile | null;
}

export interface ShiftPolicy {
  assignForOperation(kind: 'payment' | 'cancel' | 'refund'): number | null;
}

export interface CheckoutDeps {
  store: OperationStore;
  /** The providers the config enables, in the config's order (rebuilt by the composition root on edits). */
  providers: () => readonly CheckoutProvider[];
  logger: Logger;
  shiftPolicy?: ShiftPolicy | undefined;
  now?: () => number;
  /** Null while the journal accepts writes; otherwise new sales are refused (docs/safety.md). */
  journalFault?: () => PaydeskError | null;
  /** The fiscal receipt's state for an operation's view (neutral port; the composition root wires the outbox). */
  receiptOf?: (row: OperationRow) => ReceiptView | null;
  /** Checks a sale's basket before anything is written (a line its receipt would refuse stops the sale); throws PaydeskError. */
  checkSale?: (sale: { provider: string; lines: readonly SaleLineFacts[] }) => void;
}

/** A planned basket line as the sale check sees it (kopecks). */
export interface SaleLineFacts {
  name: string;
  article: string;
  priceKop: number;
  quantity: number;
  measure: string;
  totalKop: number;
  tax: string;
}

/** An operation resumes only on the connection it was started on. */
export function mayResumeOn(recorded: string | null | undefined, current: string | null): boolean {
  if (current === null) return false;
  // Operations journaled before identities were recorded resume on the current connection (upgrade path).
  if (recorded === undefined || recorded === null) return true;
  return recorded === current;
}

/** The neutral side of a running actor: the provider's own events stay inside its PackedRun. */
interface ActorHandle {
  cancel(): boolean;
  park(): boolean;
  news(data: unknown): boolean;
  whenFinal(): Promise<void>;
  stop(): void;
}

type HeldReason = 'connection' | 'unreadable';

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

  // ---- providers and methods ------------------------------------------------------------------

  /** Every method the cashier may choose, in config order, with whether it can start now. */
  methods(): PaymentMethodView[] {
    return this.deps.providers().flatMap((p) => {
      const live = p.connection();
      const notReady = 'blocked' in live ? live.blocked : (p.startProblem?.() ?? null);
      const problem = notReady ? describeError(notReady.key, notReady.details) : null;
      return p.methods().map((m) => ({
        provider: p.name, providerTitle: p.titleRu, method: m.id, titleRu: m.titleRu, needsCardScan: m.needsCardScan, ready: problem === null, problem,
        primary: m.primary ?? false, currency: m.currency ?? 'RUB', ...(m.cardOrigin ? { cardOrigin: m.cardOrigin } : {}),
      }));
    });
  }

  /** Every configured provider's pay-token barcode formats, tagged with the provider (the scanner asks them). */
  tokenFormats(): ProviderTokenFormat[] {
    return this.deps.providers().flatMap((p) => (p.tokenFormats ?? []).map((f) => ({ provider: p.name, name: f.name, parse: (code: string) => f.parse(code) })));
  }

  private provider(name: string): CheckoutProvider | null {
    return this.deps.providers().find((p) => p.name === name) ?? null;
  }

  /** The provider a sale names, or the one that offers its method (method ids are unique across providers). */
  private providerFor(name: string | undefined, method: string | null): CheckoutProvider {
    const providers = this.deps.providers();
    if (name !== undefined) {
      const named = providers.find((p) => p.name === name);
      if (!named) throw new PaydeskError('payment.method_unknown', `provider ${name} is not configured`);
      return named;
    }
    const offering = method === null ? providers.find((p) => p.availability !== null) : providers.find((p) => p.methods().some((m) => m.id === method));
    if (!offering) throw new PaydeskError('payment.method_unknown', method ?? 'no provider');
    return offering;
  }

  // ---- availability (optional call, nothing journaled: no money moves) ----------------------

  async availability(raw: AvailabilityInput): Promise<AvailabilityResult> {
    const input = parseOr(availabilityInputSchema, raw);
    const provider = this.providerFor(input.provider, null);
    if (!provider.availability) throw new PaydeskError('payment.method_unknown', `${provider.name} has no availability check`);
    const live = provider.connection();
    if ('blocked' in live) throw live.blocked;
    const basket = planSale(input);
    return provider.availability({ orderId: input.orderId, amountMinor: basket.amountKop, lines: basket.lines, card: scanned(input.card) });
  }

  // ---- payment ----------------------------------------------------------------------------

  /** Commits the intent, starts the provider's action, returns at once. Pressing Pay twice returns the same payment. */
  async pay(raw: PayInput, options: PayOptions = {}): Promise<OperationView> {
    return this.payNow(raw, options);
  }

  /** Synchronous up to the moment the request leaves: no await between the check and the insert. */
  payNow(raw: PayInput, options: PayOptions = {}): OperationView {
    const input = parseOr(payInputSchema, raw);
    const { store } = this.deps;
    const provider = this.providerFor(input.provider, input.paymentType);
    const card = scanned(input.card);
    const cardOnFile = options.cardOnFile ?? null;
    if (cardOnFile && !provider.savedCards) throw new PaydeskError('saved_card.not_supported', provider.name);
    if (cardOnFile && !card) throw new PaydeskError('saved_card.customer_required');
    // One live (or paid) payment per order across every provider: a sale is never charged twice by two systems.
    const existing = store.livePayment(input.orderId);
    if (existing && existing.provider !== provider.name) throw new PaydeskError('payment.order_conflict', `order ${input.orderId}: a ${existing.provider} payment is ${existing.outcome ?? 'in progress'}`);
    if (existing) {
      // A double press, or a sale retried after a crash, is the same intent: the same payment. The same orderId
      // with another amount, card or method is another intent: refused, never merged (docs/safety.md).
      const amount = planSale(input).amountKop;
      if (existing.amount_kop !== amount || existing.pay_token !== (card?.payToken ?? null) || (existing.payment_type !== null && existing.payment_type !== input.paymentType && existing.is_final === 0)) {
        throw new PaydeskError('payment.order_conflict', `order ${input.orderId}: ${existing.amount_kop} kop already started`);
      }
      return this.view(existing);
    }
    const live = provider.connection(); // blocked (no credentials…) or journal down: nothing is written
    if ('blocked' in live) throw live.blocked;
    const notReady = provider.startProblem?.() ?? null;
    if (notReady) throw notReady;
    const journalFault = this.journalFault();
    if (journalFault) throw journalFault;
    if (card?.payToken) {
      const used = store.paymentByPayToken(provider.name, card.payToken);
      if (used) throw new PaydeskError('payment.card_session_used', `order ${used.order_id}`);
    }
    const basket = planSale(input);
    this.deps.checkSale?.({ provider: provider.name, lines: basket.lines });
    const now = this.now();
    const id = randomUUID();
    const operationExternalId = randomUUID();
    // The provider validates the method and the card before anything is written or a shift is opened.
    const started = provider.payments.begin({
      operationId: id, operationExternalId, orderId: input.orderId, amountMinor: basket.amountKop, lines: basket.lines,
      shiftId: null, methodId: input.paymentType, card, connectionId: live.identity, cardOnFile,
    }, now);
    const row = started.row;
    row.shift_id = this.deps.shiftPolicy?.assignForOperation('payment') ?? null;
    try {
      store.insertIntent(row, toItemRows(id, basket.lines), started.event);
    } catch (error) {
      if (String(error).includes('UNIQUE')) {
        const again = store.livePayment(input.orderId);
        if (again) return this.view(again);
        throw new PaydeskError('payment.card_session_used');
      }
      this.intentFailed(error);
      throw new PaydeskError('journal.unavailable', String(error));
    }
    this.intentSucceeded();
    failpoint('payment.after_intent');
    // The request goes first: the actor performs its first step synchronously, so the request is handed to the
    // transport before startActor returns; the log line and the view come after (docs/architecture.md). Its bytes
    // leave a tick later at the earliest (Node writes once the socket is assigned, warm or cold), so a kill at
    // payment.after_send finds nothing sent; a kill with the request on the wire is an outside one (docs/safety.md).
    this.startActor(row.id, started.run, false);
    failpoint('payment.after_send');
    this.deps.logger.info({ operationId: id, operationExternalId, provider: provider.name, orderId: input.orderId }, 'payment intent committed');
    return this.view(row);
  }

  async cancel(paymentOperationId: string): Promise<OperationView> {
    const row = this.deps.store.get(paymentOperationId);
    if (!row || row.kind !== 'payment') throw new PaydeskError('refund.payment_not_found', paymentOperationId);
    if (row.is_final === 1) return this.view(row);
    this.actors.get(row.id)?.cancel();
    return this.view(this.deps.store.get(row.id) ?? row);
  }

  async park(paymentOperationId: string): Promise<OperationView> {
    const row = this.deps.store.get(paymentOperationId);
    if (!row || row.kind !== 'payment') throw new PaydeskError('refund.payment_not_found', paymentOperationId);
    if (row.is_final === 0) this.actors.get(row.id)?.park();
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
    if (payment.outcome !== 'paid') throw new PaydeskError('refund.not_paid', `payment is ${payment.phase}`);
    const provider = this.provider(payment.provider);
    const refunds = provider?.refunds ?? null;
    if (!provider || !refunds) throw new PaydeskError('refund.not_supported', `${payment.provider} refunds are made outside the till`);
    const siblings = store.children(payment.id).filter((c) => c.kind === 'refund');
    if (input.clientRequestKey) {
      // A sibling whose state does not parse cannot be compared: refuse rather than maybe refund twice.
      const keyed = siblings.map((c) => ({ row: c, parsed: refunds.clientKey(c) }));
      for (const k of keyed) if (!k.parsed.ok) throw this.unreadableState(k.row, k.parsed.reason);
      const same = keyed.find((k) => k.parsed.ok && k.parsed.key === input.clientRequestKey)?.row;
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
    const live = provider.connection();
    if ('blocked' in live) throw live.blocked;
    const journalFault = this.journalFault();
    if (journalFault) throw journalFault;
    // A refund goes to the connection that took the money, never to another one.
    if (!mayResumeOn(readConnectionId(payment.context_json), live.identity)) throw new PaydeskError('refund.other_connection');
    const reserving = siblings.filter((c) => c.outcome === 'refunded');
    const refundable = payment.amount_kop - reserving.reduce((s, c) => s + c.amount_kop, 0);
    const already = reserving.flatMap((c) => fromItemRows(store.items(c.id)));
    const plan = planRefund(fromItemRows(store.items(payment.id)), payment.amount_kop, refundable, already, input);
    const id = randomUUID();
    const started = refunds.begin({
      operationId: id, payment, amountMinor: plan.amountKop, lines: plan.lines, shiftId: null,
      clientRequestKey: input.clientRequestKey ?? null, connectionId: live.identity,
    }, this.now());
    const row = started.row;
    row.shift_id = this.deps.shiftPolicy?.assignForOperation('refund') ?? null;
    try {
      store.insertIntent(row, toItemRows(id, plan.lines), started.event);
    } catch (error) {
      this.intentFailed(error);
      throw new PaydeskError('journal.unavailable', String(error));
    }
    this.intentSucceeded();
    failpoint('refund.after_intent');
    this.startActor(row.id, started.run, false);
    return this.view(row);
  }

  // ---- extra charge (optional capability): a basket that grew after payment ----------------------

  /**
   * A new payment of the same sale, linked to the paid original (parent_id), through the original's provider
   * and connection. Its journal order id is the original's with a `+n` suffix (one live payment per order id).
   * A double press (same clientRequestKey) is one charge; a second one while one is open is refused.
   */
  async extraCharge(raw: ExtraChargeInput): Promise<OperationView> {
    const input = parseOr(extraChargeInputSchema, raw);
    const { store } = this.deps;
    const payment = store.get(input.paymentOperationId);
    if (!payment || payment.kind !== 'payment' || payment.parent_id !== null) throw new PaydeskError('refund.payment_not_found', input.paymentOperationId);
    if (payment.outcome !== 'paid') throw new PaydeskError('refund.not_paid', `payment is ${payment.phase}`);
    const provider = this.provider(payment.provider);
    const extras = provider?.extraCharges ?? null;
    if (!provider || !extras) throw new PaydeskError('payment.extra_not_supported', payment.provider);
    const siblings = store.children(payment.id).filter((c) => c.kind === 'payment');
    if (input.clientRequestKey) {
      for (const c of siblings) {
        const parsed = extras.clientKey(c);
        if (!parsed.ok) throw this.unreadableState(c, parsed.reason);
        if (parsed.key !== input.clientRequestKey) continue;
        if (c.amount_kop !== input.amountKop) throw new PaydeskError('refund.key_conflict', `key ${input.clientRequestKey}: ${c.amount_kop} kop already requested`);
        return this.view(c);
      }
    }
    if (siblings.some((c) => c.is_final === 0)) throw new PaydeskError('payment.extra_in_progress');
    const live = provider.connection();
    if ('blocked' in live) throw live.blocked;
    const journalFault = this.journalFault();
    if (journalFault) throw journalFault;
    if (!mayResumeOn(readConnectionId(payment.context_json), live.identity)) throw new PaydeskError('refund.other_connection');
    const basket = planSale({ amountKop: input.amountKop });
    const id = randomUUID();
    const started = extras.begin({
      operationId: id, operationExternalId: randomUUID(), payment, orderId: `${payment.order_id}+${siblings.length + 1}`, amountMinor: basket.amountKop,
      lines: basket.lines, shiftId: null, clientRequestKey: input.clientRequestKey ?? null, connectionId: live.identity,
    }, this.now());
    const row = started.row;
    row.shift_id = this.deps.shiftPolicy?.assignForOperation('payment') ?? null;
    try {
      store.insertIntent(row, toItemRows(id, basket.lines), started.event);
    } catch (error) {
      this.intentFailed(error);
      throw new PaydeskError('journal.unavailable', String(error));
    }
    this.intentSucceeded();
    this.deps.logger.info({ operationId: id, parentId: payment.id, provider: provider.name, amountKop: row.amount_kop }, 'extra charge intent committed');
    failpoint('payment.after_intent');
    this.startActor(row.id, started.run, false);
    return this.view(row);
  }

  // ---- fiscal receipt to the provider (optional capability) ----------------------------------

  /** Sends a paid payment's receipt to its provider (the customer sees it in the provider's app); journaled on the payment. */
  async sendReceipt(paymentOperationId: string, invoice: unknown): Promise<boolean> {
    const payment = this.deps.store.get(paymentOperationId);
    if (!payment || payment.kind !== 'payment' || payment.outcome !== 'paid' || !payment.transaction_id) throw new PaydeskError('refund.not_paid', paymentOperationId);
    const provider = this.provider(payment.provider);
    if (!provider?.receipts) throw new PaydeskError('refund.not_supported', `${payment.provider} takes no receipts`);
    const result = await provider.receipts(payment, invoice);
    if (result.events.length > 0) this.deps.store.appendEvents(payment.id, result.events);
    return result.accepted;
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

  // ---- recovery and pushed news -----------------------------------------------------------------

  /**
   * Resume every payment and refund the journal holds unfinished, each only through its own provider and on
   * the connection it was started on; the others are held (left untouched, listed by held()) until that
   * provider and connection are configured again. Returns how many were resumed. Safe to call again.
   */
  resumeOpen(): number {
    let resumed = 0;
    for (const row of this.deps.store.open()) {
      if (this.actors.has(row.id)) continue;
      const provider = this.provider(row.provider);
      const factory = provider ? (row.kind === 'refund' ? provider.refunds : provider.payments) : null;
      if (!provider || !factory) {
        this.hold(row, 'connection', { held: 'provider_not_configured', provider: row.provider });
        continue;
      }
      const live = provider.connection();
      const recorded = readConnectionId(row.context_json);
      if (recorded === UNREADABLE) {
        this.hold(row, 'unreadable', { held: 'state_unreadable', reason: 'not JSON' });
        continue;
      }
      const identity = 'identity' in live ? live.identity : null;
      if (!mayResumeOn(recorded, identity)) {
        this.hold(row, 'connection', { held: 'needs_original_connection', recordedConnection: recorded ?? null, currentConnection: identity });
        continue;
      }
      // Parsed with the provider's versioned schema before anything is sent: a corrupted row or one a newer
      // Paydesk wrote is never resumed blindly — held for IT (docs/safety.md).
      let parsed;
      try {
        parsed = factory.resume(row);
      } catch (error) {
        parsed = { ok: false as const, reason: error instanceof PaydeskError ? error.key : 'cannot resume' };
      }
      if (!parsed.ok) {
        this.hold(row, 'unreadable', { held: 'state_unreadable', reason: parsed.reason });
        continue;
      }
      this.heldIds.delete(row.id);
      this.unreadableIds.delete(row.id);
      row.recovered = 1;
      try {
        this.deps.store.write({ row, events: [{ type: 'recovered', phaseFrom: row.phase, phaseTo: parsed.phase }] });
        this.startActor(row.id, parsed.run, true);
        resumed += 1;
        this.deps.logger.info({ operationId: row.id, operationExternalId: row.request_id, provider: row.provider, kind: row.kind, phase: row.phase }, 'resumed unfinished operation');
      } catch (error) {
        this.deps.logger.error({ operationId: row.id, err: String(error) }, 'cannot resume operation');
      }
    }
    return resumed;
  }

  /** Unfinished operations that wait for their provider or original connection (never auto-finished, never sent elsewhere). */
  held(): string[] {
    return [...this.heldIds];
  }

  /** Unfinished operations whose persisted state does not parse (corrupted, or another version): IT must look. */
  unreadable(): string[] {
    return [...this.unreadableIds];
  }

  private hold(row: OperationRow, reason: HeldReason, note: Record<string, unknown>): void {
    const ids = reason === 'unreadable' ? this.unreadableIds : this.heldIds;
    if (ids.has(row.id)) return;
    ids.add(row.id);
    try {
      this.deps.store.appendEvents(row.id, [{ type: 'note', body: note }]);
    } catch (error) {
      this.deps.logger.error({ operationId: row.id, err: String(error) }, 'cannot journal a held operation');
    }
    this.deps.logger.error({ operationId: row.id, provider: row.provider, kind: row.kind, phase: row.phase, ...note }, reason === 'unreadable'
      ? 'operation state unreadable (corrupted or another Paydesk version): not resumed, needs IT'
      : 'operation needs its provider and original connection: not resumed');
  }

  private unreadableState(row: OperationRow, reason: string): PaydeskError {
    this.deps.logger.error({ operationId: row.id, kind: row.kind, reason }, 'operation state unreadable: refused to act on it');
    return new PaydeskError('operation.state_unreadable', `operation ${row.id}: ${reason}`);
  }

  /**
   * News a provider pushed (postback, webhook) about its transaction ids: journaled on every open operation
   * it names and handed to that operation's own lane. Returns whether an operation took it.
   */
  deliverNews(providerName: string, ids: { transactionId?: string | undefined; refTransactionId?: string | undefined }, data: unknown): boolean {
    const rows = this.deps.store.openByProviderIds(ids.transactionId ?? '', ids.refTransactionId ?? '').filter((r) => r.provider === providerName);
    let taken = false;
    for (const row of rows) {
      const target = row.kind === 'cancel' ? row.parent_id : row.id;
      const actor = target ? this.actors.get(target) : undefined;
      if (!actor) continue;
      try {
        this.deps.store.appendEvents(row.id, [{ type: 'postback', endpoint: 'postback', body: data }]);
      } catch (error) {
        this.deps.logger.error({ operationId: row.id, err: String(error) }, 'cannot journal pushed news');
      }
      taken = actor.news(data) || taken;
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

  /** One set of hooks for every actor (built once: nothing in them depends on the operation). */
  private readonly actorHooks: ActorHooks<unknown> = this.hooks();

  private hooks(): ActorHooks<unknown> {
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

  /** One actor per operation: the single serial lane every event about it goes through. */
  private startActor(operationId: string, packed: PackedRun, resumed: boolean): void {
    packed.use((run) => {
      const actor = new OperationActor(run.state, run.driver, this.deps.store, this.actorHooks, this.now);
      const send = <E>(event: E | null, to: (e: E) => void): boolean => {
        if (event === null) return false;
        to(event);
        return true;
      };
      this.actors.set(operationId, {
        cancel: () => send(run.signals.cancel, (e) => actor.dispatch(e)),
        park: () => send(run.signals.park, (e) => actor.dispatch(e)),
        news: (data) => send(run.signals.news(data), (e) => actor.dispatch(e)),
        whenFinal: () => actor.whenFinal(),
        stop: () => actor.stop(),
      });
      if (resumed && run.recoveryEvent !== null) actor.dispatch(run.recoveryEvent);
      else actor.start();
    });
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
    const provider = this.provider(row.provider);
    return operationView({
      row,
      items: store.items(row.id),
      slip: store.slip(row.id),
      children: row.kind === 'payment' ? store.children(row.id) : [],
      provider: provider ? { title: provider.titleRu, view: provider.view, extraCharges: Boolean(provider.extraCharges) } : null,
      held: this.unreadableIds.has(row.id) ? 'unreadable' : this.heldIds.has(row.id) ? 'connection' : null,
      receipt: this.receiptOf(row),
    });
  }

  private receiptOf(row: OperationRow): ReceiptView | null {
    try {
      return this.deps.receiptOf?.(row) ?? null;
    } catch (error) {
      // The receipt line is information: a fault reading it never hides the operation itself.
      this.deps.logger.error({ operationId: row.id, err: String(error) }, 'cannot read the receipt state');
      return null;
    }
  }

  /** Pushes an operation's view again (its receipt changed outside its own lane: the outbox sent it). */
  refresh(operationId: string): void {
    this.emit(operationId);
  }
}

function scanned(card: { loyaltyId: string; payToken?: string | undefined } | undefined): ScannedCard | null {
  return card ? { loyaltyId: card.loyaltyId, payToken: card.payToken ?? null } : null;
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
