// The operation journal's write side: prepared statements, one SQLite transaction (one fsync under
// synchronous=FULL) per state transition. Provider-neutral: the machines' contexts are stored as JSON,
// the report fields (orderId, transaction ids, requestId, paymentType) as columns, and each provider's
// own slip ids as one JSON object (slips.refs_json, see refs.ts).
import type Database from 'better-sqlite3';
import type { OperationsTable, OperationItemsTable, SlipsTable } from './tables';
import { allRows, journalQueries } from './query';
import { decodeSlipRefs } from './refs';

export type OperationRow = OperationsTable;

export interface OperationFilter {
  orderId?: string;
  transactionId?: string;
  kind?: OperationsTable['kind'];
  /** ISO instants: created_at >= createdFrom and < createdBefore. */
  createdFrom?: string;
  createdBefore?: string;
  limit: number;
}
export type OperationItemRow = OperationItemsTable;

export interface OperationEvent {
  type: 'intent' | 'request' | 'response' | 'fault' | 'transition' | 'recovered' | 'postback' | 'note';
  endpoint?: string | null;
  requestId?: string | null;
  httpStatus?: number | null;
  phaseFrom?: string | null;
  phaseTo?: string | null;
  body?: unknown;
}

export type SlipInput = Omit<SlipsTable, 'operation_id' | 'received_at'>;

export interface OperationWrite {
  row: OperationRow;
  events: OperationEvent[];
  slip?: SlipInput | null;
}

/** What a provider names in a new operation's row; the ids it leaves out are null. */
export type IntentFields = Pick<OperationRow, 'id' | 'kind' | 'provider' | 'shift_id' | 'order_id' | 'amount_kop' | 'currency' | 'phase' | 'request_id' | 'context_json'>
  & Partial<Pick<OperationRow, 'parent_id' | 'transaction_id' | 'ref_transaction_id' | 'payment_type' | 'error_key' | 'pay_token' | 'loyalty_id'>>;

/** A new operation's row as insertIntent takes it: not final, no outcome, no provider status, no attempts yet. */
export function intentRow(f: IntentFields, now: number): OperationRow {
  const at = new Date(now).toISOString();
  return {
    id: f.id, kind: f.kind, provider: f.provider, parent_id: f.parent_id ?? null, shift_id: f.shift_id, order_id: f.order_id,
    amount_kop: f.amount_kop, currency: f.currency, phase: f.phase, is_final: 0, outcome: null, request_id: f.request_id,
    transaction_id: f.transaction_id ?? null, ref_transaction_id: f.ref_transaction_id ?? null, payment_type: f.payment_type ?? null,
    provider_status: null, provider_ref_status: null, error_code: null, error_key: f.error_key ?? null, pay_token: f.pay_token ?? null,
    loyalty_id: f.loyalty_id ?? null, attempts: 0, context_json: f.context_json, created_at: at, updated_at: at, finished_at: null, recovered: 0,
  };
}

/**
 * An operation's row after a transition: its journaled row with the provider's columns (outcome, ids,
 * status, errors, attempts), the state's phase and JSON context, finished now when final, and whether a
 * recovery touched it.
 */
export function transitionRow(base: OperationRow, state: { phase: string; ctx: { recovered: boolean } }, final: boolean, columns: Partial<OperationRow>, now: number): OperationRow {
  const at = new Date(now).toISOString();
  return {
    ...base, phase: state.phase, is_final: final ? 1 : 0, ...columns,
    context_json: JSON.stringify(state), updated_at: at, finished_at: final ? at : null, recovered: state.ctx.recovered ? 1 : 0,
  };
}

/**
 * Told about every committed transition. `inTransaction` listeners run inside the write's own SQLite
 * transaction, after its rows: what they insert commits with the transition or not at all (the outbox's
 * transactional enqueue, docs/outbox.md). They must not throw for data reasons: a throw rolls the
 * transition back. `committed` listeners run after the commit (wake a worker); their throws are swallowed.
 */
export type WriteListener = (writes: readonly OperationWrite[]) => void;

const OPERATION_COLUMNS = [
  'id', 'kind', 'provider', 'parent_id', 'shift_id', 'order_id', 'amount_kop', 'currency', 'phase', 'is_final', 'outcome',
  'request_id', 'transaction_id', 'ref_transaction_id', 'payment_type', 'provider_status', 'provider_ref_status', 'error_code',
  'error_key', 'pay_token', 'loyalty_id', 'attempts', 'context_json', 'created_at', 'updated_at', 'finished_at', 'recovered',
] as const satisfies readonly (keyof OperationRow)[];

