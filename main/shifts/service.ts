// Shifts: open / close, one open shift per till, the 24-hour rule (54-FZ), tenders taken outside
// the payment providers, and the X / Z reports. The checkout core calls assignForOperation() before it creates
// an operation, so every operation belongs to the shift in which it was started.
import { bodyHash } from '../reports/stored';
import { buildCompactZ, readZ } from '../reports/z-store';
import type Database from 'better-sqlite3';
import type { Journal } from '../journal/database';
import { describeError, PaydeskError, type CashierError, type ErrorKey } from '../errors/catalogue';
import { isKopecks } from '../money/kopecks';
import type { ShiftConfig } from './config';
import { computeReport } from '../reports/compute';
import { loadShift, loadShiftOperations, loadShiftTenders, stmt } from '../reports/load';
import type { OperationKind, Reconciliation, RefColumn, ReportEnvironment, ShiftInfo, ShiftReport, TenderRow, TenderVoidRow, XReportRequest } from '../reports/model';
import { reconcile, type ReconcileOptions, type StatusLookup } from '../reports/reconcile';

export type ShiftStatus = 'open' | 'expired' | 'closed';

export interface ShiftView extends ShiftInfo {
  zNumber: number | null;
  /** openedAt + maxHours: after it the till refuses sales. */
  expiresAt: string;
  status: ShiftStatus;
}

export interface ShiftWarning {
  key: Extract<ErrorKey, 'shift.expires_soon' | 'shift.expired' | 'shift.forgotten'>;
  shiftId: number;
  openedAt: string;
  expiresAt: string;
  /** Minutes until expiry (negative once expired). */
  minutesLeft: number;
  cashier: CashierError;
}

export interface TenderInput {
  /** One of config shift.tenderKinds: 'cash', 'card_terminal', ... */
  kind: string;
  amountKop: number;
  direction: 'sale' | 'refund';
  note?: string;
  cashier?: string;
}

export interface TillInfo {
  terminalId: string;
  storeId: string;
  storeName: string;
}

export type EnvironmentMode = Exclude<ReportEnvironment, null>;

export interface ShiftServiceOptions {
  now?: () => Date;
  till?: () => TillInfo;
  /** The Pay API environment new operations go to now; recorded when a shift opens (docs/ui.md). */
  environment?: () => EnvironmentMode;
  /**
   * The provider id columns reports show (the union of the configured providers' reportRefs, in
   * config order); asked at each report, so a config reload shows up. Default: none.
   */
  refColumns?: () => readonly RefColumn[];
}

export interface TenderVoidInput {
  tenderId: number;
  voidedBy: string;
  reason: string;
}

export interface AdminCall {
  id: number;
  shiftId: number | null;
  calledAt: string;
  reason: string;
  answeredAt: string | null;
}

interface ShiftDbRow {
  id: number;
  opened_at: string;
  opened_by: string;
  closed_at: string | null;
  closed_by: string | null;
  z_number: number | null;
}

interface ZDbRow {
  number: number;
  shift_id: number;
  body_json: string;
  sha256: string;
}

interface AdminCallDb {
  id: number;
  shift_id: number | null;
  called_at: string;
  reason: string;
  answered_at: string | null;
}
const adminCall = (r: AdminCallDb): AdminCall => ({ id: r.id, shiftId: r.shift_id, calledAt: r.called_at, reason: r.reason, answeredAt: r.answered_at });

const HOUR_MS = 3_600_000;

/** The hash stored with a Z report (one definition, in main/reports/stored.ts). */
export const sha256 = bodyHash;

/** The business day (local calendar date) a moment belongs to, with the day starting at `startHour`. */
export function businessDay(at: Date, startHour: number): string {
  const shifted = new Date(at.getTime() - startHour * HOUR_MS);
  return `${shifted.getFullYear()}-${String(shifted.getMonth() + 1).padStart(2, '0')}-${String(shifted.getDate()).padStart(2, '0')}`;
}

