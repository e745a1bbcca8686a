// Kill -9 at every step of the two new money paths, then restart on the same SQLite file:
//  - partner extra charge / reversal, confirmed by the self-rescheduling outbox task;
//  - the QR payment of the external payments API on the real journal and OperationActor.
// The emulators' own ledgers must show exactly one charge (one settled operation) per flow.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExtpayEmulator, type ExtpayEmulator } from '../../emulators/extpay/server';
import { startPartnerEmulator, type PartnerEmulator } from '../../emulators/partner/server';
import { EXTPAY_FAILPOINTS } from '../../main/payapi/extpay/failpoints';
import { PARTNER_FAILPOINTS } from '../../main/payapi/partner/failpoints';
import { PartnerKeyStore } from '../../main/payapi/partner/keys';
import { spawnChild, type ChildEvents } from '../support/child-events';

const SUPPORT = path.join(__dirname, '..', 'support');
let dir: string;
let partner: PartnerEmulator;
let extpay: ExtpayEmulator;

function child(script: string, args: string[], env: Record<string, string> = {}): ChildEvents {
  return spawnChild(path.join(SUPPORT, script), args, { env: { PAYDESK_FAILPOINT: '', ...env } });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-partner-crash-'));
  const keys = new PartnerKeyStore(dir);
  keys.generate('payment');
  keys.generate('reversal');
  partner = await startPartnerEmulator({ completionDelayMs: 40 });
  for (const k of keys.publicKeys()) partner.registerKey(crypto.createPublicKey(k.pem), k.purpose);
  extpay = await startExtpayEmulator({ ratePerMinute: 100_000 });
});
afterAll(async () => {
  await partner.close();
  await extpay.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function jobState(db: string, op: string): string | undefined {
  if (!fs.existsSync(db)) return undefined;
  const s = new Database(db, { readonly: true });
  try {
    return (s.prepare('SELECT state FROM outbox_jobs WHERE dedupe_key = ?').get(`partner.confirm:${op}`) as { state: string } | undefined)?.state;
  } finally {
    s.close();
  }
}

// Outbox commit points the partner task passes (it records no remote ref before sending).
const PARTNER_CASES: string[][] = [
  ['outbox.after_enqueue'],
  ['outbox.after_claim'],
  ['outbox.after_send'],
  ['outbox.after_complete'],
  ['outbox.after_claim', 'outbox.after_recover'],
  ['outbox.after_claim', 'outbox.after_mark_reconciled'],
  ['outbox.after_send', 'outbox.after_send'],
];

describe.each(['extra_charge', 'reversal'] as const)('partner %s: SIGKILL at every step of the confirmation task', (kind) => {
  it.each(PARTNER_CASES.map((c) => [c.join(' → '), c] as const))('%s: exactly one settled operation', async (_label, sequence) => {
    const op = crypto.randomUUID();
    const paymentId = `pay-${op.slice(0, 8)}`;
    partner.addPayment({ paymentId, amount: 10_000, currency: 'RUB' });
    const db = path.join(dir, `${op}.db`);
    const args = ['--db', db, '--data', dir, '--url', partner.baseUrl, '--op', op, '--kind', kind, '--payment', paymentId, '--amount', '2500'];
    for (const [i, fp] of sequence.entries()) {
      const run = await child('partner-process.ts', [...args, ...(i === 0 ? ['--enqueue'] : [])], { PAYDESK_FAILPOINT: fp }).exited;
      expect(run.signal, `${fp} should have killed the till`).toBe('SIGKILL');
    }
    const finish = await child('partner-process.ts', args).exited;
    expect(finish.lines.at(-1)).toMatchObject({ event: 'settled', state: 'done' });
    expect(jobState(db, op)).toBe('done');
    expect(partner.settled(paymentId, kind)).toHaveLength(1);
    expect(partner.operations().filter((o) => o.paymentId === paymentId)).toHaveLength(1);
  }, 30_000);
});

describe.each(['extra_charge', 'reversal'] as const)('partner %s on the till path (journal + OperationActor): SIGKILL at every step', (kind) => {
  const cases: string[][] = [...PARTNER_FAILPOINTS.map((f) => [f]), ['partner.after_send', 'partner.after_status']];
  it('the cases cover every partner failpoint', () => {
    expect(new Set(cases.flat())).toEqual(new Set(PARTNER_FAILPOINTS));
  });

  it.each(cases.map((c) => [c.join(' → '), c] as const))('%s: exactly one settled operation, journal final', async (_label, sequence) => {
    const op = crypto.randomUUID();
    const paymentId = `pay-${op.slice(0, 8)}`;
    partner.addPayment({ paymentId, amount: 10_000, currency: 'RUB' });
    const db = path.join(dir, `actor-${op}.db`);
    const args = ['--db', db, '--data', dir, '--url', partner.baseUrl, '--op', op, '--kind', kind, '--payment', paymentId, '--amount', '3000'];
    for (const fp of sequence) {
      const run = await child('partner-actor-process.ts', args, { PAYDESK_FAILPOINT: fp }).exited;
      expect(run.signal, `${fp} should have killed the till`).toBe('SIGKILL');
    }
    const finish = await child('partner-actor-process.ts', args).exited;
    expect(finish.lines.at(-1)).toMatchObject({ event: 'settled', phase: 'succeeded', outcome: kind === 'reversal' ? 'refunded' : 'paid', recovered: 1 });
    expect(partner.settled(paymentId, kind)).toHaveLength(1);
    expect(partner.operations().filter((o) => o.paymentId === paymentId)).toHaveLength(1);
  }, 30_000);
});

describe('extpay QR payment: SIGKILL at every step, the customer pays the shown QR', () => {
  const charges = (op: string): number => extpay.charges().filter((p) => p.externalOrderId === op).length;

  async function finishAndPay(db: string, op: string): Promise<void> {
    const c = child('extpay-process.ts', ['--db', db, '--url', extpay.baseUrl, '--op', op]);
    const awaiting = await c.waitFor('awaiting');
    extpay.pay(String(awaiting.internalOrderId)); // a second pay of the same link is a no-op
    const end = await c.exited;
    expect(end.lines.at(-1)).toMatchObject({ event: 'settled', phase: 'paid' });
  }

  it.each(EXTPAY_FAILPOINTS.map((fp) => [fp]))('%s: exactly one charge', async (fp) => {
    const op = crypto.randomUUID();
    const db = path.join(dir, `ext-${op}.db`);
    const first = child('extpay-process.ts', ['--db', db, '--url', extpay.baseUrl, '--op', op, '--begin'], { PAYDESK_FAILPOINT: fp });
    // A QR shown before the kill is one the customer may already have paid.
    void first.waitFor('awaiting').then((l) => extpay.pay(String(l.internalOrderId)));
    expect((await first.exited).signal).toBe('SIGKILL');
    await finishAndPay(db, op);
    expect(charges(op)).toBe(1);
  }, 30_000);

  it('killed while the QR is on screen, the customer pays meanwhile: the restart finds it paid; one charge', async () => {
    const op = crypto.randomUUID();
    const db = path.join(dir, `ext-${op}.db`);
    const first = child('extpay-process.ts', ['--db', db, '--url', extpay.baseUrl, '--op', op, '--begin']);
    const awaiting = await first.waitFor('awaiting');
    first.kill();
    await first.exited;
    extpay.pay(String(awaiting.internalOrderId));
    await finishAndPay(db, op);
    expect(charges(op)).toBe(1);
    expect(extpay.payments().filter((p) => p.externalOrderId === op)).toHaveLength(1);
  }, 30_000);
});
