// Postback (Koshelek pushes statuses to the till) and credentials kept out of the config file.
import { afterEach, describe, expect, it } from 'vitest';
import { startCore } from '../../main/core/core';
import { silentLogger } from '../../main/log/logger';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { card, orderId, startTill, tempDir, writeTillConfig, type Till } from '../support/till';

let till: Till | null = null;
const extra: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await till?.close();
  till = null;
  for (const x of extra.splice(0)) await x.close();
  delete process.env.PAYDESK_KOSHELEK_PASSWORD;
});

describe('postback', () => {
  it('a pushed status finishes the payment without waiting for the next poll; bad credentials are refused', async () => {
    till = await startTill({
      emulator: { confirmDelayMs: 300 },
      timing: { firstPollMs: 500, pollIntervalMs: 10_000 },
      koshelek: { postback: { enabled: true, host: '127.0.0.1', port: 0, path: '/koshelek/postback', partnerLogin: 'kp', partnerPassword: 'pb-secret' } },
    });
    const url = till.core.postback?.url;
    expect(url).toBeTruthy();
    till.emulator.setOptions({ postback: { url: url as string, login: 'kp', password: 'pb-secret' } });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    const started = Date.now();
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('paid');
    // Paid well before the poll that would come 10 s later: it was the postback.
    expect(Date.now() - started).toBeLessThan(5_000);
    const pushed = till.core.journal.sqlite.prepare("SELECT COUNT(*) AS n FROM operation_events WHERE operation_id = ? AND type = 'postback'").get(op.id) as { n: number };
    expect(pushed.n).toBeGreaterThan(0);
    const refused = await fetch(url as string, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from('kp:wrong').toString('base64')}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ transactionId: done.transactionId, status: 'canceled' }) });
    expect(refused.status).toBe(401);
    expect(till.core.checkout.get(op.id)?.outcome).toBe('paid');
  });
});

describe('postback is only a trigger, and needs credentials', () => {
  it('a forged "accepted" postback with valid credentials does not make a pending payment paid; it only triggers a status poll', async () => {
    till = await startTill({
      emulator: { confirmDelayMs: 60_000 },
      timing: { firstPollMs: 500, pollIntervalMs: 5_000, finalStatusTimeoutMs: 20_000 },
      koshelek: { postback: { enabled: true, host: '127.0.0.1', port: 0, path: '/koshelek/postback', partnerLogin: 'kp', partnerPassword: 'pb-secret' } },
    });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    const until = Date.now() + 5_000;
    while (!till.core.checkout.get(op.id)?.transactionId && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    const view = till.core.checkout.get(op.id);
    await new Promise((r) => setTimeout(r, 700)); // past the first poll; the next is 5 s away
    const pollsBefore = till.emulator.received.filter((r) => r.endpoint === 'status').length;
    const res = await fetch(till.core.postback?.url ?? '', { method: 'POST', headers: { Authorization: `Basic ${Buffer.from('kp:pb-secret').toString('base64')}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ transactionId: view?.transactionId, status: 'accepted' }) });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    expect(till.core.checkout.get(op.id)?.outcome).toBeNull();
    expect(till.emulator.received.filter((r) => r.endpoint === 'status').length).toBeGreaterThan(pollsBefore);
  });

  it('the listener does not start without partner credentials', async () => {
    till = await startTill({ koshelek: { postback: { enabled: true, host: '127.0.0.1', port: 0, path: '/koshelek/postback', partnerLogin: 'kp', partnerPassword: '' } } });
    expect(till.core.postback).toBeNull();
  });
});

describe('credentials outside the config file', () => {
  it('the password may come from PAYDESK_KOSHELEK_PASSWORD (the Electron vault sets it); the renderer-facing environment has none', async () => {
    const emulator: KoshelekEmulator = await startKoshelekEmulator({ password: 'vault-secret', confirmDelayMs: 50 });
    extra.push(emulator);
    const dataDir = tempDir();
    const configFile = writeTillConfig({ emulator, dataDir, koshelek: { password: '' } });
    process.env.PAYDESK_KOSHELEK_PASSWORD = 'vault-secret';
    const core = await startCore({ configFile, dataDir, logger: silentLogger(), watchConfig: false });
    extra.push(core);
    expect(core.environment().embeddedEmulator).toBe(false);
    expect(JSON.stringify(core.environment())).not.toContain('vault-secret');
    const op = await core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    expect((await core.checkout.waitFinal(op.id, 10_000)).outcome).toBe('paid');
  });
});

describe('clock drift', () => {
  it('a server Date more than one TOTP step away from the till clock raises the warning; back in step clears it', async () => {
    till = await startTill({ emulator: { dateSkewMs: 95_000 }, timing: { keepAliveRefreshMs: 0 } });
    const c = card('OK');
    await till.core.checkout.availability({ orderId: orderId(), amountKop: 10000, card: c });
    expect(till.core.health().clockDriftExceedsStep).toBe(true);
    expect(Math.abs((till.core.health().clockSkewMs ?? 0) - 95_000)).toBeLessThan(2_000);
    till.emulator.setOptions({ dateSkewMs: 0 });
    await till.core.checkout.availability({ orderId: orderId(), amountKop: 10000, card: c });
    expect(till.core.health().clockDriftExceedsStep).toBe(false);
  });
});
