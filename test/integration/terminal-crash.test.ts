// Card terminal payments under kill -9: a till process (real journal, real OperationActor) is SIGKILLed
// at each step — before the launch, while the terminal app runs, after it answered, before and after the
// journal write — then restarted on the same SQLite file. The terminal emulator's own ledger must show
// exactly one charge, and the journal one correct, final record (recovered, with its slip).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { execLaunch, Ledger, spawnTerminalServer, type EmulatorArgs, type FaultMode, type TerminalServerProcess } from '../../emulators/terminal';
import type { TerminalLaunch } from '../../main/payapi/terminal/config';
import { readTerminalSlip } from '../../main/payapi/terminal/slip';
import { spawnChild, type ChildEvents } from '../support/child-events';

const CHILD = path.join(__dirname, '..', 'support', 'terminal-till-process.ts');

function run(t: Till, args: string[], env: Record<string, string> = {}): ChildEvents {
  return spawnChild(CHILD, ['--data', t.dataDir, '--config', t.configFile, ...args], { env });
}

interface Till {
  dataDir: string;
  configFile: string;
  ledger: Ledger;
}

async function freshTill(emulator: EmulatorArgs = {}, endpoint?: (stateDir: string) => Promise<TerminalLaunch>): Promise<Till> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-term-crash-'));
  const stateDir = path.join(dataDir, 'terminal-app');
  const configFile = path.join(dataDir, 'terminal.json');
  const launch = endpoint ? await endpoint(stateDir) : await execLaunch(stateDir, { processingMs: 200, ...emulator });
  fs.writeFileSync(configFile, JSON.stringify({ enabled: true, launch, currency: 'RUB', timing: { saleTimeoutMs: 20_000, lookupScheduleMs: [0, 200, 500] } }));
  return { dataDir, configFile, ledger: new Ledger(stateDir) };
}

