import { describe, expect, it } from 'vitest';
import { compileAccess } from '../access/compile';
import { DEFAULT_MATRIX } from '../access/matrix';
import { refundDecision } from './refund-policy';
import type { OrderOperation } from './status';

const table = compileAccess(DEFAULT_MATRIX, [
  { id: 'anna', role: 'cashier', active: true },
  { id: 'sofia', role: 'senior_cashier', active: true },
  { id: 'boris', role: 'manager', active: true },
  { id: 'admin', role: 'administrator', active: true },
], []);
const paid: OrderOperation[] = [{ kind: 'payment', amountMinor: 300_000, outcome: 'paid' }];
const ask = (actorId: string, extra: Partial<Parameters<typeof refundDecision>[0]> = {}) =>
  refundDecision({ actorId, operations: paid, service: null, amountMinor: 100_000, saleCashierId: 'anna', ...extra }, table);

describe('refund decision', () => {
  it('a cashier asks a supervisor; a senior cashier refunds her own sale alone', () => {
    expect(ask('anna')).toMatchObject({ decision: 'needs_approval', permission: 'refund' });
    expect(ask('sofia', { saleCashierId: 'sofia' })).toEqual({ decision: 'allow', permission: 'refund' });
  });

  it('refused for a scheduled or ongoing service, whoever asks', () => {
    for (const service of ['scheduled', 'in_progress'] as const) {
      expect(ask('admin', { service })).toEqual({ decision: 'deny', key: 'refund.service_not_finished' });
    }
  });

  it('a completed service: administrator yes, manager with an administrator, cashier refused', () => {
    expect(ask('admin', { service: 'completed' })).toEqual({ decision: 'allow', permission: 'refund_completed_service' });
    expect(ask('boris', { service: 'completed' })).toMatchObject({ decision: 'needs_approval', approverRoles: ['administrator', 'super_administrator'] });
    expect(ask('anna', { service: 'completed' })).toMatchObject({ decision: 'deny', key: 'refund.service_completed_admin' });
    expect(ask('anna', { service: 'cancelled' })).toMatchObject({ decision: 'needs_approval', permission: 'refund' });
  });

  it('money rules come first: not paid, more than is left, a refund still in flight, a bad amount', () => {
    expect(ask('admin', { operations: [] })).toEqual({ decision: 'deny', key: 'refund.not_paid' });
    expect(ask('admin', { amountMinor: 300_001 })).toEqual({ decision: 'deny', key: 'refund.exceeds_available' });
    expect(ask('admin', { amountMinor: 1, operations: [...paid, { kind: 'refund', amountMinor: 300_000, outcome: null }] })).toEqual({ decision: 'deny', key: 'refund.in_progress' });
    for (const amountMinor of [0, -1, 1.5, Number.NaN]) expect(ask('admin', { amountMinor }).decision).toBe('deny');
  });
});