/** opened_by of a shift the core opened at the first sale (config shift.autoOpenOnSale). */
export const AUTO_OPENER = 'auto';
/** Kept after the person's name once someone claims an auto-opened shift. */
export const AUTO_OPENED_NOTE = 'открыта кассой при первой продаже';

export class ShiftService {
  private readonly sqlite: Database.Database;
  private readonly now: () => Date;
  private readonly till: () => TillInfo;
  private readonly environment: (() => EnvironmentMode) | null;
  private readonly refColumns: () => RefColumn[];

  constructor(readonly journal: Journal, private readonly getConfig: () => ShiftConfig, options: ShiftServiceOptions = {}) {
    this.sqlite = journal.sqlite;
    this.now = options.now ?? (() => new Date());
    this.till = options.till ?? (() => ({ terminalId: '', storeId: '', storeName: '' }));
    this.environment = options.environment ?? null;
    const columns = options.refColumns ?? (() => []);
    this.refColumns = () => columns().map((c) => ({ key: c.key, label: c.label }));
  }

  /** The environment recorded when the shift opened, or null (opened before that was recorded). */
  environmentOf(shiftId: number): EnvironmentMode | null {
    const row = stmt(this.sqlite, 'SELECT mode FROM shift_environments WHERE shift_id = ?').get(shiftId) as { mode: EnvironmentMode } | undefined;
    return row?.mode ?? null;
  }

  private view(row: ShiftDbRow, now: Date = this.now()): ShiftView {
    const expiresAt = new Date(Date.parse(row.opened_at) + this.getConfig().maxHours * HOUR_MS);
    const status: ShiftStatus = row.closed_at !== null ? 'closed' : now.getTime() >= expiresAt.getTime() ? 'expired' : 'open';
    return {
      id: row.id, openedAt: row.opened_at, openedBy: row.opened_by, closedAt: row.closed_at, closedBy: row.closed_by,
      zNumber: row.z_number, expiresAt: expiresAt.toISOString(), status,
    };
  }

  // Asked before every payment's intent (prepared once: the pay path runs it on every press).
  private openRow(): ShiftDbRow | null {
    const row = stmt(this.sqlite, 'SELECT * FROM shifts WHERE closed_at IS NULL').get() as ShiftDbRow | undefined;
    return row ?? null;
  }

  /** The open shift (possibly past its 24 hours: status 'expired'), or null. */
  current(): ShiftView | null {
    const row = this.openRow();
    return row ? this.view(row) : null;
  }

  get(shiftId: number): ShiftView | null {
    const row = this.sqlite.prepare('SELECT * FROM shifts WHERE id = ?').get(shiftId) as ShiftDbRow | undefined;
    return row ? this.view(row) : null;
  }

  /** Most recent shifts first. */
  list(limit = 50): ShiftView[] {
    const rows = this.sqlite.prepare('SELECT * FROM shifts ORDER BY id DESC LIMIT ?').all(limit) as ShiftDbRow[];
    return rows.map((r) => this.view(r));
  }

  open(cashier: string): ShiftView {
    // (a person's name; the core's auto-open at the first sale uses AUTO_OPENER, named later by claim)
    const name = cashier.trim();
    if (name === '') throw new PaydeskError('shift.not_open', 'a cashier name is required to open a shift');
    return this.sqlite.transaction(() => {
      const existing = this.openRow();
      if (existing) throw new PaydeskError('shift.already_open', `shift ${existing.id} opened ${existing.opened_at} by ${existing.opened_by}`);
      const openedAt = this.now().toISOString();
      const info = this.sqlite.prepare('INSERT INTO shifts (opened_at, opened_by) VALUES (?, ?)').run(openedAt, name);
      const id = Number(info.lastInsertRowid);
      if (this.environment) this.sqlite.prepare('INSERT INTO shift_environments (shift_id, mode, recorded_at) VALUES (?, ?, ?)').run(id, this.environment(), openedAt);
      return this.get(id) as ShiftView;
    }).immediate();
  }

