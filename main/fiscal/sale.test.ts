// Which journal transitions make a receipt, and which receipt (pure rules of main/fiscal/sale.ts).
import { describe, expect, it } from 'vitest';
import type { OperationItemRow, OperationRow } from '../journal/operations';
import { fiscalConfigSchema } from './config';
import { checkSaleLines, receiptForTransition } from './sale';

const config = fiscalConfigSchema.parse({
  connector: 'atol',
  atol: { login: 'l', password: 'p', groupCode: 'g', company: { inn: '7707083893', paymentAddress: 'addr' } },
});

function row(over: Partial<OperationRow>): OperationRow {
  return {
    id: 'op-1', kind: 'payment', provider: 'koshelek', parent_id: null, shift_id: 1, order_id: 'A-1', amount_kop: 3_000, currency: 'RUB',
    phase: 'paid', is_final: 1, outcome: 'paid', request_id: 'req-1', transaction_id: 'ptx-1', ref_transaction_id: null, payment_type: 'SBP',
    provider_status: null, provider_ref_status: null, error_code: null, error_key: null, pay_token: null, loyalty_id: null, attempts: 1,
    context_json: '{}', created_at: '2026-11-30T09:00:00.000Z', updated_at: '2026-11-30T09:00:01.000Z', finished_at: '2026-11-30T09:00:01.000Z', recovered: 0,
    ...over,
  };
}
const item = (over: Partial<OperationItemRow>): OperationItemRow => ({
  operation_id: 'op-1', line_no: 0, name: 'Хлеб', article: 'BREAD', price_kop: 1_000, quantity: 3, measure: 'PIECE', total_kop: 3_000, discount_kop: 0, subtotal_kop: 3_000, tax: 'vat10', ...over,
});
const slip = { order_id: 'A-1', payment_transaction_id: 'ptx-1', refund_transaction_id: null, payment_type: 'SBP', refs_json: '{"qrcId":"Q1","kzo":"7","merchantId":"M"}' };

describe('receiptForTransition', () => {
  it('a paid payment makes a sell receipt with its lines and the provider block', () => {
    const d = receiptForTransition({ row: row({}), items: [item({})], slip }, config);
    expect(d.type).toBe('receipt');
    if (d.type !== 'receipt') return;
    expect(d.receipt).toMatchObject({ operation: 'sell', externalId: 'op-1', payments: [{ type: 'cashless', sumKop: 3_000 }] });
    expect(d.receipt.lines).toEqual([expect.objectContaining({ name: 'Хлеб', priceKop: 1_000, quantity: 3, sumKop: 3_000, vat: 'vat10', measure: 'piece' })]);
    expect(d.receipt.koshelek).toEqual({ orderId: 'A-1', paymentTransactionId: 'ptx-1', paymentType: 'SBP', qrcId: 'Q1', kzo: '7' });
  });

  it('nothing for unfinished, rejected, failed, cancelled payments, cancels, and refused refunds', () => {
    for (const over of [{ is_final: 0, outcome: null }, { outcome: 'rejected' }, { outcome: 'failed' }, { outcome: 'canceled' }, { kind: 'cancel' as const }, { kind: 'refund' as const, outcome: 'refund_rejected' }]) {
      expect(receiptForTransition({ row: row(over), items: [item({})], slip }, config)).toEqual({ type: 'none' });
    }
  });

  it('a done refund makes a sell_refund of its own lines, naming its sale; the sale provider decides who fiscalizes', () => {
    const refund = row({ id: 'ref-1', kind: 'refund', parent_id: 'op-1', outcome: 'refunded', amount_kop: 1_000, ref_transaction_id: 'rtx-1' });
    const d = receiptForTransition({ row: refund, items: [item({ operation_id: 'ref-1', quantity: 1, total_kop: 1_000, subtotal_kop: 1_000 })], slip: null, parentProvider: 'koshelek' }, config);
    expect(d.type === 'receipt' && d.receipt).toMatchObject({ operation: 'sell_refund', externalId: 'ref-1', parentExternalId: 'op-1', lines: [{ quantity: 1, sumKop: 1_000 }] });
    expect(d.type === 'receipt' && d.receipt.koshelek).toMatchObject({ refundTransactionId: 'rtx-1' });
    const self = fiscalConfigSchema.parse({ ...config, providerFiscalizes: ['koshelek'] });
    expect(receiptForTransition({ row: refund, items: [item({})], slip: null, parentProvider: 'koshelek' }, self)).toEqual({ type: 'none' });
  });

  it('nobody fiscalizes (connector none) or the provider does: nothing', () => {
    expect(receiptForTransition({ row: row({}), items: [item({})], slip }, fiscalConfigSchema.parse({}))).toEqual({ type: 'none' });
    expect(receiptForTransition({ row: row({}), items: [item({})], slip }, fiscalConfigSchema.parse({ ...config, providerFiscalizes: ['koshelek'] }))).toEqual({ type: 'none' });
  });

  it('a receipt that cannot be built is "unbuildable" with its reason, never a throw (the paid write must commit)', () => {
    const badVat = receiptForTransition({ row: row({}), items: [item({ tax: 'vat20' })], slip }, config);
    expect(badVat).toMatchObject({ type: 'unbuildable', operation: 'sell', saleId: 'op-1', errorKey: 'fiscal.vat_rate_invalid' });
    const mismatch = receiptForTransition({ row: row({ amount_kop: 2_999 }), items: [item({})], slip }, config);
    expect(mismatch).toMatchObject({ type: 'unbuildable', errorKey: 'fiscal.rejected' });
    expect(receiptForTransition({ row: row({}), items: [], slip }, config)).toMatchObject({ type: 'unbuildable', errorKey: 'fiscal.rejected' });
    const corruptRefs = receiptForTransition({ row: row({}), items: [item({})], slip: { ...slip, refs_json: 'not json' } }, config);
    expect(corruptRefs.type).toBe('receipt');
  });

  it('the amount-only line (1 kopeck × N) is one purchase of N kopecks', () => {
    const d = receiptForTransition({ row: row({ amount_kop: 123_456 }), items: [item({ name: 'Покупка', article: 'SALE', price_kop: 1, quantity: 123_456, total_kop: 123_456, subtotal_kop: 123_456, tax: 'none' })], slip }, config);
    expect(d.type === 'receipt' && d.receipt.lines).toEqual([expect.objectContaining({ priceKop: 123_456, quantity: 1, sumKop: 123_456, vat: 'none' })]);
  });
});

describe('checkSaleLines (before money moves)', () => {
  it('refuses a VAT rate the config forbids, only when Paydesk fiscalizes that provider', () => {
    const line = { name: 'x', article: 'X', priceKop: 100, quantity: 1, measure: 'PIECE', totalKop: 100, tax: 'vat20' };
    expect(() => checkSaleLines(config, 'koshelek', [line])).toThrow(/vat20/);
    expect(() => checkSaleLines(fiscalConfigSchema.parse({ ...config, providerFiscalizes: ['koshelek'] }), 'koshelek', [line])).not.toThrow();
    expect(() => checkSaleLines(config, 'koshelek', [{ ...line, tax: 'vat22' }])).not.toThrow();
    expect(() => checkSaleLines(config, 'koshelek', [{ ...line, measure: 'BUSHEL', tax: 'vat22' }])).toThrow(/measure/);
  });
});
