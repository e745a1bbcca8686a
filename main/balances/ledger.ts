// Customer balances per store, keyed by loyalty id (docs/people-and-audit.md): a ledger of entries
// that are never changed; the balance is always the sum of the entries. A debit or a refund out of the
// balance checks and writes inside one IMMEDIATE transaction, so concurrent tills or processes cannot
// spend the same money twice; a database trigger refuses a negative balance as a second line.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { appendAudit } from '../audit/log';
import { PaydeskError } from '../errors/catalogue';

export const balancesConfigSchema = z.object({
  /** Off by default: most shops sell goods, not prepaid services. */
  enabled: z.boolean().default(false),
});
export type BalancesConfig = z.infer<typeof balancesConfigSchema>;

export const balanceEntryKindSchema = z.enum(['topup', 'debit', 'refund']);
export type BalanceEntryKind = z.infer<typeof balanceEntryKindSchema>;

export const balanceEntryInputSchema = z.object({
  loyaltyId: z.string().trim().min(1).max(64),
  amountMinor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** The payment, service or refund this entry stems from: the same (ref, kind) is written once. */
  operationRef: z.string().min(1).max(128),
  personId: z.string().min(1).nullable().default(null),
});
export type BalanceEntryInput = z.input<typeof balanceEntryInputSchema>;

const rowSchema = z.object({
  id: z.number().int(),
  store_id: z.string(),
  loyalty_id: z.string(),
  kind: balanceEntryKindSchema,
  amount_minor: z.number().int(),
  operation_ref: z.string(),
  person_id: z.string().nullable(),
  created_at: z.string(),
});

export interface BalanceEntry {
  id: number;
  storeId: string;
  loyaltyId: string;
  kind: BalanceEntryKind;
  amountMinor: number;
  operationRef: string;
  personId: string | null;
  createdAt: string;
}

const toEntry = (r: z.infer<typeof rowSchema>): BalanceEntry => ({
  id: r.id, storeId: r.store_id, loyaltyId: r.loyalty_id, kind: r.kind, amountMinor: r.amount_minor, operationRef: r.operation_ref, personId: r.person_id, createdAt: r.created_at,
});

/** Signed effect on the customer's balance. */
export function signedAmount(kind: BalanceEntryKind, amountMinor: number): number {
  return kind === 'topup' ? amountMinor : -amountMinor;
}

export class BalanceLedger {
  constructor(
    private readonly sqlite: Database.Database,
    readonly storeId: string,
    private readonly options: { config: () => BalancesConfig; audit?: boolean; now?: () => Date } = { config: () => ({ enabled: true }) },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  balance(loyaltyId: string): number {
    const row = this.sqlite
      .prepare("SELECT COALESCE(SUM(CASE kind WHEN 'topup' THEN amount_minor ELSE -amount_minor END), 0) AS b FROM balance_entries WHERE store_id = ? AND loyalty_id = ?")
      .get(this.storeId, loyaltyId) as { b: number };
    return row.b;
  }

  entries(loyaltyId: string): BalanceEntry[] {
    return this.sqlite
      .prepare('SELECT * FROM balance_entries WHERE store_id = ? AND loyalty_id = ? ORDER BY id')
      .all(this.storeId, loyaltyId)
      .map((r) => toEntry(rowSchema.parse(r)));
  }

  topUp(input: BalanceEntryInput): BalanceEntry {
    return this.write('topup', input);
  }

  /** The service was rendered: its price leaves the balance. */
  debit(input: BalanceEntryInput): BalanceEntry {
    return this.write('debit', input);
  }

  /** Money returned to the customer out of the balance. */
  refund(input: BalanceEntryInput): BalanceEntry {
    return this.write('refund', input);
  }

  private write(kind: BalanceEntryKind, raw: BalanceEntryInput): BalanceEntry {
    if (!this.options.config().enabled) throw new PaydeskError('balance.disabled');
    const parsed = balanceEntryInputSchema.safeParse(raw);
    if (!parsed.success) throw new PaydeskError('balance.invalid', parsed.error.issues.map((i) => i.path.join('.')).join(', '));
    const input = parsed.data;
    const run = this.sqlite.transaction((): BalanceEntry => {
      const existing = this.sqlite.prepare('SELECT * FROM balance_entries WHERE store_id = ? AND operation_ref = ? AND kind = ?').get(this.storeId, input.operationRef, kind);
      if (existing) {
        const entry = toEntry(rowSchema.parse(existing));
        // A retry of the same write returns the first entry; the same ref with other facts is a bug upstream.
        if (entry.loyaltyId !== input.loyaltyId || entry.amountMinor !== input.amountMinor) throw new PaydeskError('balance.invalid', `operation ${input.operationRef} was already recorded differently`);
        return entry;
      }
      if (kind !== 'topup' && this.balance(input.loyaltyId) < input.amountMinor) throw new PaydeskError('balance.insufficient');
      const at = this.now().toISOString();
      const info = this.sqlite
        .prepare('INSERT INTO balance_entries (store_id, loyalty_id, kind, amount_minor, operation_ref, person_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(this.storeId, input.loyaltyId, kind, input.amountMinor, input.operationRef, input.personId, at);
      if (this.options.audit !== false) {
        appendAudit(this.sqlite, { kind: 'balance_entry', actor: input.personId, data: { store: this.storeId, loyalty: input.loyaltyId, entry: kind, amountMinor: input.amountMinor, operation: input.operationRef } }, () => new Date(at));
      }
      return { id: Number(info.lastInsertRowid), storeId: this.storeId, loyaltyId: input.loyaltyId, kind, amountMinor: input.amountMinor, operationRef: input.operationRef, personId: input.personId, createdAt: at };
    });
    // IMMEDIATE takes the write lock before reading the balance, so the check and the insert cannot interleave with another writer.
    return this.sqlite.inTransaction ? run() : run.immediate();
  }
}
