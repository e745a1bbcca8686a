// The payment actor under hostile or broken conditions (docs/safety.md): a server that answers about another
// transaction, observers that throw, a journal that refuses writes, a wall clock that jumps, a poll still in
// flight at the deadline. Real core, real SQLite file, real loopback servers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { card, orderId, startTill, tempDir, writeTillConfig, type Till } from '../support/till';
import { startCore } from '../../main/core/core';
import { silentLogger } from '../../main/log/logger';
import type { KoshelekEmulator } from '../../emulators/koshelek';

let till: Till | null = null;
const extra: { close(): Promise<void> }[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await till?.close();
  till = null;
  for (const x of extra.splice(0).reverse()) await x.close();
});

/** A server that speaks the contract's shapes but names another transaction in every status answer. */
async function lyingServer(): Promise<{ url: string; hits: Record<string, number>; close(): Promise<void> }> {
  const hits: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const endpoint = (req.url ?? '').split('/').pop() ?? '';
      hits[endpoint] = (hits[endpoint] ?? 0) + 1;
      const json = body ? JSON.parse(body) as { requestId?: string } : {};
      const answer = endpoint === 'checkout'
        ? { requestId: json.requestId, transactionId: '11111111-1111-4111-8111-111111111111', status: 'new' }
        : endpoint === 'status'
          ? { requestId: json.requestId, transactionId: '22222222-2222-4222-8222-222222222222', status: 'accepted' }
          : endpoint === 'cancel'
            ? { requestId: json.requestId, transactionId: '11111111-1111-4111-8111-111111111111', refTransactionId: '33333333-3333-4333-8333-333333333333', refStatus: 'accepted', status: 'canceled' }
            : {};
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/partner`, hits, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

describe('the payment actor cannot be made to spin, crash or stall', () => {
  it('a status answer naming another transaction: polls stay ≥ 250 ms apart, the deadline still cancels', async () => {
    const liar = await lyingServer();
    extra.push(liar);
    const dataDir = tempDir();
    const fakeEmulator = { baseUrl: liar.url, ca: null } as unknown as KoshelekEmulator;
    const configFile = writeTillConfig({ emulator: fakeEmulator, dataDir, timing: { finalStatusTimeoutMs: 1_500, firstPollMs: 250, pollIntervalMs: 250 } });
    const core = await startCore({ configFile, dataDir, logger: silentLogger(), watchConfig: false });
    extra.push(core);
    const op = await core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    const done = await core.checkout.waitFinal(op.id, 10_000);
    // Never "paid" on someone else's transaction; cancelled at the deadline.
    expect(done.outcome).toBe('canceled');
    // 1.5 s at ≥ 250 ms per poll: a handful, not tens of thousands.
    expect(liar.hits.status ?? 0).toBeGreaterThan(0);
    expect(liar.hits.status ?? 0).toBeLessThanOrEqual(8);
  });

  it('update and event listeners that throw never reach the actor: the payment still ends paid', async () => {
    till = await startTill();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      till.core.checkout.onUpdate(() => { throw new Error('broken observer'); });
      till.core.onEvent(() => { throw new Error('broken shell'); });
      const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
      const done = await till.core.checkout.waitFinal(op.id, 10_000);
      expect(done.outcome).toBe('paid');
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a journal that refuses writes: health "unavailable", new sales refused, backoff (no request storm), recovery', async () => {
    till = await startTill({ emulator: { confirmDelayMs: 400 }, timing: { finalStatusTimeoutMs: 20_000 } });
    const events: string[] = [];
    till.core.onEvent((e) => { if (e.type === 'health') events.push(e.health.journal ?? 'ok'); });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    till.core.journal.sqlite.pragma('query_only = 1'); // every write now fails, as on a full or broken disk
    const before = till.emulator.received.length;
    await new Promise((r) => setTimeout(r, 2_000));
    expect(till.core.health().journal).toBe('unavailable');
    expect(events).toContain('unavailable');
    await expect(till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' })).rejects.toMatchObject({ key: 'journal.unavailable' });
    // Backoff: a few requests in 2 s, not a storm.
    expect(till.emulator.received.length - before).toBeLessThan(20);
    till.core.journal.sqlite.pragma('query_only = 0');
    const done = await till.core.checkout.waitFinal(op.id, 15_000);
    expect(done.outcome).toBe('paid');
    expect(till.core.health().journal).toBe('ok');
    const next = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    expect((await till.core.checkout.waitFinal(next.id, 10_000)).outcome).toBe('paid');
  });

  it('a wall-clock jump mid-payment changes nothing: no early automatic cancel', async () => {
    till = await startTill({ emulator: { confirmDelayMs: 1_500 }, timing: { finalStatusTimeoutMs: 10_000 } });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    await new Promise((r) => setTimeout(r, 400));
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3_600_000 }); // NTP fixes the clock by an hour
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('paid');
    expect(till.emulator.received.filter((r) => r.endpoint === 'cancel')).toHaveLength(0);
  });

  it('the automatic cancel fires on time even while a status poll is still in flight', async () => {
    till = await startTill({ timing: { finalStatusTimeoutMs: 1_500, statusTimeoutMs: 10_000 } });
    const c = card('SL');
    till.emulator.injectFault({ endpoint: 'status', kind: 'delay', delayMs: 8_000, times: 10, match: { cardSession: c.cardSession } });
    const started = Date.now();
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: c, paymentType: 'SBP' });
    const until = Date.now() + 6_000;
    while (!till.emulator.received.some((r) => r.endpoint === 'cancel') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const cancelAt = till.emulator.received.find((r) => r.endpoint === 'cancel');
    expect(cancelAt).toBeDefined();
    // The limit is 1.5 s after the checkout answer; a hung 8 s poll must not hold the cancel back.
    expect(Date.now() - started).toBeLessThan(4_000);
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('canceled');
    expect(done.error?.key).toBe('payment.auto_canceled_timeout');
    expect(done.error?.ru).toContain('за 2 с'); // the configured limit (1.5 s, rounded), not "30"
    expect(done.error?.ru).not.toContain('30');
  });
});
