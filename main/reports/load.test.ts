import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../journal/database';
import { findMigrationsDir, readMigrations } from '../journal/migrate';
import { OperationStore, type OperationRow } from '../journal/operations';
import { generateShiftOperations, newLedger, rng, type PaidPayment } from '../shifts/fixtures';
import { insertOperation } from '../shifts/fixtures';
import { loadShiftOperations, loadShiftOperationsCellByCell, loadShiftOperationsFromJournal, parseSlipRefs, setReportWarningSink } from './load';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-load-'));
let journal: Journal;

beforeEach(() => {
  journal = openJournal(path.join(tmp(), 'journal.db'));
});

function openShift(sqlite: Journal['sqlite'], id: number, at: string): void {
  sqlite.prepare("INSERT INTO shifts (id, opened_at, opened_by) VALUES (?, ?, 'test')").run(id, at);
}
function closeShift(sqlite: Journal['sqlite'], id: number): void {
  sqlite.prepare("UPDATE shifts SET closed_at = '2030-01-01T00:00:00.000Z', closed_by = 'test' WHERE id = ?").run(id);
}

function row(id: string, over: Partial<OperationRow> = {}): OperationRow {
  return {
    id, kind: 'payment', provider: 'wallet', parent_id: null, shift_id: 1, order_id: `ord-${id}`, amount_kop: 1000, currency: 'RUB', phase: 'checkout',
    is_final: 0, outcome: null, request_id: `rq-${id}`, transaction_id: null, ref_transaction_id: null, payment_type: null, provider_status: null,
    provider_ref_status: null, error_code: null, error_key: null, pay_token: null, loyalty_id: null, attempts: 0, context_json: '{"phase":"checkout"}',
    created_at: `2026-01-01T10:00:${id.padStart(2, '0').slice(-2)}.000Z`, updated_at: '2026-01-01T10:00:00.000Z', finished_at: null, recovered: 0, ...over,
  };
}
// The provider's ids as refs_json (slips.refs_json).
const slip = (over: Record<string, unknown> = {}) => ({
  slip_id: 'sl', payment_transaction_id: 'tx', refund_transaction_id: null, payment_type: 'SBP', order_id: 'o', store_id: 's', terminal_id: 't',
  operation_date_time: 'd', refs_json: JSON.stringify({ merchantId: 'm', bankOperationId: 'b', qrcId: 'QRC', kzo: 'KZO' }),
  total_amount_kop: 1000, currency: 'RUB', raw_json: '{"slip":true}', ...over,
});