// Start-up recovery: only unfinished operations, through their own small partial index (migration
// 0004), so start-up does not grow with the journal. A test checks the plan.
const PARKED = "json_extract(context_json, '$.ctx.parkedAt') IS NOT NULL";
const PARKED_OPEN_SQL = `SELECT * FROM operations INDEXED BY operations_unfinished WHERE is_final = 0 AND kind = 'payment' AND ${PARKED}`;
const PARKED_ENDED_PAID_SQL = `SELECT * FROM operations INDEXED BY operations_created
  WHERE created_at >= ? AND kind = 'payment' AND outcome = 'paid' AND updated_at >= ? AND ${PARKED}`;
const OPEN_OPERATIONS_SQL = "SELECT * FROM operations INDEXED BY operations_unfinished WHERE is_final = 0 AND kind IN ('payment', 'refund') ORDER BY created_at";

const UPDATABLE = OPERATION_COLUMNS.filter((c) => c !== 'id' && c !== 'kind' && c !== 'provider' && c !== 'created_at' && c !== 'request_id');

export class OperationStore {
  private readonly insertOp: Database.Statement;
  private readonly upsertOp: Database.Statement;
  private readonly insertItem: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly upsertSlip: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly parkedOpen: Database.Statement;
  private readonly parkedEndedPaid: Database.Statement;
  private readonly byRequestId: Database.Statement;
  private readonly livePaymentForOrder: Database.Statement;
  private readonly paymentForPayToken: Database.Statement;
  private readonly openOps: Database.Statement;
  private readonly childrenOf: Database.Statement;
  private readonly itemsOf: Database.Statement;
  private readonly slipOf: Database.Statement;
  private readonly hasIntentEvent: Database.Statement;
  /** Intent events waiting for their operation's next commit (see insertIntent). */
  private readonly deferred = new Map<string, { event: OperationEvent; at: string }>();
  private readonly inTransactionListeners = new Set<WriteListener>();
  private readonly committedListeners = new Set<WriteListener>();

