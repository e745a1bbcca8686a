// Reconciliation: the journal's view of each operation of the shift against what its provider says
// now. The lookup is injected and speaks the journal's neutral outcomes; each provider maps its own
// status words onto them in its own folder (main/payapi/<provider>/). A provider that cannot look an
// operation up answers null, and the operation is counted as skipped.
import { PAYMENT_PAID_OUTCOMES } from './compute';
import type { OperationKind, Reconciliation, ReconciliationItem, ReconciliationProblem, ReportOperationRow } from './model';

/** What the provider says about one operation, in the journal's outcome words. */
export type RemoteOutcome = 'paid' | 'refunded' | 'canceled' | 'rejected' | 'pending' | 'not_found';

export interface RemoteStatus {
  outcome: RemoteOutcome;
  /** The amount the provider holds for a payment, when it says: compared with a paid payment's amount. */
  amountKop?: number;
  /** The provider's own words, shown to the manager on a difference (e.g. "accepted/rejected"). */
  raw: string;
}

/** The operation a lookup is asked about. For a cancel or refund, transactionId is its payment's. */
export interface ReconcileOperation {
  provider: string;
  kind: OperationKind;
  transactionId: string;
  refTransactionId: string | null;
  requestId: string;
}

/** One operation's status at its provider; null = this provider cannot look it up (skipped). May throw (network): reported, never fatal. */
export type StatusLookup = (op: ReconcileOperation) => Promise<RemoteStatus | null>;

/** One lookup per provider id; operations of other providers are skipped. */
export function lookupByProvider(lookups: Readonly<Record<string, StatusLookup>>): StatusLookup {
  return async (op) => {
    const lookup = Object.prototype.hasOwnProperty.call(lookups, op.provider) ? lookups[op.provider] : undefined;
    return lookup ? lookup(op) : null;
  };
}

export interface ReconcileOptions {
  /** Only these providers' operations are compared (default: every provider the lookup answers for). */
  providers?: readonly string[];
  concurrency?: number;
  now?: () => Date;
}

const moneyTaken = (outcome: RemoteOutcome): boolean => PAYMENT_PAID_OUTCOMES.includes(outcome);

/** null when the journal and the provider agree, else the kind of difference. Pure. */
export function compareOne(row: ReportOperationRow, remote: RemoteStatus): ReconciliationProblem | null {
  if (!row.isFinal) return 'unresolved';
  const known = remote.outcome !== 'not_found';
  const outcome = row.outcome ?? '';
  if (row.kind === 'payment') {
    switch (outcome) {
      case 'paid':
      case 'refunded':
        if (!known) return 'not_found';
        if (!moneyTaken(remote.outcome)) return 'mismatch';
        if (remote.amountKop !== undefined && remote.amountKop !== row.amountKop) return 'amount';
        return null;
      case 'rejected':
        return remote.outcome === 'rejected' ? null : known ? 'mismatch' : 'not_found';
      case 'canceled':
        return !known || remote.outcome === 'canceled' ? null : 'mismatch';
      default: // failed, not_found: no money may have moved
        return moneyTaken(remote.outcome) ? 'mismatch' : null;
    }
  }
  // A refund or cancel: its own outcome ('refunded' / 'canceled') means the money went back or never moved.
  const done = row.kind === 'refund' ? 'refunded' : 'canceled';
  if (outcome === done) return remote.outcome === done ? null : known ? 'mismatch' : 'not_found';
  return remote.outcome === done ? 'mismatch' : null;
}

export async function reconcile(rows: readonly ReportOperationRow[], lookup: StatusLookup, options: ReconcileOptions = {}): Promise<Reconciliation> {
  const differences: ReconciliationItem[] = [];
  let checked = 0;
  let matched = 0;
  let skipped = 0;
  const todo: { row: ReportOperationRow; tx: string; ref: string | null }[] = [];
  for (const row of rows) {
    const tx = row.kind === 'payment' ? row.transactionId : (row.transactionId ?? row.parent?.transactionId ?? null);
    const ref = row.kind === 'payment' ? null : row.refTransactionId;
    const excluded = options.providers !== undefined && !options.providers.includes(row.provider);
    if (excluded || tx === null || (row.kind !== 'payment' && ref === null && row.isFinal)) {
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
      const base = {
        operationId: item.row.id, kind: item.row.kind, orderId: item.row.orderId,
        transactionId: item.tx, refTransactionId: item.ref,
        journal: item.row.isFinal ? (item.row.outcome ?? 'unknown') : 'unresolved',
      };
      let remote: RemoteStatus | null;
      try {
        remote = await lookup({ provider: item.row.provider, kind: item.row.kind, transactionId: item.tx, refTransactionId: item.ref, requestId: item.row.requestId });
      } catch (error) {
        checked += 1;
        differences.push({ ...base, provider: `error: ${error instanceof Error ? error.message : String(error)}`, problem: 'lookup_failed' });
        continue;
      }
      if (remote === null) {
        skipped += 1;
        continue;
      }
      checked += 1;
      const problem = compareOne(item.row, remote);
      if (problem === null) matched += 1;
      else differences.push({ ...base, provider: remote.raw, problem });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  const order = new Map(rows.map((r, i) => [r.id, i]));
  differences.sort((a, b) => (order.get(a.operationId) ?? 0) - (order.get(b.operationId) ?? 0));
  return { checkedAt: (options.now?.() ?? new Date()).toISOString(), checked, matched, skipped, differences };
}
