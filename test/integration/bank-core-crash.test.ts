// Tochka payments and refunds under kill -9 through the REAL core (config file, registry, composition root,
// checkout, journal on disk): a till process is SIGKILLed at each step — after the intent, before and after
// the create, once the QR is journaled, after the poll saw the payment, around a refund's send — then
// started again on the same data folder. The emulated bank must show one link and one charge (one refund)
// per operation, and the journal one final, correct row with its slip.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { HalykEmulator } from '../../emulators/halyk';
import { TochkaEmulator } from '../../emulators/tochka';
import { invoiceIdFor } from '../../main/payapi/halyk/adapter';
import { orderId, tempDir, writeTillConfig } from '../support/till';
import { spawnChild, type ChildEvents } from '../support/child-events';

const CHILD = path.join(__dirname, '..', 'support', 'bank-core-process.ts');

let koshelek: KoshelekEmulator;
let bank: TochkaEmulator;
let kz: HalykEmulator;
let kzCustomer: NodeJS.Timeout | null = null;
beforeAll(async () => {
  koshelek = await startKoshelekEmulator({ confirmDelayMs: 150 });
  // The customer pays every link 400 ms after it was made (a phone scanning the QR).
  bank = new TochkaEmulator({ autoPayAfterMs: 400, holdMs: 1_500 });
  await bank.start();
  // Halyk's emulator has no auto-payer: the same customer pays every new invoice about 400 ms after it
  // appears at the bank, shown or not (harsher than a phone that only scans a QR on screen).
  kz = new HalykEmulator();
  await kz.start();
  const seen = new Map<string, number>();
  kzCustomer = setInterval(() => {
    for (const inv of kz.invoices.values()) {
      if (inv.status !== 'NEW') continue;
      const first = seen.get(inv.invoiceId) ?? Date.now();
      seen.set(inv.invoiceId, first);
      if (Date.now() - first >= 400) kz.pay(inv.invoiceId);
    }
  }, 50);
});
afterAll(async () => {
  if (kzCustomer) clearInterval(kzCustomer);
  await kz.stop();
  await bank.stop();
  await koshelek.close();
});

interface Till { dataDir: string; configFile: string }

function freshTill(): Till {
  const dataDir = tempDir('paydesk-bank-core-crash-');
  const configFile = writeTillConfig({
    emulator: koshelek, dataDir,
    extra: {
      providers: ['koshelek', 'tochka'],
      tochka: { enabled: true, baseUrl: bank.url, token: 'test.jwt.token', customerCode: '300000092', merchantId: '200000000001056', timing: { requestTimeoutMs: 1_000, pollScheduleMs: [100, 100, 200] } },
    },
  });
  return { dataDir, configFile };
}

/** A till selling foreign cards through Halyk ePay (KZT), its API the emulator's. */
function freshHalykTill(): Till {
  const dataDir = tempDir('paydesk-halyk-core-crash-');
  const configFile = writeTillConfig({
    emulator: koshelek, dataDir,
    extra: {
      providers: ['koshelek', 'halyk'],
      halyk: {
        enabled: true, oauthUrl: kz.url, apiUrl: kz.url, clientId: 'test', clientSecret: 'secret', terminalId: 'terminal-1', shopId: 'shop-1',
        timing: { requestTimeoutMs: 1_000, pollScheduleMs: [100, 100, 200] },
      },
    },
  });
  return { dataDir, configFile };
}

function run(t: Till, args: string[], env: Record<string, string> = {}): ChildEvents {
  return spawnChild(CHILD, ['--data', t.dataDir, '--config', t.configFile, ...args], { env });
}

interface OpRow { id: string; kind: string; phase: string; outcome: string | null; is_final: number; request_id: string; transaction_id: string | null; recovered: number; attempts: number; error_key: string | null; amount_kop: number; payment_type: string | null; parent_id: string | null; order_id: string }

