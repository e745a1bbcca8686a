// Halyk ePay (KZT, tiyn) against its loopback emulator through the same neutral runner, machine and
// descriptor as Tochka: a KZ sale routed by the card-origin question, an ambiguous create resolved by our
// invoice id, a refund through the outbox, bad credentials.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HalykEmulator } from '../../emulators/halyk';
import { TochkaEmulator } from '../../emulators/tochka';
import { queueRefund, refundHandler } from '../../main/acquiring/refund-job';
import { routeSale } from '../../main/acquiring/routing';
import { OperationActor } from '../../main/checkout/runner';
import { openJournal } from '../../main/journal/database';
import { OperationStore } from '../../main/journal/operations';
import { OutboxWorker, getJob, registerHandler } from '../../main/outbox';
import { HalykBank, invoiceIdFor } from '../../main/payapi/halyk/adapter';
import { halykConfigSchema } from '../../main/payapi/halyk/config';
import { halykProvider } from '../../main/payapi/halyk/descriptor';
import { tochkaProvider } from '../../main/payapi/tochka/descriptor';
import { register } from '../../main/providers/types';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(overrides: Record<string, unknown> = {}) {
  const emulator = new HalykEmulator();
  const url = await emulator.start();
  cleanups.push(() => emulator.stop());
  const section = { enabled: true, oauthUrl: url, apiUrl: url, clientId: 'test', clientSecret: 'secret', terminalId: 'terminal-1', shopId: 'shop-1', timing: { requestTimeoutMs: 1_000, pollScheduleMs: [50] }, ...overrides };
  const journal = openJournal(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-halyk-')), 'journal.db'));
  cleanups.push(() => journal.close());
  const store = new OperationStore(journal.sqlite);
  const configured = register(halykProvider).configure(section);
  if (!configured.ok || !configured.payments) throw new Error('halyk not configured');
  return { emulator, journal, store, payments: configured.payments, bank: new HalykBank(halykConfigSchema.parse(section)) };
}

type Setup = Awaited<ReturnType<typeof setup>>;

function pay(s: Setup, amountMinor: number) {
  const ext = randomUUID();
  const begun = s.payments.begin({ operationId: randomUUID(), operationExternalId: ext, orderId: `kz-${ext.slice(0, 6)}`, amountMinor, shiftId: null, methodId: 'card' }, Date.now());
  s.store.insertIntent(begun.row, [], begun.event);
  const actor = begun.run.use((run) => {
    const a = new OperationActor(run.state, run.driver, s.store, { onChange: () => {}, onError: () => {}, onSettled: () => {} });
    a.start();
    return { whenFinal: () => a.whenFinal(), stop: () => a.stop() };
  });
  cleanups.push(() => actor.stop());
  const id = begun.row.id;
  // The journal row, as the till's screens read it.
  return { id, ext, invoiceId: invoiceIdFor(ext), actor: { ...actor, phase: () => s.store.get(id)?.phase } };
}

async function until(f: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Halyk ePay (KZT) through the neutral interface', () => {
  it('a foreign card, routed by the question, paid in tenge with tiyn: 1 234,56 ₸ = 123 456 tiyn', async () => {
    const both = routeSale({ russian: 'tochka', foreign: 'halyk', origin: null });
    expect(both.kind).toBe('ask');
    const routed = routeSale({ russian: 'tochka', foreign: 'halyk', origin: 'foreign' });
    expect(routed).toMatchObject({ kind: 'route', choice: { provider: 'halyk' } });
    const s = await setup();
    const p = pay(s, 123_456);
    await until(() => p.actor.phase() === 'awaiting');
    expect(s.emulator.byInvoiceId(p.invoiceId)).toMatchObject({ amount: 1234.56, currency: 'KZT' });
    s.emulator.pay(p.invoiceId);
    await p.actor.whenFinal();
    expect(s.store.get(p.id)).toMatchObject({ provider: 'halyk', currency: 'KZT', amount_kop: 123_456, outcome: 'paid', provider_status: 'CHARGE' });
  });

  it('ambiguous create: found by our invoice id, never created twice', async () => {
    const s = await setup();
    s.emulator.queueFault('timeout_after_create');
    const p = pay(s, 50_000);
    await until(() => p.actor.phase() === 'awaiting');
    s.emulator.pay(p.invoiceId);
    await p.actor.whenFinal();
    expect(s.emulator.creates.filter((c) => c === p.invoiceId)).toHaveLength(1);
    expect(s.emulator.byInvoiceId(p.invoiceId)?.charges).toBe(1);
  });

  it('declined by the bank → rejected; refund through the outbox; bad credentials are a config error', async () => {
    const s = await setup();
    const d = pay(s, 10_000);
    await until(() => d.actor.phase() === 'awaiting');
    s.emulator.decline(d.invoiceId);
    await d.actor.whenFinal();
    expect(s.store.get(d.id)).toMatchObject({ outcome: 'rejected', error_key: 'bank.declined' });

    const p = pay(s, 200_000);
    await until(() => p.actor.phase() === 'awaiting');
    s.emulator.pay(p.invoiceId);
    await p.actor.whenFinal();
    const bankId = s.store.get(p.id)?.transaction_id ?? '';
    const job = queueRefund(s.journal.sqlite, 'halyk', { operationExternalId: p.ext, dedupeKey: `refund:${p.id}`, bankOperationId: bankId, reference: p.ext, amountMinor: 50_000, refundedBeforeMinor: 0 });
    const worker = new OutboxWorker(s.journal.sqlite, [registerHandler(refundHandler(s.bank))], { maxSleepMs: 50 });
    worker.start();
    cleanups.push(() => worker.stop());
    await until(() => getJob(s.journal.sqlite, job.id)?.state === 'done');
    expect(s.emulator.byInvoiceId(p.invoiceId)?.refunded).toBe(500);

    const wrong = await setup({ clientSecret: 'wrong' });
    const w = pay(wrong, 10_000);
    await w.actor.whenFinal();
    expect(wrong.store.get(w.id)).toMatchObject({ outcome: 'failed', error_key: 'halyk.auth' });
  });

  it('switched off or half-configured: refused clearly', () => {
    const p = register(halykProvider);
    expect(p.configure({ enabled: false })).toMatchObject({ ok: true });
    expect(p.configure({ enabled: true, clientId: 'x' })).toMatchObject({ ok: false, problem: expect.stringContaining('halyk.enabled needs clientId') });
  });
});

