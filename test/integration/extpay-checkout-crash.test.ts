// Kill -9 at every step of a QR payment through a real core process (config file, SQLite journal, the
// composed extpay provider, checkout), then restart on the same data folder. The test plays the customer:
// it pays every QR the till has shown (a shown QR is one a customer may pay). The emulator's ledger must
// show exactly one charge per sale and the journal a paid, final payment.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { startExtpayEmulator, SANDBOX_TOKEN, type ExtpayEmulator } from '../../emulators/extpay/server';
import { EXTPAY_FAILPOINTS } from '../../main/payapi/extpay/failpoints';
import { orderId, tempDir, writeTillConfig } from '../support/till';
import { spawnChild } from '../support/child-events';

const SCRIPT = path.join(__dirname, '..', 'support', 'extpay-till-process.ts');
let koshelek: KoshelekEmulator;
let emu: ExtpayEmulator;

beforeAll(async () => {
  koshelek = await startKoshelekEmulator({ confirmDelayMs: 50 });
  emu = await startExtpayEmulator({ ratePerMinute: 100_000, webhookRetryDelaysMs: [20, 20, 20] });
});
afterAll(async () => {
  await emu.close();
  await koshelek.close();
});

interface Run {
  signal: NodeJS.Signals | null;
  lines: Record<string, unknown>[];
}

/** Runs the till process; every QR it prints is paid by the "customer" (once per link). */
async function till(dataDir: string, configFile: string, args: string[], failpoint: string, paid: Set<string>): Promise<Run> {
  const payments: Promise<unknown>[] = [];
  const child = spawnChild(SCRIPT, ['--data', dataDir, '--config', configFile, ...args], { env: { PAYDESK_FAILPOINT: failpoint }, onLine: (line) => {
    const link = typeof line.link === 'string' ? line.link : null;
    if (line.event === 'qr' && link && !paid.has(link)) {
      paid.add(link);
      payments.push(fetch(`${link}/confirm`, { method: 'POST' }).then((r) => r.json()));
    }
  } });
  const end = await child.exited;
  await Promise.all(payments);
  return { signal: end.signal, lines: end.lines };
}

/** `webhooks: false`: the receiver is off (a dead webhook URL), so only polls can settle: the poll failpoints fire. */
function setup(webhooks = true): { dataDir: string; configFile: string } {
  const dataDir = tempDir('paydesk-extpay-crash-');
  const configFile = writeTillConfig({
    emulator: koshelek,
    dataDir,
    extra: {
      providers: ['koshelek', 'extpay'],
      extpay: {
        enabled: true, baseUrl: emu.baseUrl, token: SANDBOX_TOKEN, currency: 'RUB', webhookToken: 'till-webhook-secret-0123456789',
        ...(webhooks ? {} : { webhookUrl: 'http://127.0.0.1:9/never' }), listener: { enabled: webhooks }, timing: { requestTimeoutMs: 2_000, pollScheduleMs: [200], createRetryMs: 100, maxCreates: 5 },
      },
    },
  });
  return { dataDir, configFile };
}

const charges = (order: string): number => emu.charges().filter((p) => p.customData.paydesk_order === order).length;

// payment.after_send fires only in checkout.pay (a new intent), never in a restart's recovery, so it cannot
// kill twice in a row on one sale; its double row kills the recovery's re-create right after it was made.
const CASES: string[][] = [
  ['payment.after_intent'],
  ['payment.after_send'],
  ['payment.after_send', 'extpay.after_create'],
  ...EXTPAY_FAILPOINTS.map((f) => [f]),
  ['extpay.after_create', 'extpay.after_create'],
  // The poll that brings SUCCESS is lost by a kill before its journal write; the next start polls again.
  ['extpay.after_poll', 'extpay.after_poll'],
];

