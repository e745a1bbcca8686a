import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../journal/database';
import { PaydeskError } from '../errors/catalogue';
import { shiftConfigSchema } from './config';
import { AUTO_OPENER, ShiftService } from './service';

let dir = '';
let journal: Journal | null = null;
afterEach(() => {
  journal?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function service(): ShiftService {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-claim-'));
  journal = openJournal(path.join(dir, 'journal.db'));
  const config = shiftConfigSchema.parse({});
  return new ShiftService(journal, () => config, { till: () => ({ terminalId: 'POS-01', storeId: 'store-1', storeName: 'Магазин' }) });
}
const keyOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof PaydeskError) return error.key;
    throw error;
  }
  return 'no error';
};

describe('naming the person of an auto-opened shift', () => {
  it('records the person and that the till opened it; the Z report carries it', () => {
    const shifts = service();
    expect(keyOf(() => shifts.claim('Иванова'))).toBe('shift.not_open');
    shifts.open(AUTO_OPENER);
    const claimed = shifts.claim('  Иванова ');
    expect(claimed.openedBy).toBe('Иванова (открыта кассой при первой продаже)');
    expect(keyOf(() => shifts.claim('Петров'))).toBe('shift.already_open');
    expect(shifts.xReport().shift.openedBy).toBe('Иванова (открыта кассой при первой продаже)');
  });
  it('a shift a person opened keeps its name', () => {
    const shifts = service();
    shifts.open('Петров');
    expect(keyOf(() => shifts.claim('Иванова'))).toBe('shift.already_open');
    expect(shifts.current()?.openedBy).toBe('Петров');
  });
});
