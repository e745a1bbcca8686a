import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../journal/database';
import { PaydeskError } from '../errors/catalogue';
import { shiftConfigSchema } from '../shifts/config';
import { ShiftService } from '../shifts/service';
import { generateShiftOperations, insertOperation, newLedger, rng, type PaidPayment } from '../shifts/fixtures';
import { computeReport } from './compute';
import { loadShiftOperations, loadShiftTenders } from './load';
import type { RefColumn } from './model';
import { encodeStoredReport, bodyHash } from './stored';
import { COMPACT_FORMAT, GROUPS_SQL } from './z-store';

let dir: string;
let journal: Journal;
let clock: Date;
let service: ShiftService;
let refColumns: RefColumn[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-zstore-'));
  journal = openJournal(path.join(dir, 'journal.db'));
  clock = new Date('2025-03-03T06:00:00.000Z');
  const config = shiftConfigSchema.parse({});
  refColumns = [{ key: 'rrn', label: 'RRN' }];
  service = new ShiftService(journal, () => config, {
    now: () => clock, till: () => ({ terminalId: 'POS-01', storeId: 'store-1', storeName: 'Магазин' }), refColumns: () => refColumns,
  });
});

afterEach(() => {
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const keyOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof PaydeskError) return error.key;
    throw error;
  }
  return 'no error';
};

/** Three generated shifts (refunds of earlier shifts' payments included), each closed. */
function closeThreeShifts(): void {
  const random = rng(424242);
  const paid: PaidPayment[] = [];
  for (let s = 1; s <= 3; s += 1) {
    clock = new Date(Date.UTC(2025, 2, s, 6));
    const shift = service.open(`Кассир ${s}`);
    generateShiftOperations(journal.sqlite, shift.id, 300, random, paid, clock.getTime(), newLedger());
    service.recordTender({ kind: 'cash', amountKop: 1234 * s, direction: 'sale' });
    clock = new Date(clock.getTime() + 3_600_000);
    service.close(`Кассир ${s}`);
  }
}

const dropGuards = (): void => {
  // An edit behind the app's back: nothing in SQLite stops a tool from changing report rows.
  journal.sqlite.exec('DROP TRIGGER IF EXISTS report_operations_on_update');
};

