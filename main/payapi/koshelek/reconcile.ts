// Koshelek's side of the shift reconciliation: its transaction/status answer (status of the payment,
// refStatus of a cancel / refund) mapped onto the journal's neutral outcomes that main/reports/
// reconcile.ts compares. The status words come from config koshelek.enums, so a renamed status is a
// config edit (reference koshelek-pay-api.md §3.1, §3.2).
import type { RemoteOutcome, RemoteStatus, StatusLookup } from '../../reports/reconcile';
import type { OperationKind } from '../../reports/model';
import type { KoshelekConfig } from './config';

/** What transaction/status said: `status` is '' when Koshelek does not know the transaction. */
export interface KoshelekStatusAnswer {
  status: string;
  /** The cancel / refund transaction's status, when a refTransactionId was asked about. */
  refStatus?: string;
  /** slip.totalAmount, when the answer carries a slip. */
  amountKop?: number;
}

export type KoshelekStatusEnums = Pick<KoshelekConfig['enums'], 'paymentStatuses' | 'refStatuses'>;

/** The neutral outcome of one operation from Koshelek's answer. Pure. */
export function koshelekOutcome(kind: OperationKind, answer: KoshelekStatusAnswer, enums: KoshelekStatusEnums): RemoteOutcome {
  const { paymentStatuses: pay, refStatuses: ref } = enums;
  const refAccepted = answer.refStatus !== undefined && ref.accepted.includes(answer.refStatus);
  const refRejected = answer.refStatus !== undefined && ref.rejected.includes(answer.refStatus);
  // A refund / cancel accepted is what the journal compares first, as before the neutral core.
  if (kind === 'refund' && refAccepted) return 'refunded';
  if (kind === 'cancel' && (refAccepted || pay.canceled.includes(answer.status))) return 'canceled';
  if (answer.status === '') return 'not_found';
  if (kind === 'payment') {
    if (pay.paid.includes(answer.status)) return 'paid';
    if (pay.rejected.includes(answer.status)) return 'rejected';
    if (pay.canceled.includes(answer.status)) return 'canceled';
    return 'pending';
  }
  return refRejected ? 'rejected' : 'pending';
}

/** Koshelek's own words, as the manager sees them on a difference. */
export function koshelekRaw(answer: KoshelekStatusAnswer): string {
  if (answer.status === '') return 'not found';
  return answer.refStatus ? `${answer.status}/${answer.refStatus}` : answer.status;
}

export function koshelekRemoteStatus(kind: OperationKind, answer: KoshelekStatusAnswer, enums: KoshelekStatusEnums): RemoteStatus {
  return { outcome: koshelekOutcome(kind, answer, enums), raw: koshelekRaw(answer), ...(answer.amountKop !== undefined ? { amountKop: answer.amountKop } : {}) };
}

/** transaction/status for (transactionId, refTransactionId?); null when no answer came (no connection, error). */
export type KoshelekStatusQuery = (transactionId: string, refTransactionId?: string) => Promise<KoshelekStatusAnswer | null>;

/**
 * The reconciliation lookup for Koshelek's operations. No answer is a failed lookup (the manager sees
 * «не удалось проверить»), not a transaction Koshelek does not know.
 */
export function koshelekStatusLookup(query: KoshelekStatusQuery, enums: () => KoshelekStatusEnums): StatusLookup {
  return async (op) => {
    const answer = await query(op.transactionId, op.refTransactionId ?? undefined);
    if (answer === null) throw new Error('Koshelek Pay gave no status answer');
    return koshelekRemoteStatus(op.kind, answer, enums());
  };
}
