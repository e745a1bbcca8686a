// The X report text made by SQLite (x-text.ts) must be byte for byte the text the row-by-row path makes
// (computeReport → checkedReportJson), on shifts with every kind of row the reports know, and a row that
// breaks the line contract must fail the report (never reach the window as a malformed line).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../journal/database';
import { generateShiftOperations, insertOperation, newLedger, rng, type PaidPayment } from '../shifts/fixtures';
import { checkedReportJson, ReportContractError } from './checked-json';
import { computeReport } from './compute';
import { loadShift, loadShiftOperations, loadShiftTenders, setReportWarningSink } from './load';
import type { XReportRequest } from './model';
import { LINES_SQL, xReportText } from './x-text';

let journal: Journal;
let warnings: string[] = [];
beforeEach(() => {
  journal = openJournal(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-xtext-')), 'journal.db'));
  warnings = [];
  setReportWarningSink((m) => warnings.push(m));
});
afterEach(() => {
  journal.close();
  setReportWarningSink((m) => process.emitWarning(m, 'PaydeskReportWarning'));
});

const till = { terminalId: 'POS-1', storeId: 's1', storeName: 'Магазин «Ромашка»' };
const request = (shiftId: number): XReportRequest => ({
  shiftId, till, generatedAt: '2026-11-30T12:00:00.000Z', environment: 'emulator',
  tenderVoids: [{ tenderId: 2, kind: 'cash', direction: 'sale', amountKop: 700, voidedBy: 'Старший', reason: 'ошибка', voidedAt: '2026-11-30T11:00:00.000Z' }],
  refColumns: [{ key: 'qrcId', label: 'qrcId' }, { key: 'kzo', label: 'КЗО' }],
});

/** What the row-by-row path (the one the core thread and the tests' reference use) makes of the same shift. */
function rowByRow(sqlite: Journal['sqlite'], req: XReportRequest): string {
  const shift = loadShift(sqlite, req.shiftId);
  if (!shift) throw new Error('no shift');
  return checkedReportJson(computeReport({
    type: 'x', zNumber: null, shift, till: req.till, generatedAt: req.generatedAt, operations: loadShiftOperations(sqlite, shift.id),
    tenders: loadShiftTenders(sqlite, shift.id), environment: req.environment, tenderVoids: req.tenderVoids, refColumns: req.refColumns,
  }));
}

function seedShifts(sqlite: Journal['sqlite']): void {
  sqlite.prepare("INSERT INTO shifts (id, opened_at, opened_by) VALUES (1, '2026-11-29T06:00:00.000Z', 'Иванова')").run();
  const paid: PaidPayment[] = [];
  generateShiftOperations(sqlite, 1, 120, rng(7), paid, Date.UTC(2026, 10, 29, 6), newLedger());
  sqlite.prepare("UPDATE shifts SET closed_at = '2026-11-29T20:00:00.000Z', closed_by = 'Иванова' WHERE id = 1").run();
  sqlite.prepare("INSERT INTO shifts (id, opened_at, opened_by) VALUES (2, '2026-11-30T06:00:00.000Z', 'Петрова')").run();
  // refunds of shift 1's payments (cross-shift), cancels, failures, several providers and types
  generateShiftOperations(sqlite, 2, 400, rng(11), paid, Date.UTC(2026, 10, 30, 6), newLedger());
  const at = (s: number): string => new Date(Date.UTC(2026, 10, 30, 9) + s * 1000).toISOString();
  // other currencies, an extra charge and its refund, slips with odd refs
  insertOperation(sqlite, { id: 'kzt', kind: 'payment', provider: 'halyk', shiftId: 2, orderId: 'o-kzt', amountKop: 1_234_567, currency: 'KZT', isFinal: true, outcome: 'paid', paymentType: 'card_foreign', transactionId: 'tx-kzt', createdAt: at(1), slip: { paymentTransactionId: 'slip-tx', refs: { rrn: 'R1', 'ключ "в" кавычках': 'значение\n\t\u0001 «ё» \\ / \u2028' } } });
  insertOperation(sqlite, { id: 'kzt-extra', kind: 'payment', provider: 'halyk', parentId: 'kzt', shiftId: 2, orderId: 'o-kzt-2', amountKop: 10_000, currency: 'KZT', isFinal: true, outcome: 'paid', createdAt: at(2) });
  insertOperation(sqlite, { id: 'kzt-extra-back', kind: 'refund', provider: 'halyk', parentId: 'kzt-extra', shiftId: 2, orderId: 'o-kzt-3', amountKop: 10_000, currency: 'KZT', isFinal: true, outcome: 'refunded', refTransactionId: 'rtx', createdAt: at(3) });
  insertOperation(sqlite, { id: 'usd', kind: 'payment', provider: 'extpay', shiftId: 2, orderId: 'o-usd', amountKop: 4_999, currency: 'USD', isFinal: true, outcome: 'paid', paymentType: 'paypal', createdAt: at(4), slip: { refs: {} } });
  insertOperation(sqlite, { id: 'odd-refs-number', kind: 'payment', provider: 'koshelek', shiftId: 2, orderId: 'o1', amountKop: 100, isFinal: true, outcome: 'paid', createdAt: at(5), slip: { refsJson: '{"qrcId":1}' } });
  insertOperation(sqlite, { id: 'odd-refs-text', kind: 'payment', provider: 'koshelek', shiftId: 2, orderId: 'o2', amountKop: 100, isFinal: true, outcome: 'paid', createdAt: at(6), slip: { refs: { x: 'y' } } });
  insertOperation(sqlite, { id: 'odd-refs-array', kind: 'payment', provider: 'koshelek', shiftId: 2, orderId: 'o3', amountKop: 100, isFinal: true, outcome: 'paid', createdAt: at(7), slip: { refs: { x: 'y' } } });
  insertOperation(sqlite, { id: 'odd-refs-spaced', kind: 'payment', provider: 'koshelek', shiftId: 2, orderId: 'o4', amountKop: 100, isFinal: true, outcome: 'paid', createdAt: at(8), slip: { refsJson: '{ "qrcId" : "Q-1",  "kzo":"K\\":1" }' } });
  insertOperation(sqlite, { id: 'odd-refs-nested', kind: 'payment', provider: 'koshelek', shiftId: 2, orderId: 'o5', amountKop: 100, isFinal: true, outcome: 'paid', createdAt: at(9), slip: { refsJson: '{"qrcId":{"a":"b"}}' } });
  insertOperation(sqlite, { id: 'odd-refs-empty', kind: 'payment', provider: 'koshelek', shiftId: 2, orderId: 'o6', amountKop: 100, isFinal: true, outcome: null, createdAt: at(10), slip: { refs: { x: 'y' } } });
  // slips.refs_json refuses what is not a JSON object; the report row's copy is edited as a damaged file would be
  const setRefs = sqlite.prepare('UPDATE report_operations SET slip_refs_json = ? WHERE id = ?');
  setRefs.run('not json', 'odd-refs-text');
  setRefs.run('["a"]', 'odd-refs-array');
  setRefs.run('', 'odd-refs-empty');
  sqlite.prepare("INSERT INTO tenders (shift_id, kind, direction, amount_kop, note, cashier, created_at) VALUES (2, 'cash', 'sale', 30000, 'размен', 'И', ?), (2, 'cash', 'sale', 700, '', 'И', ?), (2, 'card', 'refund', 500, '', 'И', ?)")
    .run(at(20), at(21), at(22));
}

describe('X report text made by SQLite (report worker)', () => {
  it('is byte for byte what the row-by-row path makes, and warns of the same unreadable refs', () => {
    seedShifts(journal.sqlite);
    const expected = rowByRow(journal.sqlite, request(2));
    const expectedWarnings = warnings.splice(0);
    const text = xReportText(journal.sqlite, request(2));
    expect(text).toBe(expected);
    expect(warnings).toEqual(expectedWarnings);
    expect(expectedWarnings.join()).toMatch(/odd-refs-number, odd-refs-text, odd-refs-array, odd-refs-nested/);
    const report = JSON.parse(text) as { operations: { id: string; refs: Record<string, string> }[]; currencies: { currency: string }[]; unresolved: string[] };
    expect(report.currencies.map((c) => c.currency)).toEqual(['RUB', 'KZT', 'USD']);
    expect(report.operations.find((l) => l.id === 'odd-refs-spaced')?.refs).toEqual({ qrcId: 'Q-1', kzo: 'K":1' });
    expect(report.unresolved).toEqual([]);
    // a closed shift, and an empty one
    expect(xReportText(journal.sqlite, request(1))).toBe(rowByRow(journal.sqlite, request(1)));
    journal.sqlite.prepare("INSERT INTO shifts (id, opened_at, opened_by, closed_at, closed_by) VALUES (3, '2026-11-28T06:00:00.000Z', 'x', '2026-11-28T07:00:00.000Z', 'x')").run();
    expect(xReportText(journal.sqlite, request(3))).toBe(rowByRow(journal.sqlite, request(3)));
  });

  it('with operations in flight, lists them in time order among the finished ones, as before', () => {
    seedShifts(journal.sqlite);
    insertOperation(journal.sqlite, { id: 'in-flight', kind: 'payment', provider: 'koshelek', shiftId: 2, orderId: 'o-f', amountKop: 500, isFinal: false, createdAt: '2026-11-30T09:00:05.500Z' });
    const text = xReportText(journal.sqlite, request(2));
    expect(text).toBe(rowByRow(journal.sqlite, request(2)));
    expect((JSON.parse(text) as { unresolved: string[] }).unresolved).toEqual(['in-flight']);
  });

  it.each([
    ['an unknown kind', "kind = 'gift'"],
    ['a negative amount', 'amount_kop = -5'],
    ['a fractional amount', 'amount_kop = 10.5'],
    ['an amount that is text', "amount_kop = 'много'"],
    ['a currency that is no ISO code', "currency = 'rub'"],
    ["a parent's shift that is text", "parent_shift_id = 'вчера', has_parent = 1"],
  ])('a report row with %s fails the report, in SQL and row by row (fails closed)', (_what, set) => {
    seedShifts(journal.sqlite);
    journal.sqlite.prepare(`UPDATE report_operations SET ${set} WHERE id = (SELECT id FROM report_operations WHERE shift_id = 2 ORDER BY created_at LIMIT 1 OFFSET 10)`).run();
    expect(() => xReportText(journal.sqlite, request(2))).toThrow(ReportContractError);
    // row by row an unknown kind has no totals to add to (a TypeError): refused all the same
    expect(() => rowByRow(journal.sqlite, request(2))).toThrow(set.startsWith('kind') ? Error : ReportContractError);
  });

  it('keeps each stored line with its row through later changes: a finish, a refund of its payment, a slip, an edit', () => {
    seedShifts(journal.sqlite);
    const sqlite = journal.sqlite;
    const same = () => expect(xReportText(sqlite, request(2))).toBe(rowByRow(sqlite, request(2)));
    // an operation in flight finishes, then its slip arrives
    insertOperation(sqlite, { id: 'late', kind: 'payment', provider: 'koshelek', shiftId: 2, orderId: 'o-late', amountKop: 990, isFinal: false, createdAt: '2026-11-30T09:00:05.500Z' });
    sqlite.prepare("UPDATE operations SET is_final = 1, phase = 'done', outcome = 'paid', transaction_id = 'tx-late', finished_at = created_at WHERE id = 'late'").run();
    same();
    sqlite.prepare("INSERT INTO slips (operation_id, slip_id, payment_transaction_id, payment_type, order_id, store_id, terminal_id, refs_json, total_amount_kop, currency, raw_json, received_at) VALUES ('late', 's-late', 'slip-tx-late', 'sbp', 'o-late', 's', 't', '{\"qrcId\":\"Q-late\"}', 990, 'RUB', '{}', '2026-11-30T09:00:06.000Z')").run();
    same();
    expect((JSON.parse(xReportText(sqlite, request(2))) as { operations: { id: string; paymentType: string | null; refs: object }[] }).operations.find((l) => l.id === 'late'))
      .toMatchObject({ paymentType: 'sbp', refs: { qrcId: 'Q-late' } });
    // the payment is refunded later: its refund's line shows the payment's transaction id and type
    insertOperation(sqlite, { id: 'late-back', kind: 'refund', provider: 'koshelek', parentId: 'late', shiftId: 2, orderId: 'o-late-r', amountKop: 990, isFinal: true, outcome: 'refunded', createdAt: '2026-11-30T09:30:00.000Z' });
    sqlite.prepare("UPDATE operations SET outcome = 'refunded', transaction_id = 'tx-late-2', payment_type = 'card' WHERE id = 'late'").run();
    same();
    sqlite.prepare("UPDATE slips SET refs_json = '{\"qrcId\":\"Q-2\",\"kzo\":\"K\"}' WHERE operation_id = 'late'").run();
    same();
    // an edit of a report row by hand (a damaged file) is followed too
    sqlite.prepare("UPDATE report_operations SET order_id = 'правка' WHERE id = 'late'").run();
    same();
  });

  it('fails the report when a line is missing or its row holds a BLOB, and the write that made the row still succeeds', () => {
    seedShifts(journal.sqlite);
    const sqlite = journal.sqlite;
    const one = sqlite.prepare('SELECT id FROM report_operations WHERE shift_id = 2 ORDER BY created_at LIMIT 1 OFFSET 20').pluck().get() as string;
    const line = sqlite.prepare('SELECT * FROM report_lines WHERE id = ?').get(one) as Record<string, unknown>;
    sqlite.prepare('DELETE FROM report_lines WHERE id = ?').run(one);
    expect(() => xReportText(sqlite, request(2))).toThrow(/line\(s\) for .* operation row\(s\)/);
    sqlite.prepare('INSERT INTO report_lines (shift_id, created_at, id, line_json, refs_unreadable) VALUES (@shift_id, @created_at, @id, @line_json, @refs_unreadable)').run(line);
    expect(xReportText(sqlite, request(2))).toBe(rowByRow(sqlite, request(2)));
    // json_object refuses a BLOB: in the trigger that would fail the finish itself
    expect(() => sqlite.prepare('UPDATE operations SET order_id = ? WHERE id = ?').run(Buffer.from([0, 1]), one)).not.toThrow();
    expect(sqlite.prepare('SELECT line_json FROM report_lines WHERE id = ?').pluck().get(one)).toBeNull();
    expect(() => xReportText(sqlite, request(2))).toThrow(new RegExp(`do not make a report line \\(first: ${one}\\)`));
  });

  it('joins the stored lines in key order without a sort', () => {
    const plan = (journal.sqlite.prepare(`EXPLAIN QUERY PLAN ${LINES_SQL}`).all(1) as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan).toMatch(/SEARCH report_lines USING PRIMARY KEY \(shift_id=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});
