import { describe, expect, it } from 'vitest';
import type { PlannedLine } from '../checkout/basket';
import type { OperationRow } from '../journal/operations';
import { linkIntent } from './driver';
import { receiptLines } from './factory';
import { bankIdentity, linkCustomerAction } from './provider';

const line = (p: Partial<PlannedLine>): PlannedLine => ({ lineNo: 1, name: 'Товар', article: 'A', priceKop: 100, quantity: 1, measure: 'PIECE', subtotalKop: 100, discountKop: 0, totalKop: 100, tax: 'vat20', ...p });

describe('bank receipt lines', () => {
  it('unit price × quantity where exact; a discounted line as its total once; nothing when they do not add up', () => {
    expect(receiptLines([line({ priceKop: 250, quantity: 3, totalKop: 750 })], 750)).toEqual([{ name: 'Товар', priceMinor: 250, quantity: 3 }]);
    expect(receiptLines([line({ priceKop: 333, quantity: 3, discountKop: 99, totalKop: 900 })], 900)).toEqual([{ name: 'Товар', priceMinor: 900, quantity: 1 }]);
    expect(receiptLines([line({ priceKop: 100, quantity: 0.455, totalKop: 46 })], 46)).toEqual([{ name: 'Товар', priceMinor: 46, quantity: 1 }]);
    expect(receiptLines([line({ totalKop: 100 })], 150)).toEqual([]);
    expect(receiptLines([line({ totalKop: 0, priceKop: 0 }), line({ lineNo: 2, totalKop: 100 })], 100)).toHaveLength(1);
  });
});

describe('the payment link as the customer QR', () => {
  const row = (mutate: (ctx: Record<string, unknown>, state: Record<string, unknown>) => void): OperationRow => {
    const { row: r, state } = linkIntent({
      channel: 'link', revocable: false, operationId: 'op', provider: 'tochka', shiftId: null, orderId: 'o-1', amountMinor: 100, currency: 'RUB',
      purpose: 'p', methods: ['sbp'], saveCard: false, savedConsumerId: null, lines: [], pollScheduleMs: [100], unresolvedAfterMs: 1000,
    }, 'ref-1', 0);
    const s = JSON.parse(JSON.stringify(state)) as Record<string, unknown> & { ctx: Record<string, unknown> };
    mutate(s.ctx, s);
    return { ...r, context_json: JSON.stringify(s) };
  };

  it('shown while awaiting or canceling with a link; never while creating, without a link, or from an unreadable state', () => {
    expect(linkCustomerAction(row((c, s) => { c.link = 'https://pay.example/1'; s.phase = 'awaiting'; }))).toMatchObject({ kind: 'qr', payload: 'https://pay.example/1', hintRu: expect.stringContaining('СБП') });
    expect(linkCustomerAction(row((c, s) => { c.link = 'https://pay.example/1'; s.phase = 'canceling'; }))).not.toBeNull();
    expect(linkCustomerAction(row((c) => { c.link = 'https://pay.example/1'; }))).toBeNull();
    expect(linkCustomerAction(row((_c, s) => { s.phase = 'awaiting'; }))).toBeNull();
    expect(linkCustomerAction({ ...row(() => undefined), context_json: '{"v":9}' })).toBeNull();
    expect(linkCustomerAction({ ...row(() => undefined), context_json: 'not json' })).toBeNull();
  });

  it('a bank identity names the account without its secret, stable across calls', () => {
    const a = bankIdentity('tochka', ['https://enter.tochka.com/uapi', '300000092', null]);
    expect(a).toBe(bankIdentity('tochka', ['https://enter.tochka.com/uapi', '300000092', null]));
    expect(a).not.toBe(bankIdentity('tochka', ['https://enter.tochka.com/uapi', '300000093', null]));
    expect(a).toMatch(/^tochka:[0-9a-f]{16}$/);
  });
});