describe('report rows (narrow table kept by triggers) read the same as the journal', () => {
  it('on generated shifts of every kind and outcome, including cross-shift refunds', () => {
    const random = rng(160);
    const paid: PaidPayment[] = [];
    for (let s = 1; s <= 4; s += 1) {
      openShift(journal.sqlite, s, new Date(Date.UTC(2025, 2, s, 6)).toISOString());
      generateShiftOperations(journal.sqlite, s, 120, random, paid, Date.UTC(2025, 2, s, 6), newLedger());
      const narrow = loadShiftOperations(journal.sqlite, s);
      expect(narrow.length).toBe(120);
      expect(narrow).toEqual(loadShiftOperationsFromJournal(journal.sqlite, s));
      if (s < 4) closeShift(journal.sqlite, s);
    }
  });

  it('reads text SQLite turns into JSON exactly as cell by cell: quotes, backslashes, control characters, Cyrillic, emoji, big amounts', () => {
    openShift(journal.sqlite, 1, '2026-01-01T09:00:00.000Z');
    const store = new OperationStore(journal.sqlite);
    const hostile = ['"', '\\', '\\u0000', '\u0001\u001f\t\n\r', 'Заказ №5 «ёлка»', '😀 \u2028\u2029', "'; DROP TABLE x; --", '</script>', ''];
    hostile.forEach((text, i) => {
      const id = String(i + 1);
      store.write({ row: row(id, {
        is_final: 1, outcome: i % 2 === 0 ? 'paid' : text, phase: 'paid', order_id: text, request_id: `${text}-${id}`, transaction_id: text,
        payment_type: i % 3 === 0 ? null : text, error_code: text, amount_kop: Number.MAX_SAFE_INTEGER - i, finished_at: '2026-01-01T10:01:00.000Z',
      }), events: [], slip: slip({
        payment_type: text,
        refs_json: JSON.stringify(text === '' ? { merchantId: 'm', bankOperationId: 'b' } : { merchantId: 'm', bankOperationId: 'b', qrcId: text, kzo: text }),
      }) });
    });
    const rows = loadShiftOperations(journal.sqlite, 1);
    expect(rows).toHaveLength(hostile.length);
    // The ids come back byte for byte through refs_json (text inside JSON inside the row's JSON).
    hostile.forEach((text, i) => {
      const refs = rows.find((r) => r.id === String(i + 1))?.slip?.refs ?? {};
      expect(refs).toMatchObject({ merchantId: 'm', bankOperationId: 'b' });
      if (text !== '') expect(Object.values(refs).filter((v) => v === text)).toHaveLength(2);
    });
    expect(rows).toEqual(loadShiftOperationsCellByCell(journal.sqlite, 1));
    expect(rows).toEqual(loadShiftOperationsFromJournal(journal.sqlite, 1));
    expect(rows.map((r) => r.orderId).sort()).toEqual([...hostile].sort());
  });

  it('through the store: unfinished intents, finishing later, slips arriving after, a parent updated after its refund', () => {
    openShift(journal.sqlite, 1, '2026-01-01T09:00:00.000Z');
    const store = new OperationStore(journal.sqlite);
    const intent = { type: 'intent' as const };
    for (const id of ['1', '2', '3', '4']) store.insertIntent(row(id), [], intent);
    const same = () => expect(loadShiftOperations(journal.sqlite, 1)).toEqual(loadShiftOperationsFromJournal(journal.sqlite, 1));
    same();
    expect(journal.sqlite.prepare('SELECT COUNT(*) AS n FROM report_operations').get()).toEqual({ n: 0 }); // intents write nothing there
    store.write({ row: row('2', { is_final: 1, outcome: 'paid', phase: 'paid', transaction_id: 'tx2', finished_at: '2026-01-01T10:01:00.000Z' }), events: [] });
    same();
    store.write({ row: row('2', { is_final: 1, outcome: 'paid', phase: 'paid', transaction_id: 'tx2' }), events: [], slip: slip({ payment_transaction_id: 'tx2' }) });
    same();
    store.write({ row: row('3', { is_final: 1, outcome: 'rejected', phase: 'rejected', error_code: 'E1' }), events: [] });
    store.insertIntent(row('5', { kind: 'refund', parent_id: '2', transaction_id: 'tx2' }), [], intent);
    same();
    store.write({ row: row('5', { kind: 'refund', parent_id: '2', transaction_id: 'tx2', is_final: 1, outcome: 'refunded', ref_transaction_id: 'rtx5' }), events: [], slip: slip({ refund_transaction_id: 'rtx5' }) });
    same();
    // the parent's payment type changes after its refund was written: the refund's line follows
    store.write({ row: row('2', { is_final: 1, outcome: 'paid', phase: 'paid', transaction_id: 'tx2', payment_type: 'DOLYAME' }), events: [] });
    same();
    expect(loadShiftOperations(journal.sqlite, 1).find((r) => r.id === '5')?.parent?.paymentType).toBe('DOLYAME');
    expect(loadShiftOperations(journal.sqlite, 1).map((r) => [r.id, r.isFinal])).toEqual([['1', false], ['2', true], ['3', true], ['4', false], ['5', true]]);
  });
});

