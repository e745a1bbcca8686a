import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../journal/database';
import { PaydeskError } from '../errors/catalogue';
import { shiftConfigSchema, type ShiftConfig } from './config';
import { ShiftService } from './service';
import { generateShiftOperations, insertOperation, newLedger, rng, type Ledger, type PaidPayment } from './fixtures';
import type { ShiftReport } from '../reports/model';
import { lookupByProvider, type ReconcileOperation, type StatusLookup } from '../reports/reconcile';
import { koshelekStatusLookup, type KoshelekStatusAnswer } from '../payapi/koshelek/reconcile';
import { koshelekEnumsSchema } from '../payapi/koshelek/config';

let dir: string;
let journal: Journal;
let clock: Date;
let config: ShiftConfig;
let service: ShiftService;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-shifts-'));
  journal = openJournal(path.join(dir, 'journal.db'));
  clock = new Date('2025-03-03T06:00:00.000Z');
  config = shiftConfigSchema.parse({});
  service = new ShiftService(journal, () => config, { now: () => clock, till: () => ({ terminalId: 'POS-01', storeId: 'store-1', storeName: 'Магазин' }) });
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

/** The independent side: plain SQL sums over the journal, no code shared with the report. */
function sqlSums(shiftId: number) {
  const row = journal.sqlite.prepare(`
    SELECT
      COALESCE(SUM(CASE WHEN kind = 'payment' AND outcome = 'paid' THEN amount_kop END), 0) AS paid,
      COUNT(CASE WHEN kind = 'payment' AND outcome = 'paid' THEN 1 END) AS paid_n,
      COALESCE(SUM(CASE WHEN kind = 'refund' AND outcome = 'refunded' THEN amount_kop END), 0) AS refunded,
      COUNT(CASE WHEN kind = 'refund' AND outcome = 'refunded' THEN 1 END) AS refunded_n,
      COUNT(CASE WHEN kind = 'cancel' AND outcome = 'canceled' THEN 1 END) AS canceled_n,
      COUNT(*) AS n
    FROM operations WHERE shift_id = ?`).get(shiftId) as { paid: number; paid_n: number; refunded: number; refunded_n: number; canceled_n: number; n: number };
  const byType = journal.sqlite.prepare(`
    SELECT o.provider || '|' || COALESCE(o.payment_type, p.payment_type, '(' || o.provider || ')') AS k,
      SUM(CASE WHEN o.kind = 'payment' AND o.outcome = 'paid' THEN o.amount_kop WHEN o.kind = 'refund' AND o.outcome = 'refunded' THEN -o.amount_kop ELSE 0 END) AS net
    FROM operations o LEFT JOIN operations p ON p.id = o.parent_id
    WHERE o.shift_id = ? AND ((o.kind = 'payment' AND o.outcome = 'paid') OR (o.kind = 'refund' AND o.outcome = 'refunded'))
    GROUP BY k ORDER BY k`).all(shiftId) as { k: string; net: number }[];
  const tenders = journal.sqlite.prepare(`SELECT COALESCE(SUM(CASE direction WHEN 'sale' THEN amount_kop ELSE -amount_kop END), 0) AS net FROM tenders WHERE shift_id = ?`).get(shiftId) as { net: number };
  return { ...row, byType, tendersNet: tenders.net };
}

