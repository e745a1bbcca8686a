// Reports stored by the release before the provider-neutral core still read, unchanged in substance:
// a compact Z (format 3) written on the old schema and read after the migration that moved the slip
// ids into refs_json, a Z stored whole (format 2), and a printed X's snapshot. The bodies here are
// literally what that release wrote (its field names included); only the cover hash is computed,
// with that release's SQL on that release's schema.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PaydeskError } from '../errors/catalogue';
import { openJournal, type Journal } from '../journal/database';
import { findMigrationsDir, readMigrations } from '../journal/migrate';
import { shiftConfigSchema } from '../shifts/config';
import { insertOperation } from '../shifts/fixtures';
import { ShiftService } from '../shifts/service';
import { reportCsv } from './csv';
import { bodyHash, decodeStoredReport } from './stored';
import { reportText } from './text';
import { coverOf } from './z-store';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-legacy-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A journal on the schema of the release before refs_json (every migration before the one that adds it). */
function openOldJournal(file: string): Journal {
  const all = readMigrations(findMigrationsDir());
  const index = all.findIndex((m) => m.sql.includes('slip_refs_json'));
  expect(index).toBeGreaterThan(0);
  const before = path.join(dir, 'before');
  fs.mkdirSync(before);
  for (const m of all.slice(0, index)) fs.writeFileSync(path.join(before, m.name), m.sql);
  return openJournal(file, { migrationsDir: before });
}

// The previous release's cover: every report_operations column, its two slip id columns included.
const OLD_COVER_SQL = `
SELECT count(*) AS n, min(created_at) AS first_at, max(created_at) AS last_at, group_concat(line, char(10)) AS body
  FROM (SELECT created_at, json_array(shift_id, created_at, id, kind, provider, parent_id, order_id, amount_kop, outcome, phase,
          request_id, transaction_id, ref_transaction_id, payment_type, error_code, finished_at, has_slip,
          slip_payment_transaction_id, slip_refund_transaction_id, slip_payment_type, slip_qrc_id, slip_kzo,
          has_parent, parent_shift_id, parent_transaction_id, parent_payment_type) AS line
          FROM report_operations WHERE shift_id = ? ORDER BY shift_id, created_at, id)`;

const bucket = (count: number, amountKop: number) => ({ count, amountKop });
const none = bucket(0, 0);
const OPENED = '2025-03-03T06:00:00.000Z';
const CLOSED = '2025-03-03T18:00:00.000Z';

function seedOldShift(sqlite: Journal['sqlite']): void {
  sqlite.prepare("INSERT INTO shifts (id, opened_at, opened_by) VALUES (1, ?, 'Иванова')").run(OPENED);
  const at = (m: number): string => new Date(Date.parse(OPENED) + m * 60_000).toISOString();
  insertOperation(sqlite, {
    id: 'pay-sbp', kind: 'payment', shiftId: 1, orderId: 'o-1', amountKop: 1000, outcome: 'paid', transactionId: 'tx-1', paymentType: 'SBP', createdAt: at(1),
    slip: { paymentTransactionId: 'tx-1', paymentType: 'SBP', refs: { qrcId: 'QRC-OLD-1', kzo: '4716' } },
  });
  insertOperation(sqlite, {
    id: 'pay-dol', kind: 'payment', shiftId: 1, orderId: 'o-2', amountKop: 2000, outcome: 'paid', transactionId: 'tx-2', paymentType: 'DOLYAME', createdAt: at(2),
    slip: { paymentTransactionId: 'tx-2', paymentType: 'DOLYAME' },
  });
  insertOperation(sqlite, {
    id: 'ref-1', kind: 'refund', parentId: 'pay-sbp', shiftId: 1, orderId: 'o-1', amountKop: 500, outcome: 'refunded', transactionId: 'tx-1', refTransactionId: 'rtx-1',
    createdAt: at(3), slip: { paymentTransactionId: 'tx-1', refundTransactionId: 'rtx-1', paymentType: 'SBP', refs: { qrcId: 'QRC-OLD-1', kzo: '4716' } },
  });
}