describe('two bank accounts at once (RU and KZ), each with its own credentials', () => {
  it('a Tochka sale and a Halyk sale in one journal; Tochka switched off at its bank leaves Halyk working', async () => {
    const kz = await setup();
    const ru = new TochkaEmulator();
    const ruUrl = await ru.start();
    cleanups.push(() => ru.stop());
    const tochka = register(tochkaProvider).configure({ enabled: true, baseUrl: ruUrl, token: 'test.jwt.token', timing: { requestTimeoutMs: 1_000, pollScheduleMs: [50] } });
    if (!tochka.ok || !tochka.payments) throw new Error('tochka not configured');
    const ruSale = pay({ ...kz, payments: tochka.payments }, 12_345);
    const kzSale = pay(kz, 50_000);
    await until(() => ruSale.actor.phase() === 'awaiting' && kzSale.actor.phase() === 'awaiting');
    ru.pay(ru.byLinkId(ruSale.ext)?.operationId ?? '', 'sbp');
    kz.emulator.pay(kzSale.invoiceId);
    await Promise.all([ruSale.actor.whenFinal(), kzSale.actor.whenFinal()]);
    expect(kz.store.get(ruSale.id)).toMatchObject({ provider: 'tochka', currency: 'RUB', amount_kop: 12_345, outcome: 'paid' });
    expect(kz.store.get(kzSale.id)).toMatchObject({ provider: 'halyk', currency: 'KZT', amount_kop: 50_000, outcome: 'paid' });
    ru.opts.acquiringOff = true;
    const ruOff = pay({ ...kz, payments: tochka.payments }, 100);
    const kzStill = pay(kz, 1_000);
    await ruOff.actor.whenFinal();
    expect(kz.store.get(ruOff.id)).toMatchObject({ outcome: 'failed', error_key: 'tochka.acquiring_off' });
    await until(() => kzStill.actor.phase() === 'awaiting');
  });
});
