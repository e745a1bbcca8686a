// The receipt queue through the API session (what the renderer calls): a failed receipt is listed with
// its attempts and reason, "retry now" after the cause is fixed sends it once; the cashier's operation
// event carries the receipt's state as it changes; the Z close is refused while receipts are pending
// unless a manager's decision (who, why) is given, and that decision is recorded on the operation.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAtolEmulator, type AtolEmulator } from '../../emulators/atol/server';
import type { OperationView } from '../../main/contract/checkout';
import { startApiHarness, type ApiHarness } from '../support/api-session';
import { card, orderId } from '../support/till';
import { atolFiscal } from '../support/fiscal';
import fs from 'node:fs';

let atol: AtolEmulator;
let h: ApiHarness | null = null;
beforeAll(async () => {
  atol = await startAtolEmulator();
});
afterAll(async () => {
  await atol.close();
});
afterEach(async () => {
  await h?.close();
  h = null;
  atol.setDown(false);
});

async function until<T>(read: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const LINE = [{ name: 'Чай', article: 'TEA', priceKop: 25_000, quantity: 1, tax: 'vat22' }];

describe('receipt queue through the API', () => {
  it('a failed receipt is listed with attempts and reason; IT fixes the config, retry now sends it once; events carry the receipt state', async () => {
    // A wrong ATOL password: a permanent error (retrying cannot fix it), the job stops for the manager.
    h = await startApiHarness({ extra: { fiscal: atolFiscal(atol.baseUrl, {}, 'wrong-password') } });
    const harness = h;
    const started = await harness.call('sale.pay', { orderId: orderId(), lines: LINE, card: card('OK'), paymentType: 'SBP' });
    const failed = await until(() => harness.call('operation.get', { operationId: started.id }), (v) => v?.receipt?.state === 'failed');
    expect(failed?.outcome).toBe('paid');
    expect(failed?.receipt).toMatchObject({ state: 'failed', canFinish: true, textRu: expect.stringMatching(/^Чек не пробит: /) });
    const listed = await harness.call('queue.list', {});
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: 'fiscal.sell', kindRu: 'Чек прихода', operationId: started.id, status: 'failed', attempts: 1, amountKop: 25_000 });
    expect(listed[0]?.error?.key).toBe('fiscal.auth');
    // The cashier's screen heard about it without asking.
    const pushed = harness.events.filter((e): e is { event: 'operation'; payload: OperationView } => e.event === 'operation' && e.payload.id === started.id);
    expect(pushed.map((e) => e.payload.receipt?.state)).toContain('failed');
    expect(atol.documents().filter((d) => d.externalId === started.id)).toHaveLength(0);
    // IT fixes the password (hot reload), the manager presses «Повторить сейчас»: the same job, one receipt.
    const file = harness.till.configFile;
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { fiscal: { atol: { password: string } } };
    config.fiscal.atol.password = 'emulator';
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    await until(() => harness.till.core.config.current().fiscal.atol.password, (p) => p === 'emulator');
    expect(await harness.call('queue.retry', { jobId: listed[0]?.id ?? 0 })).toEqual({ retried: true });
    const done = await until(() => harness.call('operation.get', { operationId: started.id }), (v) => v?.receipt?.state === 'done');
    expect(done?.receipt?.state).toBe('done');
    expect(atol.documents().filter((d) => d.externalId === started.id)).toHaveLength(1);
    expect(await harness.call('queue.list', {})).toEqual([]);
    expect(await harness.call('queue.retry', { jobId: listed[0]?.id ?? 0 })).toEqual({ retried: false });
  });

  it('Z close is refused while a receipt is pending; with a manager decision it closes and the decision is recorded', async () => {
    h = await startApiHarness({ extra: { fiscal: atolFiscal(atol.baseUrl) } });
    const harness = h;
    atol.setDown(true);
    const started = await harness.call('sale.pay', { orderId: orderId(), lines: LINE, card: card('OK'), paymentType: 'SBP' });
    await until(() => harness.call('operation.get', { operationId: started.id }), (v) => v?.isFinal === true && v.receipt?.state === 'retrying');
    const refused = await harness.fail('shift.close', { cashier: 'Иванова' });
    expect(refused.key).toBe('shift.receipts_pending');
    expect(refused.ru).toMatch(/неотправленные чеки/);
    const bad = await harness.fail('shift.close', { cashier: 'Иванова', pendingReceipts: { decidedBy: 'Петров', reason: '' } });
    expect(bad.key).toBe('ipc.invalid');
    // Past the receipt gate; the Z itself is the reports capability's (on this branch its build may still refuse for
    // its own reasons — anything but the receipt gate is not this test's business).
    const closed = await harness.session.dispatch('shift.close', { cashier: 'Иванова', pendingReceipts: { decidedBy: 'Петров (старший)', reason: 'ОФД недоступен, чек уйдёт позже' } });
    if (!closed.ok) expect(closed.error.key).not.toBe('shift.receipts_pending');
    const notes = harness.till.core.journal.sqlite.prepare("SELECT body_json FROM operation_events WHERE operation_id = ? AND type = 'note'").all(started.id) as { body_json: string }[];
    expect(notes.map((n) => JSON.parse(n.body_json) as unknown)).toContainEqual({
      zCloseWithPendingReceipt: expect.objectContaining({ decidedBy: 'Петров (старший)', reason: 'ОФД недоступен, чек уйдёт позже', jobState: 'queued' }),
    });
    // The receipt is still owed and goes out when the service is back.
    atol.setDown(false);
    await until(() => harness.call('operation.get', { operationId: started.id }), (v) => v?.receipt?.state === 'done');
  });

  it('the customer receipt block: provider ids with labels (internal ones left off) and the fiscal number, on the receipt printer and as PDF', async () => {
    const written: Buffer[] = [];
    h = await startApiHarness(
      { extra: { fiscal: atolFiscal(atol.baseUrl), printer: { enabled: true, path: '/dev/null', transport: 'device' } } },
      { printerTransport: () => ({ target: 'capture', write: async (data: Buffer) => { written.push(data); } }) },
    );
    const harness = h;
    const started = await harness.call('sale.pay', { orderId: orderId(), lines: LINE, card: card('OK'), paymentType: 'SBP' });
    const done = await until(() => harness.call('operation.get', { operationId: started.id }), (v) => v?.receipt?.state === 'done');
    const { customerReceiptBlock } = await import('../../main/printing/customer-receipt');
    const block = customerReceiptBlock(done as OperationView);
    const rows = block?.rows.map((r) => r.parameter) ?? [];
    expect(rows.slice(0, 3)).toEqual(['orderId', 'paymentTransactionId', 'paymentType']);
    expect(rows).toContain('qrcId');
    expect(rows).toContain('kzo');
    expect(rows).not.toContain('merchantId');
    expect(rows).not.toContain('bankOperationId');
    expect(rows.slice(-2)).toEqual(['fiscalDocumentNumber', 'fiscalSign']);
    expect(block?.rows.find((r) => r.parameter === 'fiscalDocumentNumber')?.value).toBe(done?.receipt?.documentNumber);
    // Traceable by the fiscal receipt: the refund screen's search finds the sale by its fiscal sign.
    const found = await harness.call('operation.search', { text: done?.receipt?.fiscalSign ?? 'none' });
    expect(found.items.map((o) => o.id)).toContain(started.id);
    const printed = await harness.call('receipt.print', { operationId: started.id });
    expect(printed).toMatchObject({ printed: true, error: null });
    expect(written).toHaveLength(1);
    expect(written[0]?.includes(Buffer.from(done?.transactionId ?? 'none'))).toBe(true);
    const pdf = await harness.call('receipt.print', { operationId: started.id, format: 'pdf' });
    expect(pdf.path).toMatch(/receipt-.*\.pdf$/);
    expect(fs.readFileSync(pdf.path ?? '').subarray(0, 5).toString()).toBe('%PDF-');
    // A declined payment has nothing to print.
    const declined = await harness.call('sale.pay', { orderId: orderId(), lines: LINE, card: card('DC'), paymentType: 'SBP' });
    await until(() => harness.call('operation.get', { operationId: declined.id }), (v) => v?.isFinal === true);
    expect((await harness.fail('receipt.print', { operationId: declined.id })).key).toBe('refund.not_paid');
  });
});
