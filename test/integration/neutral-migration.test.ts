// The provider-neutral journal migration on a journal this code did not write: the fixture was made by
// the previous release's own core against the Koshelek emulator (test/support/make-release-fixture.ts).
// Every value must move without loss, the journal's rules must still hold, and the report table must
// keep filling itself for operations finished after the migration.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openJournal } from '../../main/journal/database';
import { findMigrationsDir, MigrationFailedError, readMigrations } from '../../main/journal/migrate';
import { OperationStore, type OperationRow } from '../../main/journal/operations';
import { decodeSlipRefs, encodeSlipRefs } from '../../main/journal/refs';

const FIXTURE = path.resolve(__dirname, '../fixtures/journal-release-2.db');
const nullableString = z.string().nullable();
const expectedSchema = z.object({
  schemaVersion: z.number().int(),
  operations: z.record(z.string(), z.object({ kind: z.string(), card_session: nullableString, loyalty_id: nullableString, outcome: nullableString })),
  slips: z.record(z.string(), z.object({ merchant_id: nullableString, bank_operation_id: nullableString, qrc_id: nullableString, kzo: nullableString })),
  reportOperations: z.object({
    count: z.number().int(),
    rows: z.record(z.string(), z.object({ slip_qrc_id: nullableString, slip_kzo: nullableString, has_slip: z.number().int() })),
  }),
  counts: z.record(z.string(), z.number().int()),
  zReports: z.array(z.object({ number: z.number().int(), shift_id: z.number().int(), sha256: z.string(), rowsSha256: nullableString })),
});
const expected = expectedSchema.parse(JSON.parse(fs.readFileSync(FIXTURE.replace(/\.db$/, '.expect.json'), 'utf8')));

const migrations = readMigrations(findMigrationsDir());
const latest = migrations.length;
const neutral = migrations.find((m) => m.name.endsWith('_neutral_tenders.sql'));

function copyFixture(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-neutral-'));
  const file = path.join(dir, 'journal.db');
  fs.copyFileSync(FIXTURE, file);
  return { dir, file };
}

const schemaNames = (db: Database.Database, type: string) =>
  (db.prepare('SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE ? ORDER BY name').all(type, 'sqlite_%') as { name: string }[]).map((r) => r.name);

// The rows a Z report of the previous release hashed (its cover), as that release wrote them; `qrc`
// and `kzo` are the two columns it read, so a stored Z can be checked before and after.
function coverSha(db: Database.Database, shiftId: number, qrc: string, kzo: string): string {
  const row = db.prepare(`SELECT group_concat(line, char(10)) AS body FROM (SELECT json_array(shift_id, created_at, id, kind, provider, parent_id,
      order_id, amount_kop, outcome, phase, request_id, transaction_id, ref_transaction_id, payment_type, error_code, finished_at, has_slip,
      slip_payment_transaction_id, slip_refund_transaction_id, slip_payment_type, ${qrc}, ${kzo},
      has_parent, parent_shift_id, parent_transaction_id, parent_payment_type) AS line
      FROM report_operations WHERE shift_id = ? ORDER BY shift_id, created_at, id)`).get(shiftId) as { body: string | null };
  return createHash('sha256').update(row.body ?? '').digest('hex');
}

function newRow(id: string, shiftId: number, over: Partial<OperationRow>): OperationRow {
  const at = new Date().toISOString();
  return {
    id, kind: 'payment', provider: 'koshelek', parent_id: null, shift_id: shiftId, order_id: `after-${id}`, amount_kop: 4_200, currency: 'RUB', phase: 'checkout',
    is_final: 0, outcome: null, request_id: `rq-after-${id}`, transaction_id: null, ref_transaction_id: null, payment_type: 'SBP', provider_status: null,
    provider_ref_status: null, error_code: null, error_key: null, pay_token: null, loyalty_id: null, attempts: 1, context_json: '{"ctx":{}}',
    created_at: at, updated_at: at, finished_at: null, recovered: 0, ...over,
  };
}

