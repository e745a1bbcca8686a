// The external payments API (Yandex Pay / PayPal by QR) sold through the real, provider-neutral checkout:
// a real core on a SQLite journal, the emulator on loopback as the service, the customer paying at the
// QR's payment_url like a phone would. Webhooks reach the till's own receiver and go through the
// operation's lane; the emulator's ledger shows exactly one charge. The kill -9 steps are in
// extpay-checkout-crash.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKoshelekEmulator } from '../../emulators/koshelek';
import { startExtpayEmulator, SANDBOX_TOKEN, type ExtpayEmulator } from '../../emulators/extpay/server';
import type { OperationView } from '../../main/contract/checkout';
import { startCore } from '../../main/core/core';
import { createLogger } from '../../main/log/logger';
import { orderId, startTill, tempDir, writeTillConfig, type Till } from '../support/till';

const WEBHOOK_TOKEN = 'till-webhook-secret-0123456789';
let emu: ExtpayEmulator;
let till: Till | null = null;

beforeAll(async () => {
  // Fast retries so "a webhook that never arrives" finishes its schedule within the test.
  emu = await startExtpayEmulator({ ratePerMinute: 100_000, webhookRetryDelaysMs: [50, 50, 50] });
});
afterAll(async () => {
  await emu.close();
});
afterEach(async () => {
  await till?.close();
  till = null;
});

interface ExtOptions {
  currency?: 'RUB' | 'USD';
  pollScheduleMs?: number[];
  listener?: boolean;
  webhookUrl?: string;
}

async function extTill(o: ExtOptions = {}): Promise<Till> {
  return startTill({
    extra: {
      providers: ['koshelek', 'extpay'],
      extpay: {
        enabled: true,
        baseUrl: emu.baseUrl,
        token: SANDBOX_TOKEN,
        currency: o.currency ?? 'RUB',
        webhookToken: WEBHOOK_TOKEN,
        ...(o.webhookUrl ? { webhookUrl: o.webhookUrl } : {}),
        listener: { enabled: o.listener ?? true },
        timing: { requestTimeoutMs: 2_000, pollScheduleMs: o.pollScheduleMs ?? [200], createRetryMs: 100, maxCreates: 5 },
      },
    },
  });
}

