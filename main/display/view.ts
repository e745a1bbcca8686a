// What the customer display shows, as a pure function of the till's state (docs/ui.md "Customer display").
// Only customer-safe fields leave here; the result is parsed by the contract's strict schema at the edge.
import type { CustomerDisplayView } from '../contract/display';
import type { OperationView } from '../contract/checkout';
import { TILL_CURRENCY } from '../contract/currency';

export interface DisplayInputs {
  enabled: boolean;
  storeName: string;
  /** The cashier's running basket total (0 / null: empty basket). */
  basketKop: number | null;
  /** The payment the display follows (see `follows`), or null. */
  payment: OperationView | null;
  /** The ended payment's result is still within its showing time. */
  resultFresh: boolean;
}

const IDLE = (storeName: string): CustomerDisplayView => ({ state: 'idle', storeName, totalKop: null, qr: null });

/** A payment of the customer at the till (not a refund, not parked or held for IT). */
export function follows(operation: OperationView): boolean {
  return operation.kind === 'payment' && operation.parked !== true && operation.held !== true;
}

/** The DTO's limit on the store name (the config has none). */
const STORE_NAME_MAX = 200;

export function customerDisplayView(input: DisplayInputs): CustomerDisplayView {
  if (!input.enabled) return { state: 'off', storeName: '', totalKop: null, qr: null };
  const { payment } = input;
  const storeName = input.storeName.slice(0, STORE_NAME_MAX);
  if (payment && follows(payment)) {
    // The sale's own currency: a USD or KZT charge must not read as roubles to the customer.
    const currency = payment.currency ?? TILL_CURRENCY;
    if (!payment.isFinal) {
      const qr = payment.customerAction?.kind === 'qr' ? { kind: 'qr' as const, payload: payment.customerAction.payload, hintRu: payment.customerAction.hintRu } : null;
      return { state: 'pay', storeName, totalKop: payment.amountKop, currency, qr };
    }
    if (input.resultFresh && payment.outcome === 'paid') return { state: 'paid', storeName, totalKop: payment.amountKop, currency, qr: null };
    if (input.resultFresh && (payment.outcome === 'rejected' || payment.outcome === 'failed')) return { state: 'declined', storeName, totalKop: payment.amountKop, currency, qr: null };
  }
  if (input.basketKop !== null && input.basketKop > 0) return { state: 'basket', storeName, totalKop: input.basketKop, qr: null };
  return IDLE(storeName);
}
