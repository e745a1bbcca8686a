// Koshelek drivers for the provider-neutral runner: each binds a machine (payment or refund) to the
// client it started with (so a config edit never redirects an operation in flight) and maps its
// states to journal rows.
import { randomUUID } from 'node:crypto';
import { DEFAULT_MIN_GAP_MS, monotonicNow, type Driver, type NextStep } from '../../checkout/runner';
import type { OperationEvent, OperationRow, OperationWrite, SlipInput } from '../../journal/operations';
import { encodeSlipRefs } from '../../journal/refs';
import type { ApiOutcome, KoshelekClient } from './client';
import type { KoshelekEnums } from './classify';
import type { KoshelekTiming } from './config';
import type { ActionName, MachineEnv, MachineEvent } from './machine-common';
import { FINAL_PAYMENT_PHASES, MIN_POLL_GAP_MS, reducePayment, type CancelAttempt, type PaymentState } from './payment-machine';
import { FINAL_REFUND_PHASES, reduceRefund, type RefundState } from './refund-machine';
import type { Slip } from './wire';
import { persistState } from './persisted';

export const PROVIDER = 'koshelek';

export interface DriverDeps {
  client: KoshelekClient;
  timing: KoshelekTiming;
  enums: KoshelekEnums;
  /** The clock the actor runs on (monotonic epoch-like ms; see runner.monotonicNow). */
  now?: () => number;
}

/** A status poll cut short by the deadline still gets this long (a zero timeout would be no request at all). */
const MIN_POLL_TIMEOUT_MS = 50;

