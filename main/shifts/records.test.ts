// Shift records kept in main/shifts: tender voids (who / when / why, out of X and Z), the payment
// environment recorded at the open (a mid-shift switch refuses sales), calls for an administrator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../journal/database';
import { PaydeskError } from '../errors/catalogue';
import { reportCsv } from '../reports/csv';
import { reportText } from '../reports/text';
import { shiftConfigSchema, type ShiftConfig } from './config';
import { ShiftService, type EnvironmentMode } from './service';

let dir: string;
let journal: Journal;
let clock: Date;
let config: ShiftConfig;
let env: EnvironmentMode;
let service: ShiftService;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-records-'));
  journal = openJournal(path.join(dir, 'journal.db'));
  clock = new Date('2025-03-03T06:00:00.000Z');
  config = shiftConfigSchema.parse({});
  env = 'emulator';
  service = new ShiftService(journal, () => config, { now: () => clock, environment: () => env });
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

describe('tender voids', () => {
  it('a voided cash entry leaves X and Z totals, and the void says who, when and why', () => {
    service.open('Иванова');
    const good = service.recordTender({ kind: 'cash', amountKop: 50_000, direction: 'sale' });
    const wrong = service.recordTender({ kind: 'cash', amountKop: 500_000, direction: 'sale', note: 'лишний ноль' });
    expect(service.xReport().currencies[0]!.totals.tendersNetKop).toBe(550_000);
    clock = new Date('2025-03-03T07:15:00.000Z');
    const v = service.voidTender({ tenderId: wrong.id, voidedBy: 'Петров (менеджер)', reason: 'ввели 5000 вместо 500' });
    expect(v).toMatchObject({ tenderId: wrong.id, amountKop: 500_000, voidedBy: 'Петров (менеджер)', voidedAt: '2025-03-03T07:15:00.000Z' });
    const x = service.xReport();
    expect(x.currencies[0]!.totals.tendersNetKop).toBe(50_000);
    expect(x.tenderEntries.map((t) => t.id)).toEqual([good.id]);
    expect(x.tenderVoids).toEqual([v]);
    expect(reportText(x)).toContain('АННУЛИРОВАНО');
    expect(reportText(x)).toContain('ввели 5000 вместо 500');
    expect(reportCsv(x)).toContain('аннулировано: Петров (менеджер), ввели 5000 вместо 500');
    const z = service.close('Иванова');
    expect(z.currencies[0]!.totals.tendersNetKop).toBe(50_000);
    // The stored Z reads back with the void.
    expect(service.zReport(z.zNumber ?? 0)?.tenderVoids).toEqual([v]);
  });

  it('refuses a second void, a void without a reason or name, and a tender of a closed shift', () => {
    service.open('Иванова');
    const t = service.recordTender({ kind: 'cash', amountKop: 100, direction: 'sale' });
    expect(keyOf(() => service.voidTender({ tenderId: t.id, voidedBy: 'Петров', reason: '  ' }))).toBe('tender.invalid');
    expect(keyOf(() => service.voidTender({ tenderId: t.id, voidedBy: ' ', reason: 'ошибка' }))).toBe('tender.invalid');
    expect(keyOf(() => service.voidTender({ tenderId: 999, voidedBy: 'Петров', reason: 'ошибка' }))).toBe('tender.invalid');
    service.voidTender({ tenderId: t.id, voidedBy: 'Петров', reason: 'ошибка' });
    expect(keyOf(() => service.voidTender({ tenderId: t.id, voidedBy: 'Петров', reason: 'ещё раз' }))).toBe('tender.invalid');
    service.close('Иванова');
    service.open('Сидорова');
    expect(keyOf(() => service.voidTender({ tenderId: t.id, voidedBy: 'Петров', reason: 'старая' }))).toBe('tender.invalid');
    // The database itself refuses what the service would: a void is append-only.
    expect(() => journal.sqlite.prepare('DELETE FROM tender_voids').run()).toThrow(/append-only/);
  });
});

describe('payment environment of a shift', () => {
  it('is recorded at the open and marks the reports made on the emulator', () => {
    service.open('Иванова');
    const x = service.xReport();
    expect(x.environment).toBe('emulator');
    expect(reportText(x)).toContain('ЭМУЛЯТОР — НЕ НАСТОЯЩИЕ ДЕНЬГИ');
    expect(reportCsv(x)).toContain('ЭМУЛЯТОР — НЕ НАСТОЯЩИЕ ДЕНЬГИ');
  });

  it('a production shift carries no mark', () => {
    env = 'production';
    service.open('Иванова');
    expect(reportText(service.xReport())).not.toContain('НЕ НАСТОЯЩИЕ ДЕНЬГИ');
  });

  it('a switch mid-shift refuses payments and refunds until the close; cash and cancels still go', () => {
    service.open('Иванова');
    expect(service.assignForOperation('payment')).toBeGreaterThan(0);
    env = 'production';
    expect(keyOf(() => service.assignForOperation('payment'))).toBe('shift.environment_changed');
    expect(keyOf(() => service.assignForOperation('refund'))).toBe('shift.environment_changed');
    expect(keyOf(() => service.assignForOperation('cancel'))).toBe('no error');
    expect(keyOf(() => service.recordTender({ kind: 'cash', amountKop: 100, direction: 'sale' }))).toBe('no error');
    const z = service.close('Иванова');
    expect(z.environment).toBe('emulator');
    service.open('Иванова');
    expect(keyOf(() => service.assignForOperation('payment'))).toBe('no error');
    expect(service.xReport().environment).toBe('production');
  });
});

describe('calls for an administrator', () => {
  it('are recorded with their time until answered', () => {
    expect(service.pendingAdminCall()).toBeNull();
    const call = service.callAdmin('отказ оплаты');
    expect(call).toMatchObject({ calledAt: '2025-03-03T06:00:00.000Z', reason: 'отказ оплаты', answeredAt: null, shiftId: null });
    expect(service.pendingAdminCall()?.id).toBe(call.id);
    clock = new Date('2025-03-03T06:05:00.000Z');
    expect(service.answerAdmin()).toBe(1);
    expect(service.pendingAdminCall()).toBeNull();
    expect(service.adminCalls('2025-03-03T00:00:00.000Z')).toEqual([{ ...call, answeredAt: '2025-03-03T06:05:00.000Z' }]);
    expect(() => journal.sqlite.prepare('UPDATE admin_calls SET answered_at = NULL').run()).toThrow(/answered, once/);
  });
});