function checkAgainst(report: ShiftReport, ledger: Ledger, tendersNet: number): void {
  const sums = sqlSums(report.shift.id);
  // report vs SQL
  expect(report.currencies[0]!.byKind.payment.succeeded).toEqual({ count: sums.paid_n, amountKop: sums.paid });
  expect(report.currencies[0]!.byKind.refund.succeeded).toEqual({ count: sums.refunded_n, amountKop: sums.refunded });
  expect(report.currencies[0]!.byKind.cancel.succeeded.count).toBe(sums.canceled_n);
  expect(report.operations).toHaveLength(sums.n);
  expect(report.currencies[0]!.totals.electronicNetKop).toBe(sums.paid - sums.refunded);
  expect(report.currencies[0]!.totals.tendersNetKop).toBe(sums.tendersNet);
  expect(report.currencies[0]!.totals.tillNetKop).toBe(sums.paid - sums.refunded + sums.tendersNet);
  expect(report.currencies[0]!.byPaymentType.map((t) => ({ k: `${t.provider}|${t.paymentType}`, net: t.netKop })).sort((a, b) => a.k.localeCompare(b.k)))
    .toEqual(sums.byType.map((t) => ({ k: t.k, net: t.net })).sort((a, b) => a.k.localeCompare(b.k)));
  // report vs the generator's own ledger
  expect(report.currencies[0]!.totals.electronicInKop).toBe(ledger.inKop);
  expect(report.currencies[0]!.totals.electronicOutKop).toBe(ledger.outKop);
  expect(report.currencies[0]!.crossShiftRefunds.amountKop).toBe(ledger.crossShiftOutKop);
  expect(report.currencies[0]!.totals.tendersNetKop).toBe(tendersNet);
  expect(report.currencies[0]!.byKind.payment.all.count).toBe(ledger.counts.payment);
  expect(report.currencies[0]!.byKind.refund.all.count).toBe(ledger.counts.refund);
  expect(report.currencies[0]!.byKind.cancel.all.count).toBe(ledger.counts.cancel);
  for (const t of report.currencies[0]!.byPaymentType) {
    const l = ledger.byType.get(`${t.provider}|${t.paymentType}`);
    expect(l, t.paymentType).toBeDefined();
    expect({ in: t.payments.amountKop, out: t.refunds.amountKop, n: t.payments.count, r: t.refunds.count }).toEqual({ in: l?.inKop, out: l?.outKop, n: l?.payments, r: l?.refunds });
  }
  // line-level: the signed amounts add up to the net, and every §7.2 field is present on the lines
  expect(report.operations.reduce((s, l) => s + l.signedKop, 0)).toBe(report.currencies[0]!.totals.electronicNetKop);
  const sbpPaid = report.operations.find((l) => l.kind === 'payment' && l.paymentType === 'SBP' && l.status === 'paid');
  if (sbpPaid) {
    expect(sbpPaid.refs.qrcId).toMatch(/^QRC/);
    expect(sbpPaid.refs.kzo).toMatch(/^KZO/);
    expect(sbpPaid.paymentTransactionId).toMatch(/^tx-/);
    expect(sbpPaid.requestId).toMatch(/^rq-/);
  }
}

