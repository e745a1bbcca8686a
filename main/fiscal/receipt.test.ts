import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fiscalReceiptSchema, koshelekBlockText, rubles, vatAmountKop, YOOKASSA_VAT_CODE, type FiscalReceipt } from './receipt';
import { fiscalConfigSchema, fiscalizerFor, receiptLinesFromBasket } from './config';
import { atolTimestamp, toAtolRequest } from './atol/map';
import { atolConfigSchema } from './atol/config';
import { atolRegisterRequestSchema } from './atol/wire';
import { idempotenceKey, toYookassaRequest, unitPriced } from './yookassa/map';
import { yookassaConfigSchema } from './yookassa/config';
import { yookassaReceiptRequestSchema } from './yookassa/wire';
import { FiscalError } from './connector';
import { refundReceipt, saleReceipt } from './build';

const receipt: FiscalReceipt = fiscalReceiptSchema.parse({
  operation: 'sell', externalId: 'op-1', createdAt: '2026-11-30T09:00:00.000Z',
  lines: [
    { name: 'Молоко', priceKop: 8_990, quantity: 2, sumKop: 17_980, measure: 'piece', vat: 'vat10', paymentMethod: 'full_payment', paymentObject: 'commodity' },
    { name: 'Сыр весовой', priceKop: 120_000, quantity: 0.35, sumKop: 42_000, measure: 'kilogram', vat: 'vat22', paymentMethod: 'full_payment', paymentObject: 'commodity' },
  ],
  payments: [{ type: 'cashless', sumKop: 59_980 }],
  koshelek: { orderId: 'ord-1', paymentTransactionId: 'ptx-1', paymentType: 'SBP', qrcId: 'AS1000', kzo: '42' },
});

describe('neutral receipt', () => {
  it('VAT included in a gross sum, half up to the kopeck, incl. the 2026 rates', () => {
    expect(vatAmountKop('vat22', 12_200)).toBe(2_200);
    expect(vatAmountKop('vat122', 12_200)).toBe(2_200);
    expect(vatAmountKop('vat10', 11_000)).toBe(1_000);
    expect(vatAmountKop('vat5', 10_500)).toBe(500);
    expect(vatAmountKop('vat7', 10_700)).toBe(700);
    expect(vatAmountKop('none', 10_000)).toBe(0);
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 9 }), (g) => vatAmountKop('vat22', g) === Math.round((g * 22) / 122)));
  });

  it('ЮKassa vat codes 11 and 12 are the 22 % rates', () => {
    expect(YOOKASSA_VAT_CODE.vat22).toBe(11);
    expect(YOOKASSA_VAT_CODE.vat122).toBe(12);
  });

  it('refuses a receipt whose payments do not add up, and a refund that does not name its sale', () => {
    expect(fiscalReceiptSchema.safeParse({ ...receipt, payments: [{ type: 'cashless', sumKop: 1 }] }).success).toBe(false);
    expect(fiscalReceiptSchema.safeParse({ ...receipt, operation: 'sell_refund' }).success).toBe(false);
  });

  it('money to text without floating point', () => {
    expect(rubles(59_980)).toBe('599.80');
    expect(rubles(5)).toBe('0.05');
    expect(rubles(100_000_001)).toBe('1000000.01');
  });

  it('the Koshelek block travels as one text', () => {
    expect(koshelekBlockText({ orderId: 'o', refundTransactionId: 'r', kzo: '1' })).toBe('orderId=o;refundTransactionId=r;kzo=1');
  });
});

