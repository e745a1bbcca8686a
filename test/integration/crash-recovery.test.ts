// Crash recovery, for real: a till process is SIGKILLed at each step of a payment and of a refund,
// then restarted on the same SQLite file. Nothing may stay unknown and no money may move twice.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { card, orderId, tempDir, writeTillConfig } from '../support/till';
import { spawnChild, type ChildEvents } from '../support/child-events';

const CHILD = path.join(__dirname, '..', 'support', 'till-process.ts');
let emulator: KoshelekEmulator;

beforeAll(async () => {
  emulator = await startKoshelekEmulator({ confirmDelayMs: 600 });
});
afterAll(async () => {
  await emulator.close();
});

function run(dataDir: string, configFile: string, args: string[], env: Record<string, string> = {}): ChildEvents {
  return spawnChild(CHILD, ['--data', dataDir, '--config', configFile, ...args], { env });
}

async function until(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting for the step');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Runs `start` with the emulator confirming payments 8 s after their checkout (the delay is fixed per
 * transaction at create), restored once the emulator answered the child's checkout.
 */
async function slowConfirm<T>(start: () => Promise<T>): Promise<T> {
  const answered = () => emulator.received.filter((r) => r.endpoint === 'checkout' && r.responseStatus !== undefined).length;
  const before = answered();
  emulator.setOptions({ confirmDelayMs: 8_000 });
  try {
    const started = await start();
    await until(() => answered() > before, 30_000); // answered = its transaction exists with the slow delay
    return started;
  } finally {
    emulator.setOptions({ confirmDelayMs: 600 });
  }
}

function freshTill(timing: Record<string, number> = {}) {
  const dataDir = tempDir('paydesk-crash-');
  const configFile = writeTillConfig({ emulator, dataDir, timing: { finalStatusTimeoutMs: 20_000, ...timing } });
  return { dataDir, configFile };
}

function journal(dataDir: string) {
  const db = new Database(path.join(dataDir, 'journal.db'), { readonly: true });
  try {
    return {
      open: (db.prepare('SELECT COUNT(*) AS n FROM operations WHERE is_final = 0').get() as { n: number }).n,
      ops: db.prepare('SELECT id, kind, phase, outcome, request_id, transaction_id, recovered FROM operations ORDER BY created_at').all() as { id: string; kind: string; phase: string; outcome: string | null; request_id: string; transaction_id: string | null; recovered: number }[],
      events: ((all) => (id: string) => all.filter((e) => e.operation_id === id))(
        db.prepare('SELECT operation_id, type, body_json FROM operation_events ORDER BY seq').all() as { operation_id: string; type: string; body_json: string | null }[]),
    };
  } finally {
    db.close();
  }
}

async function restartUntilIdle(t: { dataDir: string; configFile: string }) {
  const again = run(t.dataDir, t.configFile, ['--do', 'resume']);
  const idle = await again.waitFor('idle');
  await again.exited;
  return idle;
}

const requestsFor = (endpoint: string, requestId: string) => emulator.received.filter((r) => r.endpoint === endpoint && r.requestId === requestId);

async function payInChild(t: { dataDir: string; configFile: string }, scenario = 'OK', env: Record<string, string> = {}, extra: string[] = []) {
  const c = card(scenario);
  const order = orderId();
  const child = run(t.dataDir, t.configFile, ['--do', 'pay', '--order', order, '--loyalty', c.loyaltyId, '--session', c.cardSession, '--amount', '12300', ...extra], env);
  return { child, order, c };
}


/**
 * A sale whose till SIGKILLs itself the instant its checkout is wholly handed to the OS (PAYDESK_KILL_ON_WIRE,
 * test/support/till-process.ts), then the emulator's truth before any restart: the checkout arrived whole and
 * was charged, while the journal still holds the intent with no transaction (its answer never processed).
 */