  /**
   * Names the person working a shift the till opened by itself at the first sale (opened_by 'auto',
   * see AUTO_OPENER): the record keeps both, «Иванова (открыта кассой при первой продаже)». A shift
   * opened by a person keeps its name (shift.already_open).
   */
  claim(cashier: string): ShiftView {
    const name = cashier.trim();
    if (name === '') throw new PaydeskError('shift.not_open', 'a cashier name is required');
    return this.sqlite.transaction(() => {
      const row = this.openRow();
      if (!row) throw new PaydeskError('shift.not_open', 'no open shift to name');
      if (row.opened_by !== AUTO_OPENER) throw new PaydeskError('shift.already_open', `shift ${row.id} was opened by ${row.opened_by}`);
      this.sqlite.prepare('UPDATE shifts SET opened_by = ? WHERE id = ? AND closed_at IS NULL').run(`${name} (${AUTO_OPENED_NOTE})`, row.id);
      return this.get(row.id) as ShiftView;
    }).immediate();
  }

  /**
   * The shift a new operation belongs to. Throws shift.not_open without an open shift and
   * shift.expired for a payment or refund once the shift has run maxHours (a cancel of an in-flight
   * payment is still allowed: it is how an unresolved payment gets resolved before the close).
   */
  assignForOperation(kind: OperationKind): number {
    const id = this.openShiftFor(kind);
    // A shift's report covers one environment: after a config edit switched emulator / test /
    // production, new payments and refunds wait for the close (a cancel still resolves what is in flight).
    if (this.environment && kind !== 'cancel') {
      const recorded = this.environmentOf(id);
      const now = this.environment();
      if (recorded !== null && recorded !== now) throw new PaydeskError('shift.environment_changed', `shift ${id} opened in ${recorded}, config now says ${now}`);
    }
    return id;
  }

  private openShiftFor(kind: OperationKind): number {
    const row = this.openRow();
    if (!row) throw new PaydeskError('shift.not_open');
    const shift = this.view(row);
    if (shift.status === 'expired' && kind !== 'cancel') throw new PaydeskError('shift.expired', `shift ${shift.id} expired at ${shift.expiresAt}`);
    return shift.id;
  }

  /**
   * Voids a wrongly entered tender of the open shift: the entry stays (append-only), the void records
   * who, when and why, and X / Z leave the entry out of the totals and list the void.
   */
  voidTender(input: TenderVoidInput): TenderVoidRow {
    const voidedBy = input.voidedBy.trim();
    const reason = input.reason.trim();
    if (voidedBy === '' || reason === '') throw new PaydeskError('tender.invalid', 'a void needs the name of who voids it and a reason');
    return this.sqlite.transaction(() => {
      const open = this.openRow();
      if (!open) throw new PaydeskError('shift.not_open');
      const tender = this.sqlite.prepare('SELECT id, shift_id, kind, direction, amount_kop FROM tenders WHERE id = ?').get(input.tenderId) as
        { id: number; shift_id: number; kind: string; direction: 'sale' | 'refund'; amount_kop: number } | undefined;
      if (!tender || tender.shift_id !== open.id) throw new PaydeskError('tender.invalid', `tender ${input.tenderId} is not an entry of the open shift`);
      const done = this.sqlite.prepare('SELECT 1 FROM tender_voids WHERE tender_id = ?').get(tender.id);
      if (done) throw new PaydeskError('tender.invalid', `tender ${tender.id} is already voided`);
      const voidedAt = this.now().toISOString();
      this.sqlite.prepare('INSERT INTO tender_voids (tender_id, shift_id, voided_by, reason, created_at) VALUES (?, ?, ?, ?, ?)').run(tender.id, open.id, voidedBy, reason, voidedAt);
      return { tenderId: tender.id, kind: tender.kind, direction: tender.direction, amountKop: tender.amount_kop, voidedBy, reason, voidedAt };
    }).immediate();
  }

