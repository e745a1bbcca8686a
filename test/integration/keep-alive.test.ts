// Keep-alive without an idle stream (docs/koshelek-gaps.md "Keep-alive"): no request at all while the till is
// idle (the old probe sent a credentialed HEAD to a non-endpoint every 3 s); the connection is opened when a
// card is scanned, and the sale's first request rides it (measured by the emulator's accepted connections).
import { afterEach, describe, expect, it } from 'vitest';
import { card, orderId, startTill, type Till } from '../support/till';

let till: Till | null = null;
afterEach(async () => {
  await till?.close();
  till = null;
});

describe('keep-alive', () => {
  for (const tls of [false, true]) {
    it(`${tls ? 'TLS' : 'plain'}: idle = silent; a scan warms the connection; the checkout goes over it`, async () => {
      till = await startTill({ emulator: { tls, confirmDelayMs: 100 }, timing: { keepAliveRefreshMs: 3_000, firstPollMs: 250, pollIntervalMs: 250 } });
      await till.core.warm;
      await new Promise((r) => setTimeout(r, 3_500)); // longer than the old 3 s probe period
      expect(till.emulator.received).toHaveLength(0);
      const afterStart = till.emulator.stats().connections;
      expect(afterStart).toBe(1); // the connection opened at start, without a request
      till.core.warmConnection(); // a card was scanned (the API session calls this on every scan)
      const op = await till.core.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
      expect((await till.core.checkout.waitFinal(op.id, 10_000)).outcome).toBe('paid');
      // Every request of the sale (checkout and the polls) rode the one warm connection: no new handshake.
      expect(till.emulator.stats().connections).toBe(afterStart);
      expect(till.emulator.received.every((r) => r.method === 'POST' && r.endpoint !== 'unknown')).toBe(true);
    });
  }
});
