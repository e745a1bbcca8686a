// Availability asked when the card is scanned, so Pay does not wait for it (docs/ui.md "Availability at the
// scan"). The answer is kept for exactly the question it answers: the same token, order and basket. Pay takes
// it only while it is recent and did not fail; otherwise Pay asks again, as it did before.
import type { AvailabilityInput, AvailabilityResult } from '../../main/contract/checkout';

/** An answer older than this is asked again at Pay (a payment token lives about 30 s). */
export const PREFETCH_MAX_AGE_MS = 20_000;

export interface PrefetchEntry {
  key: string;
  askedAt: number;
  answer: Promise<AvailabilityResult>;
  /** Set when the call failed: Pay then asks again instead of repeating the failure. */
  failed: boolean;
}

/** The question an availability answer answers: token, order and basket (amount or lines). */
export function availabilityKey(input: AvailabilityInput): string {
  return JSON.stringify([input.card?.payToken ?? null, input.card?.loyaltyId ?? null, input.orderId, input.provider ?? null, input.amountKop ?? null, input.lines ?? null]);
}

/** Whether Pay may take this prefetched answer for the question `key` at `now`. */
export function usablePrefetch(entry: PrefetchEntry | null, key: string, now: number): entry is PrefetchEntry {
  return entry !== null && entry.key === key && !entry.failed && now - entry.askedAt <= PREFETCH_MAX_AGE_MS;
}