async function killedWithCheckoutOnWire(t: { dataDir: string; configFile: string }, extra: string[] = []) {
  const transactionsBefore = emulator.stats().transactions;
  const { child, c } = await payInChild(t, 'OK', { PAYDESK_KILL_ON_WIRE: 'checkout' }, extra);
  const onWire = await child.waitFor('on_wire');
  const exit = await child.exited;
  expect(exit.signal).toBe('SIGKILL');
  expect(onWire.bytesWritten).toBeGreaterThan(0); // the kill came after the request's bytes left the process
  const before = journal(t.dataDir);
  expect(before.ops).toHaveLength(1);
  expect(before.ops[0]).toMatchObject({ phase: 'checkout_pending', transaction_id: null, outcome: null });
  const requestId = before.ops[0]?.request_id ?? '';
  // The window this step claims: the whole checkout reached the emulator and was answered there (to nobody).
  await until(() => requestsFor('checkout', requestId).some((r) => r.responseStatus !== undefined));
  const arrived = requestsFor('checkout', requestId);
  expect(arrived).toHaveLength(1);
  expect(arrived[0]).toMatchObject({ responseStatus: 200, body: expect.objectContaining({ cardSession: c.cardSession }) });
  expect(emulator.stats().transactions).toBe(transactionsBefore + 1); // charged before the till came back
  return { c, onWire, exit, requestId, transactionsBefore };
}

/** After recovery: one final paid operation with the same requestId, its slip stored, one transaction at the emulator. */
function expectPaidOnce(t: { dataDir: string }, o: { c: { cardSession: string }; requestId: string; transactionsBefore: number }) {
  const after = journal(t.dataDir);
  expect(after.open).toBe(0);
  expect(after.ops).toHaveLength(1);
  expect(after.ops[0]).toMatchObject({ outcome: 'paid', recovered: 1, request_id: o.requestId });
  const transactionId = after.ops[0]?.transaction_id ?? '';
  expect(emulator.transaction(transactionId)).toMatchObject({ status: 'accepted', cardSession: o.c.cardSession });
  expect(emulator.stats().transactions).toBe(o.transactionsBefore + 1);
  // Every checkout for this card session (the original on the wire and the recovery's replays) carries one requestId.
  const bySession = emulator.received.filter((r) => r.endpoint === 'checkout' && (r.body as { cardSession?: string }).cardSession === o.c.cardSession);
  expect(new Set(bySession.map((r) => r.requestId))).toEqual(new Set([o.requestId]));
  const db = new Database(path.join(t.dataDir, 'journal.db'), { readonly: true });
  try {
    const slips = db.prepare('SELECT payment_transaction_id, total_amount_kop FROM slips WHERE operation_id = ?').all(after.ops[0]?.id ?? '');
    expect(slips).toEqual([{ payment_transaction_id: transactionId, total_amount_kop: 12300 }]);
  } finally {
    db.close();
  }
  return after;
}

