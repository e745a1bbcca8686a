// Operation ends owed to the audit trail (migration 0013): the journal lists an operation in
// audit_pending_ends in the statement that makes it final, the trail's append takes it out, and the
// start-up catch-up reads only that list, never the journal (docs/people-and-audit.md "kill -9").
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PENDING_ENDS_SQL } from '../../main/audit/operations';
import { openJournal } from '../../main/journal/database';
import { insertOperation } from '../../main/shifts/fixtures';
import { card, orderId, startTill, tempDir, type Till } from '../support/till';

const MIGRATIONS = path.join(__dirname, '..', '..', 'migrations');
let till: Till | null = null;
afterEach(async () => {
  await till?.close();
  till = null;
});

const pending = (t: Till): string[] => t.core.journal.sqlite.prepare('SELECT operation_id FROM audit_pending_ends ORDER BY operation_id').pluck().all().map(String);
const endsOnTrail = (t: Till, id: string): number => t.core.journal.sqlite.prepare("SELECT entry_json FROM audit_log").pluck().all()
  .map((text) => JSON.parse(String(text)) as { kind: string; data: { operation?: string } })
  .filter((e) => ['sale', 'cancel', 'refund'].includes(e.kind) && e.data.operation === id).length;

describe('operation ends owed to the audit trail', () => {
  it('a sale is listed when it ends and taken off when its end is on the trail; its intent lists nothing', async () => {
    till = await startTill();
    const c = card('OK');
    const seen: boolean[] = [];
    // Listeners run in registration order: the audit's (registered at start) has already run when this one does.
    till.core.checkout.onUpdate((op) => { seen.push(pending(till as Till).includes(op.id)); });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 12_300, card: { loyaltyId: c.loyaltyId, payToken: c.payToken }, paymentType: 'SBP' });
    expect(pending(till)).toEqual([]); // the intent commit wrote nothing there
    await expect.poll(() => till?.core.checkout.get(op.id)?.outcome, { timeout: 10_000 }).toBe('paid');
    expect(seen.every((listed) => !listed)).toBe(true); // listed and appended within the same update
    expect(pending(till)).toEqual([]);
    expect(endsOnTrail(till, op.id)).toBe(1);
  }, 30_000);

  it('an operation finished where no listener saw it (a kill, a thrown append) is appended by the catch-up, once', async () => {
    till = await startTill();
    const db = till.core.journal.sqlite;
    const at = new Date().toISOString();
    // Started, never seen by the audit listener (no people row), then finished by an update.
    insertOperation(db, { id: 'op-unseen', kind: 'payment', shiftId: 1, orderId: 'ord-unseen', amountKop: 5_000, isFinal: false, createdAt: at });
    expect(pending(till)).toEqual([]);
    db.prepare("UPDATE operations SET is_final = 1, outcome = 'paid', phase = 'done' WHERE id = 'op-unseen'").run();
    // Written final in one statement (the refund of a card binding's charge).
    insertOperation(db, { id: 'op-born-final', kind: 'refund', parentId: 'op-unseen', shiftId: 1, orderId: 'ord-unseen', amountKop: 100, outcome: 'refunded', createdAt: at });
    // A later update of a final operation (its slip arrived) does not list it again.
    db.prepare("UPDATE operations SET is_final = 1, updated_at = ? WHERE id = 'op-born-final'").run(at);
    expect(pending(till)).toEqual(['op-born-final', 'op-unseen']);
    expect(till.core.operationAudit.catchUp((id) => till?.core.checkout.get(id) ?? null)).toBe(2);
    expect(pending(till)).toEqual([]);
    expect([endsOnTrail(till, 'op-unseen'), endsOnTrail(till, 'op-born-final')]).toEqual([1, 1]);
    expect(till.core.operationAudit.catchUp((id) => till?.core.checkout.get(id) ?? null)).toBe(0);
    expect([endsOnTrail(till, 'op-unseen'), endsOnTrail(till, 'op-born-final')]).toEqual([1, 1]);
  }, 30_000);

  it('a listed operation that is gone or no longer final is dropped from the list without an entry', async () => {
    till = await startTill();
    const db = till.core.journal.sqlite;
    const at = new Date().toISOString();
    insertOperation(db, { id: 'op-reopened', kind: 'payment', shiftId: 1, orderId: 'ord-r', amountKop: 5_000, outcome: 'paid', createdAt: at });
    db.prepare("UPDATE operations SET is_final = 0, outcome = NULL WHERE id = 'op-reopened'").run(); // a hand edit
    db.prepare("INSERT INTO audit_pending_ends (operation_id) VALUES ('op-missing')").run();
    expect(till.core.operationAudit.catchUp((id) => till?.core.checkout.get(id) ?? null)).toBe(0);
    expect(pending(till)).toEqual([]);
    expect(endsOnTrail(till, 'op-reopened')).toBe(0);
  }, 30_000);

  it('the catch-up reads the list and looks operations up by key: no scan of the journal', () => {
    const journal = openJournal(path.join(tempDir(), 'journal.db'));
    try {
      const plan = (journal.sqlite.prepare(`EXPLAIN QUERY PLAN ${PENDING_ENDS_SQL}`).all() as { detail: string }[]).map((r) => r.detail);
      expect(plan.some((d) => /^SCAN a\b/.test(d))).toBe(true);
      expect(plan.some((d) => /^SEARCH o USING INDEX sqlite_autoindex_operations_1 \(id=\?\)/.test(d))).toBe(true);
      expect(plan.filter((d) => /^SCAN o\b/.test(d))).toEqual([]);
    } finally {
      journal.close();
    }
  });

  it('migrating a journal lists exactly the ends the trail is missing', () => {
    const dir = tempDir();
    const before = path.join(dir, 'migrations-0012');
    fs.mkdirSync(before);
    for (const f of fs.readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql') && f < '0013')) fs.copyFileSync(path.join(MIGRATIONS, f), path.join(before, f));
    const file = path.join(dir, 'journal.db');
    const old = openJournal(file, { migrationsDir: before });
    const db = old.sqlite;
    const op = (id: string, createdAt: string, isFinal = true) => insertOperation(db, { id, kind: 'payment', shiftId: 1, orderId: `ord-${id}`, amountKop: 100, outcome: 'paid', isFinal, createdAt });
    op('before-tracking', '2026-01-01T10:00:00.000Z'); // predates the trail: never appended
    op('audited', '2026-02-01T10:00:00.000Z');
    op('marked-not-appended', '2026-02-01T11:00:00.000Z');
    op('never-seen', '2026-02-01T12:00:00.000Z');
    op('still-open', '2026-02-01T13:00:00.000Z', false);
    const people = db.prepare('INSERT INTO operation_people (operation_id, final_seq, created_at) VALUES (?, ?, ?)');
    people.run('audited', 1, '2026-02-01T10:00:01.000Z');
    people.run('marked-not-appended', null, '2026-02-01T11:00:01.000Z');
    old.close();
    const journal = openJournal(file);
    try {
      expect(journal.migration.applied).toContain('0013_audit_pending_ends.sql');
      expect(journal.sqlite.prepare('SELECT operation_id FROM audit_pending_ends ORDER BY operation_id').pluck().all()).toEqual(['marked-not-appended', 'never-seen']);
    } finally {
      journal.close();
    }
  });
});
