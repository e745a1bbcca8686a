// The QR payment's Driver for the provider-neutral runner (OperationActor), and the journal intent.
import { MachineDriver, type NextStep } from '../../checkout/runner';
import type { OperationEvent, OperationRow, OperationWrite } from '../../journal/operations';
import type { ExtpayClient } from './client';
import { extpayFailpoint } from './failpoints';
import { initialExtpayPayment, isFinalExtpay, isMaterialExtpay, reduceExtpay, type ExtpayEvent, type ExtpayState, type NewExtpayPayment } from './machine';

export const EXTPAY_PROVIDER = 'extpay';
const iso = (ms: number): string => new Date(ms).toISOString();

export interface ExtpayDriverDeps {
  client: ExtpayClient;
  webhookUrl: string;
  webhookToken: string | null;
  returnUrl: string | null;
  productTitle: string | null;
}

export class ExtpayPaymentDriver extends MachineDriver<ExtpayState, ExtpayEvent> {
  constructor(readonly operationId: string, private readonly base: OperationRow, private readonly deps: ExtpayDriverDeps) {
    super({ reduce: reduceExtpay, isFinal: isFinalExtpay, isMaterial: isMaterialExtpay });
  }

  async perform(step: NextStep, state: ExtpayState): Promise<ExtpayEvent> {
    const c = state.ctx;
    if (step.action === 'create') {
      extpayFailpoint('extpay.before_create');
      const outcome = await this.deps.client.create({
        externalOrderId: c.operationExternalId,
        amountMinor: c.amountMinor,
        currency: c.currency,
        method: c.method,
        webhookUrl: this.deps.webhookUrl,
        webhookToken: this.deps.webhookToken,
        returnUrl: this.deps.returnUrl,
        productTitle: this.deps.productTitle,
        // Our ids come back flattened in the webhook root; the id match is by internal_order_id.
        customData: { paydesk_operation: c.operationExternalId, paydesk_order: c.orderId },
      });
      extpayFailpoint('extpay.after_create');
      return { type: 'create_outcome', outcome };
    }
    const outcome = await this.deps.client.status(c.internalOrderId ?? '');
    extpayFailpoint('extpay.after_poll');
    return { type: 'poll_outcome', outcome };
  }

  writes(previous: ExtpayState, state: ExtpayState, event: ExtpayEvent | null): { primary: OperationWrite; related: OperationWrite[] } {
    const now = Date.now();
    const final = isFinalExtpay(state);
    const events: OperationEvent[] = [];
    if (event?.type === 'create_outcome' || event?.type === 'poll_outcome') {
      const o = event.outcome;
      const endpoint = event.type === 'create_outcome' ? 'create' : 'status';
      events.push(o.kind === 'ok' ? { type: 'response', endpoint, requestId: state.ctx.operationExternalId, body: o.value } : { type: o.kind === 'refused' ? 'response' : 'fault', endpoint, requestId: state.ctx.operationExternalId, ...(o.kind === 'refused' ? { httpStatus: o.status } : {}), body: o });
    }
    if (event?.type === 'webhook') events.push({ type: 'postback', body: event.observation });
    if (event?.type === 'restarted') events.push({ type: 'recovered', body: { phase: previous.phase } });
    if (previous.phase !== state.phase) events.push({ type: 'transition', phaseFrom: previous.phase, phaseTo: state.phase });
    const outcome = state.phase === 'paid' ? 'paid' : state.phase === 'failed' || state.phase === 'mismatch' ? 'failed' : null;
    const row: OperationRow = {
      ...this.base,
      phase: state.phase,
      is_final: final ? 1 : 0,
      outcome,
      transaction_id: state.ctx.internalOrderId,
      payment_type: state.ctx.method,
      provider_status: state.ctx.providerStatus,
      error_code: state.ctx.errorCode,
      error_key: state.ctx.errorKey,
      attempts: state.ctx.creates,
      context_json: JSON.stringify(state),
      updated_at: iso(now),
      finished_at: final ? iso(now) : null,
      recovered: state.ctx.recovered ? 1 : 0,
    };
    return { primary: { row, events }, related: [] };
  }
}

export function extpayIntent(input: NewExtpayPayment & { operationId: string; shiftId: number | null }, now: number): { row: OperationRow; state: ExtpayState; event: OperationEvent } {
  const state = initialExtpayPayment(input, now);
  const row: OperationRow = {
    id: input.operationId,
    kind: 'payment',
    provider: EXTPAY_PROVIDER,
    parent_id: null,
    shift_id: input.shiftId,
    order_id: input.orderId,
    amount_kop: input.amountMinor,
    currency: input.currency,
    phase: state.phase,
    is_final: 0,
    outcome: null,
    request_id: input.operationExternalId,
    transaction_id: null,
    ref_transaction_id: null,
    payment_type: input.method,
    provider_status: null,
    provider_ref_status: null,
    error_code: null,
    error_key: null,
    pay_token: null,
    loyalty_id: null,
    attempts: 0,
    context_json: JSON.stringify(state),
    created_at: iso(now),
    updated_at: iso(now),
    finished_at: null,
    recovered: 0,
  };
  return { row, state, event: { type: 'intent', requestId: input.operationExternalId, body: { amountMinor: input.amountMinor, currency: input.currency, method: input.method } } };
}
