// Kill -9 at every step of a partner sale, an extra charge and a partial reversal through a real core
// process (config file, SQLite journal, the partner provider's outbox task), then restart on the same
// data folder. The partner emulator's ledger must show each operation settled exactly once and the
// journal every operation final with the right outcome.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { startPartnerEmulator, type PartnerEmulator } from '../../emulators/partner/server';
import { signRequest } from '../../main/payapi/partner/canonical';
import { CALLBACK_PATH } from '../../main/payapi/partner/contract';
import { CALLBACK_FAILPOINT } from '../../main/payapi/partner/failpoints';
import { PartnerKeyStore, spkiSha256 } from '../../main/payapi/partner/keys';
import { orderId, tempDir, writeTillConfig } from '../support/till';
import { spawnChild } from '../support/child-events';

const SCRIPT = path.join(__dirname, '..', 'support', 'partner-till-process.ts');
let koshelek: KoshelekEmulator;
let partner: PartnerEmulator;

beforeAll(async () => {
  koshelek = await startKoshelekEmulator({ confirmDelayMs: 50 });
  partner = await startPartnerEmulator({ completionDelayMs: 30 });
});
afterAll(async () => {
  await partner.close();
  await koshelek.close();
});

interface Op { id: string; kind: string; parent_id: string | null; order_id: string; amount_kop: number; outcome: string | null; is_final: number; recovered: number }
interface Run { signal: NodeJS.Signals | null; lines: Record<string, unknown>[] }

async function run(dataDir: string, configFile: string, args: string[], failpoint: string): Promise<Run> {
  const end = await spawnChild(SCRIPT, ['--data', dataDir, '--config', configFile, ...args], { env: { PAYDESK_FAILPOINT: failpoint } }).exited;
  return { signal: end.signal, lines: end.lines };
}

function setup(): { dataDir: string; configFile: string; paymentId: string } {
  const dataDir = tempDir('paydesk-partner-crash-');
  const providerDir = path.join(dataDir, 'providers', 'partner');
  fs.mkdirSync(providerDir, { recursive: true, mode: 0o700 });
  const keys = new PartnerKeyStore(providerDir);
  keys.generate('payment');
  keys.generate('reversal');
  for (const k of keys.publicKeys()) partner.registerKey(crypto.createPublicKey(k.pem), k.purpose);
  const configFile = writeTillConfig({
    emulator: koshelek, dataDir,
    extra: { providers: ['koshelek', 'partner'], partner: { enabled: true, baseUrl: partner.baseUrl, timing: { requestTimeoutMs: 2_000, recheckMs: 50, retryMs: 50 } } },
  });
  const paymentId = `pay-${crypto.randomUUID().slice(0, 12)}`;
  partner.addPayment({ paymentId, amount: 0, currency: 'RUB' });
  return { dataDir, configFile, paymentId };
}

const idleOps = (r: Run): Op[] => {
  const last = r.lines.at(-1) as { event: string; operations: Op[] };
  expect(last.event).toBe('idle');
  return last.operations;
};

// Every commit of the path the confirmation task passes, and kills at the same step twice.
const OUTBOX_CASES: string[][] = [
  ['outbox.after_enqueue'],
  ['outbox.after_claim'],
  ['outbox.after_send'],
  ['outbox.after_complete'],
  ['outbox.after_claim', 'outbox.after_recover'],
  ['outbox.after_claim', 'outbox.after_mark_reconciled'],
  ['outbox.after_send', 'outbox.after_send'],
];

