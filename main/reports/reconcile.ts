// Reconciliation: the journal's view of each Koshelek operation of the shift against Koshelek's own
// status (transaction/status). The lookup is injected (the core passes one calling the Pay API).
import type { Reconciliation, ReconciliationItem, ReconciliationProblem, ReportOperationRow } from './model';

export interface RemoteStatus {
  /** Payment transaction status ('' or null result when Koshelek does not know the transaction). */
  status: string;
  /** Cancel/refund transaction status, when a refTransactionId was asked about. */
  refStatus?: string;
  /** slip.totalAmount, when known: compared with a paid payment's amount. */
  amountKop?: number;
}

/** `(transactionId, refTransactionId?) → status`; null = not found. May throw (network): reported, never fatal. */
export type StatusLookup = (transactionId: string, refTransactionId?: string) => Promise<RemoteStatus | null>;

export interface ReconcileOptions {
  /** Providers whose operations are compared (default ['koshelek']). */
  providers?: readonly string[];
  /** Payment statuses that mean the money was taken (config koshelek.enums.paymentStatuses.paid). */
  paidStatuses?: readonly string[];
  concurrency?: number;
  now?: () => Date;
}

const DEFAULT_PAID = ['accepted', 'refunding', 'refunded', 'partial_refunded'];

function describeRemote(remote: RemoteStatus | null): string {
  if (!remote || remote.status === '') return 'not found';
  return remote.refStatus ? `${remote.status}/${remote.refStatus}` : remote.status;
}

/** null when the journal and Koshelek agree, else the kind of difference. Pure. */
export function compareOne(row: ReportOperationRow, remote: RemoteStatus | null, paidStatuses: readonly string[] = DEFAULT_PAID): ReconciliationProblem | null {
  const known = remote !== null && remote.status !== '';
  if (!row.isFinal) return 'unresolved';
  const outcome = row.outcome ?? '';
  if (row.kind === 'payment') {
    const paidRemote = known && paidStatuses.includes(remote.status);
    switch (outcome) {
      case 'paid':
      case 'refunded':
        if (!known) return 'not_found';
        if (!paidRemote) return 'mismatch';
        if (remote.amountKop !== undefined && remote.amountKop !== row.amountKop) return 'amount';
        return null;
      case 'rejected':
        return known && remote.status === 'rejected' ? null : known ? 'mismatch' : 'not_found';
      case 'canceled':
        return !known || remote.status === 'canceled' ? null : 'mismatch';
      default: // failed, not_found: no money may have moved
        return paidRemote ? 'mismatch' : null;
    }
  }
  const ref = remote?.refStatus;
  if (row.kind === 'refund') {
    if (outcome === 'refunded') return ref === 'accepted' ? null : known ? 'mismatch' : 'not_found';
    return ref === 'accepted' ? 'mismatch' : null;
  }
  // cancel
  if (outcome === 'canceled') return ref === 'accepted' || remote?.status === 'canceled' ? null : known ? 'mismatch' : 'not_found';
  return ref === 'accepted' || remote?.status === 'canceled' ? 'mismatch' : null;
}

export async function reconcile(rows: readonly ReportOperationRow[], lookup: StatusLookup, options: ReconcileOptions = {}): Promise<Reconciliation> {
  const providers = options.providers ?? ['koshelek'];
  const paid = options.paidStatuses ?? DEFAULT_PAID;
  const differences: ReconciliationItem[] = [];
  let checked = 0;
  let matched = 0;
  let skipped = 0;
  const todo: { row: ReportOperationRow; tx: string; ref: string | undefined }[] = [];
  for (const row of rows) {
    const tx = row.kind === 'payment' ? row.transactionId : (row.transactionId ?? row.parent?.transactionId ?? null);
    const ref = row.kind === 'payment' ? undefined : (row.refTransactionId ?? undefined);
    if (!providers.includes(row.provider) || tx === null || (row.kind !== 'payment' && ref === undefined && row.isFinal)) {
      skipped += 1;
      continue;
    }
    todo.push({ row, tx, ref });
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const item = todo[next] as (typeof todo)[number];
      next += 1;
      checked += 1;
      const base = {
        operationId: item.row.id, kind: item.row.kind, orderId: item.row.orderId,
        transactionId: item.tx, refTransactionId: item.ref ?? null,
        journal: item.row.isFinal ? (item.row.outcome ?? 'unknown') : 'unresolved',
      };
      let remote: RemoteStatus | null;
      try {
        remote = await lookup(item.tx, item.ref);
      } catch (error) {
        differences.push({ ...base, koshelek: `error: ${error instanceof Error ? error.message : String(error)}`, problem: 'lookup_failed' });
        continue;
      }
      const problem = compareOne(item.row, remote, paid);
      if (problem === null) matched += 1;
      else differences.push({ ...base, koshelek: describeRemote(remote), problem });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  const order = new Map(rows.map((r, i) => [r.id, i]));
  differences.sort((a, b) => (order.get(a.operationId) ?? 0) - (order.get(b.operationId) ?? 0));
  return { checkedAt: (options.now?.() ?? new Date()).toISOString(), checked, matched, skipped, differences };
}