function env(deps: DriverDeps, now: number): MachineEnv {
  return { now, timing: deps.timing, enums: deps.enums, newRequestId: randomUUID };
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function slipRow(slip: Slip | null | undefined): SlipInput | null {
  if (!slip) return null;
  return {
    slip_id: slip.id ?? null,
    payment_transaction_id: slip.paymentTransactionId ?? null,
    refund_transaction_id: slip.refundTransactionId ?? null,
    payment_type: slip.paymentType ?? null,
    order_id: slip.orderId ?? null,
    store_id: slip.storeId ?? null,
    terminal_id: slip.terminalId ?? null,
    operation_date_time: slip.operationDateTime ?? null,
    // The slip's own ids kept for search, slip and reports (labels: checkout-provider.ts KOSHELEK_SLIP_REFS).
    refs_json: encodeSlipRefs({ qrcId: slip.qrcId, kzo: slip.kzo, merchantId: slip.merchantId, bankOperationId: slip.operationId }),
    total_amount_kop: slip.totalAmount ?? null,
    currency: slip.currency ?? null,
    raw_json: JSON.stringify(slip),
  };
}

/** What we journal of an exchange: status, code and the answer, never headers (credentials, token). */
function outcomeEvent(event: MachineEvent | null, requestId: string | null): OperationEvent[] {
  if (!event) return [];
  if (event.type === 'cancel_requested') return [{ type: 'note', body: { cancelRequested: true } }];
  if (event.type === 'park') return [{ type: 'note', body: { parked: true } }];
  if (event.type === 'postback') return [{ type: 'postback', endpoint: 'postback', body: event.data }];
  const { action, outcome } = event.result;
  const endpoint = action.startsWith('poll') ? 'status' : action.replace('send_', '');
  return [summarizeOutcome(endpoint, requestId, outcome)];
}

function summarizeOutcome(endpoint: string, requestId: string | null, outcome: ApiOutcome<unknown>): OperationEvent {
  switch (outcome.kind) {
    case 'ok':
      return { type: 'response', endpoint, requestId, httpStatus: outcome.status, body: outcome.data };
    case 'api_error':
      return { type: 'response', endpoint, requestId, httpStatus: outcome.status, body: { code: outcome.code, details: outcome.details } };
    case 'http_error':
      return { type: 'fault', endpoint, requestId, httpStatus: outcome.status, body: { http: outcome.status } };
    case 'invalid_response':
      return { type: 'fault', endpoint, requestId, httpStatus: outcome.status, body: { invalid: outcome.problem } };
    case 'no_answer':
      return { type: 'fault', endpoint, requestId, body: { fault: outcome.fault, maybeDelivered: outcome.maybeDelivered, reusedSocket: outcome.reusedSocket } };
    default:
      return { type: 'note' };
  }
}

function requestIdOf(event: MachineEvent | null, fallback: string): string | null {
  if (!event || event.type !== 'outcome') return null;
  return event.result.action.startsWith('poll') ? null : fallback;
}

/** Status polls that changed nothing are not journaled (they are safe to repeat and carry no intent). */
function worthJournaling(previousJson: string, nextJson: string, event: MachineEvent | null): boolean {
  if (previousJson !== nextJson) return true;
  return event !== null && !(event.type === 'outcome' && event.result.action.startsWith('poll'));
}


/**
 * What both Koshelek drivers share: a pure reducer bound to the client, timing and enums the operation
 * started with, the next step named by the state, and finality by phase.
 */
abstract class KoshelekDriver<S extends { phase: string; next: NextStep | null; ctx: { slip: Slip | null } }> implements Driver<S, MachineEvent> {
  constructor(
    readonly operationId: string,
    protected readonly base: OperationRow,
    protected readonly deps: DriverDeps,
    private readonly reducer: (state: S, event: MachineEvent, env: MachineEnv) => S,
    private readonly finalPhases: ReadonlySet<string>,
  ) {}

  protected now(): number {
    return (this.deps.now ?? monotonicNow)();
  }

  reduce(state: S, event: MachineEvent, now: number): S {
    return this.reducer(state, event, env(this.deps, now));
  }

  next(state: S): NextStep | null {
    return state.next;
  }

  /** Reference §2.4: status requests at least 250 ms apart, enforced by the runner too. */
  minGapMs(action: string): number {
    return action.startsWith('poll') ? MIN_POLL_GAP_MS : DEFAULT_MIN_GAP_MS;
  }

  isFinal(state: S): boolean {
    return this.finalPhases.has(state.phase);
  }

  /** Phase or context changed (not just the time of the next step). */
  isMaterial(previous: S, state: S): boolean {
    return previous.phase !== state.phase || JSON.stringify(previous.ctx) !== JSON.stringify(state.ctx);
  }

  abstract perform(step: NextStep, state: S): Promise<MachineEvent>;
  abstract writes(previous: S, state: S, event: MachineEvent | null): { primary: OperationWrite; related: OperationWrite[] };

  /** The operation's own row for a state (with its machine-specific columns), its journal events and its slip. */
  protected primaryWrite(previous: S, state: S, event: MachineEvent | null, requestId: string, columns: Partial<OperationRow>, now: number): OperationWrite {
    const final = this.isFinal(state);
    const row: OperationRow = {
      ...this.base,
      ...columns,
      phase: state.phase,
      is_final: final ? 1 : 0,
      outcome: final ? state.phase : null,
      context_json: persistState(state),
      updated_at: iso(now),
      finished_at: final ? iso(now) : null,
    };
    const events: OperationEvent[] = worthJournaling(persistState(previous), row.context_json, event)
      ? [...outcomeEvent(event, requestIdOf(event, requestId)), ...(previous.phase !== state.phase ? [{ type: 'transition' as const, phaseFrom: previous.phase, phaseTo: state.phase }] : [])]
      : [];
    const slipChanged = JSON.stringify(previous.ctx.slip) !== JSON.stringify(state.ctx.slip);
    return { row, events, slip: slipChanged ? slipRow(state.ctx.slip) : null };
  }
}

// ---- payment ---------------------------------------------------------------------------------

export class KoshelekPaymentDriver extends KoshelekDriver<PaymentState> {
  constructor(operationId: string, base: OperationRow, deps: DriverDeps) {
    super(operationId, base, deps, reducePayment, FINAL_PAYMENT_PHASES);
  }

  override async perform(step: NextStep, state: PaymentState): Promise<MachineEvent> {
    const { client } = this.deps;
    const { ctx } = state;
    const action = step.action as ActionName;
    switch (action) {
      case 'send_checkout': {
        const outcome = await client.checkout({
          requestId: ctx.requestId,
          cardSession: ctx.cardSession,
          storeId: ctx.storeId,
          terminalId: ctx.terminalId,
          checkoutInvoice: { orderId: ctx.orderId, totalAmount: ctx.amountKop, currency: 'RUB', items: ctx.items },
          user: { loyaltyId: ctx.loyaltyId },
          paymentMethods: [{ type: ctx.paymentType, ...(ctx.paymentPurpose ? { paymentPurpose: ctx.paymentPurpose } : {}) }],
        });
        return { type: 'outcome', result: { action: 'send_checkout', outcome } };
      }
      case 'poll_status': {
        // A poll never outlives the final-status deadline: the automatic cancel fires on time (docs/safety.md).
        const left = ctx.deadlineAt === null ? null : ctx.deadlineAt - this.now();
        const timeoutMs = left === null ? undefined : Math.max(MIN_POLL_TIMEOUT_MS, Math.min(this.deps.timing.statusTimeoutMs, left));
        const outcome = await client.status({ requestId: randomUUID(), transactionId: ctx.transactionId ?? undefined }, timeoutMs);
        return { type: 'outcome', result: { action: 'poll_status', outcome } };
      }
      case 'send_cancel': {
        const cancel = state.ctx.cancels[state.ctx.cancels.length - 1] as CancelAttempt;
        const outcome = await client.cancel({ requestId: cancel.requestId, storeId: ctx.storeId, terminalId: ctx.terminalId, transactionId: ctx.transactionId ?? '' });
        return { type: 'outcome', result: { action: 'send_cancel', outcome } };
      }
      case 'poll_cancel_status': {
        const cancel = state.ctx.cancels[state.ctx.cancels.length - 1];
        const outcome = await client.status({
          requestId: randomUUID(),
          transactionId: ctx.transactionId ?? undefined,
          ...(cancel?.refTransactionId ? { refTransactionId: cancel.refTransactionId } : {}),
        });
        return { type: 'outcome', result: { action: 'poll_cancel_status', outcome } };
      }
      default:
        throw new Error(`payment driver cannot perform ${action}`);
    }
  }

  override writes(previous: PaymentState, state: PaymentState, event: MachineEvent | null): { primary: OperationWrite; related: OperationWrite[] } {
    const now = Date.now();
    const primary = this.primaryWrite(previous, state, event, this.requestIdFor(event, state), {
      transaction_id: state.ctx.transactionId,
      payment_type: state.ctx.slip?.paymentType ?? state.ctx.paymentType,
      provider_status: state.ctx.providerStatus,
      error_code: state.ctx.errorCode,
      error_key: state.ctx.errorKey,
      attempts: state.ctx.checkoutAttempts,
    }, now);
    const related = state.ctx.cancels
      .filter((cancel, index) => JSON.stringify(previous.ctx.cancels[index]) !== JSON.stringify(cancel))
      .map((cancel) => this.cancelWrite(state, cancel, now));
    return { primary, related };
  }

  private requestIdFor(event: MachineEvent | null, state: PaymentState): string {
    if (event?.type === 'outcome' && event.result.action === 'send_cancel') {
      return state.ctx.cancels[state.ctx.cancels.length - 1]?.requestId ?? state.ctx.requestId;
    }
    return state.ctx.requestId;
  }

  private cancelWrite(state: PaymentState, cancel: CancelAttempt, now: number): OperationWrite {
    const final = cancel.outcome !== null;
    const isLatest = state.ctx.cancels[state.ctx.cancels.length - 1] === cancel;
    const phase = final ? cancel.outcome as string : isLatest && state.phase === 'awaiting_cancel_status' ? 'awaiting_cancel_status' : 'cancel_pending';
    return {
      row: {
        ...this.base,
        id: cancel.requestId,
        kind: 'cancel',
        parent_id: this.operationId,
        phase,
        is_final: final ? 1 : 0,
        outcome: cancel.outcome,
        request_id: cancel.requestId,
        transaction_id: state.ctx.transactionId,
        ref_transaction_id: cancel.refTransactionId,
        provider_status: state.ctx.providerStatus,
        provider_ref_status: cancel.refStatus,
        error_code: null,
        error_key: null,
        pay_token: null,
        attempts: cancel.attempts,
        context_json: JSON.stringify(cancel),
        created_at: iso(cancel.startedAt),
        updated_at: iso(now),
        finished_at: final ? iso(now) : null,
      },
      events: [],
    };
  }
}

// ---- refund ----------------------------------------------------------------------------------

export class KoshelekRefundDriver extends KoshelekDriver<RefundState> {
  constructor(operationId: string, base: OperationRow, deps: DriverDeps) {
    super(operationId, base, deps, reduceRefund, FINAL_REFUND_PHASES);
  }

  override async perform(step: NextStep, state: RefundState): Promise<MachineEvent> {
    const { ctx } = state;
    if (step.action === 'send_refund') {
      const outcome = await this.deps.client.refund({
        requestId: ctx.requestId,
        storeId: ctx.storeId,
        terminalId: ctx.terminalId,
        transactionId: ctx.transactionId,
        refundAmount: ctx.amountKop,
        currency: 'RUB',
        items: ctx.items,
      });
      return { type: 'outcome', result: { action: 'send_refund', outcome } };
    }
    if (step.action === 'poll_refund_status') {
      const outcome = await this.deps.client.status({
        requestId: randomUUID(),
        transactionId: ctx.transactionId,
        ...(ctx.refTransactionId ? { refTransactionId: ctx.refTransactionId } : {}),
      });
      return { type: 'outcome', result: { action: 'poll_refund_status', outcome } };
    }
    throw new Error(`refund driver cannot perform ${step.action}`);
  }

  override writes(previous: RefundState, state: RefundState, event: MachineEvent | null): { primary: OperationWrite; related: OperationWrite[] } {
    const primary = this.primaryWrite(previous, state, event, state.ctx.requestId, {
      ref_transaction_id: state.ctx.refTransactionId,
      provider_status: state.ctx.providerStatus,
      provider_ref_status: state.ctx.refStatus,
      error_code: state.ctx.errorCode,
      error_key: state.ctx.errorKey,
      attempts: state.ctx.attempts,
    }, Date.now());
    return { primary, related: [] };
  }
}
