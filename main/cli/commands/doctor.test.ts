import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../journal/database';
import { checkDatabase, runDoctor } from './doctor';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-doctor-'));
  dirs.push(d);
  return d;
}

describe('paydesk doctor', () => {
  it('a failed receipt-printer print is no warning when no printer is configured; a file export still is, with what to do', () => {
    const file = path.join(tempDir(), 'journal.db');
    const journal = openJournal(file);
    journal.sqlite.prepare("INSERT INTO shifts (opened_at, opened_by) VALUES (?, 'Иванова')").run(new Date().toISOString());
    journal.sqlite.prepare("INSERT INTO report_outputs (report_type, shift_id, format, status, error, created_at) VALUES ('x', 1, 'escpos', 'failed', 'no printer', ?)").run(new Date().toISOString());
    journal.close();
    const noPrinter = checkDatabase(file, false).find((c) => c.name === 'report outputs');
    expect(noPrinter?.status).toBe('ok');
    const withPrinter = checkDatabase(file, true).find((c) => c.name === 'report outputs');
    expect(withPrinter?.status).toBe('warn');
    expect(withPrinter?.detail).toMatch(/reprint|export/);
  });
  it('the outbox line: ok when every receipt went out, warn while one waits, fail when one failed — with where to look', async () => {
    const { enqueueFiscalReceipt } = await import('../../fiscal/jobs');
    const { sale } = await import('../../../test/support/fiscal');
    const file = path.join(tempDir(), 'journal.db');
    const journal = openJournal(file);
    journal.close();
    expect(checkDatabase(file).find((c) => c.name === 'outbox')).toMatchObject({ status: 'ok' });
    const again = openJournal(file);
    enqueueFiscalReceipt(again.sqlite, sale('s-1'));
    again.close();
    const waiting = checkDatabase(file).find((c) => c.name === 'outbox');
    expect(waiting).toMatchObject({ status: 'warn' });
    expect(waiting?.detail).toMatch(/1 pending.*queue screen \(Alt\+Q\)/);
    const third = openJournal(file);
    third.sqlite.prepare("UPDATE outbox_jobs SET state = 'failed', attempts = 1, last_error_key = 'fiscal.auth'").run();
    third.close();
    expect(checkDatabase(file).find((c) => c.name === 'outbox')).toMatchObject({ status: 'fail' });
  });
  it('a fresh till has nothing to warn about but the missing config, and never prints udevadm noise', async () => {
    const dir = tempDir();
    const checks = await runDoctor({ data: dir }, 500);
    const warns = checks.filter((c) => c.status !== 'ok');
    expect(warns.map((c) => c.name)).toEqual(['config']);
    expect(warns[0]?.detail).toContain('paydesk config check');
    expect(checks.map((c) => c.detail).join('\n')).not.toMatch(/ENOENT|udevadm/);
  });
});
