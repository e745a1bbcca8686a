// Tamper-evident audit trail (docs/people-and-audit.md): each entry is canonical JSON carrying its own
// sequence number; hash = sha256(prev_hash ‖ canonical entry). The table's triggers refuse UPDATE,
// DELETE and sequence gaps; verifyChain() catches what someone did with the triggers out of the way.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { canonicalize, type CanonicalValue } from './canonical';

export const GENESIS_HASH = '0'.repeat(64);
/** Bumped only if the entry layout's meaning changes; old entries keep verifying under their own version. */
export const AUDIT_ENTRY_VERSION = 1;

export const auditKindSchema = z.enum([
  'sign_in', 'sign_in_failed', 'sign_out', 'lock', 'approval', 'sale', 'cancel', 'refund', 'report_x', 'report_z',
  'config_change', 'permission_change', 'person_change', 'balance_entry', 'shift_open', 'shift_close',
  'report_view', 'tender', 'tender_void', 'service_change',
]);
export type AuditKind = z.infer<typeof auditKindSchema>;

export interface AuditEvent {
  kind: AuditKind;
  /** Person id who did it; null for the till itself (e.g. an auto-lock). */
  actor: string | null;
  /** Small facts: ids, integer minor units, reasons. Never secrets. */
  data: Record<string, CanonicalValue>;
}

export const auditEntrySchema = z.object({
  v: z.number().int().positive(),
  seq: z.number().int().positive(),
  at: z.string().datetime(),
  kind: z.string().min(1),
  actor: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

const rowSchema = z.object({ seq: z.number().int(), entry_json: z.string(), prev_hash: z.string(), hash: z.string() });
export type AuditRow = z.infer<typeof rowSchema>;

export function chainHash(prevHash: string, canonicalEntry: string): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalEntry, 'utf8').digest('hex');
}

export interface AppendedEntry {
  seq: number;
  hash: string;
  entry: AuditEntry;
}

/**
 * Appends one event. Runs in an IMMEDIATE transaction (or as a savepoint of the caller's, so an
 * operation and its audit entry commit together), so two connections cannot both take the same seq.
 */
export function appendAudit(sqlite: Database.Database, event: AuditEvent, now: () => Date = () => new Date()): AppendedEntry {
  auditKindSchema.parse(event.kind);
  const run = sqlite.transaction((): AppendedEntry => {
    const last = sqlite.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    const seq = (last?.seq ?? 0) + 1;
    const prevHash = last?.hash ?? GENESIS_HASH;
    const entry: AuditEntry = { v: AUDIT_ENTRY_VERSION, seq, at: now().toISOString(), kind: event.kind, actor: event.actor, data: event.data };
    const text = canonicalize(entry);
    const hash = chainHash(prevHash, text);
    sqlite.prepare('INSERT INTO audit_log (seq, entry_json, prev_hash, hash) VALUES (?, ?, ?, ?)').run(seq, text, prevHash, hash);
    return { seq, hash, entry };
  });
  return sqlite.inTransaction ? run() : run.immediate();
}

export type ChainBreak =
  | 'hash_mismatch' // the entry or its hash was edited
  | 'prev_mismatch' // the previous row is not the one this entry was chained to (deleted or reordered)
  | 'seq_gap' // a sequence number is missing
  | 'seq_mismatch' // the row's seq differs from the seq inside the hashed entry (reordered)
  | 'not_canonical' // the stored text is not the canonical form of itself (hand-edited)
  | 'unreadable'; // not JSON or not an audit entry

export type VerifyResult =
  | { ok: true; count: number; head: ChainHead }
  | { ok: false; count: number; firstBroken: { seq: number; reason: ChainBreak; detail: string } };

export interface ChainHead {
  seq: number;
  hash: string;
  at: string | null;
}

/** Walks the whole chain in seq order and names the first entry that does not verify. */
export function verifyChain(sqlite: Database.Database): VerifyResult {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  let lastAt: string | null = null;
  const fail = (seq: number, reason: ChainBreak, detail: string): VerifyResult => ({ ok: false, count, firstBroken: { seq, reason, detail } });
  for (const raw of sqlite.prepare('SELECT seq, entry_json, prev_hash, hash FROM audit_log ORDER BY seq').iterate()) {
    // A row whose columns were given other types (text seq, blob entry) is a finding, not a crash.
    const parsedRow = rowSchema.safeParse(raw);
    if (!parsedRow.success) return fail(expectedSeq, 'unreadable', 'row has unexpected column types');
    const row = parsedRow.data;
    if (row.seq !== expectedSeq) return fail(expectedSeq, 'seq_gap', `expected entry ${expectedSeq}, found ${row.seq}`);
    let entry: AuditEntry;
    let canonical: string;
    try {
      const json: unknown = JSON.parse(row.entry_json);
      entry = auditEntrySchema.parse(json);
      canonical = canonicalize(json);
    } catch (error) {
      return fail(row.seq, 'unreadable', error instanceof Error ? error.message.slice(0, 200) : 'unreadable');
    }
    if (canonical !== row.entry_json) return fail(row.seq, 'not_canonical', 'stored text is not canonical JSON');
    if (entry.seq !== row.seq) return fail(row.seq, 'seq_mismatch', `row ${row.seq} holds entry ${entry.seq}`);
    if (row.prev_hash !== prevHash) return fail(row.seq, 'prev_mismatch', 'previous hash does not match the entry before it');
    if (chainHash(prevHash, row.entry_json) !== row.hash) return fail(row.seq, 'hash_mismatch', 'entry content does not match its hash');
    prevHash = row.hash;
    expectedSeq += 1;
    count += 1;
    lastAt = entry.at;
  }
  return { ok: true, count, head: { seq: count, hash: prevHash, at: lastAt } };
}

