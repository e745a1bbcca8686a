// SBP by the till's printed cashbox QR (Tochka) through the descriptor's factory and the real runner:
// activate with the amount, the customer pays, poll; an ambiguous activate resolved by the reference in
// the purpose (never activated twice); cancel deactivates the QR; refunds are refused with the right key.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TochkaEmulator } from '../../emulators/tochka';
import { LinkPaymentDriver, linkIntent } from '../../main/acquiring/driver';
import type { LinkEvent, LinkState } from '../../main/acquiring/machine';
import { OperationActor } from '../../main/checkout/runner';
import { openJournal } from '../../main/journal/database';
import { OperationStore } from '../../main/journal/operations';
import { TochkaBank } from '../../main/payapi/tochka/adapter';
import { TochkaCashboxQr, purposeWithReference } from '../../main/payapi/tochka/cashbox';
import { tochkaConfigSchema } from '../../main/payapi/tochka/config';
import { tochkaProvider } from '../../main/payapi/tochka/descriptor';
import { register } from '../../main/providers/types';

const QRC = 'AS1000670LSS7DN18SJQDNP4B05KLJL2';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const emulator = new TochkaEmulator({ holdMs: 2_000 });
  const url = await emulator.start();
  cleanups.push(() => emulator.stop());
  const section = {
    enabled: true, baseUrl: url, token: 'test.jwt.token', customerCode: '300000092', merchantId: '200000000001056', sbpChannel: 'cashbox_qr',
    cashboxQr: { qrcId: QRC, sbpMerchantId: 'MF0000000001', accountId: '40702810000000000001/044525104', payload: 'https://qr.nspk.ru/AS1000670LSS7DN18SJQDNP4B05KLJL2' },
    timing: { requestTimeoutMs: 800, pollScheduleMs: [50] },
  };
  const configured = register(tochkaProvider).configure(section);
  if (!configured.ok || !configured.payments) throw new Error(configured.ok ? 'no factory' : configured.problem);
  const journal = openJournal(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-qr-')), 'journal.db'));
  cleanups.push(() => journal.close());
  return { emulator, store: new OperationStore(journal.sqlite), payments: configured.payments, section };
}

type Setup = Awaited<ReturnType<typeof setup>>;

function sale(s: Setup, methodId: string) {
  const ext = randomUUID();
  const begun = s.payments.begin({ operationId: randomUUID(), operationExternalId: ext, orderId: `o-${ext.slice(0, 6)}`, amountMinor: 45_600, shiftId: null, methodId }, Date.now());
  s.store.insertIntent(begun.row, [], begun.event);
  const control = begun.run.use((run) => {
    const a = new OperationActor(run.state, run.driver, s.store, { onChange: () => {}, onError: () => {}, onSettled: () => {} });
    a.start();
    return { whenFinal: () => a.whenFinal(), stop: () => a.stop() };
  });
  cleanups.push(() => control.stop());
  const id = begun.row.id;
  return { id, ext, control, row: () => s.store.get(id) };
}

async function until(f: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const payQr = (s: Setup) => fetch(`${s.emulator.url}/_control/sbp/${QRC}/pay`, { method: 'POST' });

describe('Tochka SBP by the cashbox QR', () => {
  it('SBP method → the cashbox QR (amount in kopecks, our reference in the purpose), paid; the card still goes by link', async () => {
    const s = await setup();
    const p = sale(s, 'sbp');
    await until(() => p.row()?.phase === 'awaiting');
    expect(s.emulator.activations).toEqual([{ qrcId: QRC, amount: 45_600, purpose: expect.stringMatching(new RegExp(`#${p.ext}$`)) }]);
    expect((await payQr(s)).status).toBe(200);
    await p.control.whenFinal();
    expect(p.row()).toMatchObject({ outcome: 'paid', payment_type: 'sbp', provider_status: 'ACWP' });
    const card = sale(s, 'card');
    await until(() => card.row()?.phase === 'awaiting');
    expect(s.emulator.byLinkId(card.ext)?.paymentMode).toEqual(['card']);
  });

  it('ambiguous activate (timeout after the bank activated): matched by our reference in the purpose, activated once, paid once', async () => {
    const s = await setup();
    s.emulator.queueFault('timeout_after_create');
    const p = sale(s, 'sbp');
    await until(() => p.row()?.phase === 'awaiting');
    await payQr(s);
    await p.control.whenFinal();
    expect(p.row()?.outcome).toBe('paid');
    expect(s.emulator.activations).toHaveLength(1);
    expect(s.emulator.sbpPayments).toHaveLength(1);
  });

  it('500 before activating, with an older sale\'s activation still on the QR: never adopted, failed bank.not_created', async () => {
    const s = await setup();
    const first = sale(s, 'sbp');
    await until(() => first.row()?.phase === 'awaiting');
    s.emulator.queueFault('error_500');
    const p = sale(s, 'sbp');
    await p.control.whenFinal();
    expect(p.row()).toMatchObject({ outcome: 'failed', error_key: 'bank.not_created' });
  });

  it('cancel deactivates the QR, then canceled (nothing can be paid); refund by cashbox QR is refused with the internet-bank instruction', async () => {
    const s = await setup();
    const cfg = tochkaConfigSchema.parse(s.section);
    const qrConfig = cfg.cashboxQr;
    if (!qrConfig) throw new Error('no cashbox QR in config');
    const qr = new TochkaCashboxQr(new TochkaBank(cfg).client, qrConfig);
    const id = randomUUID();
    const { row, state, event } = linkIntent({
      channel: 'cashbox_qr', revocable: true, operationId: id, provider: 'tochka', shiftId: null, orderId: 'o-c', amountMinor: 45_600, currency: 'RUB',
      purpose: 'Оплата заказа o-c', methods: ['sbp'], saveCard: false, savedConsumerId: null, lines: [], pollScheduleMs: [50], unresolvedAfterMs: 60_000,
    }, randomUUID(), Date.now());
    s.store.insertIntent(row, [], event);
    const actor = new OperationActor<LinkState, LinkEvent>(state, new LinkPaymentDriver(id, row, qr, false), s.store, { onChange: () => {}, onError: () => {}, onSettled: () => {} });
    cleanups.push(() => actor.stop());
    actor.start();
    await until(() => actor.current.phase === 'awaiting');
    actor.dispatch({ type: 'cancel' });
    await actor.whenFinal();
    expect(actor.current).toMatchObject({ phase: 'canceled', ctx: { revoked: true } });
    expect(s.emulator.qr.get(QRC)?.status).toBe('DEACTIVATED');
    expect((await payQr(s)).status).toBe(409); // the customer can no longer pay it
    expect(purposeWithReference('x'.repeat(200), 'ref')).toHaveLength(140);
    expect(await qr.refund()).toMatchObject({ kind: 'rejected', errorKey: 'tochka.sbp_refund_in_bank' });
  });
});
