// Card terminal sales through the REAL core under kill -9: a till process starts startCore on a data folder
// with a config whose providers include "terminal" (its launch pointing at the terminal emulator program
// or endpoint, never the embedded one) and sells through core.checkout.pay. It is SIGKILLed at every step
// of the sale — after the intent commit, before the launch, while the terminal app runs, after the app
// answered (before the journal write), after the final write — then the core restarts on the same data.
// The emulator's durable ledger is the money truth: at most one sale and the right number of charges per
// order; the journal's operation must be final with the outcome the ledger proves, its slip stored, and a
// restart must ask the terminal (lookup by operationExternalId) before anything else, never sell again.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { execLaunch, Ledger, spawnTerminalServer, type EmulatorArgs, type FaultMode, type TerminalServerProcess } from '../../emulators/terminal';
import { CATALOGUE, isErrorKey } from '../../main/errors/catalogue';
import type { TerminalLaunch } from '../../main/payapi/terminal/config';
import { readTerminalSlip } from '../../main/payapi/terminal/slip';
import { tempDir, writeTillConfig } from '../support/till';
import { spawnChild, type ChildEvents, type Line } from '../support/child-events';

const CHILD = path.join(__dirname, '..', 'support', 'terminal-core-process.ts');
const AMOUNT = 12_345;

let koshelek: KoshelekEmulator;
beforeAll(async () => {
  koshelek = await startKoshelekEmulator({ confirmDelayMs: 200 });
});
const servers: TerminalServerProcess[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  await koshelek?.close();
});

// ---- the till process --------------------------------------------------------------------------

interface Till {
  dataDir: string;
  configFile: string;
  ledger: Ledger;
}

/** Till processes of the running test: whatever a failed test left running is killed after it. */
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
});

function run(t: Till, args: string[], env: Record<string, string> = {}): ChildEvents {
  const r = spawnChild(CHILD, ['--data', t.dataDir, '--config', t.configFile, ...args], { env, rejectOnExit: true });
  running.add(r.child);
  return r;
}

interface TillOptions {
  launch?: (stateDir: string) => Promise<TerminalLaunch>;
  timing?: Record<string, unknown>;
  /** terminal.encoding in the till's config (the bytes the vendor app speaks). */
  encoding?: 'utf-8' | 'windows-1251';
}

/** A till whose config sells by terminal, its launch pointing at the emulator (program or endpoint). */
async function freshTill(emulator: EmulatorArgs = {}, options: TillOptions = {}): Promise<Till> {
  const dataDir = tempDir('paydesk-term-core-');
  const stateDir = path.join(dataDir, 'terminal-app');
  const launch = options.launch ? await options.launch(stateDir) : await execLaunch(stateDir, { processingMs: 150, ...emulator });
  const configFile = writeTillConfig({ emulator: koshelek, dataDir });
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  config.providers = ['koshelek', 'terminal'];
  config.terminal = {
    enabled: true,
    launch,
    currency: 'RUB',
    ...(options.encoding ? { encoding: options.encoding } : {}),
    timing: { saleTimeoutMs: 20_000, lookupTimeoutMs: 5_000, lookupScheduleMs: [0, 200, 500], ...options.timing },
  };
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  return { dataDir, configFile, ledger: new Ledger(stateDir) };
}

let orderSeq = 0;
const newOrder = () => `TRM-${process.pid}-${Date.now().toString(36)}-${(orderSeq += 1)}`;

function sell(t: Till, options: { env?: Record<string, string>; fault?: FaultMode; order?: string; hold?: boolean } = {}): { r: ChildEvents; order: string } {
  if (options.fault) t.ledger.queueFaults([options.fault]);
  const order = options.order ?? newOrder();
  const r = run(t, ['--do', 'pay', '--order', order, '--amount', String(AMOUNT), ...(options.hold ? ['--hold'] : [])], options.env ?? {});
  return { r, order };
}

async function restart(t: Till, args: string[] = []): Promise<Line> {
  const again = run(t, ['--do', 'resume', ...args]);
  const idle = await again.waitFor('idle');
  expect((await again.exited).code).toBe(0);
  return idle;
}

