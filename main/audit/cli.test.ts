// `paydesk audit verify|export` as a real process against a temp data folder.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../journal/database';
import { appendAudit, chainHead, verifyJsonl } from './log';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
let data: string;
let head: { seq: number; hash: string };

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
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-audit-cli-'));
  const journal = openJournal(path.join(data, 'journal.db'));
  for (let i = 0; i < 5; i += 1) appendAudit(journal.sqlite, { kind: 'refund', actor: 'anna', data: { order: `o-${i}`, amountMinor: 1000 * (i + 1) } });
  head = chainHead(journal.sqlite);
  journal.close();
});
afterAll(() => fs.rmSync(data, { recursive: true, force: true }));

describe('paydesk audit', () => {
  it('verifies, checks a stored head, exports lines that verify on their own, then names a tampered entry', async () => {
    const ok = await paydesk('audit', 'verify', '--head', `${head.seq}:${head.hash}`);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('audit trail OK: 5 entries');
    expect(ok.stdout).toContain('stored head 5 is in the chain');
    const out = path.join(data, 'audit.jsonl');
    expect((await paydesk('audit', 'export', '--out', out)).code).toBe(0);
    expect(verifyJsonl(fs.readFileSync(out, 'utf8').split('\n'))).toEqual({ ok: true, count: 5 });
    expect(fs.statSync(out).mode & 0o077).toBe(0);

    const raw = new Database(path.join(data, 'journal.db'));
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.prepare("UPDATE audit_log SET entry_json = replace(entry_json, '3000', '300') WHERE seq = 3").run();
    raw.close();
    const broken = await paydesk('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('BROKEN at entry 3 (hash_mismatch)');
    const doctor = await paydesk('doctor', '--json');
    const checks = JSON.parse(doctor.stdout) as { name: string; status: string; detail: string }[];
    expect(checks.find((c) => c.name === 'audit trail')).toMatchObject({ status: 'fail' });
  }, 90_000);
});
