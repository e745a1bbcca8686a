import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../audit/log';
import { openJournal, type Journal } from '../journal/database';
import { BalanceLedger } from './ledger';

const WORKER = path.join(__dirname, '..', '..', 'test', 'support', 'balance-worker.ts');
let dir: string;
let journal: Journal;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-balance-'));
  journal = openJournal(path.join(dir, 'till.db'));
});
afterEach(() => {
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const on = { config: () => ({ enabled: true }) };

describe('balance ledger', () => {
  it('balance is the sum of entries: top-up, service debit, refund; never below zero', () => {
    const ledger = new BalanceLedger(journal.sqlite, 'store-1', on);
    ledger.topUp({ loyaltyId: 'L1', amountMinor: 300_000, operationRef: 'pay-1' });
    ledger.debit({ loyaltyId: 'L1', amountMinor: 120_000, operationRef: 'svc-1' });
    expect(ledger.balance('L1')).toBe(180_000);
    expect(() => ledger.debit({ loyaltyId: 'L1', amountMinor: 180_001, operationRef: 'svc-2' })).toThrow(expect.objectContaining({ key: 'balance.insufficient' }));
    ledger.refund({ loyaltyId: 'L1', amountMinor: 180_000, operationRef: 'ref-1', personId: 'admin' });
    expect(ledger.balance('L1')).toBe(0);
    expect(ledger.entries('L1').map((e) => [e.kind, e.amountMinor])).toEqual([['topup', 300_000], ['debit', 120_000], ['refund', 180_000]]);
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: true, count: 3 });
  });

  it('is per store, idempotent per operation, off by default, and refuses bad input', () => {
    const a = new BalanceLedger(journal.sqlite, 'A', on);
    const b = new BalanceLedger(journal.sqlite, 'B', on);
    a.topUp({ loyaltyId: 'L1', amountMinor: 500, operationRef: 'p1' });
    expect(a.topUp({ loyaltyId: 'L1', amountMinor: 500, operationRef: 'p1' }).id).toBe(a.entries('L1')[0]?.id);
    expect(a.balance('L1')).toBe(500);
    expect(b.balance('L1')).toBe(0);
    expect(() => b.debit({ loyaltyId: 'L1', amountMinor: 1, operationRef: 's' })).toThrow(expect.objectContaining({ key: 'balance.insufficient' }));
    expect(() => a.topUp({ loyaltyId: 'L1', amountMinor: 700, operationRef: 'p1' })).toThrow(expect.objectContaining({ key: 'balance.invalid' }));
    for (const bad of [{ loyaltyId: '', amountMinor: 1 }, { loyaltyId: 'L', amountMinor: 0 }, { loyaltyId: 'L', amountMinor: -5 }, { loyaltyId: 'L', amountMinor: 1.5 }, { loyaltyId: 'L', amountMinor: Number.NaN }]) {
      expect(() => a.topUp({ ...bad, operationRef: 'x' }), JSON.stringify(bad)).toThrow(expect.objectContaining({ key: 'balance.invalid' }));
    }
    const off = new BalanceLedger(journal.sqlite, 'A', { config: () => ({ enabled: false }) });
    expect(() => off.topUp({ loyaltyId: 'L1', amountMinor: 1, operationRef: 'p9' })).toThrow(expect.objectContaining({ key: 'balance.disabled' }));
  });

  it('the database itself refuses overwriting, deleting, and a raw insert that would go negative', () => {
    const ledger = new BalanceLedger(journal.sqlite, 'A', on);
    ledger.topUp({ loyaltyId: 'L1', amountMinor: 100, operationRef: 'p1' });
    const raw = new Database(journal.file);
    expect(() => raw.prepare('UPDATE balance_entries SET amount_minor = 1000000').run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM balance_entries').run()).toThrow(/append-only/);
    expect(() => raw.prepare("INSERT INTO balance_entries (store_id, loyalty_id, kind, amount_minor, operation_ref, created_at) VALUES ('A', 'L1', 'debit', 101, 'x', 'now')").run()).toThrow(/below zero/);
    raw.close();
    expect(ledger.balance('L1')).toBe(100);
  });

  it('concurrent top-ups and debits from several processes: no overdraft, nothing lost, nothing doubled (property)', async () => {
    const op = fc.record({
      kind: fc.constantFrom('topup' as const, 'debit' as const, 'debit' as const, 'refund' as const),
      loyaltyId: fc.constantFrom('L1', 'L2'),
      amountMinor: fc.integer({ min: 1, max: 5_000 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 5, maxLength: 25 }), { minLength: 3, maxLength: 3 }), async (perWorker) => {
        run += 1;
        const store = `S${run}`;
        // Refs repeat across workers now and then: the same operation retried from another process.
        const lists = perWorker.map((ops, w) => ops.map((o, i) => ({ ...o, ref: i % 7 === 3 ? `shared-${o.kind}-${i}` : `w${w}-${i}` })));
        const outcomes = await runWorkers(journal.file, store, lists);
        const ledger = new BalanceLedger(journal.sqlite, store, on);
        for (const loyaltyId of ['L1', 'L2']) {
          const entries = ledger.entries(loyaltyId);
          let running = 0;
          for (const e of entries) {
            running += e.kind === 'topup' ? e.amountMinor : -e.amountMinor;
            expect(running).toBeGreaterThanOrEqual(0);
          }
          expect(ledger.balance(loyaltyId)).toBe(running);
        }
        // Every write that reported success is in the ledger exactly once; failures are only "insufficient" or a clashing shared ref.
        const all = [...ledger.entries('L1'), ...ledger.entries('L2')];
        for (const o of outcomes) {
          if (!o.ok) expect(['balance.insufficient', 'balance.invalid']).toContain(o.key);
        }
        const okRefs = new Set(outcomes.filter((o) => o.ok).map((o) => o.ref));
        expect(new Set(all.map((e) => e.operationRef))).toEqual(okRefs);
        const keys = all.map((e) => `${e.operationRef}/${e.kind}`);
        expect(new Set(keys).size).toBe(keys.length);
      }),
      // No shrinking: each run spawns processes, and the first counterexample already says enough.
      { numRuns: 4, endOnFailure: true },
    );
    expect(verifyChain(journal.sqlite).ok).toBe(true);
  });
});

interface Outcome { ref: string; ok: boolean; key?: string }

/**
 * Starts one process per list, waits until every one has opened the database, then lets them all go at
 * once. Any worker that dies, or a run that outlives 30 s, kills the rest: no process outlives the test.
 */
async function runWorkers(file: string, store: string, lists: unknown[][]): Promise<Outcome[]> {
  const children = lists.map((ops) => spawn(process.execPath, ['--import', 'tsx', WORKER, file, store, JSON.stringify(ops)], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const killAll = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  const timer = setTimeout(killAll, 30_000);
  let readyCount = 0;
  try {
    const results = await Promise.all(children.map((child) => new Promise<Outcome[]>((resolve, reject) => {
      let out = '';
      let ready = false;
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (!ready && out.startsWith('ready\n')) {
          ready = true;
          readyCount += 1;
          if (readyCount === children.length) for (const c of children) c.stdin?.end('go\n');
        }
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (code !== 0) {
          killAll();
          reject(new Error(`worker exited ${code ?? signal}`));
          return;
        }
        resolve(out.split('\n').slice(1).filter(Boolean).map((l) => JSON.parse(l) as Outcome));
      });
    })));
    return results.flat();
  } finally {
    clearTimeout(timer);
    killAll();
  }
}
