import { describe, expect, it } from 'vitest';
import { tochkaStatus } from './adapter';
import { pickBusinessCustomer, pickRetailer } from './discovery';
import { createCertainlyFailed, tochkaErrorKey } from './errors';
import { minorToRubles, rublesToMinor } from './wire';

describe('Tochka discovery pickers', () => {
  it('takes the one Business customer; none or several → a clear error naming what to set', () => {
    const p = { customerCode: '300000091', customerType: 'Personal' };
    const b = { customerCode: '300000092', customerType: 'Business' };
    expect(pickBusinessCustomer([p, b])).toEqual({ ok: true, customerCode: '300000092' });
    expect(pickBusinessCustomer([p])).toMatchObject({ ok: false, errorKey: 'tochka.no_business_customer' });
    expect(pickBusinessCustomer([b, { ...b, customerCode: '300000093' }])).toMatchObject({ ok: false, detail: expect.stringContaining('set tochka.customerCode') });
    expect(pickBusinessCustomer([p, b], '300000091')).toMatchObject({ ok: false });
  });

  it('retail point ready only when REG and active', () => {
    expect(pickRetailer([{ status: 'TERMINAL_CREATED', isActive: true, merchantId: '200000000000001' }])).toMatchObject({ ok: false, errorKey: 'tochka.no_active_retailer' });
    expect(pickRetailer([{ status: 'REG', isActive: false, merchantId: '200000000000001' }])).toMatchObject({ ok: false });
    expect(pickRetailer([{ status: 'REG', isActive: true, merchantId: '200000000000001' }])).toEqual({ ok: true, merchantId: '200000000000001' });
    expect(pickRetailer([])).toMatchObject({ ok: false, detail: 'no retail points' });
  });
});

describe('Tochka wire helpers', () => {
  it('rubles ↔ kopecks exactly; fractions of a kopeck refused', () => {
    expect(rublesToMinor(1234.56)).toBe(123_456);
    expect(rublesToMinor('0.33')).toBe(33);
    expect(rublesToMinor(0.1 + 0.2)).toBe(30);
    expect(rublesToMinor(1.005)).toBeNull();
    expect(rublesToMinor('abc')).toBeNull();
    expect(minorToRubles(12_345)).toBe(123.45);
  });

  it('statuses and errors: 501 = acquiring off; 5xx/424/timeouts may hide a created link', () => {
    expect(tochkaStatus('APPROVED')).toBe('paid');
    expect(tochkaStatus('REFUNDED_PARTIALLY')).toBe('refunded');
    expect(tochkaStatus('WAIT_FULL_PAYMENT')).toBe('pending');
    expect(tochkaStatus('SOMETHING_NEW')).toBe('pending');
    const http = (status: number) => ({ ok: false as const, kind: 'http' as const, status, code: null, message: '' });
    expect(tochkaErrorKey(http(501))).toBe('tochka.acquiring_off');
    expect(tochkaErrorKey(http(403))).toBe('tochka.forbidden');
    expect(createCertainlyFailed(http(400))).toBe(true);
    expect(createCertainlyFailed(http(424))).toBe(false);
    expect(createCertainlyFailed(http(503))).toBe(false);
    expect(createCertainlyFailed({ ok: false, kind: 'fault', fault: 'refused', maybeDelivered: false, message: '' })).toBe(true);
    expect(createCertainlyFailed({ ok: false, kind: 'fault', fault: 'timeout', maybeDelivered: true, message: '' })).toBe(false);
  });
});
