// Customer balances driven by orders (docs/people-and-audit.md "Customer balances"): an order that is
// a prepaid service credits what the customer paid to their balance (keyed by the loyalty id of the
// payment); the service rendered (state completed) debits it; a refund of a service that was not
// rendered takes the refunded money back out. Every write is idempotent per (operation, kind), so the
// same order can be synced any number of times (each operation end, each service change, a restart).
import type Database from 'better-sqlite3';
import type { OperationView } from '../contract/checkout';
import { PaydeskError } from '../errors/catalogue';
import { orderMoney } from '../orders/status';
import { BalanceLedger, type BalancesConfig } from './ledger';

export interface BalanceSyncDeps {
  sqlite: Database.Database;
  storeId: () => string;
  config: () => BalancesConfig;
  /** Every operation of an order (payments and refunds). */
  operationsOf: (orderId: string) => OperationView[];
  onProblem?: (orderId: string, error: unknown) => void;
}

export type BalanceWrite = { kind: 'topup' | 'debit' | 'refund'; loyaltyId: string; amountMinor: number; ref: string };

/**
 * What the ledger should hold for one order (pure): the writes, each keyed by its operation.
 * `refundedFromBalance`: refund entries already written for this order. A rendered service consumes
 * what is left on the balance from its payments; a refund after that (an administrator's refund of a
 * completed service) is paid by the shop, not out of the balance, so it writes nothing.
 */
export function balanceWrites(orderId: string, serviceState: string | null, operations: readonly OperationView[], refundedFromBalance = 0): BalanceWrite[] {
  if (serviceState === null) return []; // goods: no balance
  const writes: BalanceWrite[] = [];
  const paid = operations.filter((o) => o.kind === 'payment' && o.isFinal && o.outcome === 'paid' && o.loyaltyId);
  for (const p of paid) writes.push({ kind: 'topup', loyaltyId: p.loyaltyId as string, amountMinor: p.amountKop, ref: p.id });
  const loyaltyId = paid[0]?.loyaltyId ?? null;
  if (!loyaltyId) return writes;
  if (serviceState === 'completed') {
    const money = orderMoney(operations.map((o) => ({ kind: o.kind, amountMinor: o.amountKop, outcome: o.isFinal ? o.outcome : null })));
    const rendered = money.paidMinor - refundedFromBalance;
    if (rendered > 0) writes.push({ kind: 'debit', loyaltyId, amountMinor: rendered, ref: `service:${orderId}` });
  } else {
    for (const r of operations) {
      if (r.kind === 'refund' && r.isFinal && r.outcome === 'refunded') writes.push({ kind: 'refund', loyaltyId, amountMinor: r.amountKop, ref: r.id });
    }
  }
  return writes;
}

export class BalanceSync {
  constructor(private readonly deps: BalanceSyncDeps) {}

  private serviceState(orderId: string): string | null {
    const row = this.deps.sqlite.prepare('SELECT state FROM order_services WHERE order_id = ?').get(orderId) as { state: string } | undefined;
    return row?.state ?? null;
  }

  /** Brings one order's balance entries up to date; a write the ledger refuses is reported, never thrown. */
  sync(orderId: string, personId: string | null = null): void {
    if (!this.deps.config().enabled) return;
    const ledger = new BalanceLedger(this.deps.sqlite, this.deps.storeId(), { config: this.deps.config });
    const operations = this.deps.operationsOf(orderId);
    const refundRef = this.deps.sqlite.prepare("SELECT COALESCE(SUM(amount_minor), 0) FROM balance_entries WHERE store_id = ? AND kind = 'refund' AND operation_ref = ?").pluck();
    const refundedFromBalance = operations.filter((o) => o.kind === 'refund').reduce((sum, r) => sum + Number(refundRef.get(this.deps.storeId(), r.id)), 0);
    for (const w of balanceWrites(orderId, this.serviceState(orderId), operations, refundedFromBalance)) {
      const input = { loyaltyId: w.loyaltyId, amountMinor: w.amountMinor, operationRef: w.ref, personId };
      try {
        if (w.kind === 'topup') ledger.topUp(input);
        else if (w.kind === 'debit') ledger.debit(input);
        else ledger.refund(input);
      } catch (error) {
        if (error instanceof PaydeskError && error.key === 'balance.insufficient') this.deps.onProblem?.(orderId, error);
        else throw error;
      }
    }
  }
}