describe('slip refs (the provider ids, slips.refs_json)', () => {
  it('an unreadable refs text reads as no ids with one warning per load, never a failed report', () => {
    const warnings: string[] = [];
    setReportWarningSink((m) => warnings.push(m));
    try {
      openShift(journal.sqlite, 1, '2026-01-01T09:00:00.000Z');
      const at = (s: number) => `2026-01-01T10:00:0${s}.000Z`;
      // The journal's CHECK lets only JSON objects in (migration 0009); values that are not strings still may be.
      const bad = ['{"qrcId": 5}', '{"kzo": null}', '{"qrcId": {"a": 1}}', '{"rrn": [1]}', '{"a": true}'];
      bad.forEach((refsJson, i) => insertOperation(journal.sqlite, {
        id: `bad-${i}`, kind: 'payment', shiftId: 1, orderId: `o-${i}`, amountKop: 100, outcome: 'paid', createdAt: at(i), slip: { paymentType: 'SBP', refsJson },
      }));
      insertOperation(journal.sqlite, { id: 'good', kind: 'payment', shiftId: 1, orderId: 'o-good', amountKop: 100, outcome: 'paid', createdAt: at(8), slip: { refs: { rrn: '123', authCode: 'A1' } } });
      insertOperation(journal.sqlite, { id: 'no-slip', kind: 'payment', shiftId: 1, orderId: 'o-n', amountKop: 100, outcome: 'paid', createdAt: at(9) });
      const rows = loadShiftOperations(journal.sqlite, 1);
      expect(rows.map((r) => [r.id, r.slip?.refs ?? null])).toEqual([
        ...bad.map((_, i) => [`bad-${i}`, {}]), ['good', { rrn: '123', authCode: 'A1' }], ['no-slip', null],
      ]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('5 operation(s)');
      expect(warnings[0]).toContain('bad-0');
      expect(loadShiftOperationsCellByCell(journal.sqlite, 1)).toEqual(rows);
      expect(loadShiftOperationsFromJournal(journal.sqlite, 1)).toEqual(rows);
      expect(warnings).toHaveLength(3);
      // A single read outside a load warns at once.
      expect(parseSlipRefs('{', 'one')).toEqual({});
      expect(warnings.at(-1)).toContain('one');
      expect(parseSlipRefs(null, 'none')).toEqual({});
      expect(warnings).toHaveLength(4);
    } finally {
      setReportWarningSink((m) => process.emitWarning(m, 'PaydeskReportWarning'));
    }
  });
});

describe('query plans (the narrow paths stay narrow)', () => {
  const plan = (sql: string, ...params: unknown[]) =>
    (journal.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

  it('start-up recovery reads unfinished operations through operations_unfinished, not a scan of the journal', () => {
    // The statement OperationStore.open() prepares, read back from the store so a change to it is tested.
    const store = new OperationStore(journal.sqlite);
    const sql = store.openOperationsSql();
    const detail = plan(sql);
    expect(detail).toMatch(/USING INDEX operations_unfinished/);
    expect(detail).not.toMatch(/SCAN operations(?! USING INDEX operations_unfinished)/);
  });

  it('a report reads report_operations by its primary key and unfinished rows by operations_unfinished', () => {
    expect(plan('SELECT * FROM report_operations WHERE shift_id = ? ORDER BY created_at, id', 1)).toMatch(/SEARCH report_operations USING PRIMARY KEY \(shift_id=\?\)/);
    expect(plan('SELECT id FROM operations INDEXED BY operations_unfinished WHERE is_final = 0 AND shift_id = ?', 1)).toMatch(/operations_unfinished/);
    // the shift close check (ShiftService.unresolvedOperations) too
    expect(plan('SELECT id FROM operations WHERE shift_id = ? AND is_final = 0 ORDER BY created_at', 1)).toMatch(/USING INDEX operations_unfinished/);
  });
});

describe('the migration that adds report rows keeps every existing row', () => {
  it('upgrades a journal made by the schema before it: operations, slips, lines untouched; finished operations copied', () => {
    const dir = tmp();
    const file = path.join(dir, 'journal.db');
    const all = readMigrations(findMigrationsDir());
    const index = all.findIndex((m) => m.name.endsWith('_report_rows_and_unfinished_index.sql'));
    expect(index).toBeGreaterThan(0);
    const before = path.join(dir, 'before');
    fs.mkdirSync(before);
    for (const m of all.slice(0, index)) fs.writeFileSync(path.join(before, m.name), m.sql);
    const old = openJournal(file, { migrationsDir: before });
    expect(old.sqlite.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'report_operations'").get()).toEqual({ n: 0 });
    const random = rng(7);
    const paid: PaidPayment[] = [];
    openShift(old.sqlite, 1, '2025-03-01T06:00:00.000Z');
    generateShiftOperations(old.sqlite, 1, 200, random, paid, Date.UTC(2025, 2, 1, 6), newLedger());
    old.sqlite.prepare("UPDATE operations SET is_final = 0, outcome = NULL WHERE rowid IN (SELECT rowid FROM operations WHERE kind = 'payment' LIMIT 3)").run();
    type SlipDb = Record<string, unknown> & { operation_id: string; qrc_id: string | null; kzo: string | null };
    const ops = (j: Journal) => j.sqlite.prepare('SELECT * FROM operations ORDER BY id').all();
    const wasOps = ops(old);
    const wasSlips = old.sqlite.prepare('SELECT * FROM slips ORDER BY operation_id').all() as SlipDb[];
    expect(wasSlips.some((s) => s.qrc_id !== null)).toBe(true);
    old.close();
    const upgraded = openJournal(file);
    expect(upgraded.migration.applied).toContain(all[index]?.name);
    // Every operation column kept; the pay token only renamed (migration 0009).
    const renamed = (wasOps as Record<string, unknown>[]).map(({ card_session: payToken, ...rest }) => ({ ...rest, pay_token: payToken }));
    expect(ops(upgraded)).toEqual(renamed);
    // Later migrations move the slip ids into refs_json (issue 11): every other column as it was, every id kept.
    const nowSlips = upgraded.sqlite.prepare('SELECT * FROM slips ORDER BY operation_id').all() as (Record<string, unknown> & { refs_json: string })[];
    expect(nowSlips).toHaveLength(wasSlips.length);
    wasSlips.forEach((was, i) => {
      const now = nowSlips[i] as (typeof nowSlips)[number];
      for (const [key, value] of Object.entries(was)) if (key in now) expect(now[key], key).toEqual(value);
      const refs = JSON.parse(now.refs_json) as Record<string, string>;
      expect([refs.qrcId ?? null, refs.kzo ?? null]).toEqual([was.qrc_id, was.kzo]);
    });
    expect(loadShiftOperations(upgraded.sqlite, 1)).toEqual(loadShiftOperationsFromJournal(upgraded.sqlite, 1));
    expect(upgraded.sqlite.prepare('SELECT COUNT(*) AS n FROM report_operations').get()).toEqual({ n: 197 });
    upgraded.close();
  });
});

describe("the intent's event rides on the operation's next commit", () => {
  it('is not in the intent commit, is written first (with its own time) by the next state change, and is rebuilt after a crash', () => {
    openShift(journal.sqlite, 1, '2026-01-01T09:00:00.000Z');
    const store = new OperationStore(journal.sqlite);
    const events = (id: string) => journal.sqlite.prepare('SELECT type, at, body_json FROM operation_events WHERE operation_id = ? ORDER BY seq').all(id) as { type: string; at: string; body_json: string | null }[];
    store.insertIntent(row('1'), [], { type: 'intent', requestId: 'rq-1', body: { amountKop: 1000 } });
    expect(events('1')).toEqual([]);
    expect(store.pendingIntentEvents()).toBe(1);
    store.write({ row: row('1', { phase: 'waiting' }), events: [{ type: 'transition', phaseFrom: 'checkout', phaseTo: 'waiting' }] });
    const written = events('1');
    expect(written.map((e) => e.type)).toEqual(['intent', 'transition']);
    expect(written[0]!.at <= written[1]!.at).toBe(true);
    expect(JSON.parse(written[0]!.body_json ?? '{}')).toEqual({ amountKop: 1000 });
    expect(store.pendingIntentEvents()).toBe(0);
    // killed between intent and next commit: a new process's store rebuilds it at recovery
    store.insertIntent(row('2'), [], { type: 'intent', requestId: 'rq-2' });
    const restarted = new OperationStore(journal.sqlite);
    const open = restarted.open();
    expect(open.map((r) => r.id)).toEqual(['1', '2']);
    for (const r of open) restarted.write({ row: { ...r, recovered: 1 }, events: [{ type: 'recovered' }] });
    expect(events('1').map((e) => e.type)).toEqual(['intent', 'transition', 'recovered']); // not rebuilt twice
    expect(events('2').map((e) => e.type)).toEqual(['intent', 'recovered']);
    expect(JSON.parse(events('2')[0]!.body_json ?? '{}')).toMatchObject({ reconstructed: true });
  });
});
