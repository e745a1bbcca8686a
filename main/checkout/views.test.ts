// What the cashier reads for an operation: the truth about unknown outcomes, the configured limit, and no
// stale "connection dropped" once a refund is done.
import { describe, expect, it } from 'vitest';
import type { OperationRow } from '../journal/operations';
import { operationView } from './views';

function row(patch: Partial<OperationRow>): OperationRow {
  return {
    id: 'op', kind: 'payment', provider: 'wallet', parent_id: null, shift_id: null, order_id: 'o', amount_kop: 1000, currency: 'RUB',
    phase: 'awaiting_status', is_final: 0, outcome: null, request_id: 'r', transaction_id: 't', ref_transaction_id: null, payment_type: 'SBP',
    provider_status: null, provider_ref_status: null, error_code: null, error_key: null, pay_token: 'OK0001', loyalty_id: '1', attempts: 0,
    context_json: '{}', created_at: '2026-11-30T00:00:00.000Z', updated_at: '2026-11-30T00:00:00.000Z', finished_at: null, recovered: 0,
    ...patch,
  };
}
/** A provider as checkout sees it: its phases and the limits its texts quote. */
function provider(seconds = 30) {
  return {
    title: 'Тестовый провайдер',
    view: {
      phaseText: { awaiting_status: 'Ожидаем подтверждения покупателем…' },
      unknownPhases: new Set(['checkout_pending', 'resolving_checkout', 'awaiting_status']),
      cancellablePhases: new Set(['checkout_pending', 'awaiting_status', 'resolving_checkout']),
      slipRefs: [{ key: 'qr', label: 'QR' }],
      reportRefs: [],
      limits: () => ({ minutes: 5, seconds }),
    },
  };
}
const view = (r: OperationRow, extra: { finalStatusSeconds?: number; held?: 'connection' | 'unreadable' } = {}) =>
  operationView({ row: r, items: [], slip: null, children: [], provider: provider(extra.finalStatusSeconds), held: extra.held ?? null });

describe('operation texts', () => {
  it('an unanswered checkout is "unknown — take no other payment", never "choose another method"', () => {
    const v = view(row({ phase: 'resolving_checkout', error_key: 'payment.auto_canceled_no_answer' }));
    expect(v.error?.ru).toMatch(/неизвестен/);
    expect(v.error?.ru).toMatch(/Не принимайте другую оплату/);
    expect(v.error?.ru).not.toMatch(/Выберите другой способ/);
    expect(v.error?.action).toBe('wait');
  });

  it('once the cancel is known, the text says so', () => {
    const v = view(row({ phase: 'canceled', is_final: 1, outcome: 'canceled', error_key: 'payment.auto_canceled_no_answer' }));
    expect(v.error?.key).toBe('payment.canceled_no_answer');
    expect(v.error?.ru).toMatch(/не списаны/);
  });

  it('the automatic-cancel text quotes the configured limit', () => {
    const v = view(row({ phase: 'canceled', is_final: 1, outcome: 'canceled', error_key: 'payment.auto_canceled_timeout' }), { finalStatusSeconds: 12 });
    expect(v.error?.ru).toContain('12 с');
    expect(v.error?.ru).not.toContain('30');
  });

  it('a refund that completed after lost answers shows no "connection dropped"', () => {
    const v = view(row({ kind: 'refund', phase: 'refunded', is_final: 1, outcome: 'refunded', error_key: 'network.reset' }));
    expect(v.error).toBeNull();
  });

  it('a held operation says it needs its original connection and cannot be cancelled here', () => {
    const v = view(row({}), { held: 'connection' });
    expect(v.held).toBe(true);
    expect(v.cancellable).toBe(false);
    expect(v.error?.key).toBe('payment.held_connection');
  });

  it('an operation whose saved state does not parse is held for IT, not shown as waiting for a connection', () => {
    const v = view(row({}), { held: 'unreadable' });
    expect(v.held).toBe(true);
    expect(v.cancellable).toBe(false);
    expect(v.error?.key).toBe('operation.state_unreadable');
    expect(v.phaseText).toMatch(/не читается/);
  });
});

describe('extra charge capability (neutral)', () => {
  const withExtras = (r: OperationRow, extraCharges: boolean, held: 'connection' | null = null) =>
    operationView({ row: r, items: [], slip: null, children: [], provider: { ...provider(), extraCharges }, held });
  const paid = { phase: 'paid', is_final: 1, outcome: 'paid' } as const;
  it('only a paid sale of a provider that takes extra charges offers one', () => {
    expect(withExtras(row(paid), true).extraChargeable).toBe(true);
    expect(withExtras(row(paid), false).extraChargeable).toBe(false);
    expect(view(row(paid)).extraChargeable).toBe(false); // provider without the flag
    expect(withExtras(row({}), true).extraChargeable).toBe(false); // not paid yet
    expect(withExtras(row({ ...paid, parent_id: 'sale' }), true).extraChargeable).toBe(false); // an extra charge itself
    expect(withExtras(row({ ...paid, kind: 'refund', outcome: 'refunded' }), true).extraChargeable).toBe(false);
    expect(withExtras(row(paid), true, 'connection').extraChargeable).toBe(false); // held: nothing new on it
  });
});