  tenderVoids(shiftId: number): TenderVoidRow[] {
    const rows = this.sqlite.prepare(`SELECT v.tender_id, t.kind, t.direction, t.amount_kop, v.voided_by, v.reason, v.created_at
        FROM tender_voids v JOIN tenders t ON t.id = v.tender_id WHERE v.shift_id = ? ORDER BY v.id`).all(shiftId) as
      { tender_id: number; kind: string; direction: 'sale' | 'refund'; amount_kop: number; voided_by: string; reason: string; created_at: string }[];
    return rows.map((r) => ({ tenderId: r.tender_id, kind: r.kind, direction: r.direction, amountKop: r.amount_kop, voidedBy: r.voided_by, reason: r.reason, voidedAt: r.created_at }));
  }

  /** «Вызвать администратора»: recorded with its time (and the open shift, if any). */
  callAdmin(reason = ''): AdminCall {
    const calledAt = this.now().toISOString();
    const shiftId = this.openRow()?.id ?? null;
    const info = this.sqlite.prepare('INSERT INTO admin_calls (shift_id, called_at, reason) VALUES (?, ?, ?)').run(shiftId, calledAt, reason.slice(0, 200));
    return { id: Number(info.lastInsertRowid), shiftId, calledAt, reason: reason.slice(0, 200), answeredAt: null };
  }

  /** Marks every unanswered call answered (the administrator came). */
  answerAdmin(): number {
    return this.sqlite.prepare('UPDATE admin_calls SET answered_at = ? WHERE answered_at IS NULL').run(this.now().toISOString()).changes;
  }

  /** The oldest unanswered call, or null. */
  pendingAdminCall(): AdminCall | null {
    const row = this.sqlite.prepare('SELECT * FROM admin_calls WHERE answered_at IS NULL ORDER BY id LIMIT 1').get() as AdminCallDb | undefined;
    return row ? adminCall(row) : null;
  }

  /** Calls made since `sinceIso` (ISO), newest first. */
  adminCalls(sinceIso: string, limit = 100): AdminCall[] {
    const rows = this.sqlite.prepare('SELECT * FROM admin_calls WHERE called_at >= ? ORDER BY id DESC LIMIT ?').all(sinceIso, limit) as AdminCallDb[];
    return rows.map(adminCall);
  }

  /** Ahead-of-expiry warning, expiry, and a shift forgotten overnight. Empty when all is well. */
  warnings(now: Date = this.now()): ShiftWarning[] {
    const row = this.openRow();
    if (!row) return [];
    const config = this.getConfig();
    const shift = this.view(row, now);
    const minutesLeft = Math.floor((Date.parse(shift.expiresAt) - now.getTime()) / 60_000);
    const base = { shiftId: shift.id, openedAt: shift.openedAt, expiresAt: shift.expiresAt, minutesLeft };
    const out: ShiftWarning[] = [];
    const warn = (key: ShiftWarning['key']): void => {
      out.push({ key, ...base, cashier: describeError(key, `shift ${shift.id}`, { minutes: Math.max(0, minutesLeft) }) });
    };
    if (shift.status === 'expired') warn('shift.expired');
    else if (minutesLeft < config.warnBeforeMinutes) warn('shift.expires_soon');
    if (businessDay(new Date(shift.openedAt), config.dayStartsAtHour) < businessDay(now, config.dayStartsAtHour)) warn('shift.forgotten');
    return out;
  }

