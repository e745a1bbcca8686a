// The paydesk CLI's report commands, run as a real process against a temp data folder.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../journal/database';
import { shiftConfigSchema } from '../shifts/config';
import { ShiftService } from '../shifts/service';
import { insertOperation } from '../shifts/fixtures';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
let data: string;

async function paydesk(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(root, 'main/cli/index.ts'), '--data', data, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(() => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-cli-'));
  fs.writeFileSync(path.join(data, 'paydesk.config.json'), JSON.stringify({ till: { terminalId: 'POS-07', storeName: 'Тест' } }));
  const journal = openJournal(path.join(data, 'journal.db'));
  let clock = new Date();
  // The Z keeps the id columns it was closed with: the CLI (which configures none) still prints them.
  const shifts = new ShiftService(journal, () => shiftConfigSchema.parse({}), { now: () => clock, refColumns: () => [{ key: 'payRef', label: 'Платёжный ID' }] });
  shifts.open('Иванова');
  insertOperation(journal.sqlite, { id: 'p1', kind: 'payment', shiftId: 1, orderId: 'ord-1', amountKop: 777_00, outcome: 'paid', transactionId: 'tx-1', paymentType: 'SBP', createdAt: clock.toISOString(), slip: { paymentTransactionId: 'tx-1', paymentType: 'SBP', refs: { payRef: 'QRC-1', other: 'K1' } } });
  clock = new Date(clock.getTime() + 1000);
  shifts.close('Иванова');
  shifts.open('Петров');
  insertOperation(journal.sqlite, { id: 'r1', kind: 'refund', parentId: 'p1', shiftId: 2, orderId: 'ord-1', amountKop: 77_00, outcome: 'refunded', transactionId: 'tx-1', refTransactionId: 'rtx-1', createdAt: clock.toISOString() });
  journal.close();
});

afterAll(() => fs.rmSync(data, { recursive: true, force: true }));

describe('paydesk CLI', () => {
  it('report x as text and z as csv / pdf', async () => {
    const x = await paydesk('report', 'x', '--format', 'txt');
    expect(x.code).toBe(0);
    expect(x.stdout).toContain('X-ОТЧЁТ');
    expect(x.stdout).toContain('оплата из смены 1');
    const z = await paydesk('report', 'z', '--shift', '1', '--format', 'csv');
    expect(z.code).toBe(0);
    expect(z.stdout.charCodeAt(0)).toBe(0xfeff);
    expect(z.stdout).toContain('QRC-1');
    expect(z.stdout.split('\r\n')[0]).toContain(';paymentType;Платёжный ID;Провайдер;');
    expect(z.stdout).not.toContain('K1');
    const out = path.join(data, 'z1.pdf');
    const pdf = await paydesk('report', 'z', '--format', 'pdf', '--out', out);
    expect(pdf.code).toBe(0);
    expect(fs.readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    const missing = await paydesk('report', 'z', '--shift', '9');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('report.not_found');
  }, 60_000);

  it('export, config check and doctor', async () => {
    const day = new Date();
    const iso = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    const exp = await paydesk('export', '--from', iso, '--to', iso);
    expect(exp.code).toBe(0);
    expect(exp.stdout.split('\r\n').filter((l) => l !== '')).toHaveLength(3);
    const good = await paydesk('config', 'check', path.join(data, 'paydesk.config.json'));
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('OK');
    const badFile = path.join(data, 'bad.json');
    fs.writeFileSync(badFile, JSON.stringify({ shift: { maxHours: 48 } }));
    const bad = await paydesk('config', 'check', badFile);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('shift.maxHours');
    const doctor = await paydesk('doctor', '--json');
    expect(doctor.code).toBe(0);
    const checks = JSON.parse(doctor.stdout) as { name: string; status: string }[];
    expect(checks.find((c) => c.name === 'database integrity')?.status).toBe('ok');
    expect(checks.find((c) => c.name === 'shift')?.status).toBe('ok');
    expect(checks.find((c) => c.name === 'audit trail')?.status).toBe('ok');
  }, 60_000);
});