describe('extpay QR payment through a real core process: SIGKILL at every step', () => {
  it('the cases cover every extpay failpoint', () => {
    expect(new Set(CASES.flat())).toEqual(new Set(['payment.after_intent', 'payment.after_send', ...EXTPAY_FAILPOINTS]));
  });

  it.each(CASES.map((c) => [c.join(' → '), c] as const))('%s: one charge, the journal paid and final', async (_label, sequence) => {
    const { dataDir, configFile } = setup(!sequence.includes('extpay.after_poll'));
    const order = orderId();
    const paid = new Set<string>();
    for (const [i, fp] of sequence.entries()) {
      const args = i === 0 ? ['--do', 'pay', '--order', order, '--amount', '25000', '--method', 'yandex_pay'] : ['--do', 'resume'];
      const run = await till(dataDir, configFile, args, fp, paid);
      expect(run.signal, `${fp} should have killed the till`).toBe('SIGKILL');
    }
    const finish = await till(dataDir, configFile, ['--do', 'resume'], '', paid);
    const idle = finish.lines.at(-1) as { event: string; view: { outcome: string; isFinal: boolean; recovered: boolean; orderId: string; slip: { paymentTransactionId: string | null; totalAmountKop: number | null } | null } | null; open: { n: number } };
    expect(idle.event).toBe('idle');
    expect(idle.view).toMatchObject({ outcome: 'paid', isFinal: true, recovered: true, orderId: order });
    expect(idle.open).toEqual({ n: 0 });
    expect(charges(order)).toBe(1);
    // The slip names the one charged payment (not a link created and never shown).
    const charged = emu.charges().find((p) => p.customData.paydesk_order === order);
    expect(idle.view?.slip).toMatchObject({ paymentTransactionId: charged?.internalOrderId, totalAmountKop: 25_000 });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('killed at payment.after_send; the restart is the cashier pressing Pay for the same order again (failpoint still armed): the same payment, no new intent, one charge', async () => {
    const { dataDir, configFile } = setup();
    const order = orderId();
    const paid = new Set<string>();
    const pay = ['--do', 'pay', '--order', order, '--amount', '25000', '--method', 'yandex_pay'];
    const first = await till(dataDir, configFile, pay, 'payment.after_send', paid);
    expect(first.signal).toBe('SIGKILL');
    const again = await till(dataDir, configFile, pay, 'payment.after_send', paid);
    expect(again.signal).toBeNull(); // the open payment came back: no intent committed, the step never reached
    const started = again.lines.find((l) => l.event === 'started');
    const idle = again.lines.at(-1) as { event: string; id: string; view: { id: string; outcome: string; isFinal: boolean; recovered: boolean } | null; open: { n: number } };
    expect(idle).toMatchObject({ event: 'idle', view: { outcome: 'paid', isFinal: true, recovered: true }, open: { n: 0 } });
    expect(started?.id).toBe(idle.view?.id);
    const db = new Database(path.join(dataDir, 'journal.db'), { readonly: true });
    const ops = db.prepare('SELECT id FROM operations WHERE order_id = ?').all(order) as { id: string }[];
    db.close();
    expect(ops).toEqual([{ id: idle.view?.id }]); // the killed intent is the one paid: never a second payment
    expect(charges(order)).toBe(1);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('killed from outside while the QR is on screen, the customer pays meanwhile: the restart finds it paid; one link, one charge', async () => {
    const { dataDir, configFile } = setup();
    const order = orderId();
    const paid = new Set<string>();
    let onQr: (link: string) => void = () => undefined;
    const shown = new Promise<string>((resolve) => { onQr = resolve; });
    const first = spawnChild(SCRIPT, ['--data', dataDir, '--config', configFile, '--do', 'pay', '--order', order, '--amount', '9900'], { env: { PAYDESK_FAILPOINT: '' }, onLine: (line) => {
      if (line.event === 'qr' && typeof line.link === 'string') onQr(line.link);
    } });
    const link = await shown;
    first.child.kill('SIGKILL');
    await first.exited;
    paid.add(link);
    expect(await (await fetch(`${link}/confirm`, { method: 'POST' })).json()).toEqual({ paid: true });
    const finish = await till(dataDir, configFile, ['--do', 'resume'], '', paid);
    expect(finish.lines.at(-1)).toMatchObject({ event: 'idle', view: { outcome: 'paid', isFinal: true }, open: { n: 0 } });
    expect(emu.payments().filter((x) => x.customData.paydesk_order === order)).toHaveLength(1);
    expect(charges(order)).toBe(1);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('killed after the intent, then IT points the till at another service: the sale is held, never created there; pointed back, one charge', async () => {
    const { dataDir, configFile } = setup();
    const order = orderId();
    const paid = new Set<string>();
    const other = await startExtpayEmulator({ ratePerMinute: 100_000 });
    try {
      const first = await till(dataDir, configFile, ['--do', 'pay', '--order', order, '--amount', '5500'], 'payment.after_intent', paid);
      expect(first.signal).toBe('SIGKILL');
      const raw = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { extpay: Record<string, unknown> };
      fs.writeFileSync(configFile, JSON.stringify({ ...raw, extpay: { ...raw.extpay, baseUrl: other.baseUrl } }));
      const held = await till(dataDir, configFile, ['--do', 'resume'], '', paid);
      expect(held.lines.at(-1)).toMatchObject({ event: 'idle', open: { n: 1 } });
      expect(other.payments()).toHaveLength(0);
      fs.writeFileSync(configFile, JSON.stringify(raw));
      const back = await till(dataDir, configFile, ['--do', 'resume'], '', paid);
      expect(back.lines.at(-1)).toMatchObject({ event: 'idle', view: { outcome: 'paid', isFinal: true }, open: { n: 0 } });
      expect(charges(order)).toBe(1);
      expect(other.payments()).toHaveLength(0);
    } finally {
      await other.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
