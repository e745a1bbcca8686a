// The listener's SQLite side: every delivery is stored raw before it is verified; a verified event is
// inserted once per (provider, dedupe key), so re-deliveries find it and act no more.
import type Database from 'better-sqlite3';
import { z } from 'zod';

export type Verdict = 'received' | 'accepted' | 'duplicate' | 'rejected';

export function storeDelivery(db: Database.Database, d: { provider: string; remoteAddr: string | null; contentType: string | null; raw: Buffer }): number {
  const info = db.prepare('INSERT INTO webhook_deliveries (provider, received_at, remote_addr, content_type, raw_body) VALUES (?, ?, ?, ?, ?)')
    .run(d.provider, new Date().toISOString(), d.remoteAddr, d.contentType, d.raw);
  return Number(info.lastInsertRowid);
}

export function setVerdict(db: Database.Database, id: number, verdict: Verdict, reason: string | null, dedupeKey: string | null): void {
  db.prepare('UPDATE webhook_deliveries SET verdict = ?, reason = ?, dedupe_key = ? WHERE id = ?').run(verdict, reason, dedupeKey, id);
}

/** True when this is the first delivery of the event (it must be acted on); false for a duplicate. */
export function recordEvent(db: Database.Database, e: { provider: string; dedupeKey: string; deliveryId: number; subject: string; payload: unknown }): boolean {
  return db.transaction(() => {
    const inserted = db.prepare('INSERT OR IGNORE INTO webhook_events (provider, dedupe_key, delivery_id, subject, payload_json, received_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.provider, e.dedupeKey, e.deliveryId, e.subject, JSON.stringify(e.payload), new Date().toISOString()).changes === 1;
    setVerdict(db, e.deliveryId, inserted ? 'accepted' : 'duplicate', null, e.dedupeKey);
    return inserted;
  })();
}

export function markHandled(db: Database.Database, provider: string, dedupeKey: string): void {
  db.prepare('UPDATE webhook_events SET handled_at = ? WHERE provider = ? AND dedupe_key = ?').run(new Date().toISOString(), provider, dedupeKey);
}

const eventRowSchema = z.object({ provider: z.string(), dedupe_key: z.string(), subject: z.string(), payload_json: z.string() });
export interface PendingEvent { provider: string; dedupeKey: string; subject: string; payload: unknown }

/** Events stored but not yet acted on (the process died between the 200 and the callback). */
export function pendingEvents(db: Database.Database): PendingEvent[] {
  return db.prepare('SELECT provider, dedupe_key, subject, payload_json FROM webhook_events WHERE handled_at IS NULL ORDER BY received_at').all()
    .map((r) => eventRowSchema.parse(r))
    .map((r) => ({ provider: r.provider, dedupeKey: r.dedupe_key, subject: r.subject, payload: JSON.parse(r.payload_json) as unknown }));
}

const deliverySchema = z.object({ id: z.number(), provider: z.string(), verdict: z.string(), reason: z.string().nullable(), dedupe_key: z.string().nullable() });
export function deliveries(db: Database.Database, provider: string): z.output<typeof deliverySchema>[] {
  return db.prepare('SELECT id, provider, verdict, reason, dedupe_key FROM webhook_deliveries WHERE provider = ? ORDER BY id').all(provider).map((r) => deliverySchema.parse(r));
}