  /** Records a tender taken outside the payment providers in the open shift, so the Z report covers the whole till. */
  recordTender(input: TenderInput): TenderRow {
    const config = this.getConfig();
    if (!config.tenderKinds.includes(input.kind)) throw new PaydeskError('tender.invalid', `unknown tender kind '${input.kind}' (configured: ${config.tenderKinds.join(', ')})`);
    if (!isKopecks(input.amountKop) || input.amountKop <= 0) throw new PaydeskError('tender.invalid', `amount must be a positive whole number of kopecks, got ${String(input.amountKop)}`);
    if (input.direction !== 'sale' && input.direction !== 'refund') throw new PaydeskError('tender.invalid', 'direction must be sale or refund');
    // Cash and the bank's terminal do not go through the Pay API: no environment check here.
    const shiftId = this.openShiftFor(input.direction === 'sale' ? 'payment' : 'refund');
    const createdAt = this.now().toISOString();
    const info = this.sqlite
      .prepare('INSERT INTO tenders (shift_id, kind, direction, amount_kop, note, cashier, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(shiftId, input.kind, input.direction, input.amountKop, input.note ?? '', input.cashier ?? '', createdAt);
    return { id: Number(info.lastInsertRowid), kind: input.kind, direction: input.direction, amountKop: input.amountKop, note: input.note ?? '', cashier: input.cashier ?? '', createdAt };
  }

  /** Ids of operations of the shift (default: the open one) that are not final yet. */
  unresolvedOperations(shiftId?: number): string[] {
    const id = shiftId ?? this.openRow()?.id;
    if (id === undefined) return [];
    const rows = this.sqlite.prepare('SELECT id FROM operations WHERE shift_id = ? AND is_final = 0 ORDER BY created_at').all(id) as { id: string }[];
    return rows.map((r) => r.id);
  }

  private compute(type: 'x' | 'z', shift: ShiftInfo, zNumber: number | null): ShiftReport {
    return computeReport({
      type, zNumber, shift, till: this.till(), generatedAt: this.now().toISOString(),
      operations: loadShiftOperations(this.sqlite, shift.id),
      tenders: loadShiftTenders(this.sqlite, shift.id),
      environment: this.environmentOf(shift.id),
      tenderVoids: this.tenderVoids(shift.id),
      refColumns: this.refColumns(),
    });
  }

  /** What the report worker needs to compute an X report besides the journal; refuses exactly as xReport does. */
  xReportRequest(shiftId?: number): XReportRequest {
    const id = shiftId ?? this.openRow()?.id;
    if (id === undefined) throw new PaydeskError('shift.not_open');
    if (!loadShift(this.sqlite, id)) throw new PaydeskError('shift.not_found', `shift ${id}`);
    return {
      shiftId: id, till: this.till(), generatedAt: this.now().toISOString(), environment: this.environmentOf(id), tenderVoids: this.tenderVoids(id),
      refColumns: this.refColumns(),
    };
  }

  /** X report: the shift so far (default the open one), read-only, any time. */
  xReport(shiftId?: number): ShiftReport {
    const id = shiftId ?? this.openRow()?.id;
    if (id === undefined) throw new PaydeskError('shift.not_open');
    const shift = loadShift(this.sqlite, id);
    if (!shift) throw new PaydeskError('shift.not_found', `shift ${id}`);
    return this.compute('x', shift, null);
  }

  /** Each provider's statuses against the journal for a shift (default the open one). */
  async reconcile(lookup: StatusLookup, shiftId?: number, options: ReconcileOptions = {}): Promise<Reconciliation> {
    const id = shiftId ?? this.openRow()?.id;
    if (id === undefined) throw new PaydeskError('shift.not_open');
    return reconcile(loadShiftOperations(this.sqlite, id), lookup, { now: this.now, ...options });
  }

  /**
   * Closes the open shift and writes its Z report (next number, immutable), then reads it back whole
   * (operation lines rebuilt from the covered rows and checked: see closeShift). Refuses while any
   * operation of the shift is unresolved (shift.unresolved_operations, ids in details).
   */
  close(cashier: string, options: { reconciliation?: Reconciliation } = {}): ShiftReport {
    const closed = this.closeShift(cashier, options);
    return this.zReport(closed.zNumber as number) ?? closed;
  }

  /**
   * The closing transaction alone: totals aggregated by SQL, the Z stored compactly with the hash and
   * range of the report rows it covers (main/reports/z-store.ts). Returns the Z without its lines.
   */
  closeShift(cashier: string, options: { reconciliation?: Reconciliation } = {}): ShiftReport {
    const name = cashier.trim();
    return this.sqlite.transaction(() => {
      const row = this.openRow();
      if (!row) throw new PaydeskError('shift.not_open');
      const unresolved = this.unresolvedOperations(row.id);
      if (unresolved.length > 0) {
        const shown = unresolved.slice(0, 10).join(', ');
        throw new PaydeskError('shift.unresolved_operations', `${unresolved.length} unresolved: ${shown}${unresolved.length > 10 ? ', …' : ''}`);
      }
      const last = this.sqlite.prepare('SELECT COALESCE(MAX(number), 0) AS n FROM z_reports').get() as { n: number };
      const zNumber = last.n + 1;
      const closedAt = this.now().toISOString();
      const shift: ShiftInfo = { id: row.id, openedAt: row.opened_at, openedBy: row.opened_by, closedAt, closedBy: name };
      const { report, body, sha256: hash } = buildCompactZ(this.sqlite, {
        zNumber, generatedAt: closedAt, shift, till: this.till(), reconciliation: options.reconciliation ?? null,
        environment: this.environmentOf(row.id), tenderVoids: this.tenderVoids(row.id), refColumns: this.refColumns(),
      });
      this.sqlite.prepare('INSERT INTO z_reports (number, shift_id, created_at, cashier, body_json, sha256) VALUES (?, ?, ?, ?, ?, ?)')
        .run(zNumber, row.id, closedAt, name, body, hash);
      this.sqlite.prepare('UPDATE shifts SET closed_at = ?, closed_by = ?, z_number = ? WHERE id = ?').run(closedAt, name, zNumber, row.id);
      return report;
    }).immediate();
  }

  /** Reconciles with the providers first (network, outside the transaction), then closes with that section in the Z. */
  async closeAndReconcile(cashier: string, lookup: StatusLookup, options: ReconcileOptions = {}): Promise<ShiftReport> {
    const closed = await this.closeShiftAndReconcile(cashier, lookup, options);
    return this.zReport(closed.zNumber as number) ?? closed;
  }

  /**
   * The same without the read back: the closing transaction's Z (no lines), for a caller that reads the Z
   * back elsewhere (the API, in the report worker).
   */
  async closeShiftAndReconcile(cashier: string, lookup: StatusLookup, options: ReconcileOptions = {}): Promise<ShiftReport> {
    const reconciliation = await this.reconcile(lookup, undefined, options);
    return this.closeShift(cashier, { reconciliation });
  }

  private readZ(row: ZDbRow | undefined): ShiftReport | null {
    if (!row) return null;
    return readZ(this.sqlite, row.body_json, row.sha256, `Z ${row.number}`);
  }

  zReport(number: number): ShiftReport | null {
    return this.readZ(this.sqlite.prepare('SELECT number, shift_id, body_json, sha256 FROM z_reports WHERE number = ?').get(number) as ZDbRow | undefined);
  }

  zReportForShift(shiftId: number): ShiftReport | null {
    return this.readZ(this.sqlite.prepare('SELECT number, shift_id, body_json, sha256 FROM z_reports WHERE shift_id = ?').get(shiftId) as ZDbRow | undefined);
  }

  latestZ(): ShiftReport | null {
    return this.readZ(this.sqlite.prepare('SELECT number, shift_id, body_json, sha256 FROM z_reports ORDER BY number DESC LIMIT 1').get() as ZDbRow | undefined);
  }
}
