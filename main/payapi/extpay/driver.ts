// The QR payment's Driver for the provider-neutral runner (OperationActor), and the journal intent.
import { MachineDriver, type NextStep } from '../../checkout/runner';
import { intentRow, transitionRow, type OperationEvent, type OperationRow, type OperationWrite, type SlipInput } from '../../journal/operations';
import { encodeSlipRefs } from '../../journal/refs';
import type { ExtpayClient } from './client';
import { extpayFailpoint } from './failpoints';
import { initialExtpayPayment, isFinalExtpay, isMaterialExtpay, reduceExtpay, type ExtpayEvent, type ExtpayState, type NewExtpayPayment } from './machine';

export const EXTPAY_PROVIDER = 'extpay';
/** The ids on a paid QR payment's slip (slips.refs_json), with their labels. */
export const EXTPAY_SLIP_REFS = [
  { key: 'internalOrderId', label: 'ID платежа' },
  { key: 'paymentMethod', label: 'Способ' },
  { key: 'settledBy', label: 'Подтверждено' },
] as const;

/** The slip of a paid QR payment: the service's payment id, the method, and how the till learned of it. */
export function extpaySlipRow(state: ExtpayState, orderId: string, at: string): SlipInput | null {
  const c = state.ctx;
  if (state.phase !== 'paid' || !c.internalOrderId) return null;
  return {
    slip_id: c.internalOrderId,
    payment_transaction_id: c.internalOrderId,
    refund_transaction_id: null,
    payment_type: c.method,
    order_id: orderId,
    store_id: null,
    terminal_id: null,
    operation_date_time: at,
    refs_json: encodeSlipRefs({ internalOrderId: c.internalOrderId, paymentMethod: c.method, settledBy: c.settledBy }),
    total_amount_kop: c.amountMinor,
    currency: c.currency,
    raw_json: JSON.stringify({ v: 1, provider: EXTPAY_PROVIDER, internalOrderId: c.internalOrderId, operationExternalId: c.operationExternalId, method: c.method, amountMinor: c.amountMinor, currency: c.currency, settledBy: c.settledBy }),
  };
}
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
    const row = transitionRow(this.base, state, final, {
      outcome,
      transaction_id: state.ctx.internalOrderId,
      payment_type: state.ctx.method,
      provider_status: state.ctx.providerStatus,
      error_code: state.ctx.errorCode,
      error_key: state.ctx.errorKey,
      attempts: state.ctx.creates,
    }, now);
    const slip = previous.phase !== 'paid' ? extpaySlipRow(state, this.base.order_id, iso(now)) : null;
    return { primary: { row, events, ...(slip ? { slip } : {}) }, related: [] };
  }
}

export function extpayIntent(input: NewExtpayPayment & { operationId: string; shiftId: number | null }, now: number): { row: OperationRow; state: ExtpayState; event: OperationEvent } {
  const state = initialExtpayPayment(input, now);
  const row = intentRow({
    id: input.operationId, kind: 'payment', provider: EXTPAY_PROVIDER, shift_id: input.shiftId, order_id: input.orderId,
    amount_kop: input.amountMinor, currency: input.currency, phase: state.phase, request_id: input.operationExternalId,
    payment_type: input.method, context_json: JSON.stringify(state),
  }, now);
  return { row, state, event: { type: 'intent', requestId: input.operationExternalId, body: { amountMinor: input.amountMinor, currency: input.currency, method: input.method } } };
}
