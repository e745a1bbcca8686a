// Tochka against its loopback emulator: discovery, payments driven by the real runner on a real journal,
// the ambiguous create resolved by our reference (one link, one charge), binding with the automatic
// refund through the outbox, refunds, and webhooks through the shared listener.
import { randomUUID } from 'node:crypto';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TochkaEmulator, type TochkaEmulatorOptions } from '../../emulators/tochka';
import { LinkPaymentDriver, linkIntent } from '../../main/acquiring/driver';
import type { LinkEvent, LinkState } from '../../main/acquiring/machine';
import { bindingRefundKey, bindingRefundOperationId, queueRefund, recordBindingRefund, refundHandler, settleBinding } from '../../main/acquiring/refund-job';
import { routeSale } from '../../main/acquiring/routing';
import { listSavedCards, unbindCard } from '../../main/acquiring/saved-cards';
import { OperationActor } from '../../main/checkout/runner';
import { openJournal, type Journal } from '../../main/journal/database';
import { OperationStore } from '../../main/journal/operations';
import { OutboxWorker, findJobByDedupeKey, getJob, registerHandler } from '../../main/outbox';
import { TochkaBank } from '../../main/payapi/tochka/adapter';
import { tochkaConfigSchema, type TochkaConfig } from '../../main/payapi/tochka/config';
import { tochkaProvider } from '../../main/payapi/tochka/descriptor';
import { discover } from '../../main/payapi/tochka/discovery';
import { tochkaWebhookVerifier } from '../../main/payapi/tochka/webhook';
import { register } from '../../main/providers/types';
import { WebhookListener, deliveries, webhookConfigSchema } from '../../main/webhooks';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: TochkaEmulatorOptions = {}, config: Partial<TochkaConfig> = {}) {
  const emulator = new TochkaEmulator(options);
  const url = await emulator.start();
  cleanups.push(() => emulator.stop());
  const cfg = tochkaConfigSchema.parse({ enabled: true, baseUrl: url, token: 'test.jwt.token', timing: { requestTimeoutMs: 1_000, pollScheduleMs: [50, 50, 100] }, ...config });
  const journal: Journal = openJournal(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-tochka-')), 'journal.db'));
  cleanups.push(() => journal.close());
  const store = new OperationStore(journal.sqlite);
  const bank = new TochkaBank(cfg);
  return { emulator, cfg, journal, store, bank };
}

type Setup = Awaited<ReturnType<typeof setup>>;

function startPayment(s: Setup, opts: { amountMinor?: number; saveCard?: boolean; savedConsumerId?: string | null; methods?: ('sbp' | 'card')[] } = {}) {
  const id = randomUUID();
  const ref = randomUUID();
  const { row, state, event } = linkIntent({
    channel: 'link', revocable: false, operationId: id, provider: 'tochka', shiftId: null, orderId: `order-${ref.slice(0, 8)}`, amountMinor: opts.amountMinor ?? 12_345, currency: 'RUB',
    purpose: 'Оплата заказа', methods: opts.methods ?? ['sbp', 'card'], saveCard: opts.saveCard ?? false, savedConsumerId: opts.savedConsumerId ?? null,
    lines: [{ name: 'Консультация', priceMinor: opts.amountMinor ?? 12_345, quantity: 1 }], pollScheduleMs: [50, 50, 100], unresolvedAfterMs: 60_000,
  }, ref, Date.now());
  s.store.insertIntent(row, [], event);
  const actor = new OperationActor<LinkState, LinkEvent>(state, new LinkPaymentDriver(id, row, s.bank, false), s.store, { onChange: () => {}, onError: () => {}, onSettled: () => {} });
  cleanups.push(() => actor.stop());
  actor.start();
  return { id, ref, actor };
}

async function until<T>(f: () => T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Tochka discovery', () => {
  it('finds the Business customerCode and the one REG retail point', async () => {
    const s = await setup();
    expect(await discover(s.bank.client, {})).toEqual({ ok: true, customerCode: '300000092', merchantId: '200000000001056' });
  });

  it('acquiring switched off at the bank: a clear error, not a crash', async () => {
    const s = await setup({ acquiringOff: true });
    expect(await discover(s.bank.client, {})).toMatchObject({ ok: false, errorKey: 'tochka.acquiring_off' });
  });

  it('several retail points and none configured: asks IT to choose; a wrong token is refused', async () => {
    const s = await setup({ retailers: [{ status: 'REG', isActive: true, merchantId: '200000000000001' }, { status: 'REG', isActive: true, merchantId: '200000000000002' }, { status: 'NEW', isActive: false }] });
    expect(await discover(s.bank.client, {})).toMatchObject({ ok: false, errorKey: 'tochka.retailer_ambiguous' });
    expect(await discover(s.bank.client, { merchantId: '200000000000002' })).toMatchObject({ ok: true, merchantId: '200000000000002' });
    const wrong = new TochkaBank({ ...s.cfg, token: 'other' });
    expect(await discover(wrong.client, {})).toMatchObject({ ok: false, errorKey: 'tochka.forbidden' });
  });
});

