// The audit trail a real till writes (sign-ins, a sale, an approved refund, a permission change), then
// tampered with the way someone with the database file would (triggers dropped first): `paydesk
// doctor`'s database check names the first broken entry for an edited, a deleted and a reordered row,
// and a tail cut back past a Z's stored head.
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDatabase } from '../../main/cli/commands/doctor';
import { startApiHarness, type ApiHarness } from '../support/api-session';
import { card, orderId, tempDir } from '../support/till';

let journalFile: string;
let count: number;

beforeAll(async () => {
  const h: ApiHarness = await startApiHarness({ extra: { access: { signIn: true, autoLock: { idleSec: 0, warnSec: 0 } } } });
  try {
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-cashier', pin: '4821' });
    const op = await h.call('sale.pay', { orderId: orderId(), amountKop: 321_00, card: card('OK'), paymentType: 'SBP' });
    await h.till.core.checkout.waitFinal(op.id, 10_000);
    const refund = await h.call('refund.start', { paymentOperationId: op.id, amountKop: 21_00, approval: { kind: 'card', code: 'STAFF-DEMO-MANAGER' } });
    await h.till.core.checkout.waitFinal(refund.id, 10_000);
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-admin', pin: '8402' });
    await h.call('access.setRight', { personId: 'demo-cashier', permission: 'report_z', effect: 'grant' });
    // A real Z close through the guarded API: its audit entry, then its stored chain head.
    const z = await h.call('shift.close', { cashier: 'Администратор' });
    expect(z.zNumber).toBe(1);
    const head = h.till.core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM z_audit_heads WHERE z_number = 1').get();
    expect(head).toEqual({ n: 1 });
    await h.call('people.signOut', {});
    journalFile = h.till.core.journal.file;
  } finally {
    await h.close();
  }
  const db = new Database(journalFile, { readonly: true });
  count = (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  const kinds = (db.prepare('SELECT entry_json FROM audit_log ORDER BY seq').all() as { entry_json: string }[]).map((r) => (JSON.parse(r.entry_json) as { kind: string }).kind);
  db.close();
  expect(kinds).toEqual(expect.arrayContaining(['sign_in', 'sale', 'approval', 'refund', 'permission_change', 'report_z', 'sign_out']));
}, 60_000);


/** A copy of the journal, changed by `tamper` with the append-only triggers dropped (as an attacker would). */
function tampered(tamper: (db: Database.Database) => void): string {
  const dir = tempDir('paydesk-audit-tamper-');
  const file = path.join(dir, 'journal.db');
  const src = new Database(journalFile, { readonly: true });
  src.prepare('VACUUM INTO ?').run(file);
  src.close();
  const db = new Database(file);
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_gap_free;');
  tamper(db);
  db.close();
  return file;
}

function auditLine(file: string): { status: string; detail: string } {
  const line = checkDatabase(file).find((c) => c.name === 'audit trail');
  if (!line) throw new Error('no audit line');
  return line;
}

describe('paydesk doctor on a tampered audit trail', () => {
  it('the untouched trail verifies, Z head included', () => {
    expect(auditLine(journalFile)).toMatchObject({ status: 'ok' });
    expect(auditLine(journalFile).detail).toContain(`${count} entries verified`);
  });

  it('an edited entry (the sale amount) is named', () => {
    let seq = 0;
    const file = tampered((db) => {
      const row = (db.prepare('SELECT seq, entry_json FROM audit_log').all() as { seq: number; entry_json: string }[]).find((r) => r.entry_json.includes('"kind":"sale"'));
      if (!row) throw new Error('no sale entry');
      expect(row.entry_json).toContain('"amountMinor":32100');
      db.prepare('UPDATE audit_log SET entry_json = ? WHERE seq = ?').run(row.entry_json.replace('"amountMinor":32100', '"amountMinor":100'), row.seq);
      seq = row.seq;
    });
    expect(auditLine(file)).toMatchObject({ status: 'fail' });
    expect(auditLine(file).detail).toMatch(new RegExp(`first broken entry ${seq} \\(hash_mismatch\\)`));
  });

  it('a deleted entry (the approval) is named', () => {
    let seq = 0;
    const file = tampered((db) => {
      seq = (db.prepare("SELECT seq FROM audit_log WHERE entry_json LIKE '%\"kind\":\"approval\"%'").get() as { seq: number }).seq;
      db.prepare('DELETE FROM audit_log WHERE seq = ?').run(seq);
    });
    expect(auditLine(file).detail).toMatch(new RegExp(`first broken entry ${seq} \\(seq_gap\\)`));
  });

  it('two reordered entries are named', () => {
    const file = tampered((db) => {
      db.prepare('UPDATE audit_log SET seq = -1 WHERE seq = 2').run();
      db.prepare('UPDATE audit_log SET seq = 2 WHERE seq = 3').run();
      db.prepare('UPDATE audit_log SET seq = 3 WHERE seq = -1').run();
    });
    expect(auditLine(file).detail).toMatch(/first broken entry 2 \((seq_mismatch|prev_mismatch)\)/);
  });

  it('a tail cut back past a Z\'s head: the chain alone verifies, the Z head does not', () => {
    let zSeq = 0;
    const file = tampered((db) => {
      zSeq = (db.prepare('SELECT seq FROM z_audit_heads WHERE shift_id = 1').get() as { seq: number }).seq;
      db.prepare('DELETE FROM audit_log WHERE seq >= ?').run(zSeq);
    });
    expect(auditLine(file)).toMatchObject({ status: 'fail' });
    expect(auditLine(file).detail).toMatch(new RegExp(`first broken entry ${zSeq} \\(z_head\\)`));
  });
});
