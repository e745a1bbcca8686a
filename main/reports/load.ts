// Reading a shift's rows from the journal (thin adapter; the maths is in compute.ts). Synchronous
// better-sqlite3 with cached prepared statements: a Z report is computed inside the closing transaction.
import type Database from 'better-sqlite3';
import type { OperationKind, ReportOperationRow, ShiftInfo, TenderRow } from './model';

interface OperationJoinRow {
  id: string;
  kind: OperationKind;
  provider: string;
  parent_id: string | null;
  shift_id: number;
  order_id: string;
  amount_kop: number;
  is_final: number;
  outcome: string | null;
  phase: string;
  request_id: string;
  transaction_id: string | null;
  ref_transaction_id: string | null;
  payment_type: string | null;
  error_code: string | null;
  created_at: string;
  finished_at: string | null;
  s_operation_id: string | null;
  s_slip_id: string | null;
  s_payment_transaction_id: string | null;
  s_refund_transaction_id: string | null;
  s_payment_type: string | null;
  s_qrc_id: string | null;
  s_kzo: string | null;
  s_total_amount_kop: number | null;
  s_bank_operation_id: string | null;
  s_operation_date_time: string | null;
  s_store_id: string | null;
  s_terminal_id: string | null;
  p_id: string | null;
  p_shift_id: number | null;
  p_created_at: string | null;
  p_transaction_id: string | null;
  p_payment_type: string | null;
}

const OPERATION_SELECT = `
SELECT o.id, o.kind, o.provider, o.parent_id, o.shift_id, o.order_id, o.amount_kop, o.is_final, o.outcome, o.phase,
       o.request_id, o.transaction_id, o.ref_transaction_id, o.payment_type, o.error_code, o.created_at, o.finished_at,
       s.operation_id AS s_operation_id, s.slip_id AS s_slip_id, s.payment_transaction_id AS s_payment_transaction_id,
       s.refund_transaction_id AS s_refund_transaction_id, s.payment_type AS s_payment_type, s.qrc_id AS s_qrc_id, s.kzo AS s_kzo,
       s.total_amount_kop AS s_total_amount_kop, s.bank_operation_id AS s_bank_operation_id,
       s.operation_date_time AS s_operation_date_time, s.store_id AS s_store_id, s.terminal_id AS s_terminal_id,
       p.id AS p_id, p.shift_id AS p_shift_id, p.created_at AS p_created_at, p.transaction_id AS p_transaction_id,
       p.payment_type AS p_payment_type
  FROM operations o
  LEFT JOIN slips s ON s.operation_id = o.id
  LEFT JOIN operations p ON p.id = o.parent_id`;

function toRow(r: OperationJoinRow): ReportOperationRow {
  return {
    id: r.id,
    kind: r.kind,
    provider: r.provider,
    parentId: r.parent_id,
    shiftId: r.shift_id,
    orderId: r.order_id,
    amountKop: r.amount_kop,
    isFinal: r.is_final === 1,
    outcome: r.outcome,
    phase: r.phase,
    requestId: r.request_id,
    transactionId: r.transaction_id,
    refTransactionId: r.ref_transaction_id,
    paymentType: r.payment_type,
    errorCode: r.error_code,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    slip: r.s_operation_id === null ? null : {
      slipId: r.s_slip_id,
      paymentTransactionId: r.s_payment_transaction_id,
      refundTransactionId: r.s_refund_transaction_id,
      paymentType: r.s_payment_type,
      qrcId: r.s_qrc_id,
      kzo: r.s_kzo,
      totalAmountKop: r.s_total_amount_kop,
      bankOperationId: r.s_bank_operation_id,
      operationDateTime: r.s_operation_date_time,
      storeId: r.s_store_id,
      terminalId: r.s_terminal_id,
    },
    parent: r.p_id === null ? null : {
      shiftId: r.p_shift_id,
      createdAt: r.p_created_at ?? '',
      transactionId: r.p_transaction_id,
      paymentType: r.p_payment_type,
    },
  };
}

interface ShiftRowDb {
  id: number;
  opened_at: string;
  opened_by: string;
  closed_at: string | null;
  closed_by: string | null;
}

interface TenderRowDb {
  id: number;
  kind: string;
  direction: 'sale' | 'refund';
  amount_kop: number;
  note: string;
  cashier: string;
  created_at: string;
}

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function stmt(sqlite: Database.Database, sql: string): Database.Statement {
  let map = cache.get(sqlite);
  if (!map) {
    map = new Map();
    cache.set(sqlite, map);
  }
  let prepared = map.get(sql);
  if (!prepared) {
    prepared = sqlite.prepare(sql);
    map.set(sql, prepared);
  }
  return prepared;
}

export function loadShiftOperations(sqlite: Database.Database, shiftId: number): ReportOperationRow[] {
  const rows = stmt(sqlite, `${OPERATION_SELECT} WHERE o.shift_id = ? ORDER BY o.created_at, o.id`).all(shiftId) as OperationJoinRow[];
  return rows.map(toRow);
}

/** Operations started in [from, to) (ISO strings), any shift: for exports. */
export function loadOperationsBetween(sqlite: Database.Database, fromIso: string, toIso: string): ReportOperationRow[] {
  const rows = stmt(sqlite, `${OPERATION_SELECT} WHERE o.created_at >= ? AND o.created_at < ? ORDER BY o.created_at, o.id`).all(fromIso, toIso) as OperationJoinRow[];
  return rows.map(toRow);
}

export function loadShiftTenders(sqlite: Database.Database, shiftId: number): TenderRow[] {
  const rows = stmt(sqlite, 'SELECT id, kind, direction, amount_kop, note, cashier, created_at FROM tenders WHERE shift_id = ? ORDER BY id').all(shiftId) as TenderRowDb[];
  return rows.map((t) => ({ id: t.id, kind: t.kind, direction: t.direction, amountKop: t.amount_kop, note: t.note, cashier: t.cashier, createdAt: t.created_at }));
}

export function loadShift(sqlite: Database.Database, shiftId: number): ShiftInfo | null {
  const row = stmt(sqlite, 'SELECT id, opened_at, opened_by, closed_at, closed_by FROM shifts WHERE id = ?').get(shiftId) as ShiftRowDb | undefined;
  return row ? { id: row.id, openedAt: row.opened_at, openedBy: row.opened_by, closedAt: row.closed_at, closedBy: row.closed_by } : null;
}
