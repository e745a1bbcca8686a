// The card terminal through the real, provider-neutral checkout: the method comes from the registry, a
// sale needs no card scan, the terminal emulator's ledger shows exactly one charge, and one order is never
// paid by two providers. The terminal-level faults and kill -9 steps are in terminal-checkout-crash.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execLaunch, Ledger } from '../../emulators/terminal';
import { card, orderId, startTill, tempDir, type Till } from '../support/till';

let till: Till | null = null;
afterEach(async () => {
  await till?.close();
  till = null;
});

async function terminalTill(fault?: 'approve' | 'decline' | 'cancel'): Promise<{ till: Till; ledger: Ledger }> {
  const ledger = new Ledger(path.join(tempDir('paydesk-terminal-'), 'app'));
  const launch = await execLaunch(ledger.dir, { processingMs: 20, ...(fault ? { fault } : {}) });
  const t = await startTill({ extra: { providers: ['koshelek', 'terminal'], terminal: { enabled: true, launch, timing: { lookupScheduleMs: [0, 200] } } } });
  return { till: t, ledger };
}

describe('card terminal through the checkout', () => {
  it('methods come from the registry and config: Koshelek methods, then the terminal card, each with its provider', async () => {
    ({ till } = await terminalTill());
    const methods = till.core.checkout.methods();
    expect(methods.map((m) => `${m.provider}:${m.method}`)).toEqual(['koshelek:SBP', 'koshelek:DOLYAME', 'terminal:card']);
    expect(methods.find((m) => m.provider === 'terminal')).toMatchObject({ needsCardScan: false, ready: true, titleRu: 'Карта (терминал)', problem: null });
    expect(methods.find((m) => m.provider === 'koshelek')).toMatchObject({ needsCardScan: true, ready: true });
  });

  it('the configured payment application is missing: the terminal is not ready, with a Russian instruction; a sale is refused and nothing is journaled', async () => {
    const missing = path.join(tempDir('paydesk-terminal-missing-'), 'no-such-app');
    till = await startTill({ extra: { providers: ['koshelek', 'terminal'], terminal: { enabled: true, launch: { mode: 'exec', executable: missing, args: [] } } } });
    const method = till.core.checkout.methods().find((m) => m.provider === 'terminal');
    expect(method).toMatchObject({ ready: false, problem: { key: 'terminal.app_not_installed' } });
    expect(method?.problem?.ru).toMatch(/не найдена/);
    expect(method?.problem?.ru).toMatch(/администратор/);
    // Koshelek still sells.
    expect(till.core.checkout.methods().find((m) => m.provider === 'koshelek')).toMatchObject({ ready: true });
    await expect(till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'card' })).rejects.toMatchObject({ key: 'terminal.app_not_installed' });
    expect(till.core.journal.sqlite.prepare("SELECT count(*) AS n FROM operations WHERE provider = 'terminal'").get()).toEqual({ n: 0 });
    // A file that is there but not executable is no better.
    fs.writeFileSync(missing, '#!/bin/sh\n', { mode: 0o644 });
    expect(till.core.checkout.methods().find((m) => m.provider === 'terminal')).toMatchObject({ ready: false, problem: { key: 'terminal.app_not_installed' } });
    // Installed (made executable): ready again without a restart.
    fs.chmodSync(missing, 0o755);
    expect(till.core.checkout.methods().find((m) => m.provider === 'terminal')).toMatchObject({ ready: true, problem: null });
  });

  it('a sale without a card: one charge at the terminal, slip refs journaled, our id is the terminal operationExternalId', async () => {
    const started = await terminalTill();
    till = started.till;
    const order = orderId();
    const op = await till.core.checkout.pay({ orderId: order, amountKop: 12_345, paymentType: 'card' });
    expect(op).toMatchObject({ provider: 'terminal', providerTitle: 'Карта (терминал)', outcomeUnknown: true, cancellable: false });
    const done = await till.core.checkout.waitFinal(op.id, 20_000);
    expect(done).toMatchObject({ outcome: 'paid', isFinal: true, amountKop: 12_345 });
    expect(started.ledger.count(done.requestId)).toEqual({ sales: 1, charges: 1 });
    expect(done.slip?.refs.map((r) => r.key)).toContain('rrn');
    // A double press of Pay is the same payment, never a second launch.
    const again = await till.core.checkout.pay({ orderId: order, amountKop: 12_345, paymentType: 'card' });
    expect(again.id).toBe(op.id);
    expect(started.ledger.count(done.requestId)).toEqual({ sales: 1, charges: 1 });
    // Found by any of its provider ids.
    const rrn = done.slip?.refs.find((r) => r.key === 'rrn')?.value ?? '';
    expect(till.core.checkout.query({ transactionId: done.transactionId ?? '' }).map((o) => o.id)).toContain(op.id);
    expect(rrn).not.toBe('');
  });

  it('declined and cancelled on the terminal: final, nothing charged, a Russian instruction', async () => {
    for (const fault of ['decline', 'cancel'] as const) {
      const started = await terminalTill(fault);
      till = started.till;
      const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 5_000, paymentType: 'card' });
      const done = await till.core.checkout.waitFinal(op.id, 20_000);
      expect(done.isFinal).toBe(true);
      expect(done.outcome).toBe(fault === 'decline' ? 'rejected' : 'canceled');
      expect(done.error?.ru).toMatch(fault === 'decline' ? /отклонена/ : /отменена на терминале/);
      expect(started.ledger.count(done.requestId).charges).toBe(0);
      await till.close();
      till = null;
    }
  });

  it('one order is never paid by two providers: a paid terminal order refuses a Koshelek payment', async () => {
    ({ till } = await terminalTill());
    const order = orderId();
    const op = await till.core.checkout.pay({ orderId: order, amountKop: 7_000, paymentType: 'card' });
    await till.core.checkout.waitFinal(op.id, 20_000);
    await expect(till.core.checkout.pay({ orderId: order, amountKop: 7_000, paymentType: 'SBP', card: card('OK') })).rejects.toMatchObject({ key: 'payment.order_conflict' });
  });

  it('a terminal payment cannot be refunded from the till: a clear refusal, nothing sent', async () => {
    ({ till } = await terminalTill());
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 7_000, paymentType: 'card' });
    await till.core.checkout.waitFinal(op.id, 20_000);
    await expect(till.core.checkout.refund({ paymentOperationId: op.id })).rejects.toMatchObject({ key: 'refund.not_supported' });
  });

  it('a Koshelek method without a scanned card is refused before anything is written', async () => {
    ({ till } = await terminalTill());
    await expect(till.core.checkout.pay({ orderId: orderId(), amountKop: 7_000, paymentType: 'SBP' })).rejects.toMatchObject({ key: 'payment.no_card_session' });
    expect(till.core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM operations').get()).toEqual({ n: 0 });
  });

  it('an embedded terminal emulator is refused outside environment "emulator": the method is listed, not ready', async () => {
    till = await startTill({ extra: { providers: ['koshelek', 'terminal'], terminal: { enabled: true, embeddedEmulator: true } } });
    const terminal = till.core.checkout.methods().find((m) => m.provider === 'terminal');
    expect(terminal).toMatchObject({ ready: false });
    expect(terminal?.problem?.details).toMatch(/embeddedEmulator/);
    await expect(till.core.checkout.pay({ orderId: orderId(), amountKop: 7_000, paymentType: 'card' })).rejects.toMatchObject({ key: 'config.invalid' });
  });

  it('a fresh (emulator) install sells on the embedded terminal emulator', async () => {
    till = await startTill({ mode: 'emulator', extra: { providers: ['koshelek', 'terminal'], terminal: { enabled: true, embeddedEmulator: true } } });
    expect(till.core.checkout.methods().find((m) => m.provider === 'terminal')).toMatchObject({ ready: true });
    const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'card' });
    expect((await till.core.checkout.waitFinal(op.id, 20_000)).outcome).toBe('paid');
  });
});
