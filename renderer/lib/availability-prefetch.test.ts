import { describe, expect, it } from 'vitest';
import type { AvailabilityResult } from '../../main/contract/checkout';
import { availabilityKey, PREFETCH_MAX_AGE_MS, usablePrefetch, type PrefetchEntry } from './availability-prefetch';

const answer = new Promise<AvailabilityResult>(() => undefined);
const input = { orderId: 'O-1', amountKop: 32100, card: { loyaltyId: 'L1', payToken: 'T1' } };

describe('availability asked at the scan', () => {
  it('is taken at Pay only for the same token, order and basket', () => {
    const entry: PrefetchEntry = { key: availabilityKey(input), askedAt: 1_000, answer, failed: false };
    expect(usablePrefetch(entry, availabilityKey(input), 1_500)).toBe(true);
    expect(usablePrefetch(entry, availabilityKey({ ...input, amountKop: 32000 }), 1_500)).toBe(false);
    expect(usablePrefetch(entry, availabilityKey({ ...input, orderId: 'O-2' }), 1_500)).toBe(false);
    expect(usablePrefetch(entry, availabilityKey({ ...input, card: { loyaltyId: 'L1', payToken: 'T2' } }), 1_500)).toBe(false);
    const lines = [{ name: 'Чай', article: '4600001', priceKop: 32100, quantity: 1 }];
    expect(availabilityKey({ orderId: 'O-1', lines, card: input.card })).not.toBe(availabilityKey(input));
  });

  it('is asked again when it failed or is older than a token lives', () => {
    const key = availabilityKey(input);
    expect(usablePrefetch({ key, askedAt: 1_000, answer, failed: true }, key, 1_100)).toBe(false);
    expect(usablePrefetch({ key, askedAt: 1_000, answer, failed: false }, key, 1_000 + PREFETCH_MAX_AGE_MS)).toBe(true);
    expect(usablePrefetch({ key, askedAt: 1_000, answer, failed: false }, key, 1_001 + PREFETCH_MAX_AGE_MS)).toBe(false);
    expect(usablePrefetch(null, key, 1_000)).toBe(false);
  });
});