describe('payment: SIGKILL at each step, then restart', () => {
  it('after the intent is committed, before checkout leaves', async () => {
    const t = freshTill();
    const { child } = await payInChild(t, 'OK', { PAYDESK_FAILPOINT: 'payment.after_intent' });
    expect((await child.exited).signal).toBe('SIGKILL');
    const before = journal(t.dataDir);
    expect(before.ops[0]?.phase).toBe('checkout_pending');
    expect(requestsFor('checkout', before.ops[0]?.request_id ?? '')).toHaveLength(0);
    await restartUntilIdle(t);
    const after = journal(t.dataDir);
    expect(after.open).toBe(0);
    expect(after.ops[0]).toMatchObject({ outcome: 'paid', recovered: 1 });
    expect(requestsFor('checkout', after.ops[0]?.request_id ?? '')).toHaveLength(1);
    // The intent event rides on the operation's next commit; killed before that, recovery writes it, marked rebuilt.
    expect(before.events(before.ops[0]?.id ?? '')).toEqual([]);
    const events = after.events(after.ops[0]?.id ?? '');
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(['intent', 'recovered']);
    expect(JSON.parse(events[0]?.body_json ?? '{}')).toMatchObject({ reconstructed: true, amountKop: 12300 });
  });

  /**
   * Killed at payment.after_send, then restarted: the checkout was handed to the transport before the kill, its
   * bytes not yet written (Node writes a request once its socket is assigned, a tick later; warm or cold). At
   * most one copy may reach the emulator; the recovery's replay carries the same requestId.
   */
  async function killedAfterSendThenRecovered(t: ReturnType<typeof freshTill>, extra: string[] = []) {
    const transactionsBefore = emulator.stats().transactions;
    const { child, c } = await payInChild(t, 'OK', { PAYDESK_FAILPOINT: 'payment.after_send' }, extra);
    const exit = await child.exited;
    expect(exit.signal).toBe('SIGKILL');
    const before = journal(t.dataDir);
    expect(before.ops).toHaveLength(1);
    expect(before.ops[0]?.phase).toBe('checkout_pending');
    const requestId = before.ops[0]?.request_id ?? '';
    await new Promise((r) => setTimeout(r, 300)); // whatever left before the kill reaches the emulator meanwhile
    expect(requestsFor('checkout', requestId).length).toBeLessThanOrEqual(1);
    await restartUntilIdle(t);
    const after = journal(t.dataDir);
    expect(after.open).toBe(0);
    expect(after.ops).toHaveLength(1);
    expect(after.ops[0]).toMatchObject({ outcome: 'paid', recovered: 1, request_id: requestId });
    expect(emulator.transaction(after.ops[0]?.transaction_id ?? '')?.status).toBe('accepted');
    expect(emulator.stats().transactions).toBe(transactionsBefore + 1);
    return { c, exit, requestId };
  }

  it('right after the checkout is handed to the transport, before the log line and the view', async () => {
    const { c, requestId } = await killedAfterSendThenRecovered(freshTill());
    // Recovery repeated the checkout with the same requestId: one transaction for this card session, not two.
    const checkouts = requestsFor('checkout', requestId);
    expect(checkouts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(checkouts.map((r) => (r.body as { cardSession?: string }).cardSession))).toEqual(new Set([c.cardSession]));
  });

  it('the same step on a warm kept-alive connection (keepAliveRefreshMs on, as a till that has been up a while): one transaction, same requestId after recovery', async () => {
    const { c, exit, requestId } = await killedAfterSendThenRecovered(freshTill({ keepAliveRefreshMs: 60_000 }), ['--warm']);
    expect(exit.lines.find((l) => l.event === 'warm')).toMatchObject({ warm: true }); // the sale went out on a pooled socket
    const bySession = emulator.received.filter((r) => r.endpoint === 'checkout' && (r.body as { cardSession?: string }).cardSession === c.cardSession);
    expect(bySession.length).toBeGreaterThanOrEqual(1);
    expect(new Set(bySession.map((r) => r.requestId))).toEqual(new Set([requestId]));
  });

  it('with the checkout on the wire (every byte handed to the OS, no answer read), cold connection: charged once, same requestId, paid with its slip after restart', async () => {
    const t = freshTill();
    const killed = await killedWithCheckoutOnWire(t);
    expect(killed.onWire).toMatchObject({ endpoint: 'checkout', reusedSocket: false });
    await restartUntilIdle(t);
    expectPaidOnce(t, killed);
  });

  it('with the checkout on the wire on a warm kept-alive connection: charged once, same requestId, paid with its slip after restart', async () => {
    const t = freshTill({ keepAliveRefreshMs: 60_000 });
    const killed = await killedWithCheckoutOnWire(t, ['--warm']);
    expect(killed.exit.lines.find((l) => l.event === 'warm')).toMatchObject({ warm: true });
    expect(killed.onWire).toMatchObject({ endpoint: 'checkout', reusedSocket: true }); // it went out on the pooled socket
    await restartUntilIdle(t);
    expectPaidOnce(t, killed);
  });

  it('with the checkout on the wire, then again with the recovery\'s first status request on the wire: charged once, paid after the second restart', async () => {
    const t = freshTill();
    const killed = await killedWithCheckoutOnWire(t);
    const statusesBefore = emulator.received.filter((r) => r.endpoint === 'status').length;
    const recovering = run(t.dataDir, t.configFile, ['--do', 'resume'], { PAYDESK_KILL_ON_WIRE: 'status' });
    expect(await recovering.waitFor('on_wire')).toMatchObject({ endpoint: 'status' });
    expect((await recovering.exited).signal).toBe('SIGKILL');
    const mid = journal(t.dataDir);
    expect(mid.ops).toHaveLength(1);
    expect(mid.ops[0]).toMatchObject({ request_id: killed.requestId, outcome: null });
    const transactionId = mid.ops[0]?.transaction_id ?? '';
    expect(transactionId).not.toBe(''); // the replayed checkout's answer was committed before the status left
    // That status request reached the emulator whole, for this payment's transaction.
    await until(() => emulator.received.filter((r) => r.endpoint === 'status').slice(statusesBefore).some((r) => (r.body as { transactionId?: string }).transactionId === transactionId && r.responseStatus !== undefined));
    expect(emulator.stats().transactions).toBe(killed.transactionsBefore + 1);
    await restartUntilIdle(t);
    const after = expectPaidOnce(t, killed);
    expect(after.ops[0]?.transaction_id).toBe(transactionId);
  });

  it('while checkout is in flight (sent, not answered)', async () => {
    const t = freshTill();
    const c = card('OK');
    emulator.injectFault({ endpoint: 'checkout', kind: 'delay', delayMs: 800, match: { cardSession: c.cardSession } });
    const order = orderId();
    const child = run(t.dataDir, t.configFile, ['--do', 'pay', '--order', order, '--loyalty', c.loyaltyId, '--session', c.cardSession, '--amount', '12300']);
    await until(() => emulator.received.some((r) => r.endpoint === 'checkout' && (r.body as { cardSession?: string }).cardSession === c.cardSession));
    child.child.kill('SIGKILL');
    await child.exited;
    await new Promise((r) => setTimeout(r, 900)); // the emulator processes the orphaned request meanwhile
    await restartUntilIdle(t);
    const after = journal(t.dataDir);
    expect(after.ops[0]?.outcome).toBe('paid');
    const checkouts = requestsFor('checkout', after.ops[0]?.request_id ?? '');
    expect(checkouts.length).toBe(2); // the original and the replay after restart: same requestId
    expect(emulator.stats().transactions).toBeGreaterThan(0);
    expect(emulator.transaction(after.ops[0]?.transaction_id ?? '')?.status).toBe('accepted');
  });

  it('while waiting for the customer (status polling)', async () => {
    const t = freshTill();
    const { child } = await slowConfirm(() => payInChild(t, 'OK')); // the kill must land while it waits
    const started = await child.waitFor('started');
    await until(() => emulator.received.some((r) => r.endpoint === 'status' && journal(t.dataDir).ops[0]?.transaction_id === (r.body as { transactionId?: string }).transactionId));
    child.child.kill('SIGKILL');
    await child.exited;
    expect(journal(t.dataDir).ops[0]?.phase).toBe('awaiting_status');
    await restartUntilIdle(t);
    const after = journal(t.dataDir);
    expect(after.ops[0]).toMatchObject({ id: started.id, outcome: 'paid', recovered: 1 });
    expect(requestsFor('checkout', after.ops[0]?.request_id ?? '')).toHaveLength(1);
  });

  it('while the automatic cancel is in flight', async () => {
    const t = freshTill({ finalStatusTimeoutMs: 1_000 });
    const c = card('SL');
    emulator.injectFault({ endpoint: 'cancel', kind: 'delay', delayMs: 700, match: { cardSession: c.cardSession } });
    const child = run(t.dataDir, t.configFile, ['--do', 'pay', '--order', orderId(), '--loyalty', c.loyaltyId, '--session', c.cardSession, '--amount', '12300']);
    await until(() => emulator.received.some((r) => r.endpoint === 'cancel' && emulator.transaction((r.body as { transactionId: string }).transactionId)?.cardSession === c.cardSession));
    child.child.kill('SIGKILL');
    await child.exited;
    await new Promise((r) => setTimeout(r, 800));
    await restartUntilIdle(t);
    const after = journal(t.dataDir);
    const payment = after.ops.find((o) => o.kind === 'payment');
    const cancel = after.ops.find((o) => o.kind === 'cancel');
    expect(payment?.outcome).toBe('canceled');
    expect(cancel?.outcome).toBe('canceled');
    expect(requestsFor('cancel', cancel?.request_id ?? '').length).toBe(2); // replayed with the same requestId
    expect(emulator.transaction(payment?.transaction_id ?? '')?.status).toBe('canceled');
  });

  it('killed while waiting, restarted with the vault closed (no password), then with it: held untouched, then paid', async () => {
    const t = freshTill();
    const { child } = await slowConfirm(() => payInChild(t, 'OK')); // the kill must land while it waits
    const started = await child.waitFor('started');
    await until(() => journal(t.dataDir).ops[0]?.phase === 'awaiting_status');
    child.child.kill('SIGKILL');
    await child.exited;
    const sentBefore = emulator.received.length;
    // The vault did not open: the password is missing. Never the emulator, never "canceled": held as it is.
    writeTillConfig({ emulator, dataDir: t.dataDir, timing: { finalStatusTimeoutMs: 20_000 }, koshelek: { password: '' } });
    const blocked = await restartUntilIdle(t);
    expect(blocked.open).toMatchObject({ n: 1 });
    const held = journal(t.dataDir).ops[0];
    expect(held).toMatchObject({ id: started.id, phase: 'awaiting_status', outcome: null });
    expect(emulator.received.slice(sentBefore).filter((r) => r.endpoint !== 'unknown')).toHaveLength(0);
    // The vault opens again: the same connection, resumed there and finished by its truth.
    writeTillConfig({ emulator, dataDir: t.dataDir, timing: { finalStatusTimeoutMs: 20_000 } });
    await restartUntilIdle(t);
    const after = journal(t.dataDir).ops[0];
    expect(after).toMatchObject({ id: started.id, outcome: 'paid', recovered: 1 });
    expect(emulator.transaction(after?.transaction_id ?? '')?.status).toBe('accepted');
    expect(requestsFor('checkout', after?.request_id ?? '')).toHaveLength(1);
  });

  it('killed while waiting; its saved state then reads as a newer version: held untouched; back as the previous release wrote it (unversioned): resumed, paid once', async () => {
    const t = freshTill();
    // the customer confirms after 8 s (fixed at create): the kill must land while the till waits, which a
    // 600 ms window does not guarantee on a loaded 2-core box
    const { child } = await slowConfirm(() => payInChild(t, 'OK'));
    const started = await child.waitFor('started');
    await until(() => journal(t.dataDir).ops[0]?.phase === 'awaiting_status');
    child.child.kill('SIGKILL');
    await child.exited;
    const rewrite = (change: (state: Record<string, unknown>) => Record<string, unknown>) => {
      const db = new Database(path.join(t.dataDir, 'journal.db'));
      try {
        const row = db.prepare('SELECT context_json FROM operations WHERE id = ?').get(String(started.id)) as { context_json: string };
        db.prepare('UPDATE operations SET context_json = ? WHERE id = ?').run(JSON.stringify(change(JSON.parse(row.context_json) as Record<string, unknown>)), String(started.id));
      } finally {
        db.close();
      }
    };
    rewrite((state) => ({ ...state, v: 99 }));
    const sentBefore = emulator.received.length;
    const held = await restartUntilIdle(t);
    expect(held.open).toMatchObject({ n: 1 });
    expect(journal(t.dataDir).ops[0]).toMatchObject({ id: started.id, phase: 'awaiting_status', outcome: null });
    expect(journal(t.dataDir).events(String(started.id)).some((e) => e.type === 'note' && (e.body_json ?? '').includes('state_unreadable'))).toBe(true);
    expect(emulator.received.slice(sentBefore).filter((r) => r.endpoint !== 'unknown')).toHaveLength(0);
    rewrite(({ v: _v, ...state }) => state);
    await restartUntilIdle(t);
    const after = journal(t.dataDir).ops[0];
    expect(after).toMatchObject({ id: started.id, outcome: 'paid', recovered: 1 });
    expect(requestsFor('checkout', after?.request_id ?? '')).toHaveLength(1);
  });

  it('a parked payment killed while waiting is resumed, still parked, and flagged when it ends paid', async () => {
    const t = freshTill();
    const c = card('OK');
    // as above: the customer confirms late enough that the kill lands while the parked payment waits
    const child = await slowConfirm(async () => run(t.dataDir, t.configFile, ['--do', 'pay', '--order', orderId(), '--loyalty', c.loyaltyId, '--session', c.cardSession, '--amount', '12300', '--park']));
    const parked = await child.waitFor('parked');
    await until(() => {
      const db = new Database(path.join(t.dataDir, 'journal.db'), { readonly: true });
      try {
        const row = db.prepare('SELECT context_json FROM operations WHERE id = ?').get(String(parked.id)) as { context_json: string } | undefined;
        return row !== undefined && (JSON.parse(row.context_json) as { ctx: { parkedAt?: number } }).ctx.parkedAt !== undefined;
      } finally {
        db.close();
      }
    });
    child.child.kill('SIGKILL');
    await child.exited;
    const idle = await restartUntilIdle(t);
    expect(idle.open).toMatchObject({ n: 0 });
    const after = journal(t.dataDir).ops.find((o) => o.id === parked.id);
    expect(after).toMatchObject({ outcome: 'paid' });
    const db = new Database(path.join(t.dataDir, 'journal.db'), { readonly: true });
    const ctx = (JSON.parse((db.prepare('SELECT context_json FROM operations WHERE id = ?').get(String(parked.id)) as { context_json: string }).context_json) as { ctx: { parkedAt?: number } }).ctx;
    db.close();
    expect(ctx.parkedAt).toBeTypeOf('number'); // still parked: the view flags "ended paid after the customer left"
    const again = run(t.dataDir, t.configFile, ['--do', 'resume']);
    await again.waitFor('idle');
    await again.exited;
    expect(requestsFor('checkout', after?.request_id ?? '')).toHaveLength(1);
  });

  it('killed while waiting for the customer, restarted after IT switched the environment: the payment is held (never sent to the other server), a new sale is refused; switched back, it resolves once', async () => {
    const t = freshTill();
    const { child } = await slowConfirm(() => payInChild(t, 'OK')); // the kill must land while it waits
    const started = await child.waitFor('started');
    await until(() => emulator.received.some((r) => r.endpoint === 'status' && journal(t.dataDir).ops[0]?.transaction_id === (r.body as { transactionId?: string }).transactionId));
    child.child.kill('SIGKILL');
    await child.exited;
    // The shift was opened in «test»; IT points the till at production (the same emulator stands in for it).
    const config = JSON.parse(fs.readFileSync(t.configFile, 'utf8')) as { koshelek: { environment: string; baseUrls: Record<string, string> } };
    config.koshelek.environment = 'production';
    config.koshelek.baseUrls.production = emulator.baseUrl;
    const original = fs.readFileSync(t.configFile, 'utf8');
    fs.writeFileSync(t.configFile, JSON.stringify(config, null, 2));
    fs.chmodSync(t.configFile, 0o600); // production refuses a config others can read (docs/safety.md)
    const sentBefore = emulator.received.length;
    await restartUntilIdle(t);
    const held = journal(t.dataDir);
    expect(held.ops).toHaveLength(1);
    expect(held.ops[0]).toMatchObject({ id: started.id, outcome: null });
    expect(emulator.received.slice(sentBefore).filter((r) => r.endpoint !== 'unknown')).toHaveLength(0);
    // A new sale in the still-open shift is refused before anything is written or sent.
    const next = await payInChild(t, 'OK');
    expect((await next.child.exited).code).not.toBe(0);
    expect(journal(t.dataDir).ops).toHaveLength(1);
    expect(emulator.received.some((r) => r.endpoint === 'checkout' && (r.body as { cardSession?: string }).cardSession === next.c.cardSession)).toBe(false);
    // IT puts the original connection back: the held payment resumes there and resolves once.
    fs.writeFileSync(t.configFile, original);
    await restartUntilIdle(t);
    const after = journal(t.dataDir);
    expect(after.ops[0]).toMatchObject({ id: started.id, outcome: 'paid', recovered: 1 });
    expect(requestsFor('checkout', after.ops[0]?.request_id ?? '')).toHaveLength(1);
  });

  it('after the payment is final: nothing to resume, nothing sent again', async () => {
    const t = freshTill();
    const { child } = await payInChild(t, 'OK');
    await child.waitFor('idle');
    await child.exited;
    const before = emulator.received.length;
    const idle = await restartUntilIdle(t);
    expect(idle.open).toMatchObject({ n: 0 });
    expect(emulator.received.filter((r, i) => i >= before && r.endpoint !== 'unknown')).toHaveLength(0);
  });
});