describe('basket → receipt lines', () => {
  const config = fiscalConfigSchema.parse({});
  it('maps measures and rates and refuses 20 % after 2026-01-01 unless the config allows it', () => {
    const lines = receiptLinesFromBasket([{ name: 'Сыр', priceKop: 120, quantity: 350, measure: 'GRAM', totalKop: 42_000, tax: 'vat22' }], config);
    expect(lines[0]).toMatchObject({ measure: 'gram', vat: 'vat22', paymentMethod: 'full_payment', paymentObject: 'commodity', sumKop: 42_000 });
    expect(() => receiptLinesFromBasket([{ name: 'X', priceKop: 1, quantity: 1, measure: 'PIECE', totalKop: 1, tax: 'vat20' }], config)).toThrow(/vat20/);
    const legacy = fiscalConfigSchema.parse({ taxMap: { НДС22: 'vat22' } });
    expect(receiptLinesFromBasket([{ name: 'X', priceKop: 1, quantity: 1, measure: 'OTHER', totalKop: 1, tax: 'НДС22' }], legacy)[0]).toMatchObject({ vat: 'vat22', measure: 'another' });
  });

  it('who fiscalizes: a provider that fiscalizes itself wins over the connector', () => {
    const c = fiscalConfigSchema.parse({ connector: 'atol', providerFiscalizes: ['tochka'], atol: { login: 'l', password: 'p', groupCode: 'g', company: { inn: '7700000000', paymentAddress: 'shop' } } });
    expect(fiscalizerFor(c, 'tochka')).toBe('provider');
    expect(fiscalizerFor(c, 'koshelek')).toBe('atol');
  });

  it('a connector chosen without its credentials is a config error naming the field', () => {
    const r = fiscalConfigSchema.safeParse({ connector: 'yookassa' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('yookassa.secretKey');
  });
});

describe('ATOL mapping', () => {
  const config = atolConfigSchema.parse({ groupCode: 'g', company: { inn: '7700000000', email: 'shop@example.ru', paymentAddress: 'Москва' } });
  it('builds a body the ATOL schema accepts, with FFD codes, VAT sums and the Koshelek block', () => {
    const body = atolRegisterRequestSchema.parse(toAtolRequest(receipt, config));
    expect(body.external_id).toBe('op-1');
    expect(body.timestamp).toBe('30.11.2026 12:00:00');
    expect(body.receipt.items[1]).toMatchObject({ measure: 11, payment_object: 1, price: 1200, quantity: 0.35, sum: 420, vat: { type: 'vat22', sum: 75.74 } });
    expect(body.receipt.total).toBe(599.8);
    expect(body.receipt.payments).toEqual([{ type: 1, sum: 599.8 }]);
    expect(body.receipt.additional_user_props?.value).toContain('paymentTransactionId=ptx-1');
  });
  it('timestamps in Moscow time across a date change', () => {
    expect(atolTimestamp('2026-12-31T22:30:05.000Z')).toBe('01.01.2027 01:30:05');
  });
});

describe('ЮKassa mapping', () => {
  const config = yookassaConfigSchema.parse({ shopId: 's', secretKey: 'k', fallbackEmail: 'shop@example.ru' });
  it('builds a body the ЮKassa schema accepts; the key is a function of the operation only', () => {
    const body = yookassaReceiptRequestSchema.parse(toYookassaRequest(receipt, config));
    expect(body).toMatchObject({ type: 'payment', internet: false, customer: { email: 'shop@example.ru' }, settlements: [{ type: 'cashless', amount: { value: '599.80' } }] });
    expect(body.items[1]).toMatchObject({ quantity: '0.35', amount: { value: '1200.00' }, vat_code: 11, measure: 'kilogram', payment_subject: 'commodity' });
    expect(idempotenceKey(receipt)).toBe(idempotenceKey({ ...receipt }));
    expect(idempotenceKey(receipt)).not.toBe(idempotenceKey({ ...receipt, operation: 'sell_refund' }));
    expect(idempotenceKey(receipt)).toHaveLength(64);
  });
  it('a discounted line is split so unit prices add up to the kopeck', () => {
    const parts = unitPriced({ ...receipt.lines[0]!, quantity: 3, priceKop: 1_000, sumKop: 2_900 });
    expect(parts).toEqual([{ quantity: 2, priceKop: 966 }, { quantity: 1, priceKop: 968 }]);
    expect(parts.reduce((s, p) => s + p.quantity * p.priceKop, 0)).toBe(2_900);
  });
  it('cash is refused (ЮKassa has no cash settlement)', () => {
    expect(() => toYookassaRequest({ ...receipt, payments: [{ type: 'cash', sumKop: 59_980 }] }, config)).toThrow(FiscalError);
  });
});

describe('receipts from what the checkout records', () => {
  const config = fiscalConfigSchema.parse({});
  const basket = [
    { name: 'Молоко', priceKop: 8_990, quantity: 2, measure: 'PIECE', totalKop: 17_980, tax: 'vat10' },
    { name: 'Сыр', priceKop: 120, quantity: 350, measure: 'GRAM', totalKop: 42_000, tax: 'vat22' },
  ];
  it('a sale: all lines, one cashless payment of the total, the Koshelek block', () => {
    const r = saleReceipt({ operationId: 'op-9', createdAt: '2026-11-30T09:00:00.000Z', lines: basket, koshelek: { orderId: 'o-9', paymentTransactionId: 'p-9' } }, config);
    expect(r).toMatchObject({ operation: 'sell', externalId: 'op-9', payments: [{ type: 'cashless', sumKop: 59_980 }] });
    expect(r.lines.map((l) => l.measure)).toEqual(['piece', 'gram']);
  });
  it('a partial refund: only the refunded line and quantity, linked to its sale', () => {
    const r = refundReceipt({ operationId: 'rf-1', saleOperationId: 'op-9', createdAt: '2026-11-30T10:00:00.000Z', lines: [{ ...basket[0]!, quantity: 1, totalKop: 8_990 }] }, config);
    expect(r).toMatchObject({ operation: 'sell_refund', parentExternalId: 'op-9', payments: [{ sumKop: 8_990 }] });
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatchObject({ name: 'Молоко', quantity: 1, sumKop: 8_990 });
  });
});

describe('enqueueing a receipt', () => {
  it('an unchecked, inconsistent receipt is refused with a catalogue key, not a raw schema error', async () => {
    const { enqueueFiscalReceipt } = await import('./jobs');
    const { PaydeskError } = await import('../errors/catalogue');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(':memory:');
    try {
      enqueueFiscalReceipt(db, { ...receipt, payments: [{ type: 'cashless', sumKop: 1 }] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PaydeskError);
      expect((error as InstanceType<typeof PaydeskError>).key).toBe('fiscal.rejected');
    } finally {
      db.close();
    }
  });
});