describe('ShiftService lifecycle', () => {
  it('opens one shift at a time and assigns operations to it', () => {
    expect(service.current()).toBeNull();
    expect(keyOf(() => service.assignForOperation('payment'))).toBe('shift.not_open');
    const shift = service.open('Иванова');
    expect(shift).toMatchObject({ id: 1, openedBy: 'Иванова', status: 'open', closedAt: null });
    expect(keyOf(() => service.open('Петров'))).toBe('shift.already_open');
    expect(service.assignForOperation('payment')).toBe(1);
    // the database itself refuses a second open shift
    expect(() => journal.sqlite.prepare("INSERT INTO shifts (opened_at, opened_by) VALUES ('x', 'y')").run()).toThrow(/UNIQUE/);
  });

  it('refuses to close with an unresolved operation, then closes once it is resolved', () => {
    service.open('Иванова');
    insertOperation(journal.sqlite, { id: 'p1', kind: 'payment', shiftId: 1, orderId: 'o1', amountKop: 10_000, isFinal: false, createdAt: clock.toISOString(), transactionId: 'tx1' });
    const error = (() => {
      try {
        service.close('Иванова');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(PaydeskError);
    expect((error as PaydeskError).key).toBe('shift.unresolved_operations');
    expect((error as PaydeskError).details).toContain('p1');
    expect(service.current()?.status).toBe('open');
    journal.sqlite.prepare("UPDATE operations SET is_final = 1, outcome = 'paid' WHERE id = 'p1'").run();
    const z = service.close('Иванова');
    expect(z.zNumber).toBe(1);
    expect(z.currencies[0]!.totals.electronicNetKop).toBe(10_000);
    expect(service.current()).toBeNull();
    // no operation can be added to the closed shift afterwards
    expect(() => insertOperation(journal.sqlite, { id: 'late', kind: 'payment', shiftId: 1, orderId: 'o2', amountKop: 500, createdAt: clock.toISOString() })).toThrow(/shift is closed/);
  });

  it('enforces the 24-hour limit: warns ahead, refuses sales after, still allows a cancel, prompts for a forgotten shift', () => {
    clock = new Date(2025, 2, 3, 9, 0, 0); // local 09:00
    service.open('Иванова');
    expect(service.warnings()).toEqual([]);
    clock = new Date(2025, 2, 3, 22, 0, 0);
    expect(service.warnings()).toEqual([]);
    clock = new Date(2025, 2, 4, 8, 30, 0); // next business day, 30 min before expiry
    const keys = service.warnings().map((w) => w.key);
    expect(keys).toEqual(['shift.expires_soon', 'shift.forgotten']);
    expect(service.warnings()[0]?.minutesLeft).toBe(30);
    expect(service.warnings()[0]?.cashier.ru).toContain('30 мин');
    expect(service.assignForOperation('payment')).toBe(1);
    clock = new Date(2025, 2, 4, 9, 0, 0);
    expect(service.current()?.status).toBe('expired');
    expect(service.warnings().map((w) => w.key)).toEqual(['shift.expired', 'shift.forgotten']);
    expect(keyOf(() => service.assignForOperation('payment'))).toBe('shift.expired');
    expect(keyOf(() => service.assignForOperation('refund'))).toBe('shift.expired');
    expect(keyOf(() => service.recordTender({ kind: 'cash', amountKop: 100, direction: 'sale' }))).toBe('shift.expired');
    expect(service.assignForOperation('cancel')).toBe(1);
    const z = service.close('Иванова');
    expect(z.shift.closedBy).toBe('Иванова');
  });

  it('records tenders outside Koshelek Pay and validates them', () => {
    service.open('Иванова');
    service.recordTender({ kind: 'cash', amountKop: 150_00, direction: 'sale', note: 'чек 12' });
    service.recordTender({ kind: 'card_terminal', amountKop: 99_90, direction: 'sale' });
    service.recordTender({ kind: 'cash', amountKop: 20_00, direction: 'refund' });
    expect(keyOf(() => service.recordTender({ kind: 'barter', amountKop: 1, direction: 'sale' }))).toBe('tender.invalid');
    expect(keyOf(() => service.recordTender({ kind: 'cash', amountKop: 0, direction: 'sale' }))).toBe('tender.invalid');
    expect(keyOf(() => service.recordTender({ kind: 'cash', amountKop: 1.5, direction: 'sale' }))).toBe('tender.invalid');
    const x = service.xReport();
    expect(x.currencies[0]!.tenders).toEqual([
      { kind: 'card_terminal', sales: { count: 1, amountKop: 9990 }, refunds: { count: 0, amountKop: 0 }, netKop: 9990 },
      { kind: 'cash', sales: { count: 1, amountKop: 15000 }, refunds: { count: 1, amountKop: 2000 }, netKop: 13000 },
    ]);
    expect(x.currencies[0]!.totals.tillNetKop).toBe(22990);
    expect(() => journal.sqlite.prepare('DELETE FROM tenders').run()).toThrow(/append-only/);
  });
});

describe('report arithmetic on generated shifts', () => {
  it('matches an independent sum over the journal for X and Z, across shifts, types, cancels and refunds', () => {
    const random = rng(20250303);
    const paid: PaidPayment[] = [];
    for (let s = 1; s <= 6; s += 1) {
      clock = new Date(Date.UTC(2025, 2, s, 6));
      const shift = service.open(`Кассир ${s}`);
      const ledger = newLedger();
      generateShiftOperations(journal.sqlite, shift.id, 150 + s * 20, random, paid, clock.getTime(), ledger);
      let tendersNet = 0;
      for (let t = 0; t < 5; t += 1) {
        const amountKop = 100 + Math.floor(random() * 100_000);
        const direction = random() < 0.7 ? 'sale' : 'refund';
        service.recordTender({ kind: random() < 0.5 ? 'cash' : 'card_terminal', amountKop, direction });
        tendersNet += direction === 'sale' ? amountKop : -amountKop;
      }
      const x = service.xReport();
      expect(x.type).toBe('x');
      checkAgainst(x, ledger, tendersNet);
      clock = new Date(clock.getTime() + 10 * 3_600_000);
      const z = service.close(`Кассир ${s}`);
      expect(z.zNumber).toBe(s);
      checkAgainst(z, ledger, tendersNet);
      // the stored Z is exactly what close returned
      expect(service.zReport(s)).toEqual(z);
      expect(service.zReportForShift(shift.id)).toEqual(z);
      if (s > 1) {
        expect(ledger.crossShiftOutKop).toBeGreaterThan(0);
        const cross = z.operations.filter((l) => l.crossShift && l.kind === 'refund');
        expect(cross.length).toBeGreaterThan(0);
        expect(cross.every((l) => l.parentShiftId !== null && l.parentShiftId < shift.id)).toBe(true);
      }
    }
    // every paid payment never had more refunded than it took
    expect(paid.every((p) => p.refundedKop <= p.amountKop)).toBe(true);
  });
});

describe('Z reports are numbered without gaps and immutable', () => {
  it('rejects UPDATE, DELETE and out-of-sequence INSERT at the database level', () => {
    for (let i = 0; i < 3; i += 1) {
      service.open('Иванова');
      service.recordTender({ kind: 'cash', amountKop: 1000 * (i + 1), direction: 'sale' });
      service.close('Иванова');
    }
    const numbers = journal.sqlite.prepare('SELECT number FROM z_reports ORDER BY number').all() as { number: number }[];
    expect(numbers.map((n) => n.number)).toEqual([1, 2, 3]);
    expect(() => journal.sqlite.prepare("UPDATE z_reports SET body_json = '{}' WHERE number = 2").run()).toThrow(/immutable/);
    expect(() => journal.sqlite.prepare('DELETE FROM z_reports WHERE number = 3').run()).toThrow(/immutable/);
    expect(() => journal.sqlite.prepare("INSERT INTO z_reports (number, shift_id, created_at, cashier, body_json, sha256) VALUES (5, 1, 'x', 'y', '{}', '')").run()).toThrow(/consecutive/);
    expect(() => journal.sqlite.prepare("UPDATE shifts SET closed_by = 'someone' WHERE id = 1").run()).toThrow(/closed shift/);
    expect(() => journal.sqlite.prepare('DELETE FROM shifts WHERE id = 1').run()).toThrow(/never deleted/);
    expect(service.zReport(2)?.currencies[0]?.totals.tillNetKop).toBe(2000);
    expect(service.latestZ()?.zNumber).toBe(3);
  });

  it('detects a Z body altered behind SQLite’s back (triggers dropped)', () => {
    service.open('Иванова');
    service.close('Иванова');
    journal.sqlite.exec('DROP TRIGGER z_reports_no_update');
    journal.sqlite.prepare("UPDATE z_reports SET body_json = replace(body_json, 'Иванова', 'Петров')").run();
    expect(keyOf(() => service.zReport(1))).toBe('report.integrity');
  });
});

describe('reconciliation', () => {
  it('lists the differences between the journal and Koshelek statuses (through Koshelek\'s mapping)', async () => {
    service.open('Иванова');
    const at = clock.toISOString();
    const ins = (seed: Parameters<typeof insertOperation>[1]) => insertOperation(journal.sqlite, seed);
    ins({ id: 'ok', kind: 'payment', shiftId: 1, orderId: 'o1', amountKop: 1000, outcome: 'paid', transactionId: 'T-ok', paymentType: 'SBP', createdAt: at });
    ins({ id: 'lost', kind: 'payment', shiftId: 1, orderId: 'o2', amountKop: 2000, outcome: 'failed', transactionId: 'T-lost', paymentType: 'SBP', createdAt: at });
    ins({ id: 'amt', kind: 'payment', shiftId: 1, orderId: 'o3', amountKop: 3000, outcome: 'paid', transactionId: 'T-amt', paymentType: 'SBP', createdAt: at });
    ins({ id: 'rf', kind: 'refund', parentId: 'ok', shiftId: 1, orderId: 'o1', amountKop: 500, outcome: 'refunded', transactionId: 'T-ok', refTransactionId: 'R-1', createdAt: at });
    ins({ id: 'gone', kind: 'payment', shiftId: 1, orderId: 'o4', amountKop: 4000, outcome: 'paid', transactionId: 'T-gone', paymentType: 'DOLYAME', createdAt: at });
    ins({ id: 'other', kind: 'payment', provider: 'otherpay', shiftId: 1, orderId: 'o5', amountKop: 5000, outcome: 'paid', transactionId: 'X', createdAt: at });
    ins({ id: 'net', kind: 'payment', shiftId: 1, orderId: 'o6', amountKop: 6000, outcome: 'rejected', transactionId: 'T-net', createdAt: at });
    const remote: Record<string, KoshelekStatusAnswer> = {
      'T-ok': { status: 'partial_refunded', amountKop: 1000 },
      'T-lost': { status: 'accepted' },
      'T-amt': { status: 'accepted', amountKop: 3100 },
      'T-ok/R-1': { status: 'partial_refunded', refStatus: 'accepted' },
    };
    const asked: ReconcileOperation[] = [];
    const enums = koshelekEnumsSchema.parse({});
    // Koshelek answers status '' for a transaction it does not know; the till's other provider cannot look anything up.
    const lookup: StatusLookup = lookupByProvider({
      koshelek: async (op) => {
        asked.push(op);
        return koshelekStatusLookup(async (tx, ref) => {
          if (tx === 'T-net') throw new Error('ECONNRESET');
          return remote[ref ? `${tx}/${ref}` : tx] ?? { status: '' };
        }, () => enums)(op);
      },
    });
    const rec = await service.reconcile(lookup);
    expect(asked.find((op) => op.kind === 'refund')).toEqual({ provider: 'koshelek', kind: 'refund', transactionId: 'T-ok', refTransactionId: 'R-1', requestId: 'rq-rf' });
    expect(asked.map((op) => op.requestId)).not.toContain('rq-other');
    expect(rec.checked).toBe(6);
    expect(rec.skipped).toBe(1);
    expect(rec.matched).toBe(2);
    expect(rec.differences.map((d) => [d.operationId, d.problem])).toEqual([
      ['amt', 'amount'], ['gone', 'not_found'], ['lost', 'mismatch'], ['net', 'lookup_failed'],
    ]);
    const z = await service.closeAndReconcile('Иванова', lookup);
    expect(z.reconciliation?.differences).toHaveLength(4);
    expect(service.zReport(1)?.reconciliation?.differences[2]?.provider).toBe('accepted');
  });

  it('compares any provider through its neutral outcomes; a provider that cannot look up is skipped, not a difference', async () => {
    service.open('Иванова');
    const at = clock.toISOString();
    type Seed = Omit<Parameters<typeof insertOperation>[1], 'shiftId' | 'createdAt'>;
    const ins = (seed: Seed) => insertOperation(journal.sqlite, { provider: 'terminal', ...seed, shiftId: 1, createdAt: at });
    ins({ id: 't-ok', kind: 'payment', orderId: 'o1', amountKop: 1000, outcome: 'paid', transactionId: 'RRN-1' });
    ins({ id: 't-later-refunded', kind: 'payment', orderId: 'o2', amountKop: 2000, outcome: 'paid', transactionId: 'RRN-2' });
    ins({ id: 't-declined-but-paid', kind: 'payment', orderId: 'o3', amountKop: 3000, outcome: 'rejected', transactionId: 'RRN-3' });
    ins({ id: 't-cancel', kind: 'cancel', parentId: 't-ok', orderId: 'o1', amountKop: 1000, outcome: 'cancel_rejected', transactionId: 'RRN-1', refTransactionId: 'C-1' });
    ins({ id: 't-refund-pending', kind: 'refund', parentId: 't-later-refunded', orderId: 'o2', amountKop: 2000, outcome: 'refunded', transactionId: 'RRN-2', refTransactionId: 'F-1' });
    ins({ id: 'w-1', kind: 'payment', provider: 'wallet', orderId: 'o4', amountKop: 4000, outcome: 'paid', transactionId: 'W-1' });
    const says: Record<string, { outcome: 'paid' | 'refunded' | 'canceled' | 'rejected' | 'pending' | 'not_found'; raw: string }> = {
      'RRN-1': { outcome: 'paid', raw: 'APPROVED' },
      'RRN-2': { outcome: 'refunded', raw: 'REVERSED' },
      'RRN-3': { outcome: 'paid', raw: 'APPROVED' },
      'C-1': { outcome: 'rejected', raw: 'DECLINED' },
      'F-1': { outcome: 'pending', raw: 'IN_PROGRESS' },
    };
    const lookup = lookupByProvider({
      terminal: async (op) => says[op.refTransactionId ?? op.transactionId] ?? null,
      wallet: async () => null,
    });
    const rec = await service.reconcile(lookup);
    expect([rec.checked, rec.matched, rec.skipped]).toEqual([5, 3, 1]);
    expect(rec.differences.map((d) => [d.operationId, d.problem, d.journal, d.provider])).toEqual([
      ['t-declined-but-paid', 'mismatch', 'rejected', 'APPROVED'],
      ['t-refund-pending', 'mismatch', 'refunded', 'IN_PROGRESS'],
    ]);
    // Only the providers asked for, when the caller says so.
    const only = await service.reconcile(lookup, undefined, { providers: ['wallet'] });
    expect([only.checked, only.skipped]).toEqual([0, 6]);
  });
});