/** The head every old body below shares: what the previous release computed for seedOldShift. */
const oldHead = {
  type: 'z', zNumber: 1, generatedAt: CLOSED,
  shift: { id: 1, openedAt: OPENED, openedBy: 'Иванова', closedAt: CLOSED, closedBy: 'Иванова' },
  till: { terminalId: 'POS-01', storeId: 'store-1', storeName: 'Магазин' },
  byKind: {
    payment: { all: bucket(2, 3000), succeeded: bucket(2, 3000), notSucceeded: none, unresolved: none, byOutcome: { paid: bucket(2, 3000) } },
    cancel: { all: none, succeeded: none, notSucceeded: none, unresolved: none, byOutcome: {} },
    refund: { all: bucket(1, 500), succeeded: bucket(1, 500), notSucceeded: none, unresolved: none, byOutcome: { refunded: bucket(1, 500) } },
  },
  byPaymentType: [
    { paymentType: 'DOLYAME', provider: 'koshelek', payments: bucket(1, 2000), refunds: none, netKop: 2000 },
    { paymentType: 'SBP', provider: 'koshelek', payments: bucket(1, 1000), refunds: bucket(1, 500), netKop: 500 },
  ],
  crossShiftRefunds: none,
  tenders: [],
  totals: { electronicInKop: 3000, electronicOutKop: 500, electronicNetKop: 2500, tendersNetKop: 0, tillNetKop: 2500 },
  unresolved: [],
  tenderEntries: [],
  reconciliation: {
    checkedAt: CLOSED, checked: 3, matched: 2, skipped: 0,
    differences: [{ operationId: 'pay-dol', kind: 'payment', orderId: 'o-2', transactionId: 'tx-2', refTransactionId: null, journal: 'paid', koshelek: 'not found', problem: 'not_found' }],
  },
};

function storeZ(sqlite: Journal['sqlite'], body: string): void {
  sqlite.prepare('INSERT INTO z_reports (number, shift_id, created_at, cashier, body_json, sha256) VALUES (1, 1, ?, ?, ?, ?)').run(CLOSED, 'Иванова', body, bodyHash(body));
  sqlite.prepare("UPDATE shifts SET closed_at = ?, closed_by = 'Иванова', z_number = 1 WHERE id = 1").run(CLOSED);
}

const service = (journal: Journal) =>
  new ShiftService(journal, () => shiftConfigSchema.parse({}), { refColumns: () => [{ key: 'rrn', label: 'RRN (настроено сейчас)' }] });

const keyOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof PaydeskError) return error.key;
    throw error;
  }
  return 'no error';
};

describe('a compact Z (format 3) written by the previous release', () => {
  it('reads after the migration: old id fields as refs under the old columns, the reconciliation item renamed, checked against its old cover', () => {
    const file = path.join(dir, 'journal.db');
    const old = openOldJournal(file);
    seedOldShift(old.sqlite);
    const cover = old.sqlite.prepare(OLD_COVER_SQL).get(1) as { n: number; first_at: string; last_at: string; body: string };
    expect(cover.body).toContain('"QRC-OLD-1","4716"');
    const body = JSON.stringify({
      ...oldHead, format: 3,
      covers: { shiftId: 1, count: cover.n, firstCreatedAt: cover.first_at, lastCreatedAt: cover.last_at, rowsSha256: createHash('sha256').update(cover.body).digest('hex') },
    });
    storeZ(old.sqlite, body);
    old.close();

    const journal = openJournal(file);
    try {
      expect(journal.migration.applied.some((name) => readMigrations(findMigrationsDir()).find((m) => m.name === name)?.sql.includes('slip_refs_json'))).toBe(true);
      const z = service(journal).zReport(1);
      expect(z).not.toBeNull();
      // the columns that release printed, not what is configured now
      expect(z?.refColumns).toEqual([{ key: 'qrcId', label: 'qrcId' }, { key: 'kzo', label: 'kzo' }]);
      expect(z?.operations.map((l) => [l.id, l.refs])).toEqual([
        ['pay-sbp', { qrcId: 'QRC-OLD-1', kzo: '4716' }], ['pay-dol', {}], ['ref-1', { qrcId: 'QRC-OLD-1', kzo: '4716' }],
      ]);
      expect(z?.reconciliation?.differences).toEqual([
        { operationId: 'pay-dol', kind: 'payment', orderId: 'o-2', transactionId: 'tx-2', refTransactionId: null, journal: 'paid', provider: 'not found', problem: 'not_found' },
      ]);
      expect([z?.environment, z?.tenderVoids]).toEqual([null, []]);
      expect(z?.currencies[0]?.totals.tillNetKop).toBe(2500);
      const text = reportText(z!, 100);
      expect(text).toContain('qrcId=QRC-OLD-1');
      expect(text).toContain('kzo=4716');
      expect(text).toContain('платёжная система: not found');
      expect(reportCsv(z!).split('\r\n')[0]).toContain(';paymentType;qrcId;kzo;');

      // The old cover still guards the rows: a forged id is refused, the original reads again.
      const refs = (journal.sqlite.prepare("SELECT slip_refs_json FROM report_operations WHERE id = 'pay-sbp'").get() as { slip_refs_json: string }).slip_refs_json;
      journal.sqlite.prepare("UPDATE report_operations SET slip_refs_json = ? WHERE id = 'pay-sbp'").run(JSON.stringify({ ...JSON.parse(refs) as object, kzo: '9999' }));
      expect(keyOf(() => service(journal).zReport(1))).toBe('report.integrity');
      journal.sqlite.prepare("UPDATE report_operations SET slip_refs_json = 'not json' WHERE id = 'pay-sbp'").run();
      expect(keyOf(() => service(journal).zReport(1))).toBe('report.integrity');
      journal.sqlite.prepare("UPDATE report_operations SET slip_refs_json = ? WHERE id = 'pay-sbp'").run(refs);
      expect(keyOf(() => service(journal).zReport(1))).toBe('no error');
    } finally {
      journal.close();
    }
  });
});