async function until(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting for the step');
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface OpRow { id: string; order_id: string; phase: string; outcome: string | null; is_final: number; request_id: string; transaction_id: string | null; recovered: number; attempts: number; error_key: string | null; amount_kop: number }

interface SlipRow { payment_transaction_id: string | null; raw_json: string; total_amount_kop: number }

/** Reads everything eagerly and closes the file: the till process owns the database. */
function journal(t: Till) {
  const db = new Database(path.join(t.dataDir, 'journal.db'), { readonly: true });
  try {
    const ops = db.prepare('SELECT * FROM operations ORDER BY created_at').all() as OpRow[];
    const slips = new Map(ops.map((o) => [o.id, db.prepare('SELECT * FROM slips WHERE operation_id = ?').get(o.id) as SlipRow | undefined]));
    const events = new Map(ops.map((o) => [o.id, (db.prepare('SELECT type FROM operation_events WHERE operation_id = ? ORDER BY seq').all(o.id) as { type: string }[]).map((e) => e.type)]));
    return { ops, slip: (id: string) => slips.get(id), events: (id: string) => events.get(id) ?? [] };
  } finally {
    db.close();
  }
}

/** The states the terminal reported to our lookups, in order. */
function lookupStates(t: Till, op: string): string[] {
  const db = new Database(path.join(t.dataDir, 'journal.db'), { readonly: true });
  try {
    const rows = db.prepare("SELECT body_json FROM operation_events WHERE operation_id = ? AND endpoint = 'lookup' AND type = 'response' ORDER BY seq").all(op) as { body_json: string }[];
    return rows.map((r) => String((JSON.parse(r.body_json) as { answer?: { state?: string } }).answer?.state));
  } finally {
    db.close();
  }
}

async function pay(t: Till, env: Record<string, string> = {}, fault?: FaultMode) {
  if (fault) t.ledger.queueFaults([fault]);
  const op = randomUUID();
  const ext = randomUUID();
  const order = `order-${ext.slice(0, 8)}`;
  const r = run(t, ['--do', 'pay', '--order', order, '--amount', '12345', '--op', op, '--ext', ext], env);
  return { r, op, ext, order };
}

async function restart(t: Till): Promise<Record<string, unknown>> {
  const again = run(t, ['--do', 'resume']);
  const idle = await again.waitFor('idle');
  expect((await again.exited).code).toBe(0);
  return idle;
}

/** The one correct end: one charge at the terminal, one paid, final, recovered record with its slip. */
function expectPaidOnce(t: Till, op: string, ext: string) {
  expect(t.ledger.count(ext)).toEqual({ sales: 1, charges: 1 });
  const charged = t.ledger.forOperation(ext).find((x) => x.charged);
  const j = journal(t);
  const row = j.ops.find((o) => o.id === op);
  expect(row).toMatchObject({ phase: 'paid', outcome: 'paid', is_final: 1, request_id: ext, recovered: 1, attempts: 1, amount_kop: 12_345 });
  expect(row?.transaction_id).toBe(charged?.answer?.transaction?.rrn);
  const slip = j.slip(op);
  expect(slip?.payment_transaction_id).toBe(charged?.answer?.transaction?.rrn);
  const parsed = readTerminalSlip(slip?.raw_json ?? '');
  expect(parsed.ok && parsed.slip.transaction.amountMinor).toBe(12_345);
  expect(j.events(op)).toContain('recovered');
  expect(j.ops.filter((o) => o.is_final === 0)).toHaveLength(0);
}

describe('terminal payment: SIGKILL at each step, then restart', () => {
  it('no kill: paid once, not recovered', async () => {
    const t = await freshTill();
    const { r, op, ext } = await pay(t);
    await r.waitFor('idle');
    expect((await r.exited).code).toBe(0);
    expect(t.ledger.count(ext)).toEqual({ sales: 1, charges: 1 });
    expect(journal(t).ops.find((o) => o.id === op)).toMatchObject({ outcome: 'paid', recovered: 0 });
  });

  it('before the launch (intent committed): the restart asks first, learns it never started, fails it; the cashier\'s retry charges once', async () => {
    const t = await freshTill();
    const first = await pay(t, { PAYDESK_FAILPOINT: 'terminal.before_launch' });
    expect((await first.r.exited).signal).toBe('SIGKILL');
    expect(journal(t).ops[0]).toMatchObject({ phase: 'launching', is_final: 0 });
    expect(t.ledger.count(first.ext)).toEqual({ sales: 0, charges: 0 });
    expect(await restart(t)).toMatchObject({ open: 0 });
    expect(t.ledger.count(first.ext)).toEqual({ sales: 0, charges: 0 }); // recovery never launches a sale
    expect(journal(t).ops[0]).toMatchObject({ phase: 'failed', outcome: 'failed', error_key: 'terminal.not_started', recovered: 1, attempts: 0 });
    // The cashier presses Pay again: a new operation for the same order (the failed one no longer holds it).
    const retry = await pay(t);
    await retry.r.waitFor('idle');
    expect(t.ledger.count(retry.ext)).toEqual({ sales: 1, charges: 1 });
    expect(journal(t).ops.filter((o) => o.outcome === 'paid')).toHaveLength(1);
  });

  it('while the terminal app runs: the orphaned app finishes; the restart waits for it and records the one charge', async () => {
    const t = await freshTill({ processingMs: 1_500 });
    const { r, op, ext } = await pay(t);
    await until(() => t.ledger.count(ext).sales === 1);
    r.child.kill('SIGKILL');
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(t.ledger.count(ext).charges).toBe(0); // the customer is still at the terminal
    await restart(t);
    expectPaidOnce(t, op, ext);
  });

  it('while a local HTTP terminal runs it: the till dies mid-request; the restart finds it in progress, then paid once', async () => {
    const holder: { server?: TerminalServerProcess } = {};
    const t = await freshTill({}, async (stateDir) => {
      holder.server = await spawnTerminalServer('http', stateDir, { processingMs: 5_000 });
      return holder.server.launch;
    });
    try {
      const { r, op, ext } = await pay(t);
      await until(() => t.ledger.count(ext).sales === 1);
      r.child.kill('SIGKILL');
      await r.exited;
      await restart(t);
      expectPaidOnce(t, op, ext);
      const states = lookupStates(t, op);
      expect([states[0], states.at(-1)]).toEqual(['in_progress', 'done']); // 5 s at the terminal outlasts a till restart
    } finally {
      await holder.server?.stop();
    }
  });

  it('killed twice: while the terminal app runs, then again during the recovery\'s lookups; the third start records the one charge', async () => {
    const t = await freshTill({ processingMs: 5_000 });
    const { r, op, ext } = await pay(t);
    await until(() => t.ledger.count(ext).sales === 1);
    r.child.kill('SIGKILL');
    await r.exited;
    const recovering = run(t, ['--do', 'resume']);
    await until(() => journal(t).ops[0]?.phase === 'resolving');
    recovering.child.kill('SIGKILL');
    expect((await recovering.exited).signal).toBe('SIGKILL');
    expect(t.ledger.count(ext).sales).toBe(1); // never relaunched by a recovery
    await restart(t);
    expectPaidOnce(t, op, ext);
  });

  it('after the terminal answered, before anything was written', async () => {
    const t = await freshTill();
    const { r, op, ext } = await pay(t, { PAYDESK_FAILPOINT: 'terminal.after_answer' });
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(journal(t).ops[0]?.phase).toBe('launching');
    await restart(t);
    expectPaidOnce(t, op, ext);
  });

  it('before the journal write of the answer', async () => {
    const t = await freshTill();
    const { r, op, ext } = await pay(t, { PAYDESK_FAILPOINT: 'terminal.before_journal_write' });
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(journal(t).ops[0]?.phase).toBe('launching');
    await restart(t);
    expectPaidOnce(t, op, ext);
  });

  it('after the journal write of the answer: nothing to recover, nothing repeated', async () => {
    const t = await freshTill();
    const { r, op, ext } = await pay(t, { PAYDESK_FAILPOINT: 'terminal.after_journal_write' });
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(await restart(t)).toMatchObject({ open: 0 });
    expect(t.ledger.count(ext)).toEqual({ sales: 1, charges: 1 });
    expect(journal(t).ops.find((o) => o.id === op)).toMatchObject({ outcome: 'paid', recovered: 0 });
  });

  it('declined, killed after the answer: the restart records the decline, nothing charged', async () => {
    const t = await freshTill();
    const { r, op, ext } = await pay(t, { PAYDESK_FAILPOINT: 'terminal.after_answer' }, 'decline');
    expect((await r.exited).signal).toBe('SIGKILL');
    await restart(t);
    expect(t.ledger.count(ext)).toEqual({ sales: 1, charges: 0 });
    expect(journal(t).ops.find((o) => o.id === op)).toMatchObject({ outcome: 'rejected', error_key: 'terminal.declined', recovered: 1 });
  });

  it('the terminal app crashes after charging, then the till is killed while resolving: one charge, paid', async () => {
    const t = await freshTill();
    const { r, op, ext } = await pay(t, { PAYDESK_FAILPOINT: 'terminal.after_journal_write' }, 'crash');
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(journal(t).ops[0]).toMatchObject({ phase: 'resolving', error_key: 'terminal.app_killed' });
    await restart(t);
    expectPaidOnce(t, op, ext);
  });

  it('twenty payments in a row with a kill at a random step each: every one ends paid once', async () => {
    const t = await freshTill({ processingMs: 100 });
    const points = ['terminal.after_answer', 'terminal.before_journal_write', 'terminal.after_journal_write', ''];
    const paid: { op: string; ext: string }[] = [];
    for (let i = 0; i < 20; i += 1) {
      const point = points[i % points.length] ?? '';
      const { r, op, ext } = await pay(t, point ? { PAYDESK_FAILPOINT: point } : {});
      await r.exited;
      await restart(t);
      paid.push({ op, ext });
    }
    const ops = journal(t).ops;
    for (const { op, ext } of paid) {
      expect(t.ledger.count(ext)).toEqual({ sales: 1, charges: 1 });
      expect(ops.find((o) => o.id === op)?.outcome).toBe('paid');
    }
  }, 240_000);
});