describe.each(['sale', 'extra', 'reverse'] as const)('partner %s through a real core process: SIGKILL at every step', (what) => {
  const intentPoint = what === 'reverse' ? 'refund.after_intent' : 'payment.after_intent';
  // payment.after_send is the sale's (checkout.pay: the confirmation task enqueued, the log line and the view
  // not yet made). An extra charge (checkout.extraCharge) and a reversal (checkout.refund) have no such step.
  // It fires only on a new intent, never in a restart's recovery: its double row kills the recovery's send.
  const sendCases = what === 'sale' ? [['payment.after_send'], ['payment.after_send', 'outbox.after_send']] : [];
  const cases = [[intentPoint], ...sendCases, ...OUTBOX_CASES];
  it.each(cases.map((c) => [c.join(' → '), c] as const))('%s: settled once at the partner, final in the journal', async (_label, sequence) => {
    const { dataDir, configFile, paymentId } = setup();
    const order = orderId();
    let parent: string | null = null;
    if (what !== 'sale') {
      const sale = await run(dataDir, configFile, ['--do', 'sale', '--order', order, '--amount', '10000', '--payment', paymentId], '');
      parent = idleOps(sale).find((o) => o.kind === 'payment' && o.outcome === 'paid')?.id ?? null;
      expect(parent).not.toBeNull();
    }
    for (const [i, fp] of sequence.entries()) {
      const args = i > 0 ? ['--do', 'resume']
        : what === 'sale' ? ['--do', 'sale', '--order', order, '--amount', '10000', '--payment', paymentId]
          : ['--do', what, '--parent', String(parent), '--amount', '2500'];
      const r = await run(dataDir, configFile, args, fp);
      expect(r.signal, `${fp} should have killed the till`).toBe('SIGKILL');
    }
    const ops = idleOps(await run(dataDir, configFile, ['--do', 'resume'], ''));
    expect(ops.every((o) => o.is_final === 1)).toBe(true);
    if (what === 'sale') {
      expect(ops).toEqual([expect.objectContaining({ kind: 'payment', outcome: 'paid', order_id: order, amount_kop: 10_000, recovered: 1 })]);
      expect(partner.settled(paymentId, 'extra_charge').map((o) => o.amount)).toEqual([10_000]);
    } else if (what === 'extra') {
      expect(ops.filter((o) => o.parent_id === parent)).toEqual([expect.objectContaining({ kind: 'payment', outcome: 'paid', order_id: `${order}+1`, amount_kop: 2_500, recovered: 1 })]);
      expect(partner.settled(paymentId, 'extra_charge').map((o) => o.amount).sort((a, b) => a - b)).toEqual([2_500, 10_000]);
    } else {
      expect(ops.filter((o) => o.parent_id === parent)).toEqual([expect.objectContaining({ kind: 'refund', outcome: 'refunded', amount_kop: 2_500, recovered: 1 })]);
      expect(partner.settled(paymentId, 'reversal').map((o) => o.amount)).toEqual([2_500]);
    }
    // One partner operation per till operation: a re-send after a kill reused its operation_id.
    expect(partner.operations().filter((o) => o.paymentId === paymentId)).toHaveLength(ops.length);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 90_000);
});

describe('the callback replay cache through a real core process', () => {
  it('SIGKILL right after a callback\'s id was committed, and SIGKILL from outside after one was answered: both ids stay refused after restart; a fresh one is accepted', async () => {
    const signer = crypto.generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const dataDir = tempDir('paydesk-partner-replay-');
    const configFile = writeTillConfig({
      emulator: koshelek, dataDir,
      extra: { providers: ['koshelek', 'partner'], partner: { enabled: true, baseUrl: partner.baseUrl, callbackListener: { enabled: true, port }, partnerKeys: [String(signer.publicKey.export({ type: 'spki', format: 'pem' }))] } },
    });
    const send = async (requestId: string): Promise<number | 'no answer'> => {
      const body = Buffer.from(JSON.stringify({ operation_id: 'op-unknown-1234' }));
      const headers = signRequest({ method: 'POST', path: CALLBACK_PATH, timestamp: Math.floor(Date.now() / 1000), requestId, body }, { keyId: spkiSha256(signer.publicKey), privateKey: signer.privateKey }, 'merchant-1');
      try {
        return (await fetch(`http://127.0.0.1:${port}${CALLBACK_PATH}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: new Uint8Array(body) })).status;
      } catch {
        return 'no answer';
      }
    };
    const listening = (failpoint: string) => {
      let up: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => { up = resolve; });
      const child = spawnChild(SCRIPT, ['--data', dataDir, '--config', configFile, '--do', 'listen'], { env: { PAYDESK_FAILPOINT: failpoint }, onLine: (line) => { if (line.event === 'listening') up(); } });
      return { child, ready };
    };
    // 1. killed by the failpoint between the id's commit and the answer: the partner sees no answer.
    const first = listening(CALLBACK_FAILPOINT);
    await first.ready;
    const a = crypto.randomUUID();
    expect(await send(a)).toBe('no answer');
    expect((await first.child.exited).signal).toBe('SIGKILL');
    // 2. restarted: that id is refused; a fresh one is accepted; then SIGKILL from outside.
    const second = listening('');
    await second.ready;
    expect(await send(a)).toBe(401);
    const b = crypto.randomUUID();
    expect(await send(b)).toBe(200);
    second.child.kill();
    expect((await second.child.exited).signal).toBe('SIGKILL');
    // 3. restarted again: both stay refused.
    const third = listening('');
    await third.ready;
    expect(await send(a)).toBe(401);
    expect(await send(b)).toBe(401);
    expect(await send(crypto.randomUUID())).toBe(200);
    third.child.kill();
    await third.child.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 90_000);
});
