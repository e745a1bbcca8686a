// Customers' saved cards: only the bank's card id (consumerId) against our customer id; unbinding marks
// the row removed (Tochka documents no API to delete a saved card — docs/banks.md).
import type Database from 'better-sqlite3';
import { z } from 'zod';

const rowSchema = z.object({
  provider: z.string(), customer_id: z.string(), consumer_id: z.string(), bound_by: z.string(), created_at: z.string(), removed_at: z.string().nullable(),
});
export type SavedCard = z.output<typeof rowSchema>;

export function saveCard(db: Database.Database, card: { provider: string; customerId: string; consumerId: string; boundBy: string }, now = Date.now()): void {
  db.prepare(`INSERT INTO saved_cards (provider, customer_id, consumer_id, bound_by, created_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(provider, consumer_id) DO UPDATE SET customer_id = excluded.customer_id, removed_at = NULL`)
    .run(card.provider, card.customerId, card.consumerId, card.boundBy, new Date(now).toISOString());
}

export function listSavedCards(db: Database.Database, customerId: string): SavedCard[] {
  return db.prepare('SELECT * FROM saved_cards WHERE customer_id = ? AND removed_at IS NULL ORDER BY created_at').all(customerId).map((r) => rowSchema.parse(r));
}

export function unbindCard(db: Database.Database, provider: string, consumerId: string, now = Date.now()): boolean {
  return db.prepare('UPDATE saved_cards SET removed_at = ? WHERE provider = ? AND consumer_id = ? AND removed_at IS NULL').run(new Date(now).toISOString(), provider, consumerId).changes === 1;
}