describe('whole bodies written by earlier releases', () => {
  // Lines as that release wrote them: its id fields by name, no refs.
  const oldLine = (id: string, kind: string, amountKop: number, signedKop: number, qrcId: string | null, kzo: string | null) => ({
    id, kind, provider: 'koshelek', createdAt: OPENED, finishedAt: OPENED, status: kind === 'refund' ? 'refunded' : 'paid', amountKop, signedKop,
    orderId: `o-${id}`, paymentTransactionId: `tx-${id}`, refundTransactionId: kind === 'refund' ? 'rtx-1' : null, requestId: `rq-${id}`,
    paymentType: 'SBP', qrcId, kzo, errorCode: null, parentId: null, parentShiftId: null, crossShift: false,
  });

  it('a Z stored whole in columns (format 2) reads with refs from its old fields', () => {
    const journal = openJournal(path.join(dir, 'journal.db'));
    try {
      journal.sqlite.prepare("INSERT INTO shifts (id, opened_at, opened_by) VALUES (1, ?, 'Иванова')").run(OPENED);
      const lines = [oldLine('a', 'payment', 1000, 1000, 'QRC-A', '11'), oldLine('b', 'payment', 2000, 2000, null, null), oldLine('c', 'refund', 500, -500, 'QRC-A', '')];
      const cols = Object.keys(lines[0] ?? {});
      const body = JSON.stringify({ ...oldHead, format: 2, operations: { cols, rows: lines.map((l) => cols.map((c) => l[c as keyof typeof l])) } });
      storeZ(journal.sqlite, body);
      const z = service(journal).zReport(1);
      expect(z?.operations.map((l) => l.refs)).toEqual([{ qrcId: 'QRC-A', kzo: '11' }, {}, { qrcId: 'QRC-A' }]);
      expect(z?.operations[0]).not.toHaveProperty('qrcId');
      expect(z?.refColumns.map((c) => c.key)).toEqual(['qrcId', 'kzo']);
      expect(z?.reconciliation?.differences[0]?.provider).toBe('not found');
      // a whole body is checked by its hash as before
      expect(keyOf(() => service(journal).zReport(1))).toBe('no error');
    } finally {
      journal.close();
    }
  });

  it('a printed X snapshot (plain, before environments and voids) reads the same way', () => {
    const x = decodeStoredReport(JSON.stringify({ ...oldHead, type: 'x', zNumber: null, reconciliation: null, operations: [oldLine('a', 'payment', 1000, 1000, 'QRC-X', '7')] }));
    expect(x.operations[0]?.refs).toEqual({ qrcId: 'QRC-X', kzo: '7' });
    expect(x.refColumns).toEqual([{ key: 'qrcId', label: 'qrcId' }, { key: 'kzo', label: 'kzo' }]);
    expect([x.environment, x.tenderVoids]).toEqual([null, []]);
  });
});

