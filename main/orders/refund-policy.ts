// The Refund button's decision as one pure function: the order's money, the service rule and the
// access table together. The core asks this before any refund leaves the till; the Payments screen
// asks it to show, disable or ask for a supervisor.
import type { CompiledAccess } from '../access/compile';
import type { Permission } from '../access/matrix';
import type { ErrorKey } from '../errors/catalogue';
import { orderMoney, serviceRefundRule, type OrderOperation, type ServiceState } from './status';

export interface RefundQuestion {
  actorId: string;
  operations: readonly OrderOperation[];
  service: ServiceState | null;
  amountMinor: number;
  /** Who made the sale. */
  saleCashierId: string;
}

export type RefundDecision =
  | { decision: 'allow'; permission: Permission }
  | { decision: 'needs_approval'; permission: Permission; approverRoles: string[]; reason: string }
  | { decision: 'deny'; key: ErrorKey; reason?: string };

export function refundDecision(q: RefundQuestion, access: CompiledAccess): RefundDecision {
  if (!Number.isSafeInteger(q.amountMinor) || q.amountMinor <= 0) return { decision: 'deny', key: 'payment.amount_invalid' };
  const money = orderMoney(q.operations);
  if (money.paidMinor === 0) return { decision: 'deny', key: 'refund.not_paid' };
  if (q.amountMinor > money.refundableMinor) return { decision: 'deny', key: money.refundableMinor === 0 && money.unresolved ? 'refund.in_progress' : 'refund.exceeds_available' };
  const rule = serviceRefundRule(q.service);
  if (!rule.refundable) return { decision: 'deny', key: rule.key };
  const d = access.authorize(q.actorId, rule.permission, { amountMinor: q.amountMinor, saleCashierId: q.saleCashierId });
  if (d.decision === 'allow') return { decision: 'allow', permission: rule.permission };
  if (d.decision === 'needs_approval') return { decision: 'needs_approval', permission: rule.permission, approverRoles: d.approverRoles, reason: d.reason };
  return { decision: 'deny', key: rule.permission === 'refund_completed_service' ? 'refund.service_completed_admin' : 'access.denied', reason: d.reason };
}