function journal(t: Till) {
  const db = new Database(path.join(t.dataDir, 'journal.db'), { readonly: true });
  try {
    const ops = db.prepare('SELECT * FROM operations ORDER BY created_at').all() as OpRow[];
    const events = new Map(ops.map((o) => [o.id, (db.prepare('SELECT type FROM operation_events WHERE operation_id = ? ORDER BY seq').all(o.id) as { type: string }[]).map((e) => e.type)]));
    const slips = new Map((db.prepare('SELECT operation_id, refs_json FROM slips').all() as { operation_id: string; refs_json: string }[]).map((s) => [s.operation_id, JSON.parse(s.refs_json) as Record<string, string>]));
    return { ops, events: (id: string) => events.get(id) ?? [], slip: (id: string) => slips.get(id) ?? null };
  } finally {
    db.close();
  }
}

async function restart(t: Till): Promise<Record<string, unknown>> {
  const again = run(t, ['--do', 'resume']);
  const idle = await again.waitFor('idle');
  expect((await again.exited).code).toBe(0);
  return idle;
}

async function until(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting for the step');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const linksFor = (ref: string) => bank.creates.filter((c) => c.paymentLinkId === ref).length;
const refundsAt = (ref: string) => bank.byLinkId(ref)?.Order.filter((o) => o.type === 'refund').map((o) => o.amount) ?? [];

/** Pays through a core process; the kill (a failpoint) may come before the process says which operation it made. */
async function pay(t: Till, env: Record<string, string> = {}, order = orderId(), method = 'sbp'): Promise<{ r: ChildEvents; op: () => OpRow }> {
  const r = run(t, ['--do', 'pay', '--order', order, '--amount', '12345', '--method', method], env);
  return { r, op: () => {
    const row = journal(t).ops.filter((o) => o.kind === 'payment' && o.order_id === order).at(-1); // a retried order: its latest
    if (!row) throw new Error('payment not journaled');
    return row;
  } };
}

/** The one correct end: one link, one charge, one final paid row (the tender's method), its slip naming the bank operation. */
function expectPaidOnce(t: Till, row: OpRow, recovered: boolean) {
  const ref = row.request_id;
  expect(linksFor(ref)).toBe(1);
  expect(bank.charges(ref)).toBe(1);
  const now = journal(t).ops.find((o) => o.id === row.id);
  expect(now).toMatchObject({ phase: 'paid', outcome: 'paid', is_final: 1, payment_type: 'sbp', amount_kop: 12_345, transaction_id: bank.byLinkId(ref)?.operationId, recovered: recovered ? 1 : 0 });
  expect(journal(t).slip(row.id)).toEqual({ operationId: bank.byLinkId(ref)?.operationId, paymentLinkId: ref, paymentType: 'sbp' });
  if (recovered) expect(journal(t).events(row.id)).toContain('recovered');
  expect(journal(t).ops.filter((o) => o.is_final === 0)).toHaveLength(0);
}

describe('Tochka through the real core: SIGKILL at each step, then restart', () => {
  it('no kill: paid once, not recovered', async () => {
    const t = freshTill();
    const { r, op } = await pay(t);
    await r.waitFor('idle');
    expect((await r.exited).code).toBe(0);
    expectPaidOnce(t, op(), false);
  });

  it.each(['payment.after_intent', 'bank.before_create'])('%s: the intent is journaled, nothing sent; the restart finds nothing, fails it; no link', async (point) => {
    const t = freshTill();
    const { r, op } = await pay(t, { PAYDESK_FAILPOINT: point });
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(op()).toMatchObject({ phase: 'creating', is_final: 0 });
    expect(await restart(t)).toMatchObject({ open: { n: 0 } });
    expect(linksFor(op().request_id)).toBe(0); // recovery never creates
    expect(op()).toMatchObject({ phase: 'failed', outcome: 'failed', error_key: 'bank.not_created', recovered: 1, attempts: 0 });
  });

  // payment.after_send: the checkout handed the create to the transport and died before its log line and view.
  // On this process's first (cold) request the connect has not finished, so nothing reaches the bank; a warm
  // socket would have carried it. Either way the restart reads the bank by our reference and ends as it says.
  // Twice: the cashier's retry of the same order is killed at the same step again; a third press pays once.
  it.each([1, 2])('payment.after_send (%i time(s) in a row, the order retried after each restart): ends as the bank says, never a second link; the order paid once', async (kills) => {
    const t = freshTill();
    const order = orderId();
    const rows: OpRow[] = [];
    for (let i = 0; i < kills; i += 1) {
      const { r, op } = await pay(t, { PAYDESK_FAILPOINT: 'payment.after_send' }, order);
      expect((await r.exited).signal).toBe('SIGKILL');
      const killed = op();
      expect(rows.map((x) => x.id)).not.toContain(killed.id); // a new intent: the previous one ended failed
      expect(killed).toMatchObject({ phase: 'creating', is_final: 0 });
      expect(await restart(t)).toMatchObject({ open: { n: 0 } });
      rows.push(killed);
      if (linksFor(killed.request_id) === 0) {
        // Never reached the bank: failed as "not created", nothing to pay, the order free for a retry.
        expect(bank.charges(killed.request_id)).toBe(0);
        expect(journal(t).ops.find((o) => o.id === killed.id)).toMatchObject({ phase: 'failed', outcome: 'failed', error_key: 'bank.not_created', recovered: 1, attempts: 0 });
      } else {
        // Reached it: found by our reference, paid once; a retry of the order gets this payment back.
        expectPaidOnce(t, killed, true);
        return;
      }
    }
    const { r, op } = await pay(t, {}, order);
    await r.waitFor('idle');
    expect((await r.exited).code).toBe(0);
    const last = op();
    expect(rows.map((x) => x.id)).not.toContain(last.id);
    expectPaidOnce(t, last, false);
    const ofOrder = journal(t).ops.filter((o) => o.order_id === order);
    expect(ofOrder.map((o) => o.outcome)).toEqual([...rows.map(() => 'failed'), 'paid']);
    expect(ofOrder.reduce((n, o) => n + bank.charges(o.request_id), 0)).toBe(1); // the order's money moved once
  });

  it('bank.after_create: the bank made the link, the till never recorded it: found by our reference, paid once', async () => {
    const t = freshTill();
    const { r, op } = await pay(t, { PAYDESK_FAILPOINT: 'bank.after_create' });
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(op().phase).toBe('creating');
    expect(linksFor(op().request_id)).toBe(1);
    await restart(t);
    expectPaidOnce(t, op(), true);
  });

  it('killed from outside once the QR is journaled (awaiting the customer): the restart polls it, paid once', async () => {
    const t = freshTill();
    const { r, op } = await pay(t);
    await until(() => { try { return op().phase === 'awaiting' || op().is_final === 1; } catch { return false; } });
    r.child.kill('SIGKILL');
    await r.exited;
    await restart(t);
    expectPaidOnce(t, op(), op().recovered === 1);
  });

  it('bank.after_poll: the poll saw the payment, the till died before writing it: paid once', async () => {
    const t = freshTill();
    const { r, op } = await pay(t, { PAYDESK_FAILPOINT: 'bank.after_poll' });
    expect((await r.exited).signal).toBe('SIGKILL');
    await restart(t);
    expectPaidOnce(t, op(), true);
  });

  it('killed while the create hangs at the bank (timeout after create), then again while resolving: one link, paid once', async () => {
    const t = freshTill();
    bank.queueFault('timeout_after_create');
    const { r, op } = await pay(t);
    await until(() => { try { return linksFor(op().request_id) === 1; } catch { return false; } });
    r.child.kill('SIGKILL');
    await r.exited;
    const recovering = run(t, ['--do', 'resume']);
    await recovering.waitFor('ready');
    recovering.child.kill('SIGKILL');
    await recovering.exited;
    await restart(t);
    expectPaidOnce(t, op(), true);
  });

  it.each(['refund.after_intent', 'bank.before_refund_send', 'bank.after_refund_send'])('refund killed at %s: the restart reads the bank first; refunded exactly once', async (point) => {
    const t = freshTill();
    const { r, op } = await pay(t);
    await r.exited;
    const payment = op();
    expect(payment.outcome).toBe('paid');
    const refund = run(t, ['--do', 'refund', '--payment', payment.id, '--amount', '2345'], { PAYDESK_FAILPOINT: point });
    expect((await refund.exited).signal).toBe('SIGKILL');
    expect(refundsAt(payment.request_id)).toEqual(point === 'bank.after_refund_send' ? [23.45] : []);
    await restart(t);
    expect(refundsAt(payment.request_id)).toEqual([23.45]);
    const refunds = journal(t).ops.filter((o) => o.kind === 'refund' && o.parent_id === payment.id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ outcome: 'refunded', is_final: 1, recovered: 1, amount_kop: 2_345 });
    expect(refunds[0]?.attempts).toBe(point === 'bank.after_refund_send' ? 0 : 1); // sends journaled by this till
  });

  it('ten payments in a row with a kill at a rotating step each: every one ends with one link and one charge', async () => {
    const t = freshTill();
    const points = ['bank.after_create', 'bank.after_poll', 'payment.after_intent', 'bank.before_create', ''];
    const done: { row: () => OpRow; point: string }[] = [];
    for (let i = 0; i < 10; i += 1) {
      const point = points[i % points.length] ?? '';
      const { r, op } = await pay(t, point ? { PAYDESK_FAILPOINT: point } : {});
      await r.exited;
      await restart(t);
      done.push({ row: op, point });
    }
    for (const { row, point } of done) {
      const created = point !== 'payment.after_intent' && point !== 'bank.before_create';
      expect(linksFor(row().request_id)).toBe(created ? 1 : 0);
      expect(bank.charges(row().request_id)).toBe(created ? 1 : 0);
      expect(row().outcome).toBe(created ? 'paid' : 'failed');
    }
    expect(journal(t).ops.filter((o) => o.is_final === 0)).toHaveLength(0);
  }, 240_000);
});