describe('migration to provider-neutral journal columns', () => {
  it('the fixture is a journal of the release before the migration', () => {
    expect(neutral).toBeDefined();
    expect(expected.schemaVersion).toBe((neutral?.version ?? 0) - 1);
    const db = new Database(FIXTURE, { readonly: true });
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: expected.schemaVersion });
    // The cover hashing above is the release's own: it gives the stored Z's hash on the untouched rows.
    for (const z of expected.zReports) expect(coverSha(db, z.shift_id, 'slip_qrc_id', 'slip_kzo')).toBe(z.rowsSha256);
    // Rich enough to prove something: all four slip ids on some slips, some operations of every kind and outcome.
    const slips = Object.values(expected.slips);
    expect(slips.filter((s) => s.qrc_id && s.kzo && s.merchant_id && s.bank_operation_id).length).toBeGreaterThanOrEqual(3);
    expect(slips.filter((s) => !s.qrc_id && s.bank_operation_id).length).toBeGreaterThanOrEqual(2);
    expect(new Set(Object.values(expected.operations).map((o) => `${o.kind}:${o.outcome ?? ''}`))).toEqual(
      new Set(['payment:paid', 'payment:rejected', 'payment:canceled', 'cancel:canceled', 'refund:refunded']));
    db.close();
  });

  it('moves every value without loss, keeps every row, index, trigger and rule, and backs up first', () => {
    const { dir, file } = copyFixture();
    const before = new Database(file, { readonly: true });
    const beforeIndexes = schemaNames(before, 'index');
    const beforeTriggers = schemaNames(before, 'trigger');
    const beforeViews = schemaNames(before, 'view');
    const beforeMeta = before.prepare('SELECT * FROM app_meta ORDER BY key').all();
    before.close();

    const journal = openJournal(file);
    const db = journal.sqlite;
    expect(journal.migration).toMatchObject({ from: expected.schemaVersion, to: latest });
    expect(journal.migration.applied).toContain(neutral?.name);

    // The backup is the untouched release journal.
    const backupFile = journal.migration.backupFile;
    expect(backupFile && path.dirname(backupFile)).toBe(path.join(dir, 'backups'));
    const backup = new Database(backupFile as string, { readonly: true });
    expect(backup.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: expected.schemaVersion });
    expect(backup.prepare('SELECT count(*) AS n FROM operations WHERE card_session IS NOT NULL').get()).toEqual({
      n: Object.values(expected.operations).filter((o) => o.card_session !== null).length,
    });
    backup.close();

    // operations: pay_token is the old card_session, loyalty_id unchanged.
    const ops = db.prepare('SELECT id, kind, pay_token, loyalty_id, outcome FROM operations').all() as { id: string; kind: string; pay_token: string | null; loyalty_id: string | null; outcome: string | null }[];
    expect(ops).toHaveLength(Object.keys(expected.operations).length);
    for (const op of ops) {
      const old = expected.operations[op.id];
      expect(old, op.id).toBeDefined();
      expect({ kind: op.kind, pay_token: op.pay_token, loyalty_id: op.loyalty_id, outcome: op.outcome }).toEqual(
        { kind: old?.kind, pay_token: old?.card_session, loyalty_id: old?.loyalty_id, outcome: old?.outcome });
    }

    // slips: refs_json holds exactly the non-null old ids, as strings.
    const slips = db.prepare('SELECT operation_id, refs_json FROM slips').all() as { operation_id: string; refs_json: string }[];
    expect(slips).toHaveLength(Object.keys(expected.slips).length);
    for (const s of slips) {
      const old = expected.slips[s.operation_id];
      expect(old, s.operation_id).toBeDefined();
      const want = Object.fromEntries(Object.entries({ merchantId: old?.merchant_id, bankOperationId: old?.bank_operation_id, qrcId: old?.qrc_id, kzo: old?.kzo })
        .filter(([, v]) => v !== null && v !== undefined));
      expect(decodeSlipRefs(s.refs_json), s.operation_id).toEqual(want);
    }

    // report_operations: every row, slip_refs_json = the slip's refs_json (NULL without a slip).
    const rows = db.prepare('SELECT r.id, r.has_slip, r.slip_refs_json, s.refs_json FROM report_operations r LEFT JOIN slips s ON s.operation_id = r.id').all() as
      { id: string; has_slip: number; slip_refs_json: string | null; refs_json: string | null }[];
    expect(rows).toHaveLength(expected.reportOperations.count);
    for (const r of rows) {
      const old = expected.reportOperations.rows[r.id];
      expect(old, r.id).toBeDefined();
      expect(r.has_slip).toBe(old?.has_slip);
      expect(r.slip_refs_json).toBe(r.has_slip ? r.refs_json : null);
      const refs = decodeSlipRefs(r.slip_refs_json);
      expect([refs.qrcId ?? null, refs.kzo ?? null], r.id).toEqual([old?.slip_qrc_id, old?.slip_kzo]);
    }
    // A stored Z of the previous release can still be checked: its rows are the same rows.
    for (const z of expected.zReports) {
      expect(coverSha(db, z.shift_id, "json_extract(slip_refs_json, '$.qrcId')", "json_extract(slip_refs_json, '$.kzo')")).toBe(z.rowsSha256);
      expect(db.prepare('SELECT sha256 FROM z_reports WHERE number = ?').get(z.number)).toEqual({ sha256: z.sha256 });
    }

    // Nothing else changed.
    for (const [table, n] of Object.entries(expected.counts)) expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n });
    expect(db.prepare('SELECT * FROM app_meta ORDER BY key').all()).toEqual(beforeMeta);
    // What later migrations add (0012: the X's stored lines and the totals' covering index; 0013: the audit
    // trail's pending ends) is named here too.
    expect(schemaNames(db, 'index')).toEqual(
      [...beforeIndexes.filter((n) => n !== 'slips_qrc' && n !== 'operations_one_payment_per_card_session'), 'operations_one_payment_per_pay_token', 'report_operations_totals'].sort());
    expect(schemaNames(db, 'trigger')).toEqual([...beforeTriggers, 'audit_pending_on_delete', 'audit_pending_on_final_insert', 'audit_pending_on_final_update',
      'report_lines_on_delete', 'report_lines_on_insert', 'report_lines_on_update'].sort());
    expect(schemaNames(db, 'view')).toEqual([...beforeViews, 'report_lines_source'].sort());
    // …and fills the lines of every report row the migration kept.
    expect(db.prepare('SELECT count(*) AS n FROM report_lines WHERE line_json IS NOT NULL').get()).toEqual({ n: expected.reportOperations.count });
    expect((db.prepare("SELECT sql FROM sqlite_master WHERE name = 'operations_one_payment_per_pay_token'").get() as { sql: string }).sql)
      .toMatch(/ON operations \(provider, pay_token\) WHERE kind = 'payment' AND pay_token IS NOT NULL$/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE sql LIKE '%card_session%' OR sql LIKE '%qrc_id%' OR sql LIKE '%kzo%' OR sql LIKE '%merchant_id%'").all()).toEqual([]);
    expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    journal.close();

    // Applied once: opening again changes nothing and takes no new backup.
    const again = openJournal(file);
    expect(again.migration).toMatchObject({ applied: [], backupFile: null });
    again.close();
  });

  it('after the migration the journal still refuses a second payment with a used pay token, and new operations fill the report table', () => {
    const { file } = copyFixture();
    const journal = openJournal(file);
    const db = journal.sqlite;
    const store = new OperationStore(db);
    const used = Object.entries(expected.operations).find(([, o]) => o.kind === 'payment' && o.card_session !== null);
    const [usedId, usedOp] = used ?? ['', null];
    const token = usedOp?.card_session ?? '';
    expect(store.paymentByPayToken('koshelek', token)?.id).toBe(usedId);
    const openShift = (db.prepare('SELECT id FROM shifts WHERE closed_at IS NULL').get() as { id: number }).id;
    expect(() => store.insertIntent(newRow('dup', openShift, { pay_token: token }), [], { type: 'intent' })).toThrow(/UNIQUE constraint failed: operations\.provider, operations\.pay_token/);
    expect(store.get('dup')).toBeNull();

    // A new paid payment with a slip, then its refund, finished after the migration.
    const paid = newRow('p', openShift, { pay_token: 'NEW001', loyalty_id: '2000000000001' });
    store.insertIntent(paid, [], { type: 'intent' });
    const refs = encodeSlipRefs({ merchantId: 'MA0000000042', bankOperationId: 'A-NEW', qrcId: 'BD1NEW', kzo: '00000042' });
    const slip = {
      slip_id: 'slip-new', payment_transaction_id: 'tx-new', refund_transaction_id: null, payment_type: 'SBP', order_id: paid.order_id, store_id: 'store-test',
      terminal_id: 'POS-T1', refs_json: refs, operation_date_time: paid.created_at, total_amount_kop: 4_200, currency: 'RUB', raw_json: '{}',
    };
    store.write({ row: { ...paid, is_final: 1, outcome: 'paid', transaction_id: 'tx-new', finished_at: paid.created_at }, events: [{ type: 'transition' }], slip });
    const report = (id: string) => db.prepare('SELECT has_slip, slip_refs_json, parent_transaction_id FROM report_operations WHERE id = ?').get(id);
    expect(report('p')).toEqual({ has_slip: 1, slip_refs_json: refs, parent_transaction_id: null });
    const refund = newRow('r', openShift, { kind: 'refund', parent_id: 'p', order_id: paid.order_id, transaction_id: 'tx-new', ref_transaction_id: 'rtx-new', amount_kop: 200 });
    store.insertIntent(refund, [], { type: 'intent' });
    store.write({ row: { ...refund, is_final: 1, outcome: 'refunded' }, events: [] });
    expect(report('r')).toEqual({ has_slip: 0, slip_refs_json: null, parent_transaction_id: 'tx-new' });
    // The refund's slip arrives later: its row follows.
    store.write({ row: { ...refund, is_final: 1, outcome: 'refunded' }, events: [], slip: { ...slip, slip_id: 'slip-r', refund_transaction_id: 'rtx-new', refs_json: encodeSlipRefs({ bankOperationId: 'B-NEW' }) } });
    expect(report('r')).toEqual({ has_slip: 1, slip_refs_json: '{"bankOperationId":"B-NEW"}', parent_transaction_id: 'tx-new' });
    expect(db.prepare('SELECT count(*) AS n FROM report_operations').get()).toEqual({ n: expected.reportOperations.count + 2 });
    // The closed shift's rows were not touched by any of it.
    for (const z of expected.zReports) {
      expect(coverSha(db, z.shift_id, "json_extract(slip_refs_json, '$.qrcId')", "json_extract(slip_refs_json, '$.kzo')")).toBe(z.rowsSha256);
    }
    expect(db.pragma('foreign_key_check')).toEqual([]);
    journal.close();
  });

  it('ids the emulator never makes survive as they were: leading zeros, quotes, Cyrillic, empty strings, numbers bound by a driver', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-neutral-hostile-'));
    const upTo = path.join(dir, 'migrations-before');
    fs.mkdirSync(upTo);
    for (const m of migrations.filter((x) => x.version < (neutral?.version ?? 0))) fs.writeFileSync(path.join(upTo, m.name), m.sql);
    const file = path.join(dir, 'journal.db');
    const old = openJournal(file, { migrationsDir: upTo });
    old.sqlite.prepare("INSERT INTO shifts (id, opened_at, opened_by) VALUES (1, '2026-01-01T00:00:00.000Z', 'Кассир')").run();
    const insertOp = old.sqlite.prepare(`INSERT INTO operations (id, kind, provider, shift_id, order_id, amount_kop, phase, is_final, outcome, request_id, card_session, context_json, created_at, updated_at)
      VALUES (?, 'payment', 'koshelek', 1, ?, 100, 'done', 1, 'paid', ?, ?, '{}', ?, ?)`);
    const insertSlip = old.sqlite.prepare(`INSERT INTO slips (operation_id, merchant_id, bank_operation_id, qrc_id, kzo, raw_json, received_at) VALUES (?, ?, ?, ?, ?, '{}', 'x')`);
    const cases: [string, unknown, unknown, unknown, unknown, Record<string, string>][] = [
      ['a', 'Мерчант «1»', '', 'q"u\\o\nte', '0042', { merchantId: 'Мерчант «1»', bankOperationId: '', qrcId: 'q"u\\o\nte', kzo: '0042' }],
      ['b', null, null, null, null, {}],
      ['c', null, 'op-1', null, 12345n, { bankOperationId: 'op-1', kzo: '12345' }],
      ['d', '{"x":1}', null, '🙂', null, { merchantId: '{"x":1}', qrcId: '🙂' }],
    ];
    cases.forEach(([id, merchant, bankOp, qrc, kzo], i) => {
      insertOp.run(id, `o-${id}`, `rq-${id}`, i % 2 === 0 ? `TOKEN'${id}` : null, `2026-01-01T10:00:0${i}.000Z`, '2026-01-01T10:00:00.000Z');
      insertSlip.run(id, merchant, bankOp, qrc, kzo);
    });
    // What the old columns hold (a column's TEXT affinity has already turned a bound number into text).
    const held = old.sqlite.prepare('SELECT operation_id, merchant_id, bank_operation_id, qrc_id, kzo FROM slips').all() as
      { operation_id: string; merchant_id: string | null; bank_operation_id: string | null; qrc_id: string | null; kzo: string | null }[];
    old.close();

    const journal = openJournal(file);
    expect(journal.migration.applied).toContain(neutral?.name);
    for (const [id, , , , , want] of cases) {
      const refs = (journal.sqlite.prepare('SELECT refs_json FROM slips WHERE operation_id = ?').get(id) as { refs_json: string }).refs_json;
      expect(decodeSlipRefs(refs), id).toEqual(want);
      const h = held.find((x) => x.operation_id === id);
      expect(Object.values(want).sort(), id).toEqual([h?.merchant_id, h?.bank_operation_id, h?.qrc_id, h?.kzo].filter((v) => v !== null && v !== undefined).sort());
      expect(journal.sqlite.prepare('SELECT slip_refs_json FROM report_operations WHERE id = ?').get(id), id).toEqual({ slip_refs_json: refs });
    }
    expect(journal.sqlite.prepare("SELECT id, pay_token FROM operations ORDER BY id").all()).toEqual([
      { id: 'a', pay_token: "TOKEN'a" }, { id: 'b', pay_token: null }, { id: 'c', pay_token: "TOKEN'c" }, { id: 'd', pay_token: null },
    ]);
    journal.close();
  });

  it('a journal it cannot migrate faithfully is refused and left exactly as it was (an orphan slip)', () => {
    const { file } = copyFixture();
    const raw = new Database(file);
    raw.pragma('foreign_keys = OFF');
    raw.prepare("INSERT INTO slips (operation_id, qrc_id, raw_json, received_at) VALUES ('no-such-operation', 'Q', '{}', 'x')").run();
    raw.close();
    let failure: unknown;
    try {
      openJournal(file);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(MigrationFailedError);
    expect(String(failure)).toContain(`Migration ${neutral?.name ?? '?'} of ${file} failed and was rolled back`);
    expect(String(failure)).toMatch(/FOREIGN KEY constraint failed/);
    const backupFile = (failure as MigrationFailedError).backupFile;
    expect(backupFile && fs.existsSync(backupFile)).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: expected.schemaVersion });
    expect(db.prepare("SELECT qrc_id FROM slips WHERE operation_id = 'no-such-operation'").get()).toEqual({ qrc_id: 'Q' });
    expect(db.prepare('SELECT count(*) AS n FROM operations WHERE card_session IS NOT NULL').get()).toEqual({
      n: Object.values(expected.operations).filter((o) => o.card_session !== null).length,
    });
    db.close();
  });

  it('a new journal is migrated from nothing to the latest version and takes neutral rows', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-neutral-fresh-'));
    const journal = openJournal(path.join(dir, 'journal.db'));
    expect(journal.migration).toMatchObject({ from: 0, to: latest, backupFile: null });
    expect(journal.migration.applied).toEqual(migrations.map((m) => m.name));
    const db = journal.sqlite;
    db.prepare("INSERT INTO shifts (id, opened_at, opened_by) VALUES (1, '2026-01-01T00:00:00.000Z', 'Кассир')").run();
    const store = new OperationStore(db);
    const row = newRow('t1', 1, { provider: 'terminal', payment_type: 'card' });
    store.insertIntent(row, [], { type: 'intent' });
    store.write({ row: { ...row, is_final: 1, outcome: 'paid' }, events: [], slip: {
      slip_id: null, payment_transaction_id: 'rrn-1', refund_transaction_id: null, payment_type: 'card', order_id: row.order_id, store_id: null, terminal_id: 'T-9',
      refs_json: encodeSlipRefs({ rrn: '123456789012', authCode: '0A1B2C' }), operation_date_time: null, total_amount_kop: 4_200, currency: 'RUB', raw_json: '{}',
    } });
    expect(db.prepare("SELECT slip_refs_json FROM report_operations WHERE id = 't1'").get()).toEqual({ slip_refs_json: '{"rrn":"123456789012","authCode":"0A1B2C"}' });
    expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    journal.close();
  });
});
