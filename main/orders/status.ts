// Order marks and the service refund rule as pure functions (docs/people-and-audit.md).
// Order status comes from the order's operations: money taken by payments minus refunds completed.
// A sale may carry a service (a consultation, a booking); goods count as a completed service at payment.
import { z } from 'zod';
import { PAYMENT_PAID_OUTCOMES, REFUND_DONE_OUTCOME } from '../reports/compute';

export interface OrderOperation {
  kind: 'payment' | 'cancel' | 'refund';
  amountMinor: number;
  /** The journal's outcome: null while unresolved. */
  outcome: string | null;
}

export type OrderPaymentStatus = 'not_paid' | 'paid' | 'partly_refunded' | 'refunded';

export const ORDER_STATUS_LABELS: Record<OrderPaymentStatus, string> = {
  not_paid: 'Не оплачено',
  paid: 'Оплачено',
  partly_refunded: 'Частично возвращено',
  refunded: 'Возвращено',
};

export interface OrderMoney {
  status: OrderPaymentStatus;
  paidMinor: number;
  refundedMinor: number;
  /** What may still be refunded (refunds in flight already count against it). */
  refundableMinor: number;
  /** Some operation has no final outcome yet: the status may still change. */
  unresolved: boolean;
}

export function orderMoney(operations: readonly OrderOperation[]): OrderMoney {
  let paid = 0;
  let refunded = 0;
  let refundsInFlight = 0;
  let unresolved = false;
  for (const op of operations) {
    if (op.outcome === null) unresolved = true;
    if (op.kind === 'payment' && op.outcome !== null && PAYMENT_PAID_OUTCOMES.includes(op.outcome)) paid += op.amountMinor;
    if (op.kind === 'refund' && op.outcome === REFUND_DONE_OUTCOME) refunded += op.amountMinor;
    if (op.kind === 'refund' && op.outcome === null) refundsInFlight += op.amountMinor;
  }
  const status: OrderPaymentStatus = paid === 0 ? 'not_paid' : refunded === 0 ? 'paid' : refunded >= paid ? 'refunded' : 'partly_refunded';
  return { status, paidMinor: paid, refundedMinor: refunded, refundableMinor: Math.max(0, paid - refunded - refundsInFlight), unresolved };
}

export const serviceStateSchema = z.enum(['scheduled', 'in_progress', 'completed', 'cancelled']);
export type ServiceState = z.infer<typeof serviceStateSchema>;

export const SERVICE_STATE_LABELS: Record<ServiceState, string> = {
  scheduled: 'Запланирована',
  in_progress: 'Идёт',
  completed: 'Оказана',
  cancelled: 'Отменена',
};

export type ServiceRefundRule =
  | { refundable: false; key: 'refund.service_not_finished' }
  /** Cancelled services are refunded under the ordinary `refund` right. */
  | { refundable: true; permission: 'refund' }
  /** Completed services only by someone holding `refund_completed_service` (administrators by default). */
  | { refundable: true; permission: 'refund_completed_service' };

/**
 * No refund while a service is scheduled or in progress (cancel it first); a cancelled one is refundable;
 * a completed one (including a service that lapsed and was closed) only by an administrator.
 * Goods (no service) are "completed" at payment but follow the ordinary refund right.
 */
export function serviceRefundRule(service: ServiceState | null): ServiceRefundRule {
  switch (service) {
    case null:
      return { refundable: true, permission: 'refund' };
    case 'scheduled':
    case 'in_progress':
      return { refundable: false, key: 'refund.service_not_finished' };
    case 'cancelled':
      return { refundable: true, permission: 'refund' };
    case 'completed':
      return { refundable: true, permission: 'refund_completed_service' };
  }
}

/** Allowed service state changes: scheduled → in progress → completed, and cancel before completion. */
const NEXT: Record<ServiceState, readonly ServiceState[]> = {
  scheduled: ['in_progress', 'cancelled', 'completed'],
  in_progress: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

export function canMoveService(from: ServiceState, to: ServiceState): boolean {
  return NEXT[from].includes(to);
}