/** The chain head a Z report stores: the last entry's seq and hash (GENESIS for an empty trail). */
export function chainHead(sqlite: Database.Database): ChainHead {
  const row = sqlite.prepare('SELECT seq, entry_json, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; entry_json: string; hash: string } | undefined;
  if (!row) return { seq: 0, hash: GENESIS_HASH, at: null };
  return { seq: row.seq, hash: row.hash, at: auditEntrySchema.parse(JSON.parse(row.entry_json)).at };
}

/** One JSON line per entry (seq order): enough for anyone to re-verify the chain without Paydesk. */
export function* exportJsonl(sqlite: Database.Database, range: { fromSeq?: number; toSeq?: number } = {}): Generator<string> {
  const rows = sqlite
    .prepare('SELECT seq, entry_json, prev_hash, hash FROM audit_log WHERE seq >= ? AND seq <= ? ORDER BY seq')
    .iterate(range.fromSeq ?? 1, range.toSeq ?? Number.MAX_SAFE_INTEGER);
  for (const raw of rows) {
    const row = rowSchema.parse(raw);
    yield `{"seq":${row.seq},"entry":${row.entry_json},"prev_hash":${JSON.stringify(row.prev_hash)},"hash":${JSON.stringify(row.hash)}}\n`;
  }
}

/** Verifies an exported JSONL stream on its own (independent of any database layout). */
export function verifyJsonl(lines: Iterable<string>, startPrevHash = GENESIS_HASH): { ok: true; count: number } | { ok: false; line: number; detail: string } {
  let prev = startPrevHash;
  let line = 0;
  for (const text of lines) {
    if (text.trim() === '') continue;
    line += 1;
    const parsed = z.object({ seq: z.number().int(), entry: z.unknown(), prev_hash: z.string(), hash: z.string() }).safeParse(JSON.parse(text));
    if (!parsed.success) return { ok: false, line, detail: 'not an audit line' };
    const canonical = canonicalize(parsed.data.entry);
    if (parsed.data.prev_hash !== prev || chainHash(prev, canonical) !== parsed.data.hash) return { ok: false, line, detail: `entry ${parsed.data.seq} does not verify` };
    prev = parsed.data.hash;
  }
  return { ok: true, count: line };
}

/**
 * Checks that a head stored elsewhere (a Z report, head office) is still in the chain: catches a cut
 * tail, which the chain alone cannot see. `verifyChain` must pass too for the head to mean anything.
 */
export function verifyHead(sqlite: Database.Database, head: { seq: number; hash: string }): { ok: true } | { ok: false; detail: string } {
  if (head.seq === 0) return head.hash === GENESIS_HASH ? { ok: true } : { ok: false, detail: 'empty head with a non-genesis hash' };
  const row = sqlite.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(head.seq) as { hash: string } | undefined;
  if (!row) return { ok: false, detail: `entry ${head.seq} is missing (the trail was cut back)` };
  if (row.hash !== head.hash) return { ok: false, detail: `entry ${head.seq} differs from the stored head` };
  return { ok: true };
}

/** The audit line of `paydesk doctor` (same shape as its checks); a pre-audit database is reported, not crashed on. */
export function auditDoctorCheck(
  sqlite: Database.Database,
  /** The Z-head check (main/audit/z-heads.ts), passed in so this module stays free of the Z table. */
  zHeadCheck?: (sqlite: Database.Database) => { shiftId: number; zNumber: number | null; seq: number; detail: string } | null,
): { name: string; status: 'ok' | 'warn' | 'fail'; detail: string } {
  const exists = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get() !== undefined;
  if (!exists) return { name: 'audit trail', status: 'warn', detail: 'no audit table yet (created on next start)' };
  const result = verifyChain(sqlite);
  if (result.ok) {
    const cut = zHeadCheck?.(sqlite) ?? null;
    if (cut) return { name: 'audit trail', status: 'fail', detail: `first broken entry ${cut.seq} (z_head): the head stored by Z ${cut.zNumber ?? '?'} of shift ${cut.shiftId}: ${cut.detail}` };
    return { name: 'audit trail', status: 'ok', detail: `${result.count} entries verified; head ${result.head.seq} ${result.head.hash.slice(0, 16)}` };
  }
  const b = result.firstBroken;
  return { name: 'audit trail', status: 'fail', detail: `first broken entry ${b.seq} (${b.reason}): ${b.detail}; ${result.count} entries before it verify` };
}
