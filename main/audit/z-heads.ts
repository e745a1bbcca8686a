// Each Z stores the audit chain head of its shift (z_audit_heads): the chain alone cannot see a cut
// tail, but a cut that removes a Z's head entry is caught here (docs/people-and-audit.md).
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { appendAudit, chainHead, verifyHead, type AuditEvent, type ChainHead } from './log';

const headRowSchema = z.object({ shift_id: z.number().int(), z_number: z.number().int().nullable(), seq: z.number().int(), hash: z.string() });

function hasTable(sqlite: Database.Database): boolean {
  return sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'z_audit_heads'").get() !== undefined;
}

/** Appends the Z's own entry and stores the head that results, in one transaction. */
export function recordZHead(sqlite: Database.Database, shiftId: number, zNumber: number | null, event: AuditEvent, now: () => Date = () => new Date()): ChainHead {
  const run = sqlite.transaction((): ChainHead => {
    appendAudit(sqlite, event, now);
    const head = chainHead(sqlite);
    sqlite.prepare('INSERT OR REPLACE INTO z_audit_heads (shift_id, z_number, seq, hash, created_at) VALUES (?, ?, ?, ?, ?)').run(shiftId, zNumber, head.seq, head.hash, now().toISOString());
    return head;
  });
  return sqlite.inTransaction ? run() : run.immediate();
}

/** The first stored Z head no longer in the chain (cut back or rewritten), or null when all are there. */
export function firstMissingZHead(sqlite: Database.Database): { shiftId: number; zNumber: number | null; seq: number; detail: string } | null {
  if (!hasTable(sqlite)) return null;
  for (const raw of sqlite.prepare('SELECT shift_id, z_number, seq, hash FROM z_audit_heads ORDER BY seq').all()) {
    const row = headRowSchema.parse(raw);
    const v = verifyHead(sqlite, row);
    if (!v.ok) return { shiftId: row.shift_id, zNumber: row.z_number, seq: row.seq, detail: v.detail };
  }
  return null;
}
