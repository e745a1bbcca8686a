// The terminal payment's Driver for the provider-neutral runner (OperationActor): binds the pure machine
// to the client the operation started with, and maps its states to journal rows.
import { MachineDriver, type NextStep } from '../../checkout/runner';
import { intentRow, transitionRow, type OperationEvent, type OperationRow, type OperationWrite } from '../../journal/operations';
import type { TerminalClient, TerminalOutcome } from './client';
import type { TerminalTiming } from './config';
import { terminalFailpoint } from './failpoints';
import {
  initialTerminalPayment, isFinalTerminal, isMaterialTerminal, reduceTerminal, terminalOutcome,
  type TerminalEvent, type TerminalState,
} from './machine';
import { TERMINAL_PROVIDER, terminalSlip, terminalSlipRow } from './slip';

export interface TerminalDriverDeps {
  client: TerminalClient;
  timing: TerminalTiming;
}

export class TerminalPaymentDriver extends MachineDriver<TerminalState, TerminalEvent> {
  /**
   * Set once this instance has launched the sale. The runner redoes an action whose outcome it could
   * not journal (a failed write, a rejected perform); for a launch that redo would be a second charge,
   * so a second 'launch' here becomes a lookup instead.
   */
  private launched = false;

  /**
   * @param resumed true when the operation was read back from the journal after a start: such an
   *   operation is never launched, whatever its persisted step says — the first action is a lookup.
   */
  constructor(
    readonly operationId: string,
    private readonly base: OperationRow,
    private readonly deps: TerminalDriverDeps,
    private readonly resumed: boolean,
  ) {
    super({ reduce: reduceTerminal, isFinal: isFinalTerminal, isMaterial: isMaterialTerminal });
  }

  async perform(step: NextStep, state: TerminalState): Promise<TerminalEvent> {
    const { client, timing } = this.deps;
    if (step.action === 'launch') {
      // The launch may have happened before the restart, or before a journal write that failed.
      if (this.resumed || this.launched) return { type: 'restarted' };
      this.launched = true;
      terminalFailpoint('terminal.before_launch');
      const outcome = await client.sale(
        { operationExternalId: state.ctx.operationExternalId, amountMinor: state.ctx.amountMinor, currency: state.ctx.currency },
        timing.saleTimeoutMs,
      );
      terminalFailpoint('terminal.after_answer');
      return { type: 'sale_outcome', outcome };
    }
    const outcome = await client.lookup(state.ctx.operationExternalId, timing.lookupTimeoutMs);
    return { type: 'lookup_outcome', outcome };
  }

  writes(previous: TerminalState, state: TerminalState, event: TerminalEvent | null): { primary: OperationWrite; related: OperationWrite[] } {
    const now = Date.now();
    const final = isFinalTerminal(state);
    const tx = state.ctx.transaction;
    const events: OperationEvent[] = [...eventRecord(event, state.ctx.operationExternalId)];
    if (previous.phase !== state.phase) events.push({ type: 'transition', phaseFrom: previous.phase, phaseTo: state.phase });
    if (event?.type === 'restarted') events.push({ type: 'recovered', body: { phase: previous.phase } });
    const row = transitionRow(this.base, state, final, {
      outcome: terminalOutcome(state),
      transaction_id: tx?.rrn ?? tx?.transactionId ?? null,
      payment_type: tx?.method ?? this.base.payment_type,
      provider_status: tx?.status ?? null,
      error_code: state.ctx.errorCode,
      error_key: state.ctx.errorKey,
      attempts: state.ctx.launches,
    }, now);
    const slip = tx && state.ctx.resultCode ? terminalSlipRow(terminalSlip(state.ctx.operationExternalId, state.ctx.resultCode, tx), this.base.order_id) : null;
    return { primary: { row, events, slip }, related: [] };
  }
}

/** What the journal keeps of an exchange: the outcome kind, fault and answer; the terminal sends no secrets. */
function eventRecord(event: TerminalEvent | null, requestId: string): OperationEvent[] {
  if (!event || event.type === 'restarted') return [];
  const endpoint = event.type === 'sale_outcome' ? 'sale' : 'lookup';
  return [summarize(endpoint, requestId, event.outcome)];
}

function summarize(endpoint: string, requestId: string, outcome: TerminalOutcome<unknown>): OperationEvent {
  if (outcome.kind === 'answer') return { type: 'response', endpoint, requestId, body: { answer: outcome.answer, duplicates: outcome.duplicates } };
  return { type: 'fault', endpoint, requestId, body: { kind: outcome.kind, fault: outcome.fault, detail: outcome.detail } };
}

export interface TerminalIntentInput {
  operationId: string;
  orderId: string;
  amountMinor: number;
  currency: string;
  shiftId: number | null;
  timing: TerminalTiming;
  connectionId?: string | null;
}

/**
 * The intent a service commits (OperationStore.insertIntent) before the first launch. Our
 * operationExternalId is the row's request_id: one id from the sale screen to the terminal's record.
 */
export function terminalIntent(input: TerminalIntentInput, operationExternalId: string, now: number): { row: OperationRow; state: TerminalState; event: OperationEvent } {
  const state = initialTerminalPayment({
    operationExternalId,
    orderId: input.orderId,
    amountMinor: input.amountMinor,
    currency: input.currency,
    lookupScheduleMs: input.timing.lookupScheduleMs,
    unresolvedAfterMs: input.timing.unresolvedAfterMs,
    connectionId: input.connectionId ?? null,
  }, now);
  const row = intentRow({
    id: input.operationId, kind: 'payment', provider: TERMINAL_PROVIDER, shift_id: input.shiftId, order_id: input.orderId,
    amount_kop: input.amountMinor, currency: input.currency, phase: state.phase, request_id: operationExternalId,
    payment_type: 'card', context_json: JSON.stringify(state),
  }, now);
  return { row, state, event: { type: 'intent', requestId: operationExternalId, body: { amountMinor: input.amountMinor, currency: input.currency } } };
}
