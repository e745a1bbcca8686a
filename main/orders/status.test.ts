import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canMoveService, orderMoney, serviceRefundRule, type OrderOperation } from './status';

describe('order payment status', () => {
  it('Not paid / Paid / Partly refunded / Refunded from operations', () => {
    expect(orderMoney([]).status).toBe('not_paid');
    expect(orderMoney([{ kind: 'payment', amountMinor: 1000, outcome: 'failed' }]).status).toBe('not_paid');
    const pending = orderMoney([{ kind: 'payment', amountMinor: 1000, outcome: null }]);
    expect(pending).toMatchObject({ status: 'not_paid', unresolved: true });
    const paid: OrderOperation = { kind: 'payment', amountMinor: 1000, outcome: 'paid' };
    expect(orderMoney([paid])).toEqual({ status: 'paid', paidMinor: 1000, refundedMinor: 0, refundableMinor: 1000, unresolved: false });
    expect(orderMoney([paid, { kind: 'refund', amountMinor: 300, outcome: 'refunded' }])).toMatchObject({ status: 'partly_refunded', refundableMinor: 700 });
    expect(orderMoney([paid, { kind: 'refund', amountMinor: 300, outcome: 'refunded' }, { kind: 'refund', amountMinor: 700, outcome: 'refunded' }]).status).toBe('refunded');
    expect(orderMoney([paid, { kind: 'refund', amountMinor: 300, outcome: 'failed' }]).status).toBe('paid');
    // A refund in flight is not counted as refunded, but cannot be refunded twice either.
    expect(orderMoney([paid, { kind: 'refund', amountMinor: 400, outcome: null }])).toMatchObject({ status: 'paid', refundableMinor: 600, unresolved: true });
    // A payment the core marked 'refunded' still brought the money in.
    expect(orderMoney([{ kind: 'payment', amountMinor: 500, outcome: 'refunded' }, { kind: 'refund', amountMinor: 500, outcome: 'refunded' }]).status).toBe('refunded');
  });

  it('refundable never goes negative and paid = refunded + refundable + in flight (property)', () => {
    const op = fc.record({
      kind: fc.constantFrom('payment' as const, 'refund' as const, 'cancel' as const),
      amountMinor: fc.integer({ min: 1, max: 10_000_000 }),
      outcome: fc.constantFrom(null, 'paid', 'refunded', 'failed', 'canceled'),
    });
    fc.assert(fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
      const m = orderMoney(ops);
      expect(m.refundableMinor).toBeGreaterThanOrEqual(0);
      expect(m.refundableMinor).toBeLessThanOrEqual(m.paidMinor);
      if (m.status === 'refunded') expect(m.refundedMinor).toBeGreaterThanOrEqual(m.paidMinor);
      if (m.status === 'not_paid') expect(m.paidMinor).toBe(0);
    }));
  });
});

describe('service refund rule', () => {
  it('no refund for scheduled or ongoing; cancelled refundable; completed only by an administrator', () => {
    expect(serviceRefundRule('scheduled')).toEqual({ refundable: false, key: 'refund.service_not_finished' });
    expect(serviceRefundRule('in_progress')).toEqual({ refundable: false, key: 'refund.service_not_finished' });
    expect(serviceRefundRule('cancelled')).toEqual({ refundable: true, permission: 'refund' });
    expect(serviceRefundRule('completed')).toEqual({ refundable: true, permission: 'refund_completed_service' });
    expect(serviceRefundRule(null)).toEqual({ refundable: true, permission: 'refund' });
  });

  it('service states move forward only; a completed or cancelled service is final', () => {
    expect(canMoveService('scheduled', 'in_progress')).toBe(true);
    expect(canMoveService('in_progress', 'cancelled')).toBe(true);
    expect(canMoveService('completed', 'cancelled')).toBe(false);
    expect(canMoveService('cancelled', 'scheduled')).toBe(false);
    expect(canMoveService('in_progress', 'scheduled')).toBe(false);
  });
});

describe('service refund rule against the default matrix', () => {
  it('a completed service: the administrator refunds; a manager needs an administrator; a cashier is refused', async () => {
    const { compileAccess } = await import('../access/compile');
    const { DEFAULT_MATRIX } = await import('../access/matrix');
    const table = compileAccess(DEFAULT_MATRIX, [
      { id: 'c', role: 'cashier', active: true },
      { id: 'm', role: 'manager', active: true },
      { id: 'a', role: 'administrator', active: true },
    ], []);
    const rule = serviceRefundRule('completed');
    if (!rule.refundable) throw new Error('completed must be refundable');
    expect(table.authorize('a', rule.permission, { amountMinor: 1000, saleCashierId: 'c' }).decision).toBe('allow');
    const manager = table.authorize('m', rule.permission, { amountMinor: 1000, saleCashierId: 'c' });
    expect(manager).toMatchObject({ decision: 'needs_approval', approverRoles: ['administrator', 'super_administrator'] });
    expect(table.authorize('c', rule.permission, { amountMinor: 1000, saleCashierId: 'c' }).decision).toBe('deny');
  });
});
