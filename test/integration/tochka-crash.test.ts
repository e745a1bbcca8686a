// Tochka payments under kill -9: a till process (real journal, real OperationActor) is SIGKILLed at each
// step — before the create, after the bank created the link, around the journal write, while the QR is
// shown, after the poll saw the payment — then restarted on the same SQLite file. The emulated bank
// must show exactly one link and one charge for our reference, and the journal one final, correct row.
// The checkout's own steps (payment.after_intent, payment.after_send) are not here: this till drives the
// actor directly (test/support/bank-till-process.ts), never the checkout's payNow, so they cannot fire.
// They are in bank-core-crash.test.ts, which sells through the real core.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TochkaEmulator } from '../../emulators/tochka';
import { spawnChild, type ChildEvents } from '../support/child-events';

const CHILD = path.join(__dirname, '..', 'support', 'bank-till-process.ts');

let bank: TochkaEmulator;
beforeAll(async () => {
  // The customer pays every link 400 ms after it was made (a phone scanning the QR).
  bank = new TochkaEmulator({ autoPayAfterMs: 400, holdMs: 1_500 });
  await bank.start();
});
afterAll(async () => {
  await bank.stop();
});

function run(t: Till, args: string[], env: Record<string, string> = {}): ChildEvents {
  return spawnChild(CHILD, ['--data', t.dataDir, '--config', t.configFile, ...args], { env });
}

interface Till { dataDir: string; configFile: string }

function freshTill(): Till {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-bank-crash-'));
  const configFile = path.join(dataDir, 'tochka.json');
  fs.writeFileSync(configFile, JSON.stringify({
    enabled: true, baseUrl: bank.url, token: 'test.jwt.token', customerCode: '300000092', merchantId: '200000000001056',
    timing: { requestTimeoutMs: 1_000, pollScheduleMs: [100, 100, 200] },
  }), { mode: 0o600 });
  return { dataDir, configFile };
}

interface OpRow { id: string; phase: string; outcome: string | null; is_final: number; request_id: string; transaction_id: string | null; recovered: number; attempts: number; error_key: string | null; amount_kop: number }

function journal(t: Till) {
  const db = new Database(path.join(t.dataDir, 'journal.db'), { readonly: true });
  try {
    const ops = db.prepare('SELECT * FROM operations ORDER BY created_at').all() as OpRow[];
    const events = new Map(ops.map((o) => [o.id, (db.prepare('SELECT type FROM operation_events WHERE operation_id = ? ORDER BY seq').all(o.id) as { type: string }[]).map((e) => e.type)]));
    return { ops, events: (id: string) => events.get(id) ?? [] };
  } finally {
    db.close();
  }
}

function pay(t: Till, env: Record<string, string> = {}) {
  const op = randomUUID();
  const ext = randomUUID();
  const r = run(t, ['--do', 'pay', '--order', `order-${ext.slice(0, 8)}`, '--amount', '12345', '--op', op, '--ext', ext], env);
  return { r, op, ext };
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

const linksFor = (ext: string) => bank.creates.filter((c) => c.paymentLinkId === ext).length;

/** The one correct end: one link, one charge, one paid, final, recovered row naming the bank's operation. */
function expectPaidOnce(t: Till, op: string, ext: string) {
  expect(linksFor(ext)).toBe(1);
  expect(bank.charges(ext)).toBe(1);
  const row = journal(t).ops.find((o) => o.id === op);
  expect(row).toMatchObject({ phase: 'paid', outcome: 'paid', is_final: 1, request_id: ext, recovered: 1, amount_kop: 12_345, transaction_id: bank.byLinkId(ext)?.operationId });
  expect(journal(t).events(op)).toContain('recovered');
  expect(journal(t).ops.filter((o) => o.is_final === 0)).toHaveLength(0);
}

describe('Tochka payment: SIGKILL at each step, then restart', () => {
  it('no kill: paid once, not recovered', async () => {
    const t = freshTill();
    const { r, op, ext } = pay(t);
    await r.waitFor('idle');
    expect((await r.exited).code).toBe(0);
    expect(linksFor(ext)).toBe(1);
    expect(bank.charges(ext)).toBe(1);
    expect(journal(t).ops.find((o) => o.id === op)).toMatchObject({ outcome: 'paid', recovered: 0, attempts: 1 });
  });

  it('before the create (intent committed): the restart looks our reference up, finds nothing, fails it; nothing created', async () => {
    const t = freshTill();
    const { r, op, ext } = pay(t, { PAYDESK_FAILPOINT: 'bank.before_create' });
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(journal(t).ops[0]).toMatchObject({ phase: 'creating', is_final: 0 });
    expect(await restart(t)).toMatchObject({ open: 0 });
    expect(linksFor(ext)).toBe(0); // recovery never creates
    expect(journal(t).ops.find((o) => o.id === op)).toMatchObject({ phase: 'failed', outcome: 'failed', error_key: 'bank.not_created', recovered: 1, attempts: 0 });
  });

  it.each(['bank.after_create', 'bank.before_journal_write'])('%s: the bank made the link, the till never recorded it: found by our paymentLinkId, paid once', async (point) => {
    const t = freshTill();
    const { r, op, ext } = pay(t, { PAYDESK_FAILPOINT: point });
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(journal(t).ops[0]?.phase).toBe('creating');
    expect(linksFor(ext)).toBe(1);
    await restart(t);
    expectPaidOnce(t, op, ext);
  });

  it('after the journal write of the link: the restart polls it, paid once', async () => {
    const t = freshTill();
    const { r, op, ext } = pay(t, { PAYDESK_FAILPOINT: 'bank.after_journal_write' });
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(journal(t).ops[0]?.phase).toBe('awaiting');
    await restart(t);
    expectPaidOnce(t, op, ext);
  });

  it('after the poll saw the payment, before writing it: paid once', async () => {
    const t = freshTill();
    const { r, op, ext } = pay(t, { PAYDESK_FAILPOINT: 'bank.after_poll' });
    expect((await r.exited).signal).toBe('SIGKILL');
    await restart(t);
    expectPaidOnce(t, op, ext);
  });

  it('killed from outside while the create hangs at the bank (timeout after create), then again while resolving: one link, paid once', async () => {
    const t = freshTill();
    bank.queueFault('timeout_after_create');
    const { r, op, ext } = pay(t);
    await until(() => linksFor(ext) === 1);
    r.child.kill('SIGKILL');
    await r.exited;
    const recovering = run(t, ['--do', 'resume']);
    await recovering.waitFor('resumed');
    recovering.child.kill('SIGKILL');
    await recovering.exited;
    await restart(t);
    expectPaidOnce(t, op, ext);
  });

  it('twenty payments in a row with a kill at a rotating step each: every one ends with one link and one charge', async () => {
    const t = freshTill();
    const points = ['bank.after_create', 'bank.before_journal_write', 'bank.after_journal_write', 'bank.after_poll', ''];
    const done: { op: string; ext: string }[] = [];
    for (let i = 0; i < 20; i += 1) {
      const point = points[i % points.length] ?? '';
      const { r, op, ext } = pay(t, point ? { PAYDESK_FAILPOINT: point } : {});
      await r.exited;
      await restart(t);
      done.push({ op, ext });
    }
    const ops = journal(t).ops;
    for (const { op, ext } of done) {
      expect(linksFor(ext)).toBe(1);
      expect(bank.charges(ext)).toBe(1);
      expect(ops.find((o) => o.id === op)?.outcome).toBe('paid');
    }
  }, 240_000);
});
