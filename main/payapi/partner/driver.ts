// The partner operation's Driver for the provider-neutral runner (OperationActor), and the journal intent.
// An extra charge is a 'payment' row, a reversal a 'refund' row; both carry the original payment's
// operation as parent_id. operationId doubles as the partner's operation_id and the row's request_id.
import { MachineDriver, type NextStep } from '../../checkout/runner';
import { intentRow, transitionRow, type OperationEvent, type OperationRow, type OperationWrite } from '../../journal/operations';
import type { PartnerClient } from './client';
import { partnerFailpoint } from './failpoints';
import { initialPartnerOperation, isFinalPartner, isMaterialPartner, reducePartner, type NewPartnerOperation, type PartnerEvent, type PartnerState } from './machine';

export const PARTNER_PROVIDER = 'partner';

export class PartnerOperationDriver extends MachineDriver<PartnerState, PartnerEvent> {
  constructor(
    readonly operationId: string,
    private readonly base: OperationRow,
    private readonly client: PartnerClient,
  ) {
    super({ reduce: reducePartner, isFinal: isFinalPartner, isMaterial: isMaterialPartner });
  }

  async perform(step: NextStep, state: PartnerState): Promise<PartnerEvent> {
    const c = state.ctx;
    if (step.action === 'send') {
      partnerFailpoint('partner.before_send');
      const outcome = await this.client.submit(c.kind, { operationId: c.operationId, paymentId: c.paymentId, amountMinor: c.amountMinor, currency: c.currency, callbackUrl: c.callbackUrl });
      partnerFailpoint('partner.after_send');
      return { type: 'send_outcome', outcome };
    }
    const outcome = await this.client.status(c.kind, c.operationId);
    partnerFailpoint('partner.after_status');
    return { type: 'status_outcome', outcome };
  }

  writes(previous: PartnerState, state: PartnerState, event: PartnerEvent | null): { primary: OperationWrite; related: OperationWrite[] } {
    const now = Date.now();
    const final = isFinalPartner(state);
    const events: OperationEvent[] = [];
    if (event?.type === 'send_outcome' || event?.type === 'status_outcome') {
      const o = event.outcome;
      const endpoint = event.type === 'send_outcome' ? state.ctx.kind : 'paymentStatus';
      events.push(o.kind === 'ok' ? { type: 'response', endpoint, requestId: state.ctx.operationId, body: o.value } : { type: o.kind === 'refused' ? 'response' : 'fault', endpoint, requestId: state.ctx.operationId, ...(o.kind === 'refused' ? { httpStatus: o.status } : {}), body: o });
    }
    if (event?.type === 'restarted') events.push({ type: 'recovered', body: { phase: previous.phase } });
    if (event?.type === 'callback') events.push({ type: 'postback', body: { operationId: state.ctx.operationId } });
    if (previous.phase !== state.phase) events.push({ type: 'transition', phaseFrom: previous.phase, phaseTo: state.phase });
    const outcome = state.phase === 'succeeded' ? (state.ctx.kind === 'reversal' ? 'refunded' : 'paid') : state.phase === 'failed' ? 'failed' : null;
    const row = transitionRow(this.base, state, final, {
      outcome,
      provider_status: state.ctx.providerStatus,
      error_code: state.ctx.errorCode,
      error_key: state.ctx.errorKey,
      attempts: state.ctx.sends,
    }, now);
    return { primary: { row, events }, related: [] };
  }
}

export interface PartnerIntentInput extends NewPartnerOperation {
  /** The journal row of the original payment. */
  parentOperationId: string;
  /** Journal order id; an extra charge needs its own (the journal allows one live payment per order). */
  journalOrderId: string;
  shiftId: number | null;
}

/** The intent committed (OperationStore.insertIntent) before the first send. */
export function partnerIntent(input: PartnerIntentInput, now: number): { row: OperationRow; state: PartnerState; event: OperationEvent } {
  const state = initialPartnerOperation(input, now);
  const row = intentRow({
    id: input.operationId, kind: input.kind === 'reversal' ? 'refund' : 'payment', provider: PARTNER_PROVIDER, parent_id: input.parentOperationId,
    shift_id: input.shiftId, order_id: input.journalOrderId, amount_kop: input.amountMinor, currency: input.currency, phase: state.phase,
    request_id: input.operationId, transaction_id: input.paymentId, payment_type: input.kind, context_json: JSON.stringify(state),
  }, now);
  return { row, state, event: { type: 'intent', requestId: input.operationId, body: { kind: input.kind, amountMinor: input.amountMinor, currency: input.currency, paymentId: input.paymentId } } };
}
