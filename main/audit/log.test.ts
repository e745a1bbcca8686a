import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../journal/database';
import { findMigrationsDir, readMigrations } from '../journal/migrate';
import { appendAudit, auditDoctorCheck, chainHash, chainHead, verifyHead, exportJsonl, GENESIS_HASH, verifyChain, verifyJsonl } from './log';

let dir: string;
let journal: Journal;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-audit-'));
  journal = openJournal(path.join(dir, 'till.db'));
});
afterEach(() => {
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function fill(n: number): void {
  let t = Date.UTC(2026, 10, 30, 9, 0, 0);
  for (let i = 0; i < n; i += 1) {
    appendAudit(journal.sqlite, { kind: i % 2 ? 'sale' : 'refund', actor: `p${i % 3}`, data: { order: `o-${i}`, amountMinor: 100 * i, note: 'Возврат «тест»' } }, () => new Date((t += 1000)));
  }
}

/** What an attacker with the file would do: drop the guards, change rows, put nothing back. */
function tamper(sql: string, ...params: unknown[]): void {
  const raw = new Database(journal.file);
  raw.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; DROP TRIGGER IF EXISTS audit_log_gap_free;');
  raw.prepare(sql).run(...params);
  raw.close();
}

describe('audit trail', () => {
  it('appends a gap-free chain that verifies, with a head for the Z report', () => {
    expect(chainHead(journal.sqlite)).toEqual({ seq: 0, hash: GENESIS_HASH, at: null });
    fill(5);
    const result = verifyChain(journal.sqlite);
    expect(result.ok).toBe(true);
    const head = chainHead(journal.sqlite);
    expect(head.seq).toBe(5);
    if (result.ok) expect(result.head).toEqual(head);
  });

  it('refuses UPDATE, DELETE and an out-of-sequence INSERT at the database', () => {
    fill(3);
    expect(() => journal.sqlite.prepare("UPDATE audit_log SET entry_json = '{}' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => journal.sqlite.prepare('DELETE FROM audit_log WHERE seq = 3').run()).toThrow(/append-only/);
    expect(() => journal.sqlite.prepare("INSERT INTO audit_log (seq, entry_json, prev_hash, hash) VALUES (9, '{}', 'x', 'y')").run()).toThrow(/gap-free/);
    expect(verifyChain(journal.sqlite).ok).toBe(true);
  });

  it('names an edited entry', () => {
    fill(6);
    const row = journal.sqlite.prepare('SELECT entry_json FROM audit_log WHERE seq = 4').get() as { entry_json: string };
    tamper('UPDATE audit_log SET entry_json = ? WHERE seq = 4', row.entry_json.replace('"amountMinor":300', '"amountMinor":30'));
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: false, firstBroken: { seq: 4, reason: 'hash_mismatch' } });
  });

  it('names an edited entry whose hash was recomputed (the next entry no longer chains)', () => {
    fill(6);
    const row = journal.sqlite.prepare('SELECT entry_json, prev_hash FROM audit_log WHERE seq = 3').get() as { entry_json: string; prev_hash: string };
    const edited = row.entry_json.replace('"actor":"p2"', '"actor":"p0"');
    tamper('UPDATE audit_log SET entry_json = ?, hash = ? WHERE seq = 3', edited, chainHash(row.prev_hash, edited));
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: false, firstBroken: { seq: 4, reason: 'prev_mismatch' } });
  });

  it('names a deleted entry (middle and last-but-one)', () => {
    fill(6);
    tamper('DELETE FROM audit_log WHERE seq = 3');
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: false, firstBroken: { seq: 3, reason: 'seq_gap' } });
  });

  it('names a deleted entry even when the later rows were renumbered', () => {
    fill(6);
    tamper('DELETE FROM audit_log WHERE seq = 3');
    tamper('UPDATE audit_log SET seq = seq - 1 WHERE seq > 3');
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: false, firstBroken: { seq: 3, reason: 'seq_mismatch' } });
  });

  it('names reordered rows (whole rows swapped)', () => {
    fill(6);
    tamper('UPDATE audit_log SET seq = -2 WHERE seq = 2');
    tamper('UPDATE audit_log SET seq = 2 WHERE seq = 5');
    tamper('UPDATE audit_log SET seq = 5 WHERE seq = -2');
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: false, firstBroken: { seq: 2, reason: 'seq_mismatch' } });
  });

  it('names reordered contents (entries swapped, seq column kept)', () => {
    fill(6);
    const a = journal.sqlite.prepare('SELECT entry_json, prev_hash, hash FROM audit_log WHERE seq = 2').get() as Record<string, string>;
    const b = journal.sqlite.prepare('SELECT entry_json, prev_hash, hash FROM audit_log WHERE seq = 3').get() as Record<string, string>;
    tamper("UPDATE audit_log SET entry_json = ?, prev_hash = ?, hash = 'tmp' WHERE seq = 2", b.entry_json, b.prev_hash);
    tamper('UPDATE audit_log SET entry_json = ?, prev_hash = ?, hash = ? WHERE seq = 3', a.entry_json, a.prev_hash, a.hash);
    tamper('UPDATE audit_log SET hash = ? WHERE seq = 2', b.hash);
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: false, firstBroken: { seq: 2 } });
  });

  it('two connections appending concurrently never fork the chain', () => {
    const other = new Database(journal.file);
    other.pragma('busy_timeout = 5000');
    for (let i = 0; i < 20; i += 1) {
      appendAudit(i % 2 ? other : journal.sqlite, { kind: 'sale', actor: 'p', data: { i } });
    }
    other.close();
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: true, count: 20 });
  });

  it('exports JSONL that verifies without the database, and detects an edited line', () => {
    fill(4);
    const lines = [...exportJsonl(journal.sqlite)];
    expect(lines).toHaveLength(4);
    expect(verifyJsonl(lines)).toEqual({ ok: true, count: 4 });
    const edited = [...lines];
    edited[1] = (edited[1] as string).replace('"o-1"', '"o-9"');
    expect(verifyJsonl(edited)).toMatchObject({ ok: false, line: 2 });
  });

  it('still verifies after a later migration changes the table layout', () => {
    fill(4);
    journal.close();
    const migrations = path.join(dir, 'migrations');
    fs.cpSync(findMigrationsDir(), migrations, { recursive: true });
    const next = String(readMigrations(migrations).length + 1).padStart(4, '0');
    fs.writeFileSync(
      path.join(migrations, `${next}_later_dummy.sql`),
      'ALTER TABLE audit_log ADD COLUMN shift_id TEXT; CREATE TABLE later_thing (id INTEGER PRIMARY KEY); CREATE INDEX audit_log_shift ON audit_log (shift_id);',
    );
    journal = openJournal(path.join(dir, 'till.db'), { migrationsDir: migrations });
    expect(journal.migration.applied).toEqual([`${next}_later_dummy.sql`]);
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: true, count: 4 });
    appendAudit(journal.sqlite, { kind: 'report_z', actor: 'p1', data: { shift: 's1' } });
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: true, count: 5 });
  });

  it('a stored head (Z report) catches a cut tail that the chain alone cannot see', () => {
    fill(5);
    const head = chainHead(journal.sqlite);
    expect(verifyHead(journal.sqlite, head)).toEqual({ ok: true });
    tamper('DELETE FROM audit_log WHERE seq >= 4');
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: true, count: 3 });
    expect(verifyHead(journal.sqlite, head)).toMatchObject({ ok: false });
  });

  it('the doctor line names the first broken entry', () => {
    fill(4);
    expect(auditDoctorCheck(journal.sqlite)).toMatchObject({ status: 'ok' });
    tamper('DELETE FROM audit_log WHERE seq = 2');
    const check = auditDoctorCheck(journal.sqlite);
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('first broken entry 2');
    const bare = new Database(':memory:');
    expect(auditDoctorCheck(bare).status).toBe('warn');
    bare.close();
  });

  it('garbage rows are named, never a crash', () => {
    fill(3);
    const row = journal.sqlite.prepare('SELECT entry_json FROM audit_log WHERE seq = 2').get() as { entry_json: string };
    tamper("UPDATE audit_log SET entry_json = 'not json' WHERE seq = 3");
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: false, firstBroken: { seq: 3, reason: 'unreadable' } });
    tamper('UPDATE audit_log SET entry_json = ? WHERE seq = 2', row.entry_json.replace('{', '{ '));
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: false, firstBroken: { seq: 2, reason: 'not_canonical' } });
    tamper("UPDATE audit_log SET entry_json = '{\"v\":1,\"x\":1.5}' WHERE seq = 1");
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: false, firstBroken: { seq: 1, reason: 'unreadable' } });
    tamper("UPDATE audit_log SET prev_hash = x'00' WHERE seq = 1");
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: false, firstBroken: { seq: 1, reason: 'unreadable' } });
  });
});