/** Polls until the predicate holds; on timeout the error carries `state()` (what the journal and the till showed). */
async function until(predicate: () => boolean, timeoutMs = 30_000, what = 'the step', state?: () => unknown): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${state ? `: ${JSON.stringify(state())}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ---- what the journal holds -------------------------------------------------------------------------

interface OpRow {
  id: string; provider: string; order_id: string; phase: string; outcome: string | null; is_final: number; request_id: string;
  transaction_id: string | null; recovered: number; attempts: number; error_key: string | null; amount_kop: number; context_json: string;
}
interface EventRow { operation_id: string; type: string; endpoint: string | null; body_json: string | null }
interface SlipRow { payment_transaction_id: string | null; raw_json: string; total_amount_kop: number | null }

/** Reads everything eagerly and closes the file: the till process owns the database. */
function journal(t: Till) {
  const file = path.join(t.dataDir, 'journal.db');
  const empty = { ops: [] as OpRow[], events: (_id: string): EventRow[] => [], slip: (_id: string): SlipRow | undefined => undefined };
  if (!fs.existsSync(file)) return empty;
  const db = new Database(file, { readonly: true });
  try {
    // A till that just created the file may not have migrated it yet: nothing journaled so far.
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    if (!['operations', 'operation_events', 'slips'].every((name) => tables.includes(name))) return empty;
    const ops = db.prepare('SELECT * FROM operations ORDER BY created_at').all() as OpRow[];
    const events = db.prepare('SELECT operation_id, type, endpoint, body_json FROM operation_events ORDER BY seq').all() as EventRow[];
    const slips = db.prepare('SELECT operation_id, payment_transaction_id, raw_json, total_amount_kop FROM slips').all() as (SlipRow & { operation_id: string })[];
    return {
      ops,
      events: (id: string) => events.filter((e) => e.operation_id === id),
      slip: (id: string) => slips.find((s) => s.operation_id === id),
    };
  } finally {
    db.close();
  }
}

const opsOf = (t: Till, order: string) => journal(t).ops.filter((o) => o.order_id === order);

/** The terminal exchanges the journal recorded for an operation (endpoint 'sale' or 'lookup'), in order. */
function exchanges(events: EventRow[]): string[] {
  return events.filter((e) => (e.type === 'response' || e.type === 'fault') && e.endpoint !== null).map((e) => String(e.endpoint));
}

/** Money truth for an order: every operation of the order, summed at the terminal's own ledger. */
function atTerminal(t: Till, order: string): { sales: number; charges: number } {
  return opsOf(t, order).reduce((sum, o) => {
    const c = t.ledger.count(o.request_id);
    return { sales: sum.sales + c.sales, charges: sum.charges + c.charges };
  }, { sales: 0, charges: 0 });
}

type Outcome = 'paid' | 'rejected' | 'canceled' | 'failed';

interface ViewLike {
  id?: string; outcome?: string | null; isFinal?: boolean; provider?: string; providerTitle?: unknown; recovered?: boolean;
  error?: { key?: string; ru?: string } | null;
  slip?: { paymentTransactionId?: string | null; totalAmountKop?: number | null; refs?: unknown } | null;
}

/**
 * The one correct end of an order's terminal sale: one final operation with the outcome the terminal's
 * ledger proves, at most one sale launched, one charge exactly when paid (with its slip), nothing open;
 * after a restart the first exchange was a lookup and no sale was launched by the recovery.
 */
function expectSettled(t: Till, order: string, outcome: Outcome, o: { recovered: boolean; errorKey?: string; view?: ViewLike | undefined }) {
  const j = journal(t);
  const ops = j.ops.filter((x) => x.order_id === order);
  expect(ops).toHaveLength(1);
  const row = ops[0] as OpRow;
  expect(row).toMatchObject({ provider: 'terminal', is_final: 1, outcome, amount_kop: AMOUNT, recovered: o.recovered ? 1 : 0 });
  if (o.errorKey) expect(row.error_key).toBe(o.errorKey);
  const money = t.ledger.count(row.request_id);
  expect(money.sales).toBeLessThanOrEqual(1);
  expect(money.charges).toBe(outcome === 'paid' ? 1 : 0);
  expect(atTerminal(t, order).charges).toBe(outcome === 'paid' ? 1 : 0);
  const events = j.events(row.id);
  expect(exchanges(events).filter((e) => e === 'sale').length).toBeLessThanOrEqual(1);
  if (o.recovered) {
    const at = events.findIndex((e) => e.type === 'recovered');
    expect(at).toBeGreaterThanOrEqual(0);
    const after = exchanges(events.slice(at + 1));
    expect(after[0]).toBe('lookup'); // the restart asks the terminal first
    expect(after).not.toContain('sale'); // and never sells again
  }
  if (outcome === 'paid') {
    const charged = t.ledger.forOperation(row.request_id).find((x) => x.charged);
    const rrn = charged?.answer?.transaction?.rrn;
    expect(rrn).toBeTruthy();
    expect(row.transaction_id).toBe(rrn);
    const slip = j.slip(row.id);
    expect(slip?.payment_transaction_id).toBe(rrn);
    expect(slip?.total_amount_kop).toBe(AMOUNT);
    const parsed = readTerminalSlip(slip?.raw_json ?? '');
    expect(parsed.ok && parsed.slip.transaction.amountMinor).toBe(AMOUNT);
  }
  expect(j.ops.filter((x) => x.is_final === 0)).toHaveLength(0);
  if (o.view) expectView(o.view, row, outcome);
  return row;
}

/** What the cashier's screen gets for the operation (operation view per the neutral contract). */
function expectView(view: ViewLike, row: OpRow, outcome: Outcome) {
  expect(view).toMatchObject({ id: row.id, provider: 'terminal', outcome, isFinal: true });
  expect(typeof view.providerTitle).toBe('string');
  expect(String(view.providerTitle).length).toBeGreaterThan(0);
  if (outcome === 'paid') {
    expect(view.error ?? null).toBeNull();
    expect(view.slip?.paymentTransactionId).toBe(row.transaction_id);
    expect(view.slip?.totalAmountKop).toBe(AMOUNT);
    expect(Array.isArray(view.slip?.refs)).toBe(true);
  } else {
    // Never a success screen; a Russian instruction from the catalogue.
    expect(view.error?.key).toBe(row.error_key);
    const key = String(view.error?.key);
    expect(isErrorKey(key) ? CATALOGUE[key].ru : null).toBe(view.error?.ru);
    expect(view.error?.ru).toMatch(/[а-яё]/i);
  }
}

const viewIn = (idle: Line, id: string): ViewLike | undefined => (idle.views as ViewLike[] | undefined)?.find((v) => v?.id === id);

// ---- kill -9 at every step --------------------------------------------------------------------------

describe('terminal sale through the real core: SIGKILL at each step, then restart', () => {
  it('no kill: paid once, slip stored, the operation view is a terminal one', async () => {
    const t = await freshTill();
    const { r, order } = sell(t);
    const final = await r.waitFor('final');
    expect((await r.exited).code).toBe(0);
    const row = expectSettled(t, order, 'paid', { recovered: false, view: final.view as ViewLike });
    expect(exchanges(journal(t).events(row.id))).toEqual(['sale']);
  });

  it.each(['payment.after_intent', 'terminal.before_launch'])('killed at %s (intent committed, nothing launched): the restart asks first, learns "never started", fails it; the retry of the same order charges once', async (point) => {
    const t = await freshTill();
    const first = sell(t, { env: { PAYDESK_FAILPOINT: point } });
    expect((await first.r.exited).signal).toBe('SIGKILL');
    const killed = opsOf(t, first.order);
    expect(killed).toHaveLength(1);
    expect(killed[0]).toMatchObject({ provider: 'terminal', is_final: 0, outcome: null });
    expect(atTerminal(t, first.order)).toEqual({ sales: 0, charges: 0 });
    const idle = await restart(t);
    expect(idle.open).toBe(0);
    expect(atTerminal(t, first.order)).toEqual({ sales: 0, charges: 0 }); // a recovery never launches a sale
    const row = killed[0] as OpRow;
    expectSettled(t, first.order, 'failed', { recovered: true, errorKey: 'terminal.not_started', view: viewIn(idle, row.id) });
    // The cashier presses Pay again for the same order: the failed operation no longer holds it.
    const retry = sell(t, { order: first.order });
    const final = await retry.r.waitFor('final');
    expect((final.view as ViewLike).outcome).toBe('paid');
    expect(atTerminal(t, first.order)).toEqual({ sales: 1, charges: 1 });
    expect(opsOf(t, first.order).map((o) => o.outcome)).toEqual(['failed', 'paid']);
  });

  // payment.after_send: the checkout handed the sale to the transport (the exec launch's spawn is synchronous)
  // and died before its log line and view. The request line reaches the program's stdin only on its 'spawn'
  // event, a later tick, so the orphaned program reads an empty stdin; a transport that writes at once would
  // reach the terminal. Either way the restart asks first and the journal ends as the terminal's ledger says.
  // Twice: the cashier's retry of the same order is killed at the same step again, then a third press pays.
  it.each([1, 2])('killed at payment.after_send (%i time(s) in a row, the order retried after each restart): settled as the terminal says, the order charged exactly once', async (kills) => {
    const t = await freshTill();
    const order = newOrder();
    for (let i = 0; i < kills; i += 1) {
      const killedRun = sell(t, { order, env: { PAYDESK_FAILPOINT: 'payment.after_send' } });
      expect((await killedRun.r.exited).signal).toBe('SIGKILL');
      const killed = opsOf(t, order).at(-1) as OpRow;
      expect(opsOf(t, order)).toHaveLength(i + 1); // a new operation: the previous one ended failed, freeing the order
      expect(killed).toMatchObject({ provider: 'terminal', is_final: 0, outcome: null });
      const idle = await restart(t);
      expect(idle.open).toBe(0);
      const money = t.ledger.count(killed.request_id);
      expect(money.sales).toBeLessThanOrEqual(1);
      const now = opsOf(t, order).at(-1) as OpRow;
      expect(now.id).toBe(killed.id);
      if (money.sales === 0) {
        // Never reached the terminal: failed as "not started", nothing charged, the order free for a retry.
        expect(now).toMatchObject({ is_final: 1, outcome: 'failed', error_key: 'terminal.not_started', recovered: 1 });
        expect(money.charges).toBe(0);
        expectView(viewIn(idle, now.id) ?? {}, now, 'failed');
      } else {
        // Reached it: the restart's lookup records the one charge; the retry below must not sell again.
        expect(now).toMatchObject({ is_final: 1, outcome: 'paid', recovered: 1 });
        expectView(viewIn(idle, now.id) ?? {}, now, 'paid');
      }
      const exchanged = exchanges(journal(t).events(now.id));
      expect(exchanged[0]).toBe('lookup'); // the restart asked first
      expect(exchanged).not.toContain('sale'); // the sale's answer died with the till; no sale since
      if (now.outcome === 'paid') break; // the order is paid: a retry gets this operation back, nothing to kill
    }
    const retry = sell(t, { order });
    const final = await retry.r.waitFor('final');
    expect((await retry.r.exited).code).toBe(0);
    expect((final.view as ViewLike).outcome).toBe('paid');
    expect(atTerminal(t, order)).toEqual({ sales: 1, charges: 1 });
    const ops = opsOf(t, order);
    expect(ops.filter((o) => o.outcome === 'paid')).toHaveLength(1);
    expect(ops.every((o) => o.is_final === 1)).toBe(true);
    const paid = ops.find((o) => o.outcome === 'paid') as OpRow;
    expect(final.id).toBe(paid.id);
    const slip = journal(t).slip(paid.id);
    expect(slip?.total_amount_kop).toBe(AMOUNT);
    expect(slip?.payment_transaction_id).toBe(paid.transaction_id);
  });

  it('while the terminal app runs (launched program, customer at the terminal): the orphaned app finishes; the restart looks it up and records the one charge', async () => {
    const t = await freshTill({ processingMs: 2_500 });
    const { r, order } = sell(t);
    await until(() => opsOf(t, order).some((o) => t.ledger.count(o.request_id).sales === 1), 30_000, 'the sale at the terminal');
    r.child.kill('SIGKILL');
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(atTerminal(t, order).charges).toBe(0); // the customer is still at the terminal
    const idle = await restart(t);
    const row = expectSettled(t, order, 'paid', { recovered: true });
    expectView(viewIn(idle, row.id) ?? {}, row, 'paid');
  });

  it('while a local HTTP terminal runs the sale: the restart finds it in progress, waits, then records the one charge', async () => {
    const t = await freshTill({}, {
      launch: async (stateDir) => {
        const server = await spawnTerminalServer('http', stateDir, { processingMs: 5_000 });
        servers.push(server);
        return server.launch;
      },
    });
    const { r, order } = sell(t);
    await until(() => opsOf(t, order).some((o) => t.ledger.count(o.request_id).sales === 1), 30_000, 'the sale at the terminal');
    r.child.kill('SIGKILL');
    await r.exited;
    await restart(t);
    const row = expectSettled(t, order, 'paid', { recovered: true });
    const states = journal(t).events(row.id)
      .filter((e) => e.endpoint === 'lookup' && e.type === 'response')
      .map((e) => String((JSON.parse(e.body_json ?? '{}') as { answer?: { state?: string } }).answer?.state));
    expect(states.at(-1)).toBe('done');
  });

  it.each([
    ['approve', 'paid', null],
    ['decline', 'rejected', 'terminal.declined'],
    ['cancel', 'canceled', 'terminal.canceled'],
  ] as const)('killed after the terminal answered %s, before the journal write: the restart records what the terminal did', async (fault, outcome, key) => {
    const t = await freshTill();
    const { r, order } = sell(t, { env: { PAYDESK_FAILPOINT: 'terminal.after_answer' }, fault });
    expect((await r.exited).signal).toBe('SIGKILL');
    const killed = opsOf(t, order)[0];
    expect(killed).toMatchObject({ is_final: 0, outcome: null }); // the answer never reached the journal
    expect(t.ledger.count(killed?.request_id ?? '')).toEqual({ sales: 1, charges: outcome === 'paid' ? 1 : 0 });
    const idle = await restart(t);
    const row = expectSettled(t, order, outcome, { recovered: true, ...(key ? { errorKey: key } : {}) });
    expectView(viewIn(idle, row.id) ?? {}, row, outcome);
  });

  it('killed just before the journal write of the terminal\'s answer: the restart looks it up and records the one charge', async () => {
    const t = await freshTill();
    const { r, order } = sell(t, { env: { PAYDESK_FAILPOINT: 'terminal.before_journal_write' } });
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(opsOf(t, order)[0]).toMatchObject({ phase: 'launching', is_final: 0 });
    expect(atTerminal(t, order)).toEqual({ sales: 1, charges: 1 });
    const idle = await restart(t);
    const row = expectSettled(t, order, 'paid', { recovered: true });
    expectView(viewIn(idle, row.id) ?? {}, row, 'paid');
  });

  it('killed just after the journal write of the answer: nothing to resume, nothing repeated', async () => {
    const t = await freshTill();
    const { r, order } = sell(t, { env: { PAYDESK_FAILPOINT: 'terminal.after_journal_write' } });
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(opsOf(t, order)[0]).toMatchObject({ outcome: 'paid', is_final: 1 });
    const idle = await restart(t);
    expect(idle.open).toBe(0);
    const row = expectSettled(t, order, 'paid', { recovered: false });
    expect(exchanges(journal(t).events(row.id))).toEqual(['sale']);
  });

  it('killed after the final journal write: the restart has nothing to resume and sends nothing', async () => {
    const t = await freshTill();
    const { r, order } = sell(t, { hold: true });
    await r.waitFor('idle');
    r.child.kill('SIGKILL');
    expect((await r.exited).signal).toBe('SIGKILL');
    const before = t.ledger.transactions().length;
    const idle = await restart(t);
    expect(idle.open).toBe(0);
    expect(t.ledger.transactions()).toHaveLength(before);
    const row = expectSettled(t, order, 'paid', { recovered: false });
    expect(exchanges(journal(t).events(row.id))).toEqual(['sale']); // no lookup, no second sale
  });

  it('killed twice: while the terminal app runs, then again during the recovery\'s lookups; the third start records the one charge', async () => {
    const t = await freshTill({ processingMs: 5_000 });
    const { r, order } = sell(t);
    await until(() => opsOf(t, order).some((o) => t.ledger.count(o.request_id).sales === 1), 30_000, 'the sale at the terminal');
    r.child.kill('SIGKILL');
    await r.exited;
    const recovering = run(t, ['--do', 'resume']);
    await until(() => opsOf(t, order)[0]?.recovered === 1, 30_000, 'the recovery to start');
    recovering.child.kill('SIGKILL');
    expect((await recovering.exited).signal).toBe('SIGKILL');
    expect(atTerminal(t, order).sales).toBe(1); // never relaunched by a recovery
    await restart(t);
    expectSettled(t, order, 'paid', { recovered: true });
  });

  it('the terminal app crashes after charging (answer lost), the till is killed while resolving: one charge, paid', async () => {
    // The first lookup waits 30 s: the kill lands while the operation is unknown (resolving), however slow
    // a loaded machine is between the crash and this test reading the journal.
    const t = await freshTill({}, { timing: { lookupScheduleMs: [30_000, 200] } });
    const { r, order } = sell(t, { fault: 'crash', hold: true });
    // The intent first (a till that refuses or dies says so here, with what it printed), then the phase.
    await r.waitFor('started');
    await until(() => opsOf(t, order)[0]?.phase === 'resolving', 30_000, 'resolving', () => ({ op: opsOf(t, order)[0] ?? null, till: r.lines }));
    r.child.kill('SIGKILL');
    await r.exited;
    expect(opsOf(t, order)[0]).toMatchObject({ is_final: 0, error_key: 'terminal.app_killed' });
    expect(atTerminal(t, order)).toEqual({ sales: 1, charges: 1 });
    await restart(t);
    expectSettled(t, order, 'paid', { recovered: true });
  });

  it('killed mid-sale; at the restart the cashier presses Pay for the same order again: the same operation (or a refusal), never a second sale', async () => {
    const t = await freshTill({}, {
      launch: async (stateDir) => {
        const server = await spawnTerminalServer('http', stateDir, { processingMs: 6_000 });
        servers.push(server);
        return server.launch;
      },
    });
    const { r, order } = sell(t);
    await until(() => opsOf(t, order).some((o) => t.ledger.count(o.request_id).sales === 1), 30_000, 'the sale at the terminal');
    r.child.kill('SIGKILL');
    await r.exited;
    const first = opsOf(t, order)[0] as OpRow;
    const again = sell(t, { order });
    await again.r.waitFor('idle');
    await again.r.exited;
    const started = again.r.lines.find((l) => l.event === 'started');
    const refused = again.r.lines.find((l) => l.event === 'refused');
    // Either answer is safe; a new operation (a second sale) for an order whose payment is unknown is not.
    if (started) expect(started.id).toBe(first.id);
    else expect(refused?.key).toBeTruthy();
    expect(atTerminal(t, order)).toEqual({ sales: 1, charges: 1 });
    expectSettled(t, order, 'paid', { recovered: true });
  });

  it('the terminal cannot be reached after the restart: the sale stays unknown (never failed, never sold again); when the terminal is back, paid once', async () => {
    let server: TerminalServerProcess | null = null;
    let stateDir = '';
    const t = await freshTill({}, {
      launch: async (dir) => {
        stateDir = dir;
        server = await spawnTerminalServer('http', dir, { processingMs: 200 });
        servers.push(server);
        return server.launch;
      },
    });
    const { r, order } = sell(t, { env: { PAYDESK_FAILPOINT: 'terminal.after_answer' } });
    expect((await r.exited).signal).toBe('SIGKILL');
    const down = server as TerminalServerProcess | null;
    if (!down) throw new Error('no terminal server');
    await down.stop();
    const blind = await restart(t, ['--wait-ms', '3000']);
    expect(blind.open).toBe(1);
    const held = opsOf(t, order)[0] as OpRow;
    expect(held).toMatchObject({ is_final: 0, outcome: null, recovered: 1 });
    expect(atTerminal(t, order)).toEqual({ sales: 1, charges: 1 }); // charged; the till does not know yet
    const view = viewIn(blind, held.id);
    expect(view?.outcome ?? null).toBeNull();
    const key = String(view?.error?.key);
    expect(isErrorKey(key) && ['wait', 'call_admin'].includes(CATALOGUE[key].action)).toBe(true); // «не проводите оплату повторно»
    const exchanged = exchanges(journal(t).events(held.id));
    expect(exchanged.filter((e) => e === 'sale')).toHaveLength(0); // the answer died with the till; no sale since
    const back = await spawnTerminalServer('http', stateDir, { port: down.port });
    servers.push(back);
    await restart(t);
    expectSettled(t, order, 'paid', { recovered: true });
  });

  it.each(['exec', 'http'] as const)('twenty sales in a row (%s terminal), each killed at a random step with a random terminal answer (seeded): every order ends as the terminal says, charged at most once', async (transport) => {
    const seed = Number(process.env.PAYDESK_SEED ?? 11_000) + (transport === 'http' ? 1 : 0);
    const random = mulberry32(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    // 1.5 s at the terminal: long enough that an outside kill lands while the app runs, even on a busy machine.
    const t = transport === 'exec'
      ? await freshTill({ processingMs: 1_500 })
      : await freshTill({}, {
        launch: async (stateDir) => {
          const server = await spawnTerminalServer('http', stateDir, { processingMs: 1_500 });
          servers.push(server);
          return server.launch;
        },
      });
    const points = [
      'none', 'payment.after_intent', 'terminal.before_launch', 'mid_sale', 'terminal.after_answer',
      'terminal.before_journal_write', 'terminal.after_journal_write', 'after_final',
    ] as const;
    const answers = [['approve', 'paid'], ['approve', 'paid'], ['decline', 'rejected'], ['cancel', 'canceled']] as const;
    const plan: { order: string; point: string; expected: Outcome }[] = [];
    for (let i = 0; i < 20; i += 1) {
      const point = pick(points);
      const [fault, answered] = pick(answers);
      const launched = point !== 'payment.after_intent' && point !== 'terminal.before_launch';
      const expected: Outcome = launched ? answered : 'failed';
      const env: Record<string, string> = point.includes('.') ? { PAYDESK_FAILPOINT: point } : {};
      const { r, order } = sell(t, { env, fault, hold: point === 'after_final' });
      if (point === 'mid_sale') {
        await until(() => opsOf(t, order).some((o) => t.ledger.count(o.request_id).sales === 1), 30_000, `sale ${i} at the terminal`);
        r.child.kill('SIGKILL');
      } else if (point === 'after_final') {
        await r.waitFor('idle');
        r.child.kill('SIGKILL');
      }
      await r.exited;
      if (!launched) t.ledger.queueFaults([]); // nothing consumed the queued answer: drop it
      await restart(t);
      plan.push({ order, point, expected });
      const context = `${transport}, seed ${seed}, sale ${i}, kill ${point}, terminal ${fault}`;
      const row = opsOf(t, order)[0];
      expect(row?.outcome, context).toBe(expected);
      expect(atTerminal(t, order).charges, context).toBe(expected === 'paid' ? 1 : 0);
      expect(atTerminal(t, order).sales, context).toBeLessThanOrEqual(1);
    }
    for (const { order, point, expected } of plan) {
      const recovered = !['none', 'after_final', 'terminal.after_journal_write'].includes(point);
      expectSettled(t, order, expected, { recovered });
    }
    // The journal's paid total is exactly what the terminal charged.
    const paidKop = journal(t).ops.filter((o) => o.outcome === 'paid').reduce((s, o) => s + o.amount_kop, 0);
    const chargedKop = t.ledger.transactions().filter((x) => x.charged).reduce((s, x) => s + x.amountMinor, 0);
    expect(paidKop).toBe(chargedKop);
  }, 600_000);
});

// ---- a terminal that misbehaves: a clear error, never a fake success ---------------------------------

describe('terminal faults through the real core: a clear error, no fake success', () => {
  async function sellOnce(t: Till, fault?: FaultMode) {
    const { r, order } = sell(t, fault ? { fault } : {});
    const final = await r.waitFor('final');
    expect((await r.exited).code).toBe(0);
    return { order, view: final.view as ViewLike };
  }

  it('the terminal app is missing: the sale is refused before anything is journaled (terminal not ready), nothing charged', async () => {
    const t = await freshTill({}, { launch: async () => ({ mode: 'exec', executable: '/nonexistent/paydesk-terminal-app', args: [] }) });
    const { r, order } = sell(t);
    await r.waitFor('idle').catch(() => undefined);
    await r.exited;
    // The method is not ready (terminal.app_not_installed): no operation, no launch. A program that vanishes
    // after the check still fails the launch with terminal.app_missing (machine.test.ts).
    expect(r.lines.find((l) => l.event === 'refused')?.key).toBe('terminal.app_not_installed');
    expect(opsOf(t, order)).toEqual([]);
  });

  it('the terminal endpoint refuses connections: failed, nothing reached the terminal', async () => {
    const t = await freshTill({}, { launch: async () => ({ mode: 'tcp', host: '127.0.0.1', port: 9 }) });
    const { order, view } = await sellOnce(t);
    expectSettled(t, order, 'failed', { recovered: false, errorKey: 'terminal.unreachable', view });
  });

  it('garbage instead of an answer (after charging): resolved by lookup to the charge, never a second sale', async () => {
    const t = await freshTill();
    const { order, view } = await sellOnce(t, 'garbage');
    const row = expectSettled(t, order, 'paid', { recovered: false, view });
    const ex = exchanges(journal(t).events(row.id));
    expect(ex[0]).toBe('sale');
    expect(ex.slice(1)).toContain('lookup');
    const fault = journal(t).events(row.id).find((e) => e.type === 'fault' && e.endpoint === 'sale');
    expect(JSON.parse(fault?.body_json ?? '{}')).toMatchObject({ fault: 'garbage' });
  });

  it('the same answer twice: one payment, one charge', async () => {
    const t = await freshTill();
    const { order, view } = await sellOnce(t, 'double');
    const row = expectSettled(t, order, 'paid', { recovered: false, view });
    expect((JSON.parse(row.context_json) as { ctx: { duplicates: number } }).ctx.duplicates).toBe(1);
  });

  it('two differing answers: not trusted; the lookup decides (the terminal charged): paid once', async () => {
    const t = await freshTill();
    const { order, view } = await sellOnce(t, 'double_conflict');
    const row = expectSettled(t, order, 'paid', { recovered: false, view });
    expect(exchanges(journal(t).events(row.id))).toContain('lookup');
  });

  it('the terminal never answers: timed out, the lookup finds the aborted transaction: not paid, nothing charged', async () => {
    const t = await freshTill({}, { timing: { saleTimeoutMs: 1_500 } });
    const { order, view } = await sellOnce(t, 'hang');
    expectSettled(t, order, 'canceled', { recovered: false, errorKey: 'terminal.aborted', view });
  });

  it('the terminal app crashes before charging: not paid, nothing charged', async () => {
    const t = await freshTill();
    const { order, view } = await sellOnce(t, 'crash_before_charge');
    expectSettled(t, order, 'canceled', { recovered: false, errorKey: 'terminal.aborted', view });
  });

  it('the terminal charges another amount: never "paid"; the administrator is called', async () => {
    const t = await freshTill();
    const { r, order } = sell(t, { fault: 'wrong_amount' });
    const final = await r.waitFor('final');
    const view = final.view as ViewLike;
    const row = opsOf(t, order)[0] as OpRow;
    expect(row).toMatchObject({ is_final: 1, outcome: 'failed', phase: 'mismatch', error_key: 'terminal.integrity_mismatch' });
    expect(view.outcome).not.toBe('paid');
    expect(view.error?.ru).toBe(CATALOGUE['terminal.integrity_mismatch'].ru);
    expect(t.ledger.count(row.request_id)).toEqual({ sales: 1, charges: 1 }); // the money the admin must return
  });

  it('the terminal replays the previous sale\'s approval (same amount, another id): never taken as this sale\'s success', async () => {
    const t = await freshTill();
    const first = await sellOnce(t);
    expectSettled(t, first.order, 'paid', { recovered: false, view: first.view });
    const { order, view } = await sellOnce(t, 'stale');
    const row = expectSettled(t, order, 'canceled', { recovered: false, errorKey: 'terminal.aborted', view });
    const fault = journal(t).events(row.id).find((e) => e.type === 'fault' && e.endpoint === 'sale');
    expect(JSON.parse(fault?.body_json ?? '{}')).toMatchObject({ fault: 'garbage', detail: 'answer for another operation' });
    expect(atTerminal(t, first.order)).toEqual({ sales: 1, charges: 1 });
  });

  it('a vendor app that speaks CP1251, the till configured so: paid once, the Russian slip text intact', async () => {
    const t = await freshTill({ encoding: 'windows-1251' }, { encoding: 'windows-1251' });
    const { order, view } = await sellOnce(t);
    const row = expectSettled(t, order, 'paid', { recovered: false, view });
    const slip = readTerminalSlip(journal(t).slip(row.id)?.raw_json ?? '');
    expect(slip.ok && slip.slip.transaction.slip).toContain('ОДОБРЕНО');
  });

  it('the terminal writes the currency as a number (643): read as RUB, paid once', async () => {
    const t = await freshTill();
    const { order, view } = await sellOnce(t, 'numeric_currency');
    expectSettled(t, order, 'paid', { recovered: false, view });
  });
});

/** A small seeded PRNG: the same seed replays the same twenty sales (PAYDESK_SEED to vary it). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}