/** Waits until the operation shows the customer a QR (the payment link), as the sale screen would. */
async function qrShown(t: Till, id: string, timeoutMs = 10_000): Promise<OperationView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = t.core.checkout.get(id);
    if (v?.customerAction) return v;
    if (!v || v.isFinal || Date.now() > until) throw new Error(`no QR for ${id}: ${JSON.stringify(v?.phase)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The customer opens the QR's link and presses «Оплатить» on the payer page. */
async function customerPays(link: string): Promise<void> {
  const page = await fetch(link);
  expect(page.status).toBe(200);
  const res = await fetch(`${link}/confirm`, { method: 'POST' });
  expect(await res.json()).toEqual({ paid: true });
}

function settledBy(t: Till, id: string): unknown {
  const row = t.core.journal.sqlite.prepare('SELECT context_json FROM operations WHERE id = ?').get(id) as { context_json: string };
  return (JSON.parse(row.context_json) as { ctx: { settledBy: unknown } }).ctx.settledBy;
}

const chargesFor = (op: OperationView): number => emu.charges().filter((p) => p.externalOrderId === op.requestId).length;

describe('extpay through the checkout', () => {
  it('lists only the method that takes the till currency, without a card scan', async () => {
    till = await extTill({ currency: 'RUB' });
    expect(till.core.checkout.methods().filter((m) => m.provider === 'extpay')).toEqual([
      expect.objectContaining({ method: 'yandex_pay', needsCardScan: false, ready: true, problem: null }),
    ]);
    await till.close();
    till = await extTill({ currency: 'USD' });
    expect(till.core.checkout.methods().filter((m) => m.provider === 'extpay').map((m) => m.method)).toEqual(['paypal']);
  });

  it.each([
    ['RUB', 'yandex_pay', 12_345, 123.45],
    ['USD', 'paypal', 4_999, 49.99],
  ] as const)('%s till, %s: the QR is the payment link, the customer pays it, one charge, slip refs', async (currency, method, kop, decimal) => {
    till = await extTill({ currency });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: kop, paymentType: method });
    expect(op).toMatchObject({ provider: 'extpay', paymentType: method, outcomeUnknown: true, cancellable: false });
    const shown = await qrShown(till, op.id);
    const action = shown.customerAction;
    expect(action?.kind).toBe('qr');
    expect(action?.hintRu).toMatch(method === 'paypal' ? /PayPal/ : /Яндекс Пэй/);
    const created = emu.payments().find((p) => p.externalOrderId === op.requestId);
    // The exact decimal on the wire, the method that takes the currency, our ids back in custom_data.
    expect(created).toMatchObject({ amount: decimal, currency, paymentMethod: method, customData: { paydesk_operation: op.requestId } });
    expect(action?.payload).toBe(`${emu.baseUrl}/pay/${created?.internalOrderId ?? ''}`);
    await customerPays(action?.payload ?? '');
    const done = await till.core.checkout.waitFinal(op.id, 15_000);
    expect(done).toMatchObject({ outcome: 'paid', isFinal: true, amountKop: kop, customerAction: null, transactionId: created?.internalOrderId });
    expect(chargesFor(done)).toBe(1);
    expect(done.slip?.refs).toEqual(expect.arrayContaining([{ key: 'internalOrderId', label: 'ID платежа', value: created?.internalOrderId }, expect.objectContaining({ key: 'paymentMethod', value: method })]));
    // A double press of Pay is the same payment: no second link.
    const again = await till.core.checkout.pay({ orderId: done.orderId, amountKop: kop, paymentType: method });
    expect(again.id).toBe(op.id);
    expect(emu.payments().filter((p) => p.externalOrderId === op.requestId)).toHaveLength(1);
  });

  it('the currency rule is enforced before anything is written or sent: PayPal on a rouble till is refused', async () => {
    till = await extTill({ currency: 'RUB' });
    const before = emu.payments().length;
    await expect(till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'paypal', provider: 'extpay' })).rejects.toMatchObject({ key: 'extpay.currency_method' });
    await expect(till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'paypal' })).rejects.toMatchObject({ key: 'payment.method_unknown' });
    expect(till.core.journal.sqlite.prepare("SELECT COUNT(*) AS n FROM operations WHERE provider = 'extpay'").get()).toEqual({ n: 0 });
    expect(emu.payments().length).toBe(before);
  });

  it('a webhook that arrives before the poll settles the sale through the lane; duplicates, a stale PENDING and a forged push change nothing', async () => {
    // The first poll is a minute away: only the webhook can settle this within the test.
    till = await extTill({ pollScheduleMs: [60_000] });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 2_500, paymentType: 'yandex_pay' });
    const shown = await qrShown(till, op.id);
    await customerPays(shown.customerAction?.payload ?? '');
    const done = await till.core.checkout.waitFinal(op.id, 10_000);
    expect(done.outcome).toBe('paid');
    expect(settledBy(till, op.id)).toBe('webhook');
    await emu.webhooksSettled();
    const delivered = emu.webhookAttempts().filter((a) => a.internalOrderId === done.transactionId);
    expect(delivered.map((a) => a.status)).toEqual([200]);
    expect(delivered[0]?.authorization).toBe(`Bearer ${WEBHOOK_TOKEN}`);
    // The receiver's URL is the one the till gave the service.
    const hook = emu.payments().find((p) => p.internalOrderId === done.transactionId)?.webhookUrl ?? '';
    const body = delivered[0]?.body ?? {};
    const post = (b: unknown, auth: string) => fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify(b) });
    expect((await post(body, `Bearer ${WEBHOOK_TOKEN}`)).status).toBe(200); // duplicate
    expect((await post({ ...body, status: 'PENDING' }, `Bearer ${WEBHOOK_TOKEN}`)).status).toBe(200); // out of order
    expect((await post({ ...body, status: 'FAILED' }, 'Bearer not-the-token-at-all-000')).status).toBe(401); // forged
    expect((await post('{not json', `Bearer ${WEBHOOK_TOKEN}`)).status).toBe(400);
    const after = till.core.checkout.get(op.id);
    expect(after).toMatchObject({ outcome: 'paid', isFinal: true });
    expect(chargesFor(done)).toBe(1);
  });

  it('a webhook that never arrives (receiver unreachable): the poll settles the sale; the service retried 1+3 times', async () => {
    till = await extTill({ listener: false, webhookUrl: 'http://127.0.0.1:9/never', pollScheduleMs: [300] });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 3_300, paymentType: 'yandex_pay' });
    const shown = await qrShown(till, op.id);
    await customerPays(shown.customerAction?.payload ?? '');
    const done = await till.core.checkout.waitFinal(op.id, 15_000);
    expect(done.outcome).toBe('paid');
    expect(settledBy(till, op.id)).toBe('poll');
    await emu.webhooksSettled();
    expect(emu.webhookAttempts().filter((a) => a.internalOrderId === done.transactionId).map((a) => a.status)).toEqual([null, null, null, null]);
    expect(chargesFor(done)).toBe(1);
  });

  it('the customer\'s payment fails: final, nothing charged, a Russian instruction to choose another method', async () => {
    till = await extTill();
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 700, paymentType: 'yandex_pay' });
    const shown = await qrShown(till, op.id);
    expect(emu.pay(shown.transactionId ?? '', 'FAILED')).toBe(true);
    const done = await till.core.checkout.waitFinal(op.id, 15_000);
    expect(done).toMatchObject({ isFinal: true, outcome: 'failed' });
    expect(done.error?.ru).toMatch(/другой способ/);
    expect(chargesFor(done)).toBe(0);
  });

  it('rate-limit answers (429 Retry-After) on create and on poll: the sale waits and is kept; one link, one charge', async () => {
    till = await extTill();
    emu.setFaults({ rateLimitNext: 2 });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 4_200, paymentType: 'yandex_pay' });
    const shown = await qrShown(till, op.id, 15_000);
    emu.setFaults({ rateLimitNext: 2 });
    await customerPays(shown.customerAction?.payload ?? '');
    const done = await till.core.checkout.waitFinal(op.id, 20_000);
    expect(done.outcome).toBe('paid');
    expect(emu.payments().filter((p) => p.externalOrderId === op.requestId)).toHaveLength(1);
    expect(chargesFor(done)).toBe(1);
    const events = till.core.journal.sqlite.prepare("SELECT COUNT(*) AS n FROM operation_events WHERE operation_id = ? AND body_json LIKE '%rate_limited%'").get(op.id) as { n: number };
    expect(events.n).toBeGreaterThanOrEqual(1);
  });

  it('an embedded emulator is refused outside environment "emulator"; a demo till sells on it', async () => {
    till = await startTill({ extra: { providers: ['koshelek', 'extpay'], extpay: { enabled: true, embeddedEmulator: true, webhookToken: WEBHOOK_TOKEN, listener: { enabled: true } } } });
    expect(till.core.checkout.methods().find((m) => m.provider === 'extpay')).toMatchObject({ ready: false });
    await expect(till.core.checkout.pay({ orderId: orderId(), amountKop: 100, paymentType: 'yandex_pay' })).rejects.toMatchObject({ key: 'config.invalid' });
    await till.close();
    till = await startTill({ mode: 'emulator', extra: { providers: ['koshelek', 'extpay'], extpay: { enabled: true, embeddedEmulator: true, webhookToken: WEBHOOK_TOKEN, listener: { enabled: true } } } });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 100, paymentType: 'yandex_pay' });
    const shown = await qrShown(till, op.id);
    await customerPays(shown.customerAction?.payload ?? '');
    expect((await till.core.checkout.waitFinal(op.id, 15_000)).outcome).toBe('paid');
  });

  it('the API token and the webhook token never reach the log (debug level, a sale with a webhook, a config edit of both)', async () => {
    const api = 'extApiTok-7Hq2Lm9Xv4Rt8Wz1';
    const hook = 'extHookTok-3Kp8Ns6Qd2Yf5Bg0';
    const api2 = 'extApiTok-2Nn5Vb8Cx1Zq4Ml7';
    const secretEmu = await startExtpayEmulator({ token: api, ratePerMinute: 100_000 });
    const koshelek = await startKoshelekEmulator({ confirmDelayMs: 50 });
    const dataDir = tempDir('paydesk-extpay-secrets-');
    const section = { enabled: true, baseUrl: secretEmu.baseUrl, token: api, webhookToken: hook, listener: { enabled: true }, timing: { pollScheduleMs: [60_000] } };
    const configFile = writeTillConfig({ emulator: koshelek, dataDir, extra: { providers: ['koshelek', 'extpay'], extpay: section, logging: { level: 'debug' } } });
    const logFile = path.join(dataDir, 'test.log');
    const logger = createLogger({ file: logFile, level: 'debug' });
    const core = await startCore({ configFile, dataDir, logger });
    try {
      const op = await core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'yandex_pay' });
      const until = Date.now() + 10_000;
      let link: string | null = null;
      while (!link && Date.now() < until) {
        link = core.checkout.get(op.id)?.customerAction?.payload ?? null;
        await new Promise((r) => setTimeout(r, 20));
      }
      await customerPays(link ?? '');
      expect((await core.checkout.waitFinal(op.id, 10_000)).outcome).toBe('paid');
      // A forged push is logged as refused, without the header it carried.
      const hookUrl = secretEmu.payments()[0]?.webhookUrl ?? '';
      expect((await fetch(hookUrl, { method: 'POST', headers: { authorization: `Bearer ${api}` }, body: '{}' })).status).toBe(401);
      const raw = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, Record<string, unknown>>;
      fs.writeFileSync(configFile, JSON.stringify({ ...raw, extpay: { ...raw.extpay, token: api2, webhookToken: `${hook}X` } }));
      const seen = Date.now() + 5_000;
      while (!fs.readFileSync(logFile, 'utf8').includes('config edit') && Date.now() < seen) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await core.close();
      await secretEmu.close();
      await koshelek.close();
    }
    logger.flush();
    const log = fs.readFileSync(logFile, 'utf8');
    expect(log).toContain('config edit accepted');
    expect(log).toContain('extpay webhook refused');
    for (const secret of [api, hook, api2]) expect(log).not.toContain(secret.slice(4, 20));
  });
});