describe('compact Z reports', () => {
  it('store totals equal to the row-by-row computation and no operation lines; the lines come back on read', () => {
    closeThreeShifts();
    for (let n = 1; n <= 3; n += 1) {
      const stored = journal.sqlite.prepare('SELECT shift_id, body_json FROM z_reports WHERE number = ?').get(n) as { shift_id: number; body_json: string };
      const body = JSON.parse(stored.body_json) as Record<string, unknown>;
      expect(body.format).toBe(COMPACT_FORMAT);
      expect(body.operations).toBeUndefined();
      const rows = loadShiftOperations(journal.sqlite, stored.shift_id);
      const reference = computeReport({
        type: 'z', zNumber: n, generatedAt: 'x', shift: { id: stored.shift_id, openedAt: '', openedBy: '', closedAt: null, closedBy: null },
        till: { terminalId: '', storeId: '', storeName: '' }, operations: rows, tenders: loadShiftTenders(journal.sqlite, stored.shift_id),
      });
      const z = service.zReport(n);
      expect(z?.currencies).toEqual(reference.currencies);
      // first-seen order of outcomes is kept too (renderers list them in that order)
      expect(Object.keys(z?.currencies[0]?.byKind.payment.byOutcome ?? {})).toEqual(Object.keys(reference.currencies[0]?.byKind.payment.byOutcome ?? {}));
      expect(z?.operations).toEqual(reference.operations);
      expect(z?.operations).toHaveLength(300);
    }
    // shift 2 and 3 refund payments of earlier shifts: the cross-shift path is exercised
    expect(service.zReport(3)?.currencies[0]?.crossShiftRefunds.count).toBeGreaterThan(0);
  });

  it('refuses a Z whose covered rows were edited, deleted or added to, even when the totals still match', () => {
    closeThreeShifts();
    dropGuards();
    const shift2 = (service.zReport(2)?.shift.id) as number;
    const one = journal.sqlite.prepare('SELECT id, created_at FROM report_operations WHERE shift_id = ? ORDER BY created_at LIMIT 1').get(shift2) as { id: string; created_at: string };

    // a field no total depends on
    const snapshot = journal.sqlite.prepare('SELECT * FROM report_operations WHERE id = ?').get(one.id) as Record<string, unknown>;
    journal.sqlite.prepare("UPDATE report_operations SET order_id = order_id || '-x' WHERE id = ?").run(one.id);
    expect(keyOf(() => service.zReport(2))).toBe('report.integrity');
    expect(keyOf(() => service.zReport(1))).toBe('no error');

    // the amount
    journal.sqlite.prepare('UPDATE report_operations SET order_id = ?, amount_kop = amount_kop + 1 WHERE id = ?').run(snapshot.order_id, one.id);
    expect(keyOf(() => service.zReport(2))).toBe('report.integrity');
    journal.sqlite.prepare('UPDATE report_operations SET amount_kop = ? WHERE id = ?').run(snapshot.amount_kop, one.id);
    expect(keyOf(() => service.zReport(2))).toBe('no error');

    // a NULL turned into an empty string (json_array keeps them apart)
    journal.sqlite.prepare("UPDATE report_operations SET error_code = CASE WHEN error_code IS NULL THEN '' ELSE NULL END WHERE id = ?").run(one.id);
    expect(keyOf(() => service.zReport(2))).toBe('report.integrity');
    journal.sqlite.prepare('UPDATE report_operations SET error_code = ? WHERE id = ?').run(snapshot.error_code, one.id);
    expect(keyOf(() => service.zReport(2))).toBe('no error');

    // a row removed, then a row added
    journal.sqlite.prepare('DELETE FROM report_operations WHERE id = ?').run(one.id);
    expect(keyOf(() => service.zReport(2))).toBe('report.integrity');
    const cols = Object.keys(snapshot);
    journal.sqlite.prepare(`INSERT INTO report_operations (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(snapshot);
    expect(keyOf(() => service.zReport(2))).toBe('no error');
    journal.sqlite.prepare(`INSERT INTO report_operations (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run({ ...snapshot, id: 'forged' });
    expect(keyOf(() => service.zReport(2))).toBe('report.integrity');
  });

  it('keeps the id columns it was closed with, and its lines carry the covered rows\' refs', () => {
    closeThreeShifts();
    refColumns = [{ key: 'other', label: 'Другое' }];
    const z = service.zReport(1);
    expect(z?.refColumns).toEqual([{ key: 'rrn', label: 'RRN' }]);
    const withRefs = z?.operations.filter((l) => Object.keys(l.refs).length > 0) ?? [];
    expect(withRefs.length).toBeGreaterThan(10);
    const one = withRefs[0];
    const stored = journal.sqlite.prepare('SELECT slip_refs_json FROM report_operations WHERE id = ?').get(one?.id) as { slip_refs_json: string };
    expect(one?.refs).toEqual(JSON.parse(stored.slip_refs_json));
  });

  it('refuses a Z whose covered rows\' refs were edited (the refs text is hashed)', () => {
    closeThreeShifts();
    const one = journal.sqlite.prepare("SELECT id, slip_refs_json FROM report_operations WHERE shift_id = 1 AND slip_refs_json <> '{}' LIMIT 1").get() as { id: string; slip_refs_json: string };
    const refs = JSON.parse(one.slip_refs_json) as Record<string, string>;
    const [key] = Object.keys(refs);
    journal.sqlite.prepare('UPDATE report_operations SET slip_refs_json = ? WHERE id = ?').run(JSON.stringify({ ...refs, [key ?? 'x']: 'FORGED' }), one.id);
    expect(keyOf(() => service.zReport(1))).toBe('report.integrity');
    journal.sqlite.prepare('UPDATE report_operations SET slip_refs_json = ? WHERE id = ?').run(one.slip_refs_json, one.id);
    expect(keyOf(() => service.zReport(1))).toBe('no error');
  });

  it('refuses a compact body edited with its hash recomputed when the totals no longer match the rows', () => {
    closeThreeShifts();
    journal.sqlite.exec('DROP TRIGGER z_reports_no_update');
    const row = journal.sqlite.prepare('SELECT body_json FROM z_reports WHERE number = 1').get() as { body_json: string };
    const body = JSON.parse(row.body_json) as { currencies: { totals: { tillNetKop: number } }[] };
    body.currencies[0]!.totals.tillNetKop += 100;
    const text = JSON.stringify(body);
    journal.sqlite.prepare('UPDATE z_reports SET body_json = ?, sha256 = ? WHERE number = 1').run(text, bodyHash(text));
    expect(keyOf(() => service.zReport(1))).toBe('report.integrity');
  });

  it('still reads a Z stored whole by an earlier version', () => {
    closeThreeShifts();
    const full = service.zReport(3);
    if (!full) throw new Error('no Z 3');
    journal.sqlite.exec('DROP TRIGGER z_reports_no_update');
    const old = encodeStoredReport(full);
    journal.sqlite.prepare('UPDATE z_reports SET body_json = ?, sha256 = ? WHERE number = 3').run(old, bodyHash(old));
    expect(service.zReport(3)).toEqual(full);
  });
});

describe('compact Z per currency', () => {
  it('stores a section per currency (format 6), reads them back from the rows, and refuses a row whose currency was changed', () => {
    clock = new Date(Date.UTC(2025, 2, 1, 6));
    const shift = service.open('Кассир');
    const at = (m: number): string => new Date(clock.getTime() + m * 60_000).toISOString();
    insertOperation(journal.sqlite, { id: 'rub', kind: 'payment', shiftId: shift.id, orderId: 'o-1', amountKop: 10_000, outcome: 'paid', paymentType: 'SBP', createdAt: at(1) });
    insertOperation(journal.sqlite, { id: 'kzt', kind: 'payment', provider: 'halyk', currency: 'KZT', shiftId: shift.id, orderId: 'o-2', amountKop: 500_000, outcome: 'paid', paymentType: 'card_foreign', createdAt: at(2) });
    insertOperation(journal.sqlite, { id: 'kzt-r', kind: 'refund', provider: 'halyk', currency: 'KZT', parentId: 'kzt', shiftId: shift.id, orderId: 'o-2', amountKop: 100_000, outcome: 'refunded', createdAt: at(3) });
    insertOperation(journal.sqlite, { id: 'usd', kind: 'payment', provider: 'extpay', currency: 'USD', shiftId: shift.id, orderId: 'o-3', amountKop: 4_999, outcome: 'paid', paymentType: 'paypal', createdAt: at(4) });
    insertOperation(journal.sqlite, { id: 'usd-r', kind: 'refund', provider: 'extpay', currency: 'USD', parentId: 'usd', shiftId: shift.id, orderId: 'o-3', amountKop: 999, outcome: 'refunded', createdAt: at(5) });
    service.recordTender({ kind: 'cash', amountKop: 700, direction: 'sale' });
    clock = new Date(clock.getTime() + 3_600_000);
    const closed = service.close('Кассир');

    const stored = journal.sqlite.prepare('SELECT body_json FROM z_reports WHERE number = ?').get(closed.zNumber) as { body_json: string };
    const body = JSON.parse(stored.body_json) as { format: number; currencies: { currency: string; totals: { tillNetKop: number } }[] };
    expect(body.format).toBe(COMPACT_FORMAT);
    expect(body.currencies.map((c) => [c.currency, c.totals.tillNetKop])).toEqual([['RUB', 10_700], ['KZT', 400_000], ['USD', 4_000]]);

    const z = service.zReport(closed.zNumber ?? 0);
    expect(z?.currencies).toEqual(closed.currencies);
    expect(z?.currencies.map((c) => [c.currency, c.totals.electronicInKop, c.totals.electronicOutKop])).toEqual([['RUB', 10_000, 0], ['KZT', 500_000, 100_000], ['USD', 4_999, 999]]);
    expect(z?.operations.map((l) => [l.id, l.currency])).toEqual([['rub', 'RUB'], ['kzt', 'KZT'], ['kzt-r', 'KZT'], ['usd', 'USD'], ['usd-r', 'USD']]);

    // A tool re-labelling a row's currency (same amount) is caught by the cover, not shown.
    dropGuards();
    journal.sqlite.prepare("UPDATE report_operations SET currency = 'RUB' WHERE id = 'kzt-r'").run();
    expect(keyOf(() => service.zReport(closed.zNumber ?? 0))).toBe('report.integrity');
    journal.sqlite.prepare("UPDATE report_operations SET currency = 'KZT' WHERE id = 'kzt-r'").run();
    expect(keyOf(() => service.zReport(closed.zNumber ?? 0))).toBe('no error');
  });

  it('sums the totals from the covering index alone, in group order (no sort of the shift\'s rows)', () => {
    const plan = (journal.sqlite.prepare(`EXPLAIN QUERY PLAN ${GROUPS_SQL}`).all(1) as { detail: string }[]).map((r) => r.detail);
    expect(plan.join(' | ')).toMatch(/USING COVERING INDEX report_operations_totals \(shift_id=\?\)/);
    expect(plan.join(' | ')).not.toMatch(/GROUP BY/);
  });
});
