import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, describeError, koshelekCodeKey, httpStatusKey, PaydeskError, toCashierError } from './catalogue';

const reference = path.join(__dirname, '..', '..', '..', 'shared', 'reference', 'koshelek-pay-api.md');

describe('error catalogue', () => {
  it('every entry has a short Russian instruction and an English one', () => {
    for (const [key, entry] of Object.entries(CATALOGUE)) {
      expect(entry.ru.length, key).toBeGreaterThan(5);
      expect(entry.ru.length, key).toBeLessThan(160);
      expect(entry.ru, key).toMatch(/[а-яё]/i);
      expect(entry.en.length, key).toBeGreaterThan(5);
    }
  });

  it('covers every 422 code and errorCode of the contract (reference §5.2)', () => {
    const codes = new Set<string>([
      'EXTERNAL_PROVIDER_ERROR', 'UNKNOWN_SESSION_ID', 'UNKNOWN_TRANSACTION_ID', 'UNKNOWN_PARTNER_ID', 'WRONG_TRANSACTION_STATE_CHANGE',
      'PAYMENT_TRANSACTION_IS_NOT_PAID', 'CANCEL_REFUNDING_BY_BANK', 'TRANSACTION_FOR_SESSION_ID_ALREADY_EXISTS', 'TRANSACTION_FOR_SESSION_ID_ALREADY_PAYED',
      'TRANSACTION_IN_PROCESSING', 'NOT_ENOUGH_LIMIT_TO_PAY', 'TOTAL_AMOUNT_IS_TOO_SMALL', 'PAYMENT_DECLINED_BY_EXTERNAL_PROVIDER', 'SUBSCRIPTION_IS_NOT_FOUND',
      'PAYMENT_ORDER_IS_NOT_FOUND', 'TERMINAL_STATE_OF_PAYMENT_TRANSACTION', 'PAYMENT_TRANSACTION_IS_BEING_REFUNDED_ALREADY',
      'REQUESTED_REFUND_AMOUNT_IS_GREATER_THAN_AVAILABLE', 'UNEXPECTED_REFUND_AMOUNT_LEFT_FROM_EXTERNAL_PROVIDER',
    ]);
    if (fs.existsSync(reference)) {
      // Also every back-ticked UPPER_CASE code in the reference's §5.2 tables.
      const text = fs.readFileSync(reference, 'utf8');
      const section = text.slice(text.indexOf('### 5.2'), text.indexOf('## 6.'));
      for (const m of section.matchAll(/^\| `([A-Z_]{6,})`/gm)) codes.add(m[1] as string);
    }
    for (const code of codes) expect(koshelekCodeKey(code), code).toBe(`koshelek.${code}`);
  });

  it('unknown codes and statuses are handled, not crashes', () => {
    expect(koshelekCodeKey('BRAND_NEW_CODE')).toBe('koshelek.unknown_code');
    expect(httpStatusKey(502)).toBe('http.5xx');
    expect(httpStatusKey(418)).toBe('http.unexpected');
    expect(toCashierError(new Error('boom')).key).toBe('internal.unexpected');
  });

  it('fills the configurable minutes of PAYMENT_TRANSACTION_IS_NOT_PAID', () => {
    expect(describeError('koshelek.PAYMENT_TRANSACTION_IS_NOT_PAID', undefined, { minutes: 7 }).ru).toContain('7 мин');
    expect(new PaydeskError('payment.in_progress').toCashier().action).toBe('wait');
  });
});
