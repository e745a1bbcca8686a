// The bank payment link's Driver for the provider-neutral runner (OperationActor): binds the pure machine
// to the bank adapter the operation started with, and maps its states to journal rows.
import { MachineDriver, type NextStep } from '../checkout/runner';
import { intentRow, transitionRow, type OperationEvent, type OperationRow, type OperationWrite } from '../journal/operations';
import type { BankAdapter, LookupOutcome } from './bank';
import { bankFailpoint } from './failpoints';
import { bankSlipRow } from './slip';
import {
  initialLinkPayment, isFinalLink, isMaterialLink, linkOutcome, reduceLink,
  type LinkEvent, type LinkState, type NewLinkPayment,
} from './machine';

const iso = (ms: number): string => new Date(ms).toISOString();

export class LinkPaymentDriver extends MachineDriver<LinkState, LinkEvent> {
  /**
   * Set once this instance sent the create. The runner redoes an action whose outcome it could not
   * journal; for a create that would be a second link (maybe a second charge), so it becomes a find.
   */
  private created = false;

  /** @param resumed read back from the journal after a start: never creates, whatever the state says. */
  constructor(
    readonly operationId: string,
    private readonly base: OperationRow,
    private readonly bank: BankAdapter,
    private readonly resumed: boolean,
  ) {
    super({ reduce: reduceLink, isFinal: isFinalLink, isMaterial: isMaterialLink });
  }

  async perform(step: NextStep, state: LinkState): Promise<LinkEvent> {
    const c = state.ctx;
    if (step.action === 'create') {
      if (this.resumed || this.created) return { type: 'restarted' };
      this.created = true;
      bankFailpoint('bank.before_create');
      const outcome = await this.bank.create({
        reference: c.reference, amountMinor: c.amountMinor, purpose: c.purpose, methods: c.methods, saveCard: c.saveCard,
        consumerId: c.savedConsumerId, lines: c.lines,
      });
      bankFailpoint('bank.after_create');
      return { type: 'create_outcome', outcome };
    }
    if (step.action === 'revoke') {
      if (c.bankOperationId === null || !this.bank.revoke) return { type: 'revoke_outcome', done: false, detail: 'nothing to revoke' };
      const r = await this.bank.revoke({ bankOperationId: c.bankOperationId, reference: c.reference });
      return { type: 'revoke_outcome', done: r.done, detail: r.detail };
    }
    if (step.action === 'find' || c.bankOperationId === null) {
      return { type: 'find_outcome', outcome: await this.bank.findByReference(c.reference, c.startedAt) };
    }
    const outcome: LookupOutcome = await this.bank.read({ bankOperationId: c.bankOperationId, reference: c.reference });
    bankFailpoint('bank.after_poll');
    return { type: 'poll_outcome', outcome };
  }

  writes(previous: LinkState, state: LinkState, event: LinkEvent | null): { primary: OperationWrite; related: OperationWrite[] } {
    const now = Date.now();
    const final = isFinalLink(state);
    const events: OperationEvent[] = [...eventRecord(event, state.ctx.reference)];
    if (previous.phase !== state.phase) events.push({ type: 'transition', phaseFrom: previous.phase, phaseTo: state.phase });
    if (event?.type === 'restarted') events.push({ type: 'recovered', body: { phase: previous.phase } });
    const row = transitionRow(this.base, state, final, {
      outcome: linkOutcome(state),
      transaction_id: state.ctx.bankOperationId,
      // The cashier's method when the sale named one (the tender), else how the bank says it was paid.
      payment_type: this.base.payment_type ?? state.ctx.paymentType,
      provider_status: state.ctx.rawStatus,
      error_code: state.ctx.errorCode,
      error_key: state.ctx.errorKey,
      attempts: state.ctx.creates,
    }, now);
    const slip = previous.phase !== 'paid' && state.phase === 'paid' ? bankSlipRow(this.base.provider, state, iso(now)) : null;
    return { primary: { row, events, slip }, related: [] };
  }
}

/** What the journal keeps of an exchange: kind, normalised operation or fault (banks send us no secrets). */
function eventRecord(event: LinkEvent | null, requestId: string): OperationEvent[] {
  if (!event) return [];
  switch (event.type) {
    case 'create_outcome':
      return [{ type: event.outcome.kind === 'created' ? 'response' : 'fault', endpoint: 'create', requestId, body: event.outcome }];
    case 'find_outcome':
    case 'poll_outcome':
      return [{ type: event.outcome.kind === 'unknown' ? 'fault' : 'response', endpoint: event.type === 'find_outcome' ? 'find' : 'poll', requestId, body: event.outcome }];
    case 'revoke_outcome':
      return [{ type: event.done ? 'response' : 'fault', endpoint: 'revoke', requestId, body: { done: event.done, detail: event.detail } }];
    case 'cancel':
    case 'nudge':
      return [{ type: 'note', requestId, body: { event: event.type } }];
    case 'restarted':
      return [];
  }
}

export interface LinkIntentInput extends Omit<NewLinkPayment, 'reference'> {
  operationId: string;
  provider: string;
  shiftId: number | null;
  kind?: 'payment';
  /** The cashier's method id (the tender's method, e.g. "sbp"); absent: the bank's payment type is kept. */
  methodId?: string | null;
  /** The scanned customer (loyalty id): a binding's card is saved against it (journal column loyalty_id). */
  customerId?: string | null;
}

/** The intent committed (OperationStore.insertIntent) before the create. Our reference is the row's request_id. */
export function linkIntent(input: LinkIntentInput, reference: string, now: number): { row: OperationRow; state: LinkState; event: OperationEvent } {
  const { operationId, provider, shiftId, kind: _kind, methodId, customerId, ...rest } = input;
  const state = initialLinkPayment({ ...rest, reference }, now);
  const row = intentRow({
    id: operationId, kind: 'payment', provider, shift_id: shiftId, order_id: input.orderId, amount_kop: input.amountMinor,
    currency: input.currency, phase: state.phase, request_id: reference, payment_type: methodId ?? null, error_key: state.ctx.errorKey,
    loyalty_id: customerId ?? null, context_json: JSON.stringify(state),
  }, now);
  return { row, state, event: { type: 'intent', requestId: reference, body: { amountMinor: input.amountMinor, currency: input.currency, saveCard: input.saveCard } } };
}