describe('Tochka payment link through the runner', () => {
  it('creates one link with the receipt, shows it, the customer pays by SBP: paid once', async () => {
    const s = await setup();
    const { id, ref, actor } = startPayment(s);
    const st = await until(() => actor.current.phase === 'awaiting' && actor.current);
    expect(st.ctx.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pay\//);
    const op = s.emulator.byLinkId(ref);
    expect(op?.items).toEqual([expect.objectContaining({ name: 'Консультация', amount: 123.45, quantity: 1 })]);
    expect(op?.paymentMode).toEqual(['sbp', 'card']);
    s.emulator.pay(op?.operationId ?? '', 'sbp');
    await actor.whenFinal();
    expect(s.store.get(id)).toMatchObject({ phase: 'paid', outcome: 'paid', transaction_id: op?.operationId, payment_type: 'sbp', provider_status: 'APPROVED', attempts: 1 });
    expect(s.emulator.charges(ref)).toBe(1);
  });

  it('ambiguous create (the bank created it, the answer never came): found by our paymentLinkId, never created twice', async () => {
    const s = await setup({ holdMs: 3_000 });
    s.emulator.queueFault('timeout_after_create');
    const { id, ref, actor } = startPayment(s);
    await until(() => actor.current.phase === 'awaiting');
    expect(s.store.get(id)?.error_key).toBe('bank.awaiting_customer');
    s.emulator.pay(s.emulator.byLinkId(ref)?.operationId ?? '', 'card');
    await actor.whenFinal();
    expect(actor.current.phase).toBe('paid');
    expect(s.emulator.creates.filter((c) => c.paymentLinkId === ref)).toHaveLength(1);
    expect(s.emulator.charges(ref)).toBe(1);
    const events = s.journal.sqlite.prepare('SELECT type, endpoint FROM operation_events WHERE operation_id = ? ORDER BY seq').all(id) as { type: string; endpoint: string | null }[];
    expect(events.filter((e) => e.endpoint === 'create')).toEqual([{ type: 'fault', endpoint: 'create' }]);
    expect(events.some((e) => e.endpoint === 'find' && e.type === 'response')).toBe(true);
  });

  it.each(['error_500_after_create', 'reset_after_create'] as const)('%s: resolved by lookup, one link', async (fault) => {
    const s = await setup();
    s.emulator.queueFault(fault);
    const { ref, actor } = startPayment(s);
    await until(() => actor.current.phase === 'awaiting');
    expect(s.emulator.creates.filter((c) => c.paymentLinkId === ref)).toHaveLength(1);
  });

  it('500 before creating: two lookups find nothing → failed, nothing charged, no second create', async () => {
    const s = await setup();
    s.emulator.queueFault('error_500');
    const { id, ref, actor } = startPayment(s);
    await actor.whenFinal();
    expect(s.store.get(id)).toMatchObject({ phase: 'failed', error_key: 'bank.not_created' });
    expect(s.emulator.creates.filter((c) => c.paymentLinkId === ref)).toHaveLength(1);
    expect(s.emulator.operations.size).toBe(0);
  });

  it('acquiring off: the create is refused at once with the clear error', async () => {
    const s = await setup({}, { customerCode: '300000092', merchantId: '200000000001056' });
    s.emulator.opts.acquiringOff = true;
    const { id, actor } = startPayment(s);
    await actor.whenFinal();
    expect(s.store.get(id)).toMatchObject({ phase: 'failed', error_key: 'tochka.acquiring_off' });
  });

  it('cashier cancels while the QR is shown: waits for the link to lapse, then canceled; a late payment is paid, flagged', async () => {
    const s = await setup();
    const a = startPayment(s);
    await until(() => a.actor.current.phase === 'awaiting');
    a.actor.dispatch({ type: 'cancel' });
    await until(() => a.actor.current.phase === 'canceling');
    s.emulator.expire(s.emulator.byLinkId(a.ref)?.operationId ?? '');
    await a.actor.whenFinal();
    expect(a.actor.current.phase).toBe('canceled');
    const b = startPayment(s);
    await until(() => b.actor.current.phase === 'awaiting');
    b.actor.dispatch({ type: 'cancel' });
    s.emulator.pay(s.emulator.byLinkId(b.ref)?.operationId ?? '', 'sbp');
    await b.actor.whenFinal();
    expect(b.actor.current).toMatchObject({ phase: 'paid', ctx: { errorKey: 'bank.paid_after_cancel' } });
  });
});

describe('Tochka binding and refunds through the outbox', () => {
  it('binding: 2 ₽ charged with saveCard, consumerId saved, the charge refunded at once; a later payment offers the saved card; unbinding', async () => {
    const s = await setup();
    const { id, ref, actor } = startPayment(s, { amountMinor: s.cfg.binding.amountMinor, saveCard: true, methods: ['card'] });
    await until(() => actor.current.phase === 'awaiting');
    expect(s.emulator.byLinkId(ref)).toMatchObject({ saveCard: true, amount: 2 });
    s.emulator.pay(s.emulator.byLinkId(ref)?.operationId ?? '', 'card');
    await actor.whenFinal();
    expect(settleBinding(s.journal.sqlite, 'tochka', 'customer-1', id, actor.current)).toBe('bound');
    expect(settleBinding(s.journal.sqlite, 'tochka', 'customer-1', id, actor.current)).toBe('bound'); // idempotent: one job
    const worker = new OutboxWorker(s.journal.sqlite, [registerHandler(refundHandler(s.bank))], { maxSleepMs: 50 });
    worker.start();
    cleanups.push(() => worker.stop());
    const op = s.emulator.byLinkId(ref);
    await until(() => op?.status === 'REFUNDED');
    expect(op?.Order.filter((o) => o.type === 'refund')).toHaveLength(1);
    // The journal's refund of the binding (the core writes it in the job's done commit): once, however often asked.
    const job = findJobByDedupeKey(s.journal.sqlite, bindingRefundKey('tochka', id));
    if (!job) throw new Error('no binding refund job');
    const done = { id: job.id, dedupeKey: job.dedupeKey, operationExternalId: id, payloadJson: job.payloadJson, result: { refundId: 'r-1' } };
    expect(recordBindingRefund(s.journal.sqlite, 'tochka', { ...done, dedupeKey: `r:${id}` }, Date.now())).toBe(false); // not a binding's job
    expect(recordBindingRefund(s.journal.sqlite, 'tochka', done, Date.now())).toBe(true);
    expect(recordBindingRefund(s.journal.sqlite, 'tochka', done, Date.now())).toBe(false);
    expect(s.store.children(id)).toEqual([expect.objectContaining({
      id: bindingRefundOperationId(id), kind: 'refund', parent_id: id, amount_kop: 200, outcome: 'refunded', is_final: 1, phase: 'refunded',
      transaction_id: 'r-1', ref_transaction_id: op?.operationId, currency: 'RUB', provider: 'tochka', shift_id: null, // no shift open in this test
    })]);
    const cards = listSavedCards(s.journal.sqlite, 'customer-1');
    expect(cards.map((c) => c.consumer_id)).toEqual([op?.consumerId]);
    const consumerId = cards[0]?.consumer_id ?? '';
    const next = startPayment(s, { savedConsumerId: consumerId, methods: ['card'] });
    await until(() => next.actor.current.phase === 'awaiting');
    expect(s.emulator.byLinkId(next.ref)?.consumerId).toBe(consumerId);
    expect(unbindCard(s.journal.sqlite, 'tochka', consumerId)).toBe(true);
    expect(listSavedCards(s.journal.sqlite, 'customer-1')).toEqual([]);
  });

  it('a refund interrupted after the bank did it is reconciled, not sent twice', async () => {
    const s = await setup();
    const { ref, actor } = startPayment(s);
    await until(() => actor.current.phase === 'awaiting');
    const op = s.emulator.byLinkId(ref);
    s.emulator.pay(op?.operationId ?? '', 'sbp');
    await actor.whenFinal();
    // The bank refunds 100.00 of 123.45, then the till dies before recording it: the job is 'running'.
    const job = queueRefund(s.journal.sqlite, 'tochka', { operationExternalId: ref, dedupeKey: `r:${ref}`, bankOperationId: op?.operationId ?? '', reference: ref, amountMinor: 10_000, refundedBeforeMinor: 0 });
    expect((await s.bank.refund(op?.operationId ?? '', 10_000)).kind).toBe('done');
    s.journal.sqlite.prepare("UPDATE outbox_jobs SET state = 'running', attempts = 1 WHERE id = ?").run(job.id);
    s.journal.sqlite.prepare('INSERT INTO outbox_attempts (job_id, attempt, operation_external_id, started_at) VALUES (?, 1, ?, ?)').run(job.id, ref, new Date().toISOString());
    const worker = new OutboxWorker(s.journal.sqlite, [registerHandler(refundHandler(s.bank))], { maxSleepMs: 50 });
    worker.start();
    cleanups.push(() => worker.stop());
    await until(() => getJob(s.journal.sqlite, job.id)?.state === 'done');
    expect(op?.Order.filter((o) => o.type === 'refund')).toHaveLength(1);
    expect(op?.status).toBe('REFUNDED_PARTIALLY');
  });

  it('a refund larger than what is left is refused by the bank: the job fails with the catalogue key', async () => {
    const s = await setup();
    const { ref, actor } = startPayment(s);
    await until(() => actor.current.phase === 'awaiting');
    s.emulator.pay(s.emulator.byLinkId(ref)?.operationId ?? '', 'sbp');
    await actor.whenFinal();
    expect(await s.bank.refund(actor.current.ctx.bankOperationId ?? '', 99_999)).toMatchObject({ kind: 'rejected', errorKey: 'bank.refund_rejected' });
  });
});

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('webhooks through the shared listener', () => {
  async function listen(s: Setup, onEvent: (subject: string) => Promise<void>) {
    const listener = new WebhookListener(s.journal.sqlite, webhookConfigSchema.parse({ enabled: true, port: 0 }), [tochkaWebhookVerifier([s.emulator.publicJwk()])], (e) => onEvent(e.subject));
    const base = await listener.start();
    cleanups.push(() => listener.stop());
    return `${base ?? ''}tochka`;
  }

  it('off by default: nothing listens', async () => {
    const s = await setup();
    const listener = new WebhookListener(s.journal.sqlite, webhookConfigSchema.parse({}), [], async () => {});
    expect(await listener.start()).toBeNull();
  });

  it('a bad signature is refused (401) and logged with its raw body; alg none too', async () => {
    const s = await setup();
    const acted: string[] = [];
    const url = await listen(s, async (x) => { acted.push(x); });
    const forger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const payload = { webhookType: 'acquiringInternetPayment', operationId: 'op-1', status: 'APPROVED', amount: '1.00' };
    expect(await post(url, s.emulator.sign(payload, forger.privateKey))).toBe(401);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    expect(await post(url, none)).toBe(401);
    expect(await post(url, 'garbage')).toBe(401);
    expect(deliveries(s.journal.sqlite, 'tochka').map((d) => [d.verdict, d.reason])).toEqual([
      ['rejected', 'bad signature'], ['rejected', 'JWT algorithm is not RS256'], ['rejected', 'not a compact JWT'],
    ]);
    expect(acted).toEqual([]);
  });

  it('30 duplicate deliveries act once; the act re-reads the bank and nudges the payment to paid', async () => {
    const s = await setup({}, { timing: { requestTimeoutMs: 1_000, pollScheduleMs: [60_000], unresolvedAfterMs: 60_000 } });
    const { ref, actor } = startPayment(s);
    await until(() => actor.current.phase === 'awaiting');
    const acted: string[] = [];
    const url = await listen(s, async (subject) => {
      acted.push(subject);
      if (subject === actor.current.ctx.bankOperationId) actor.dispatch({ type: 'nudge' });
    });
    const op = s.emulator.byLinkId(ref);
    s.emulator.pay(op?.operationId ?? '', 'sbp');
    const jwt = s.emulator.sign(s.emulator.webhookPayload(op ?? (() => { throw new Error('no op'); })()));
    const statuses = await Promise.all(Array.from({ length: 30 }, () => post(url, jwt)));
    expect(statuses).toEqual(Array(30).fill(200));
    await actor.whenFinal(); // polls are a minute apart here: only the nudge can have made it final
    expect(actor.current.phase).toBe('paid');
    expect(acted).toEqual([op?.operationId]);
    const verdicts = deliveries(s.journal.sqlite, 'tochka').map((d) => d.verdict);
    expect(verdicts.filter((v) => v === 'accepted')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'duplicate')).toHaveLength(29);
  });

  it('the emulator re-sends until answered 200 (every interval, at most 30 retries)', async () => {
    const s = await setup({ webhookRetries: 30, webhookIntervalMs: 20 });
    let up = false;
    let calls = 0;
    const server = http.createServer((req, res) => {
      calls += 1;
      req.resume();
      res.writeHead(up ? 200 : 503).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    s.emulator.opts.webhookUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const { ref, actor } = startPayment(s);
    await until(() => actor.current.phase === 'awaiting');
    s.emulator.pay(s.emulator.byLinkId(ref)?.operationId ?? '', 'sbp');
    await until(() => calls >= 3);
    up = true;
    await until(() => s.emulator.webhookAttempts.some((a) => a.status === 200));
    const n = s.emulator.webhookAttempts.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(s.emulator.webhookAttempts).toHaveLength(n); // stopped after the 200
  });
});

describe('webhook listener: refusals and replay', () => {
  it('oversized body 413, unknown provider 404, GET 404; nothing acted on', async () => {
    const s = await setup();
    const acted: string[] = [];
    const listener = new WebhookListener(s.journal.sqlite, webhookConfigSchema.parse({ enabled: true, port: 0, maxBodyBytes: 2_048 }), [tochkaWebhookVerifier([s.emulator.publicJwk()])], async (e) => { acted.push(e.subject); });
    const base = (await listener.start()) ?? '';
    cleanups.push(() => listener.stop());
    expect(await post(`${base}tochka`, 'x'.repeat(5_000))).toBe(413);
    expect(await post(`${base}unknown-bank`, 'abc')).toBe(404);
    expect(deliveries(s.journal.sqlite, 'unknown-bank')).toMatchObject([{ verdict: 'rejected', reason: 'no verifier for provider "unknown-bank"' }]);
    expect(acted).toEqual([]);
  });

  it('the process dies after the 200, before acting (callback fails): the event is acted on at the next start, once', async () => {
    const s = await setup();
    const cfg = webhookConfigSchema.parse({ enabled: true, port: 0 });
    const verifier = tochkaWebhookVerifier([s.emulator.publicJwk()]);
    const first = new WebhookListener(s.journal.sqlite, cfg, [verifier], async () => { throw new Error('bank unreachable while re-reading'); });
    const url = `${(await first.start()) ?? ''}tochka`;
    const jwt = s.emulator.sign({ webhookType: 'acquiringInternetPayment', operationId: 'op-9', status: 'APPROVED', amount: '5.00' });
    expect(await post(url, jwt)).toBe(200);
    await first.stop();
    const acted: string[] = [];
    const second = new WebhookListener(s.journal.sqlite, { ...cfg, enabled: false }, [verifier], async (e) => { acted.push(e.subject); });
    await second.start();
    await second.stop();
    const third = new WebhookListener(s.journal.sqlite, { ...cfg, enabled: false }, [verifier], async (e) => { acted.push(e.subject); });
    await third.start();
    await third.stop();
    expect(acted).toEqual(['op-9']);
  });
});

describe('Tochka cashbox SBP QR (client against the emulator)', () => {
  it('activate with the amount in kopecks, the customer pays, the operation reads ACWP, deactivate', async () => {
    const s = await setup();
    const act = await s.bank.client.activateCashboxQr('AS1000670LSS7DN18SJQDNP4B05KLJL2', 12_345, 'Оплата заказа', 5);
    expect(act.ok && act.data.Data.amount).toBe(12_345);
    const paramsId = act.ok ? act.data.Data.paramsId : '';
    const waiting = await s.bank.client.cashboxQrOperation('AS1000670LSS7DN18SJQDNP4B05KLJL2', paramsId);
    expect(waiting.ok && waiting.data.Data).toMatchObject({ qrCodeStatus: 'WAITING_PAYMENT', trxStatus: 'NTST' });
    const paid = await fetch(`${s.emulator.url}/_control/sbp/AS1000670LSS7DN18SJQDNP4B05KLJL2/pay`, { method: 'POST' });
    expect(paid.status).toBe(200);
    const done = await s.bank.client.cashboxQrOperation('AS1000670LSS7DN18SJQDNP4B05KLJL2', paramsId);
    expect(done.ok && done.data.Data).toMatchObject({ trxStatus: 'ACWP', amount: 12_345 });
    const off = await s.bank.client.deactivateCashboxQr('AS1000670LSS7DN18SJQDNP4B05KLJL2');
    expect(off.ok && off.data.Data.result).toBe(true);
    const unknown = await s.bank.client.cashboxQrOperation('NO_SUCH_QR', paramsId);
    expect(unknown).toMatchObject({ ok: false, kind: 'http', status: 404, code: 'RQ05014' });
  });
});

describe('bank switched off in config; routing', () => {
  it('a disabled section configures without a client; enabled without a token is refused clearly', () => {
    const p = register(tochkaProvider);
    expect(p.configure({ enabled: false })).toMatchObject({ ok: true });
    expect(p.configure({ enabled: true })).toEqual({ ok: false, problem: 'tochka.token: tochka.enabled needs tochka.token' });
    expect(routeSale({ russian: null, foreign: 'halyk', origin: null })).toMatchObject({ kind: 'route', choice: { provider: 'halyk' } });
  });
});