describe('Halyk (KZT) through the real core: SIGKILL at payment.after_send, then restart', () => {
  const invoiceOf = (row: OpRow) => kz.byInvoiceId(invoiceIdFor(row.request_id));

  /** One final paid row in tenge whose slip names the bank's charged invoice, charged once. */
  function expectHalykPaidOnce(t: Till, row: OpRow, recovered: boolean) {
    const invoice = invoiceOf(row);
    expect(invoice).toMatchObject({ status: 'CHARGE', charges: 1, amount: 123.45, currency: 'KZT' });
    const now = journal(t).ops.find((o) => o.id === row.id);
    expect(now).toMatchObject({ provider: 'halyk', phase: 'paid', outcome: 'paid', is_final: 1, payment_type: 'card_foreign', amount_kop: 12_345, recovered: recovered ? 1 : 0 });
    expect(now?.transaction_id).toBeTruthy();
    expect(journal(t).slip(row.id)).toMatchObject({ operationId: now?.transaction_id, paymentLinkId: row.request_id });
    expect(journal(t).ops.filter((o) => o.is_final === 0)).toHaveLength(0);
  }

  // The first request of a cold Halyk till is the OAuth token, so at this step the invoice has not left;
  // whichever way, the restart reads the bank by our invoice id and ends as it says. Twice: the retry of the
  // same order is killed at the same step again; a third press pays once.
  it.each([1, 2])('killed at payment.after_send %i time(s) in a row (the order retried after each restart): ends as the bank says; the order charged once', async (kills) => {
    const t = freshHalykTill();
    const order = orderId();
    const rows: OpRow[] = [];
    for (let i = 0; i < kills; i += 1) {
      const { r, op } = await pay(t, { PAYDESK_FAILPOINT: 'payment.after_send' }, order, 'card_foreign');
      expect((await r.exited).signal).toBe('SIGKILL');
      const killed = op();
      expect(rows.map((x) => x.id)).not.toContain(killed.id);
      expect(killed).toMatchObject({ provider: 'halyk', phase: 'creating', is_final: 0 });
      expect(await restart(t)).toMatchObject({ open: { n: 0 } });
      rows.push(killed);
      if (invoiceOf(killed) === undefined) {
        expect(journal(t).ops.find((o) => o.id === killed.id)).toMatchObject({ phase: 'failed', outcome: 'failed', error_key: 'bank.not_created', recovered: 1, attempts: 0 });
      } else {
        expectHalykPaidOnce(t, killed, true);
        return;
      }
    }
    const { r, op } = await pay(t, {}, order, 'card_foreign');
    await r.waitFor('idle');
    expect((await r.exited).code).toBe(0);
    const last = op();
    expect(rows.map((x) => x.id)).not.toContain(last.id);
    expectHalykPaidOnce(t, last, false);
    const ofOrder = journal(t).ops.filter((o) => o.order_id === order);
    expect(ofOrder.map((o) => o.outcome)).toEqual([...rows.map(() => 'failed'), 'paid']);
    expect(ofOrder.reduce((n, o) => n + (invoiceOf(o)?.charges ?? 0), 0)).toBe(1);
  });
});

