// QR payments over loopback: the registry's factory, the real runner and SQLite journal, our client
// against the seed's emulator, and a webhook receiver that verifies the Bearer token and feeds the
// same actor. Covers both methods, a webhook before the poll, one that never arrives, 429, a dropped
// create, and the currency rule enforced before anything is sent.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExtpayEmulator, SANDBOX_TOKEN, type ExtpayEmulator } from '../../../emulators/extpay/server';
import { OperationActor } from '../../checkout/runner';
import { PaydeskError } from '../../errors/catalogue';
import { openJournal, type Journal } from '../../journal/database';
import { OperationStore } from '../../journal/operations';
import { findProvider } from '../../providers/registry';
import type { PaymentFactory } from '../../providers/types';
import type { ExtpayEvent, ExtpayState } from './machine';
import { verifyExtpayWebhook } from './webhook';

const HOOK_TOKEN = 'till-webhook-token-0123456789';
let emu: ExtpayEmulator;
let journal: Journal;
let store: OperationStore;
let dir: string;
let hookServer: http.Server;
let hookUrl: string;
const actors = new Map<string, OperationActor<ExtpayState, ExtpayEvent>>();
const hookResults: number[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-extpay-'));
  journal = openJournal(path.join(dir, 'till.db'));
  store = new OperationStore(journal.sqlite);
  emu = await startExtpayEmulator({ ratePerMinute: 10_000 });
  hookServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const v = verifyExtpayWebhook(req.headers, Buffer.concat(chunks), HOOK_TOKEN);
      if (!v.ok) {
        hookResults.push(v.status);
        res.writeHead(v.status).end();
        return;
      }
      hookResults.push(200);
      const op = String(v.webhook.custom.paydesk_operation ?? '');
      // Routed by our id from the flattened custom_data; matched against internal_order_id by the reducer.
      actors.get(op)?.dispatch({ type: 'webhook', observation: { source: 'webhook', internalOrderId: v.webhook.internalOrderId, status: v.webhook.status, amount: v.webhook.amount, currency: v.webhook.currency } });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/webhook/extpay`;
});
afterAll(async () => {
  for (const a of actors.values()) a.stop();
  await emu.close();
  hookServer.closeAllConnections();
  hookServer.close();
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function factory(currency: 'RUB' | 'USD', over: Record<string, unknown> = {}): PaymentFactory {
  const configured = findProvider('extpay')?.configure({
    baseUrl: emu.baseUrl, token: SANDBOX_TOKEN, currency, webhookUrl: hookUrl, webhookToken: HOOK_TOKEN,
    timing: { requestTimeoutMs: 2_000, pollScheduleMs: [300], createRetryMs: 100, maxCreates: 5 }, ...over,
  });
  if (!configured?.ok || !configured.payments) throw new Error('extpay not configured');
  return configured.payments;
}

function begin(f: PaymentFactory, amountMinor: number, methodId: string): { operationId: string; actor: OperationActor<ExtpayState, ExtpayEvent> } {
  const operationId = crypto.randomUUID();
  const { row, event, run } = f.begin({ operationId, operationExternalId: operationId, orderId: `order-${operationId.slice(0, 8)}`, amountMinor, shiftId: null, methodId }, Date.now());
  store.insertIntent(row, [], event);
  const actor = run.use((r) => new OperationActor(r.state, r.driver, store, { onChange: () => {}, onError: () => {}, onSettled: () => {} }) as unknown as OperationActor<ExtpayState, ExtpayEvent>);
  actors.set(operationId, actor);
  actor.start();
  return { operationId, actor };
}

async function until(f: () => boolean, ms = 8_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe('QR payment end to end', () => {
  it('Yandex Pay in roubles: the webhook arrives before the poll and settles it', async () => {
    const f = factory('RUB', { timing: { requestTimeoutMs: 2_000, pollScheduleMs: [60_000], createRetryMs: 100, maxCreates: 5 } });
    const { operationId, actor } = begin(f, 123_45, 'yandex_pay');
    await until(() => actor.current.phase === 'awaiting');
    const id = actor.current.ctx.internalOrderId ?? '';
    expect(emu.payments().find((p) => p.internalOrderId === id)).toMatchObject({ amount: 123.45, currency: 'RUB', paymentMethod: 'yandex_pay' });
    const page = await fetch(actor.current.ctx.paymentUrl ?? '');
    expect(await page.text()).toContain('123.45 RUB');
    await fetch(`${actor.current.ctx.paymentUrl ?? ''}/confirm`, { method: 'POST' });
    await actor.whenFinal();
    expect(actor.current).toMatchObject({ phase: 'paid', ctx: { settledBy: 'webhook', polls: 0 } });
    expect(store.get(operationId)).toMatchObject({ outcome: 'paid', is_final: 1, transaction_id: id, payment_type: 'yandex_pay' });
  });

  it('PayPal in dollars: the webhook never arrives (receiver down), the poll settles it', async () => {
    const f = factory('USD', { webhookUrl: 'http://127.0.0.1:9/down' });
    const { actor } = begin(f, 49_99, 'paypal');
    await until(() => actor.current.phase === 'awaiting');
    emu.pay(actor.current.ctx.internalOrderId ?? '');
    await actor.whenFinal();
    expect(actor.current).toMatchObject({ phase: 'paid', ctx: { settledBy: 'poll' } });
  });

  it('the currency rule is enforced before sending: PayPal on a rouble till is refused, nothing created', () => {
    const before = emu.payments().length;
    expect(() => begin(factory('RUB'), 100, 'paypal')).toThrow(PaydeskError);
    try {
      begin(factory('RUB'), 100, 'paypal');
    } catch (error) {
      expect(error instanceof PaydeskError && error.key).toBe('extpay.currency_method');
    }
    expect(emu.payments().length).toBe(before);
  });

  it('429 on create: the sale stays and is created after Retry-After', async () => {
    emu.setFaults({ rateLimitNext: 1 });
    const { actor } = begin(factory('RUB'), 500, 'yandex_pay');
    await until(() => actor.current.ctx.errorKey === 'extpay.rate_limited');
    expect(actor.current.phase).toBe('creating');
    await until(() => actor.current.phase === 'awaiting', 5_000);
    expect(actor.current.ctx.creates).toBe(1);
    emu.pay(actor.current.ctx.internalOrderId ?? '');
    await actor.whenFinal();
    expect(actor.current.phase).toBe('paid');
  });

  it('a create answered by a dropped connection: created again, the orphan link never shown stays unpaid; one charge', async () => {
    emu.setFaults({ dropCreateAfterCommit: 1 });
    const chargesBefore = emu.charges().length;
    const { operationId, actor } = begin(factory('RUB'), 777, 'yandex_pay');
    await until(() => actor.current.phase === 'awaiting');
    expect(actor.current.ctx.creates).toBe(2);
    const mine = emu.payments().filter((p) => p.externalOrderId === operationId);
    expect(mine).toHaveLength(2);
    emu.pay(actor.current.ctx.internalOrderId ?? '');
    await actor.whenFinal();
    expect(emu.charges().length - chargesBefore).toBe(1);
  });

  it('a webhook with the wrong Bearer is refused (401) and changes nothing; the emulator does not retry a 4xx', async () => {
    const f = factory('RUB', { webhookToken: 'someone-elses-token-000000', timing: { requestTimeoutMs: 2_000, pollScheduleMs: [60_000], createRetryMs: 100, maxCreates: 5 } });
    const { actor } = begin(f, 900, 'yandex_pay');
    await until(() => actor.current.phase === 'awaiting');
    const n = hookResults.length;
    emu.pay(actor.current.ctx.internalOrderId ?? '');
    await until(() => hookResults.length > n);
    await new Promise((r) => setTimeout(r, 1_300));
    expect(hookResults.slice(n)).toEqual([401]);
    expect(actor.current.phase).toBe('awaiting');
    actor.stop();
  });
});
