// Koshelek Pay as the checkout sees it (providers/types.ts CheckoutProvider): intents, resume from the
// journal, refunds, the optional availability check and receipts, its phase texts and slip refs.
// Everything Koshelek-shaped about a sale lives here and in the machines; checkout stays neutral.
import { randomUUID } from 'node:crypto';
import type { PlannedLine } from '../../checkout/basket';
import type { AvailabilityResult } from '../../contract/checkout';
import type { PaydeskConfig } from '../../config/schema';
import { PaydeskError, httpStatusKey, koshelekCodeKey, type ErrorKey } from '../../errors/catalogue';
import type { OperationEvent, OperationRow } from '../../journal/operations';
import type { Logger } from '../../log/logger';
import { packRun, type AvailabilityRequest, type CheckoutProvider, type NewPayment, type NewRefund, type ReceiptResult, type ResumeResult, type RunSignals, type Started } from '../../providers/types';
import type { ApiOutcome, KoshelekClient } from './client';
import { KoshelekPaymentDriver, KoshelekRefundDriver, PROVIDER } from './drivers';
import type { MachineEvent } from './machine-common';
import { initialPayment, type PaymentState } from './payment-machine';
import { parsePaymentState, parseRefundState, persistState } from './persisted';
import { koshelekStatusLookup } from './reconcile';
import { initialRefund, type RefundState } from './refund-machine';
import { receiptRequestSchema, statusResponseSchema, type Item, type ReceiptRequest } from './wire';

export interface KoshelekProviderDeps {
  config: () => PaydeskConfig;
  /** The live connection (identity + client), or why sales are blocked (docs/safety.md). */
  connection: () => { identity: string; client: KoshelekClient } | { blocked: PaydeskError };
  now: () => number;
  logger: Logger;
}

export const KOSHELEK_TITLE = 'Кошелёк Pay';

