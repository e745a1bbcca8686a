// Clock sanity for TOTP (anchors E.10): compare the till clock with the server's `Date` header.
import type { ClockDrift } from '../contract/scan';

/**
 * Server minus till, from an HTTP `Date` header (1-second resolution: a drift under ~1 s is noise).
 * `exceedsStep` when |drift| > one TOTP step: scanned codes may then be rejected as stale and the
 * cashier sees 'clock.drift'. Returns null for an unparseable header.
 */
export function clockDrift(serverDate: string | Date, localNowMs: number, periodSec: number): ClockDrift | null {
  const serverMs = serverDate instanceof Date ? serverDate.getTime() : Date.parse(serverDate);
  if (!Number.isFinite(serverMs) || !Number.isFinite(localNowMs)) return null;
  const stepMs = periodSec * 1000;
  const driftMs = serverMs - localNowMs;
  const exceedsStep = Math.abs(driftMs) > stepMs;
  return { driftMs, exceedsStep, stepMs, ...(exceedsStep ? { messageKey: 'clock.drift' } : {}) };
}
