// Classifying server enum values against the configured lists (seed 003 §8.2): a value the till
// does not know is reported as 'unknown' (and logged by the caller), never a crash.
import type { KoshelekConfig } from './config';

export type PaymentStatusClass = 'in_progress' | 'paid' | 'rejected' | 'canceled' | 'not_found' | 'unknown';
export type RefStatusClass = 'in_progress' | 'accepted' | 'rejected' | 'unknown';

export type KoshelekEnums = KoshelekConfig['enums'];

export function classifyPaymentStatus(status: string | undefined, enums: KoshelekEnums): PaymentStatusClass {
  if (status === undefined || status === '' || status === 'none') return 'not_found';
  const s = enums.paymentStatuses;
  if (s.inProgress.includes(status)) return 'in_progress';
  if (s.paid.includes(status)) return 'paid';
  if (s.rejected.includes(status)) return 'rejected';
  if (s.canceled.includes(status)) return 'canceled';
  return 'unknown';
}

export function classifyRefStatus(refStatus: string | undefined, enums: KoshelekEnums): RefStatusClass {
  if (refStatus === undefined || refStatus === '') return 'unknown';
  const s = enums.refStatuses;
  if (s.inProgress.includes(refStatus)) return 'in_progress';
  if (s.accepted.includes(refStatus)) return 'accepted';
  if (s.rejected.includes(refStatus)) return 'rejected';
  return 'unknown';
}