/** The cashier's short status line for each Koshelek phase. */
export const KOSHELEK_PHASE_TEXT: Readonly<Record<string, string>> = {
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

const METHOD_TITLES: Readonly<Record<string, string>> = { SBP: 'СБП', DOLYAME: 'Долями' };

/** Slip ids the journal keeps in slips.refs_json, with their labels (slip view, search, reports). */
export const KOSHELEK_SLIP_REFS = [
  { key: 'qrcId', label: 'qrcId' },
  { key: 'kzo', label: 'КЗО' },
  { key: 'merchantId', label: 'Мерчант' },
  { key: 'bankOperationId', label: 'Операция банка' },
] as const;

export function toWireItems(lines: readonly PlannedLine[], currency: string): Item[] {
  return lines.map((l) => ({
    name: l.name, article: l.article, price: l.priceKop, currency, quantity: l.quantity, measure: l.measure,
    totalAmount: l.totalKop, discountAmount: l.discountKop, subTotalAmount: l.subtotalKop, tax: l.tax,
  }));
}

const iso = (ms: number): string => new Date(ms).toISOString();

function signals(): RunSignals<MachineEvent> {
  return {
    cancel: { type: 'cancel_requested' },
    park: { type: 'park' },
    news(data) {
      // The listener authenticated it; the shape is checked here, at the provider's own boundary.
      const parsed = statusResponseSchema.safeParse(data);
      return parsed.success ? { type: 'postback', data: parsed.data } : null;
    },
  };
}

function row(a: {
  id: string; kind: OperationRow['kind']; parentId: string | null; shiftId: number | null; orderId: string; amountKop: number; phase: string;
  requestId: string; paymentType: string | null; payToken: string | null; loyaltyId: string | null; context: string; now: number;
}): OperationRow {
  const at = iso(a.now);
  return {
    id: a.id, kind: a.kind, provider: PROVIDER, parent_id: a.parentId, shift_id: a.shiftId, order_id: a.orderId, amount_kop: a.amountKop,
    currency: 'RUB', phase: a.phase, is_final: 0, outcome: null, request_id: a.requestId, transaction_id: null, ref_transaction_id: null,
    payment_type: a.paymentType, provider_status: null, provider_ref_status: null, error_code: null, error_key: null, pay_token: a.payToken,
    loyalty_id: a.loyaltyId, attempts: 0, context_json: a.context, created_at: at, updated_at: at, finished_at: null, recovered: 0,
  };
}

export function createKoshelekProvider(deps: KoshelekProviderDeps): CheckoutProvider {
  const client = (): KoshelekClient => {
    const live = deps.connection();
    if ('blocked' in live) throw live.blocked;
    return live.client;
  };
  const driverDeps = (c: KoshelekClient) => {
    const config = deps.config();
    return { client: c, timing: config.koshelek.timing, enums: config.koshelek.enums, now: deps.now };
  };

  const paymentRun = (r: OperationRow, state: PaymentState, c: KoshelekClient) =>
    packRun<PaymentState, MachineEvent>({ state, driver: new KoshelekPaymentDriver(r.id, r, driverDeps(c)), recoveryEvent: null, signals: signals() });
  const refundRun = (r: OperationRow, state: RefundState, c: KoshelekClient) =>
    packRun<RefundState, MachineEvent>({ state, driver: new KoshelekRefundDriver(r.id, r, driverDeps(c)), recoveryEvent: null, signals: signals() });

  return {
    name: PROVIDER,
    titleRu: KOSHELEK_TITLE,
    capabilities: new Set(['pay', 'cancel', 'refund', 'partial_refund', 'receipts', 'webhooks', 'availability']),
    methods: () => deps.config().koshelek.enums.paymentTypes.map((id) => ({ id, titleRu: `${METHOD_TITLES[id] ?? id} (${KOSHELEK_TITLE})`, needsCardScan: true })),
    connection: () => {
      const live = deps.connection();
      return 'blocked' in live ? live : { identity: live.identity };
    },
    payments: {
      begin(input: NewPayment, now: number): Started {
        const payToken = input.card?.payToken;
        if (!input.card || !payToken) throw new PaydeskError('payment.no_card_session');
        const config = deps.config();
        if (!config.koshelek.enums.paymentTypes.includes(input.methodId)) throw new PaydeskError('payment.method_unknown', input.methodId);
        const c = client();
        const state = initialPayment({
          requestId: input.operationExternalId,
          orderId: input.orderId,
          amountKop: input.amountMinor,
          paymentType: input.methodId,
          cardSession: payToken,
          loyaltyId: input.card.loyaltyId,
          storeId: config.till.storeId,
          terminalId: config.till.terminalId,
          paymentPurpose: config.koshelek.paymentPurpose ?? null,
          items: toWireItems(input.lines ?? [], 'RUB'),
          connectionId: input.connectionId ?? null,
        }, now);
        const r = row({
          id: input.operationId, kind: 'payment', parentId: null, shiftId: input.shiftId, orderId: input.orderId, amountKop: input.amountMinor,
          phase: state.phase, requestId: state.ctx.requestId, paymentType: input.methodId, payToken, loyaltyId: input.card.loyaltyId,
          context: persistState(state), now,
        });
        return {
          row: r,
          event: { type: 'intent', endpoint: 'checkout', requestId: state.ctx.requestId, body: { orderId: input.orderId, amountKop: input.amountMinor, paymentType: input.methodId } },
          run: paymentRun(r, state, c),
        };
      },
      resume(r: OperationRow): ResumeResult {
        const parsed = parsePaymentState(r.context_json);
        if (!parsed.ok) return parsed;
        return { ok: true, phase: parsed.state.phase, run: paymentRun(r, parsed.state, client()) };
      },
    },
    refunds: {
      begin(input: NewRefund, now: number): Started {
        const { payment } = input;
        const paid = parsePaymentState(payment.context_json);
        if (!paid.ok) throw new PaydeskError('operation.state_unreadable', `operation ${payment.id}: ${paid.reason}`);
        if (!payment.transaction_id) throw new PaydeskError('refund.not_paid', `payment is ${payment.phase}`);
        const config = deps.config();
        const c = client();
        const state = initialRefund({
          requestId: randomUUID(),
          paymentOperationId: payment.id,
          transactionId: payment.transaction_id,
          orderId: payment.order_id,
          amountKop: input.amountMinor,
          items: toWireItems(input.lines, 'RUB'),
          storeId: paid.state.ctx.storeId ?? config.till.storeId,
          terminalId: config.till.terminalId,
          paymentType: payment.payment_type,
          clientRequestKey: input.clientRequestKey,
          connectionId: input.connectionId,
        }, now);
        const r = row({
          id: input.operationId, kind: 'refund', parentId: payment.id, shiftId: input.shiftId, orderId: payment.order_id, amountKop: input.amountMinor,
          phase: state.phase, requestId: state.ctx.requestId, paymentType: payment.payment_type, payToken: null, loyaltyId: payment.loyalty_id,
          context: persistState(state), now,
        });
        r.transaction_id = payment.transaction_id;
        return {
          row: r,
          event: { type: 'intent', endpoint: 'refund', requestId: state.ctx.requestId, body: { amountKop: input.amountMinor, transactionId: payment.transaction_id } },
          run: refundRun(r, state, c),
        };
      },
      resume(r: OperationRow): ResumeResult {
        const parsed = parseRefundState(r.context_json);
        if (!parsed.ok) return parsed;
        return { ok: true, phase: parsed.state.phase, run: refundRun(r, parsed.state, client()) };
      },
      clientKey(r: OperationRow) {
        const parsed = parseRefundState(r.context_json);
        return parsed.ok ? { ok: true, key: parsed.state.ctx.clientRequestKey } : parsed;
      },
    },
    availability: (request) => availability(deps, client(), request),
    lookup: koshelekStatusLookup(async (transactionId, refTransactionId) => {
      const live = deps.connection();
      if ('blocked' in live) return null;
      const outcome = await live.client.status({ requestId: randomUUID(), transactionId, ...(refTransactionId ? { refTransactionId } : {}) });
      if (outcome.kind !== 'ok') return null;
      const { status, refStatus, slip } = outcome.data;
      return { status, ...(refStatus ? { refStatus } : {}), ...(slip?.totalAmount !== undefined ? { amountKop: slip.totalAmount } : {}) };
    }, () => deps.config().koshelek.enums),
    receipts: (payment, invoice) => sendReceipt(deps, client(), payment, invoice),
    view: {
      phaseText: KOSHELEK_PHASE_TEXT,
      unknownPhases: new Set(['checkout_pending', 'resolving_checkout', 'awaiting_status', 'cancel_pending', 'awaiting_cancel_status']),
      cancellablePhases: new Set(['checkout_pending', 'awaiting_status', 'resolving_checkout']),
      slipRefs: KOSHELEK_SLIP_REFS,
      // The report columns the contract asks for (orderId … qrcId, kzo); the others stay on the slip.
      reportRefs: [KOSHELEK_SLIP_REFS[0], KOSHELEK_SLIP_REFS[1]],
      limits: () => {
        const t = deps.config().koshelek.timing;
        return { minutes: t.notPaidRetryMinutes, seconds: Math.round(t.finalStatusTimeoutMs / 1000) };
      },
    },
  };
}

// ---- availability (optional call, nothing journaled: no money moves) ----------------------------

async function availability(deps: KoshelekProviderDeps, client: KoshelekClient, input: AvailabilityRequest): Promise<AvailabilityResult> {
  const payToken = input.card?.payToken;
  if (!input.card || !payToken) throw new PaydeskError('payment.no_card_session');
  const config = deps.config();
  const request = {
    requestId: randomUUID(),
    cardSession: payToken,
    storeId: config.till.storeId,
    terminalId: config.till.terminalId,
    checkoutInvoice: { orderId: input.orderId, totalAmount: input.amountMinor, currency: 'RUB' as const, items: toWireItems(input.lines, 'RUB') },
    user: { loyaltyId: input.card.loyaltyId },
  };
  // One retry on no answer, then a clear next step (the cashier may go on without it), never an endless
  // "please wait" (docs/safety.md).
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
    const until = deps.now() + config.koshelek.timing.requestTimeoutMs * 2;
    let wait = data.timeoutMs;
    while (!list) {
      await sleep(Math.max(50, wait));
      if (deps.now() > until) throw new PaydeskError('availability.unavailable', 'availability computation did not complete');
      const poll = await client.availabilityPoll(data.availabilityInfoId);
      const body = poll.kind === 'ok' ? poll.data : throwFor(poll);
      if (body.computationComplete && body.paymentTypeAvailabilityInfoList) {
        list = { koshelekPayIsDefault: body.koshelekPayIsDefault ?? false, paymentTypeAvailabilityInfoList: body.paymentTypeAvailabilityInfoList };
      }
      wait = body.pollingTimeout ?? 250;
    }
  }
  if (!list) throw new PaydeskError('response.invalid', 'no availability list');
  const known = new Set(config.koshelek.enums.paymentTypes);
  const methods = list.paymentTypeAvailabilityInfoList.map((m) => ({
    paymentType: m.paymentType,
    available: m.available,
    known: known.has(m.paymentType),
    ...(m.message ? { message: m.message } : {}),
  }));
  for (const m of methods.filter((x) => !x.known)) deps.logger.warn({ paymentType: m.paymentType }, 'availability lists a payment type the config does not know');
  const firstAvailable = methods.find((m) => m.available && m.known)?.paymentType ?? null;
  return {
    providerIsDefault: list.koshelekPayIsDefault,
    methods,
    autoStart: list.koshelekPayIsDefault && config.koshelek.autoStartWhenDefault ? firstAvailable : null,
  };
}

