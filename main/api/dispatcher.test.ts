import { describe, expect, it } from 'vitest';
import type { OperationView } from '../contract/checkout';
import { PaydeskError } from '../errors/catalogue';
import { createDispatcher, type ApiHandlers } from './dispatcher';

const op: OperationView = {
  id: 'op1', kind: 'payment', provider: 'koshelek', providerTitle: 'Кошелёк Pay', customerAction: null, receipt: null, parentId: null, orderId: 'A-1', amountKop: 1000, phase: 'awaiting_status', phaseText: 'Ждём',
  isFinal: false, outcome: null, requestId: 'r1', transactionId: null, refTransactionId: null, paymentType: 'SBP', loyaltyId: '1', error: null,
  slip: null, lines: [], cancellable: true, refundableKop: null, shiftId: null, recovered: false, createdAt: 'x', updatedAt: 'x', finishedAt: null,
};

function handlers(overrides: Partial<ApiHandlers> = {}): ApiHandlers {
  const fail = (): never => { throw new Error('not used'); };
  return {
    'status.get': fail, 'sale.methods': fail, 'sale.catalogue': fail, 'sale.availability': fail, 'sale.pay': () => op, 'sale.cancel': fail, 'sale.park': fail, 'refund.start': fail, 'sale.extraCharge': fail,
    'operation.get': () => null, 'operation.query': () => [], 'operation.search': fail, 'scan.wedge': fail, 'scan.manual': fail, 'scan.image': fail, 'scan.camera': fail,
    'shift.current': fail, 'shift.open': fail, 'shift.claim': fail, 'shift.close': fail, 'shift.tender': fail, 'report.x': fail, 'report.z': fail,
    'report.list': fail, 'report.print': fail, 'report.printOs': fail, 'report.reprint': fail, 'report.export': fail, 'report.open': fail,
    'shift.voidTender': fail, 'admin.call': fail, 'admin.answer': fail, 'admin.calls': fail, 'catalogue.lookup': fail, 'queue.list': fail, 'queue.retry': fail, 'receipt.block': fail, 'receipt.print': fail, 'display.basket': fail,
    'people.state': fail, 'people.signIn': fail, 'people.signOut': fail, 'people.lock': fail, 'people.touch': fail, 'people.create': fail, 'people.yandexStart': fail,
    'people.yandexPoll': fail, 'access.get': fail, 'access.setMatrix': fail, 'access.setRight': fail, 'payments.search': fail, 'order.service': fail,
    'balance.get': fail, 'audit.verify': fail, 'savedCards.list': fail, 'savedCards.bind': fail, 'savedCards.pay': fail, 'savedCards.unbind': fail, ...overrides,
  };
}

describe('validating dispatcher', () => {
  it('refuses unknown methods', async () => {
    const r = await createDispatcher(handlers())('fs.readFile', {});
    expect(r).toMatchObject({ ok: false, error: { key: 'ipc.invalid' } });
  });
  it('refuses input the schema rejects, before the handler runs', async () => {
    let called = false;
    const d = createDispatcher(handlers({ 'sale.pay': () => { called = true; return op; } }));
    const r = await d('sale.pay', { orderId: 'bad id with spaces', amountKop: -5, card: { loyaltyId: '1' }, paymentType: 'SBP' });
    expect(r.ok).toBe(false);
    expect(called).toBe(false);
  });
  it('passes parsed input and returns validated output', async () => {
    const d = createDispatcher(handlers());
    const r = await d('sale.pay', { orderId: 'A-1', amountKop: 1000, card: { loyaltyId: '1', payToken: 'OKAB12' }, paymentType: 'SBP' });
    expect(r).toEqual({ ok: true, data: op });
  });
  it('maps core errors to the catalogue', async () => {
    const d = createDispatcher(handlers({ 'sale.pay': () => { throw new PaydeskError('payment.in_progress', 'order A-1'); } }));
    const r = await d('sale.pay', { orderId: 'A-1', amountKop: 1000, card: { loyaltyId: '1' }, paymentType: 'SBP' });
    expect(r).toMatchObject({ ok: false, error: { key: 'payment.in_progress', action: 'wait' } });
  });
  it('never returns output that breaks the contract', async () => {
    const d = createDispatcher(handlers({ 'operation.query': () => [{ id: 1, password: 'secret' }] as unknown as OperationView[] }));
    const r = await d('operation.query', {});
    expect(r).toMatchObject({ ok: false, error: { key: 'internal.unexpected' } });
    expect(JSON.stringify(r)).not.toContain('secret');
  });
});