describe('refund: SIGKILL at each step, then restart', () => {
  async function paid(scenario = 'OK') {
    const t = freshTill();
    const { child } = await payInChild(t, scenario);
    const idle = await child.waitFor('idle');
    await child.exited;
    expect((idle.view as { outcome: string }).outcome).toBe('paid');
    return { t, paymentId: String(idle.id), transactionId: String((idle.view as { transactionId: string }).transactionId) };
  }

  it('after the refund intent is committed, before it leaves', async () => {
    const { t, paymentId, transactionId } = await paid();
    const child = run(t.dataDir, t.configFile, ['--do', 'refund', '--payment', paymentId, '--amount', '2000'], { PAYDESK_FAILPOINT: 'refund.after_intent' });
    expect((await child.exited).signal).toBe('SIGKILL');
    expect(emulator.transaction(transactionId)?.refunded).toBe(0);
    await restartUntilIdle(t);
    const refund = journal(t.dataDir).ops.find((o) => o.kind === 'refund');
    expect(refund?.outcome).toBe('refunded');
    expect(emulator.transaction(transactionId)?.refunded).toBe(2000);
  });

  it('while the refund is in flight: replayed with the same requestId, money returned once', async () => {
    const { t, paymentId, transactionId } = await paid();
    emulator.injectFault({ endpoint: 'refund', kind: 'delay', delayMs: 700, match: { requestId: undefined } });
    const child = run(t.dataDir, t.configFile, ['--do', 'refund', '--payment', paymentId, '--amount', '3000']);
    await until(() => emulator.received.some((r) => r.endpoint === 'refund' && (r.body as { transactionId: string }).transactionId === transactionId));
    child.child.kill('SIGKILL');
    await child.exited;
    await new Promise((r) => setTimeout(r, 800));
    await restartUntilIdle(t);
    const refund = journal(t.dataDir).ops.find((o) => o.kind === 'refund');
    expect(refund?.outcome).toBe('refunded');
    expect(requestsFor('refund', refund?.request_id ?? '').length).toBe(2);
    expect(emulator.transaction(transactionId)?.refunded).toBe(3000);
  });

  it('while an asynchronous refund is being followed by status', async () => {
    const { t, paymentId, transactionId } = await paid('RN');
    const child = run(t.dataDir, t.configFile, ['--do', 'refund', '--payment', paymentId, '--amount', '1500']);
    await until(() => emulator.received.some((r) => r.endpoint === 'status' && (r.body as { transactionId?: string; refTransactionId?: string }).transactionId === transactionId && Boolean((r.body as { refTransactionId?: string }).refTransactionId)));
    child.child.kill('SIGKILL');
    await child.exited;
    expect(journal(t.dataDir).ops.find((o) => o.kind === 'refund')?.phase).toBe('awaiting_refund_status');
    await restartUntilIdle(t);
    expect(journal(t.dataDir).ops.find((o) => o.kind === 'refund')?.outcome).toBe('refunded');
    expect(emulator.transaction(transactionId)?.refunded).toBe(1500);
  });
});