// ---- fiscal receipt to the customer's app (optional endpoint) -------------------------------------

/**
 * Sends the fiscal receipt of a paid payment so the customer sees it in the Koshelek app. Harmless to
 * repeat: unanswered sends are retried with the same requestId. Returns whether Koshelek accepted it.
 */
async function sendReceipt(deps: KoshelekProviderDeps, client: KoshelekClient, payment: OperationRow, invoice: unknown, attempts = 3): Promise<ReceiptResult> {
  if (!payment.transaction_id) throw new PaydeskError('refund.not_paid', payment.id);
  const config = deps.config();
  const parsed = receiptRequestSchema.shape.invoice.safeParse(invoice);
  if (!parsed.success) throw new PaydeskError('ipc.invalid', `receipt invoice: ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
  const body: ReceiptRequest = { requestId: randomUUID(), transactionId: payment.transaction_id, storeId: config.till.storeId, terminalId: config.till.terminalId, invoice: parsed.data };
  const events: OperationEvent[] = [];
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const outcome = await client.receipt(body);
    const answered = outcome.kind === 'ok' || outcome.kind === 'api_error' || (outcome.kind === 'http_error' && outcome.status < 500 && outcome.status !== 429);
    events.push({ type: answered ? 'response' : 'fault', endpoint: 'receipt', requestId: body.requestId, httpStatus: 'status' in outcome ? outcome.status : null, body: { kind: outcome.kind, ...(outcome.kind === 'api_error' ? { code: outcome.code } : {}) } });
    if (answered) return { accepted: outcome.kind === 'ok', events };
    await sleep(config.koshelek.timing.retryDelayMs * attempt);
  }
  return { accepted: false, events };
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