  constructor(private readonly sqlite: Database.Database) {
    const cols = OPERATION_COLUMNS.join(', ');
    const params = OPERATION_COLUMNS.map((c) => `@${c}`).join(', ');
    this.insertOp = sqlite.prepare(`INSERT INTO operations (${cols}) VALUES (${params})`);
    this.upsertOp = sqlite.prepare(
      `INSERT INTO operations (${cols}) VALUES (${params}) ON CONFLICT(id) DO UPDATE SET ${UPDATABLE.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    this.insertItem = sqlite.prepare(
      'INSERT INTO operation_items (operation_id, line_no, name, article, price_kop, quantity, measure, total_kop, discount_kop, subtotal_kop, tax) VALUES (@operation_id, @line_no, @name, @article, @price_kop, @quantity, @measure, @total_kop, @discount_kop, @subtotal_kop, @tax)',
    );
    this.insertEvent = sqlite.prepare(
      'INSERT INTO operation_events (operation_id, at, type, endpoint, request_id, http_status, phase_from, phase_to, body_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.upsertSlip = sqlite.prepare(
      `INSERT INTO slips (operation_id, slip_id, payment_transaction_id, refund_transaction_id, payment_type, order_id, store_id, terminal_id, refs_json, operation_date_time, total_amount_kop, currency, raw_json, received_at)
       VALUES (@operation_id, @slip_id, @payment_transaction_id, @refund_transaction_id, @payment_type, @order_id, @store_id, @terminal_id, @refs_json, @operation_date_time, @total_amount_kop, @currency, @raw_json, @received_at)
       ON CONFLICT(operation_id) DO UPDATE SET slip_id = excluded.slip_id, payment_transaction_id = excluded.payment_transaction_id, refund_transaction_id = excluded.refund_transaction_id,
         payment_type = excluded.payment_type, order_id = excluded.order_id, store_id = excluded.store_id, terminal_id = excluded.terminal_id, refs_json = excluded.refs_json,
         operation_date_time = excluded.operation_date_time, total_amount_kop = excluded.total_amount_kop, currency = excluded.currency, raw_json = excluded.raw_json, received_at = excluded.received_at`,
    );
    this.byId = sqlite.prepare('SELECT * FROM operations WHERE id = ?');
    this.parkedOpen = sqlite.prepare(PARKED_OPEN_SQL);
    this.parkedEndedPaid = sqlite.prepare(PARKED_ENDED_PAID_SQL);
    this.byRequestId = sqlite.prepare('SELECT * FROM operations WHERE request_id = ?');
    // Any provider's: one order is never paid twice, whichever systems the cashier tries (docs/providers.md).
    this.livePaymentForOrder = sqlite.prepare(
      "SELECT * FROM operations WHERE order_id = ? AND kind = 'payment' AND (outcome IS NULL OR outcome = 'paid') ORDER BY created_at LIMIT 1",
    );
    this.paymentForPayToken = sqlite.prepare("SELECT * FROM operations WHERE provider = ? AND pay_token = ? AND kind = 'payment' LIMIT 1");
    this.openOps = sqlite.prepare(OPEN_OPERATIONS_SQL);
    this.childrenOf = sqlite.prepare('SELECT * FROM operations WHERE parent_id = ? ORDER BY created_at');
    this.itemsOf = sqlite.prepare('SELECT * FROM operation_items WHERE operation_id = ? ORDER BY line_no');
    this.slipOf = sqlite.prepare('SELECT * FROM slips WHERE operation_id = ?');
    this.hasIntentEvent = sqlite.prepare("SELECT 1 FROM operation_events WHERE operation_id = ? AND type = 'intent' LIMIT 1").pluck();
  }

  /**
   * The intent: the operation row and its lines, committed before any request leaves. The row is the
   * durable intent (request id, amount, state); its 'intent' event only repeats it, so the event is
   * written with the operation's next state change, keeping its own time (three B-tree pages fewer in
   * the commit the press waits for: the events table, its index and the AUTOINCREMENT counter). If the
   * process dies first, recovery writes it, marked reconstructed (see open()).
   */
  insertIntent(row: OperationRow, items: OperationItemRow[], event: OperationEvent): void {
    this.sqlite.transaction(() => {
      this.insertOp.run(row);
      for (const item of items) this.insertItem.run(item);
    })();
    this.deferred.set(row.id, { event, at: new Date().toISOString() });
  }

  /** A transition: the row, any related rows (a payment's cancel), the events and the slip, atomically. */
  write(primary: OperationWrite, related: OperationWrite[] = []): void {
    const writes = [primary, ...related];
    // A slip's ids are checked before the transaction: a bad one is refused whole, nothing half-written.
    for (const w of writes) if (w.slip) decodeSlipRefs(w.slip.refs_json);
    this.sqlite.transaction(() => {
      for (const w of writes) {
        this.upsertOp.run(w.row);
        this.flushDeferred(w.row.id);
        for (const event of w.events) this.appendEvent(w.row.id, event);
        if (w.slip) this.upsertSlip.run({ ...w.slip, operation_id: w.row.id, received_at: new Date().toISOString() });
      }
      for (const listener of this.inTransactionListeners) listener(writes);
    })();
    for (const w of writes) this.deferred.delete(w.row.id);
    for (const listener of this.committedListeners) {
      try {
        listener(writes);
      } catch {
        // The transition is committed; an observer's fault must not reach the actor that wrote it.
      }
    }
  }

  /** Registers a listener run inside every write()'s transaction (see WriteListener); returns the unregister. */
  onWriteInTransaction(listener: WriteListener): () => void {
    this.inTransactionListeners.add(listener);
    return () => this.inTransactionListeners.delete(listener);
  }

  /** Registers a listener run after every write() committed; returns the unregister. */
  onWriteCommitted(listener: WriteListener): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  appendEvents(operationId: string, events: OperationEvent[]): void {
    if (events.length === 0) return;
    this.sqlite.transaction(() => {
      this.flushDeferred(operationId);
      for (const event of events) this.appendEvent(operationId, event);
    })();
    this.deferred.delete(operationId);
  }

  /** Intent events not yet written (their operation has not changed state since its intent). */
  pendingIntentEvents(): number {
    return this.deferred.size;
  }

  get(id: string): OperationRow | null {
    return (this.byId.get(id) as OperationRow | undefined) ?? null;
  }

  getByRequestId(requestId: string): OperationRow | null {
    return (this.byRequestId.get(requestId) as OperationRow | undefined) ?? null;
  }

  /** The order's live (unfinished) or paid payment, through whichever provider, or null. */
  livePayment(orderId: string): OperationRow | null {
    return (this.livePaymentForOrder.get(orderId) as OperationRow | undefined) ?? null;
  }

  /** The payment made with a one-time payment token, if any (the journal allows one per provider and token). */
  paymentByPayToken(provider: string, payToken: string): OperationRow | null {
    return (this.paymentForPayToken.get(provider, payToken) as OperationRow | undefined) ?? null;
  }

  /**
   * Payments and refunds not in a final state (cancels are driven by their payment). An operation whose
   * process died between its intent and its next state change has no 'intent' event yet: one is
   * rebuilt from the row and written with the operation's next change (the recovery note).
   */
  open(): OperationRow[] {
    const rows = this.openOps.all() as OperationRow[];
    for (const row of rows) {
      if (this.deferred.has(row.id) || this.hasIntentEvent.get(row.id) !== undefined) continue;
      this.deferred.set(row.id, {
        event: { type: 'intent', requestId: row.request_id, body: { reconstructed: true, amountKop: row.amount_kop, orderId: row.order_id } },
        at: row.created_at,
      });
    }
    return rows;
  }

  /** The SQL of parkedPayments(), for the query-plan test. */
  readonly parkedSql = { open: PARKED_OPEN_SQL, endedPaid: PARKED_ENDED_PAID_SQL };

  /** The SQL of open(), for the query-plan test. */
  openOperationsSql(): string {
    return OPEN_OPERATIONS_SQL;
  }

  children(parentId: string): OperationRow[] {
    return this.childrenOf.all(parentId) as OperationRow[];
  }

  items(operationId: string): OperationItemRow[] {
    return this.itemsOf.all(operationId) as OperationItemRow[];
  }

  slip(operationId: string): SlipsTable | null {
    return (this.slipOf.get(operationId) as SlipsTable | undefined) ?? null;
  }

  /** Operations matching a cashier's or manager's filter, newest first. */
  find(filter: OperationFilter): OperationRow[] {
    let q = journalQueries.selectFrom('operations').selectAll();
    const { orderId, transactionId, kind, createdFrom, createdBefore } = filter;
    if (orderId !== undefined) q = q.where('order_id', '=', orderId);
    if (transactionId !== undefined) q = q.where((eb) => eb.or([eb('transaction_id', '=', transactionId), eb('ref_transaction_id', '=', transactionId)]));
    if (kind !== undefined) q = q.where('kind', '=', kind);
    if (createdFrom !== undefined) q = q.where('created_at', '>=', createdFrom);
    if (createdBefore !== undefined) q = q.where('created_at', '<', createdBefore);
    return allRows(this.sqlite, q.orderBy('created_at', 'desc').limit(filter.limit));
  }

  /**
   * Payments parked by the cashier: still open, or ended paid since `endedSince` (the manager's follow-up).
   * Both reads go through an index, never the whole journal (the status bar asks on every operation event):
   * open ones through `operations_unfinished`; ended ones among payments created since `createdSince`.
   */
  parkedPayments(endedSince: string, createdSince: string): { open: OperationRow[]; endedPaid: OperationRow[] } {
    return {
      open: this.parkedOpen.all() as OperationRow[],
      endedPaid: this.parkedEndedPaid.all(createdSince, endedSince) as OperationRow[],
    };
  }

  /** Unfinished operations a provider's notification names: a payment by its transaction, a refund or cancel by its own. */
  openByProviderIds(transactionId: string, refTransactionId: string): OperationRow[] {
    return allRows(this.sqlite, journalQueries.selectFrom('operations').selectAll()
      .where('is_final', '=', 0)
      .where((eb) => eb.or([
        eb.and([eb('kind', '=', 'payment'), eb('transaction_id', '=', transactionId)]),
        eb.and([eb('kind', 'in', ['refund', 'cancel']), eb('ref_transaction_id', '=', refTransactionId)]),
      ])));
  }

  private flushDeferred(operationId: string): void {
    const d = this.deferred.get(operationId);
    if (d) this.appendEvent(operationId, d.event, d.at);
  }

  private appendEvent(operationId: string, event: OperationEvent, at = new Date().toISOString()): void {
    this.insertEvent.run(
      operationId,
      at,
      event.type,
      event.endpoint ?? null,
      event.requestId ?? null,
      event.httpStatus ?? null,
      event.phaseFrom ?? null,
      event.phaseTo ?? null,
      event.body === undefined ? null : JSON.stringify(event.body),
    );
  }
}
