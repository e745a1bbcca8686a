// kill -9 between a payment's end in the journal and its entry on the audit trail: the till is a real
// OS process (test/support/till-process.ts) that SIGKILLs itself at that instant (PAYDESK_FAILPOINT);
// on restart the sale's end is appended exactly once and the chain verifies.
import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { verifyChain } from '../../main/audit/log';
import { card, orderId, tempDir, writeTillConfig } from '../support/till';

const CHILD = path.join(__dirname, '..', 'support', 'till-process.ts');
let emulator: KoshelekEmulator;
beforeAll(async () => {
  emulator = await startKoshelekEmulator({ confirmDelayMs: 100 });
});
afterAll(async () => {
  await emulator.close();
});

function run(dataDir: string, configFile: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: Record<string, unknown>[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, '--data', dataDir, '--config', configFile, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) });
    });
  });
}

describe('audit trail across kill -9', () => {
  it('killed after the sale ended and before its audit entry: the restart appends it once', async () => {
    const dataDir = tempDir('paydesk-audit-crash-');
    const configFile = writeTillConfig({ emulator, dataDir });
    const c = card('OK');
    const first = await run(dataDir, configFile, ['--do', 'pay', '--order', orderId(), '--loyalty', c.loyaltyId, '--session', c.payToken, '--amount', '45600'], { PAYDESK_FAILPOINT: 'audit.before_operation_end' });
    expect(first.signal).toBe('SIGKILL');
    const started = first.lines.find((l) => l.event === 'started');
    expect(started).toBeDefined();
    const id = String(started?.id);
    const read = () => {
      const db = new Database(path.join(dataDir, 'journal.db'), { readonly: true });
      try {
        const op = db.prepare('SELECT outcome, is_final FROM operations WHERE id = ?').get(id) as { outcome: string; is_final: number };
        const sales = (db.prepare('SELECT entry_json FROM audit_log').all() as { entry_json: string }[]).map((r) => JSON.parse(r.entry_json) as { kind: string; data: { operation?: string; outcome?: string } }).filter((e) => e.kind === 'sale' && e.data.operation === id);
        return { op, sales, chain: verifyChain(db) };
      } finally {
        db.close();
      }
    };
    const afterKill = read();
    expect(afterKill.op).toMatchObject({ is_final: 1, outcome: 'paid' });
    expect(afterKill.sales).toHaveLength(0); // the gap the restart must close
    const second = await run(dataDir, configFile, ['--do', 'resume']);
    expect(second.code).toBe(0);
    const afterRestart = read();
    expect(afterRestart.sales).toHaveLength(1);
    expect(afterRestart.sales[0]?.data.outcome).toBe('paid');
    expect(afterRestart.chain.ok).toBe(true);
    // A third start adds nothing.
    await run(dataDir, configFile, ['--do', 'resume']);
    expect(read().sales).toHaveLength(1);
  }, 120_000);

  it('killed after the intent (before the trail saw the sale), then again between its recovered end and the entry: appended once', async () => {
    const dataDir = tempDir('paydesk-audit-crash-');
    const configFile = writeTillConfig({ emulator, dataDir });
    const c = card('OK');
    const first = await run(dataDir, configFile, ['--do', 'pay', '--order', orderId(), '--loyalty', c.loyaltyId, '--session', c.payToken, '--amount', '12300'], { PAYDESK_FAILPOINT: 'payment.after_intent' });
    expect(first.signal).toBe('SIGKILL');
    const read = () => {
      const db = new Database(path.join(dataDir, 'journal.db'), { readonly: true });
      try {
        const ops = db.prepare('SELECT id, outcome, is_final FROM operations').all() as { id: string; outcome: string | null; is_final: number }[];
        const people = db.prepare('SELECT count(*) AS n FROM operation_people').get() as { n: number };
        const pending = db.prepare('SELECT operation_id FROM audit_pending_ends').pluck().all();
        const sales = (db.prepare('SELECT entry_json FROM audit_log').all() as { entry_json: string }[]).map((r) => JSON.parse(r.entry_json) as { kind: string; data: { operation?: string; outcome?: string } }).filter((e) => e.kind === 'sale');
        return { ops, people: people.n, pending, sales, chain: verifyChain(db) };
      } finally {
        db.close();
      }
    };
    const afterIntent = read();
    expect(afterIntent.ops).toHaveLength(1);
    expect(afterIntent).toMatchObject({ people: 0, pending: [], sales: [] });
    const id = afterIntent.ops[0]?.id;
    // The restart finishes the sale and is killed before its end reaches the trail.
    const second = await run(dataDir, configFile, ['--do', 'resume'], { PAYDESK_FAILPOINT: 'audit.before_operation_end' });
    expect(second.signal).toBe('SIGKILL');
    const afterSecond = read();
    expect(afterSecond.ops[0]).toMatchObject({ id, is_final: 1, outcome: 'paid' });
    expect(afterSecond).toMatchObject({ pending: [id], sales: [] });
    const third = await run(dataDir, configFile, ['--do', 'resume']);
    expect(third.code).toBe(0);
    const afterThird = read();
    expect(afterThird.sales.map((e) => [e.data.operation, e.data.outcome])).toEqual([[id, 'paid']]);
    expect(afterThird.pending).toEqual([]);
    expect(afterThird.chain.ok).toBe(true);
    await run(dataDir, configFile, ['--do', 'resume']);
    expect(read().sales).toHaveLength(1);
  }, 120_000);
});