describe('card binding through the real core: SIGKILL between "paid" and the refund job\'s end, then restart', () => {
  /** The binding's card row and its refund jobs, read from the journal on disk. */
  function bindingState(t: Till, operationId: string) {
    const db = new Database(path.join(t.dataDir, 'journal.db'), { readonly: true });
    try {
      return {
        cards: db.prepare('SELECT customer_id, consumer_id, bound_by, removed_at FROM saved_cards').all() as { customer_id: string; consumer_id: string; bound_by: string; removed_at: string | null }[],
        jobs: db.prepare("SELECT state FROM outbox_jobs WHERE kind = 'tochka.refund' AND operation_external_id = ?").all(operationId) as { state: string }[],
        refunds: db.prepare('SELECT kind, amount_kop, outcome, is_final FROM operations WHERE parent_id = ?').all(operationId),
        reportRefunds: db.prepare("SELECT amount_kop, outcome FROM report_operations WHERE parent_id = ? AND kind = 'refund'").all(operationId),
      };
    } finally {
      db.close();
    }
  }

  it.each([
    // Paid, card and refund job committed together; the worker not woken yet: the restart's worker refunds.
    'outbox.after_enqueue',
    // The job is claimed, nothing sent: the restart reconciles (absent) and sends once.
    'outbox.after_claim',
    // The bank refunded, the till never recorded it: the restart reconciles (present) and does not resend.
    'outbox.after_send',
    'outbox.after_complete',
  ])('killed at %s: the card is saved once and the 2 ₽ refunded exactly once', async (point) => {
    const t = freshTill();
    const auto = bank.opts.autoPayAfterMs;
    bank.opts.autoPayAfterMs = null; // this customer pays by card (the auto-payer pays by SBP: no card id)
    try {
      const r = run(t, ['--do', 'bind', '--order', orderId(), '--customer', 'cust-crash'], { PAYDESK_FAILPOINT: point });
      const started = await r.waitFor('started');
      const ref = String(started.requestId);
      const linked = await (async () => {
        await until(() => bank.byLinkId(ref) !== undefined);
        return bank.byLinkId(ref);
      })();
      expect(linked).toMatchObject({ saveCard: true, amount: 2 });
      bank.pay(linked?.operationId ?? '', 'card');
      expect((await r.exited).signal).toBe('SIGKILL');
      expect(refundsAt(ref)).toEqual(point === 'outbox.after_send' || point === 'outbox.after_complete' ? [2] : []);
      const idle = await restart(t);
      expect(idle).toMatchObject({ open: { n: 0 }, pendingRefunds: 0 });
      expect(refundsAt(ref)).toEqual([2]);
      const row = journal(t).ops.find((o) => o.request_id === ref);
      expect(row).toMatchObject({ kind: 'payment', outcome: 'paid', amount_kop: 200 });
      const state = bindingState(t, String(row?.id));
      expect(state.jobs).toEqual([{ state: 'done' }]);
      // The journal's refund of the binding, written with the job's done: exactly once, whatever the kill.
      expect(state.refunds).toEqual([{ kind: 'refund', amount_kop: 200, outcome: 'refunded', is_final: 1 }]);
      expect(state.reportRefunds).toEqual([{ amount_kop: 200, outcome: 'refunded' }]);
      expect(state.cards).toEqual([{ customer_id: 'cust-crash', consumer_id: linked?.consumerId, bound_by: row?.id, removed_at: null }]);
      expect(bank.charges(ref)).toBe(1);
    } finally {
      bank.opts.autoPayAfterMs = auto;
    }
  });
});