describe('a compact Z (format 4) written before currencies', () => {
  it('reads after the migration that records each row\'s currency: its one total as the till currency\'s section, lines in their own currency, still guarded', () => {
    // The schema before report rows had a currency: every migration before the one that adds it.
    const all = readMigrations(findMigrationsDir());
    const index = all.findIndex((m) => /ALTER TABLE report_operations ADD COLUMN currency/.test(m.sql));
    expect(index).toBeGreaterThan(0);
    const before = path.join(dir, 'before-currency');
    fs.mkdirSync(before);
    for (const m of all.slice(0, index)) fs.writeFileSync(path.join(before, m.name), m.sql);
    const file = path.join(dir, 'journal.db');
    const old = openJournal(file, { migrationsDir: before });
    old.sqlite.prepare("INSERT INTO shifts (id, opened_at, opened_by) VALUES (1, ?, 'Иванова')").run(OPENED);
    const at = (m: number): string => new Date(Date.parse(OPENED) + m * 60_000).toISOString();
    insertOperation(old.sqlite, { id: 'rub', kind: 'payment', shiftId: 1, orderId: 'o-1', amountKop: 1000, outcome: 'paid', paymentType: 'SBP', createdAt: at(1) });
    // A tenge sale the old release added into its rouble total (the gap this release closes).
    insertOperation(old.sqlite, { id: 'kzt', kind: 'payment', provider: 'halyk', currency: 'KZT', shiftId: 1, orderId: 'o-2', amountKop: 2000, outcome: 'paid', paymentType: 'card_foreign', createdAt: at(2) });
    const cover = coverOf(old.sqlite, 1, 4);
    const blind = {
      type: 'z', zNumber: 1, generatedAt: CLOSED,
      shift: { id: 1, openedAt: OPENED, openedBy: 'Иванова', closedAt: CLOSED, closedBy: 'Иванова' },
      till: { terminalId: 'POS-01', storeId: 'store-1', storeName: 'Магазин' },
      byKind: {
        payment: { all: bucket(2, 3000), succeeded: bucket(2, 3000), notSucceeded: none, unresolved: none, byOutcome: { paid: bucket(2, 3000) } },
        cancel: { all: none, succeeded: none, notSucceeded: none, unresolved: none, byOutcome: {} },
        refund: { all: none, succeeded: none, notSucceeded: none, unresolved: none, byOutcome: {} },
      },
      byPaymentType: [
        { paymentType: 'card_foreign', provider: 'halyk', payments: bucket(1, 2000), refunds: none, netKop: 2000 },
        { paymentType: 'SBP', provider: 'koshelek', payments: bucket(1, 1000), refunds: none, netKop: 1000 },
      ],
      crossShiftRefunds: none, tenders: [],
      totals: { electronicInKop: 3000, electronicOutKop: 0, electronicNetKop: 3000, tendersNetKop: 0, tillNetKop: 3000 },
      unresolved: [], tenderEntries: [], reconciliation: null, refColumns: [], environment: 'test', tenderVoids: [],
      format: 4, covers: cover,
    };
    storeZ(old.sqlite, JSON.stringify(blind));
    old.close();

    const journal = openJournal(file);
    try {
      expect(journal.sqlite.prepare("SELECT currency FROM report_operations WHERE id = 'kzt'").get()).toEqual({ currency: 'KZT' });
      const z = service(journal).zReport(1);
      // what that Z added up, as it printed it: one section, nothing recomputed into new figures
      expect(z?.currencies).toHaveLength(1);
      expect(z?.currencies[0]).toMatchObject({ currency: 'RUB', totals: { electronicInKop: 3000, tillNetKop: 3000 } });
      expect(z?.operations.map((l) => [l.id, l.currency])).toEqual([['rub', 'RUB'], ['kzt', 'KZT']]);
      const text = reportText(z!, 100);
      expect(text).toContain('ИТОГО ПО КАССЕ');
      expect(text).toContain('20,00\u00a0₸');
      // its cover still guards the rows
      journal.sqlite.prepare("UPDATE report_operations SET amount_kop = 2001 WHERE id = 'kzt'").run();
      expect(keyOf(() => service(journal).zReport(1))).toBe('report.integrity');
    } finally {
      journal.close();
    }
  });
});
