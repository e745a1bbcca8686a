import { describe, expect, it } from 'vitest';
import { halykStatus, invoiceIdFor } from './adapter';
import { tengeToTiyn, tiynToTenge } from './wire';

describe('Halyk ePay mapping', () => {
  it('invoice ids: 15 digits, stable per reference, distinct for different references', () => {
    const a = invoiceIdFor('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(a).toMatch(/^\d{15}$/);
    expect(invoiceIdFor('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(a);
    expect(invoiceIdFor('7c9e6679-7425-40de-944b-e07fc1f90ae7')).not.toBe(a);
  });

  it('tenge ↔ tiyn exactly; statuses', () => {
    expect(tengeToTiyn(1234.56)).toBe(123_456);
    expect(tengeToTiyn(10.001)).toBeNull();
    expect(tiynToTenge(123_456)).toBe(1234.56);
    expect(halykStatus('CHARGE')).toBe('paid');
    expect(halykStatus('AUTH')).toBe('pending');
    expect(halykStatus('REJECT')).toBe('declined');
  });
});
