import { afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema, type PaydeskConfig } from '../config/schema';
import type { OperationView } from '../contract/checkout';
import { formatMinor, TILL_CURRENCY } from '../contract/currency';
import { customerDisplayViewSchema, type CustomerDisplayView } from '../contract/display';
import { createCustomerDisplayFeed, type DisplayCore } from './feed';
import { customerDisplayView } from './view';

const op = (over: Partial<OperationView> = {}): OperationView => ({
  id: 'op1', kind: 'payment', provider: 'extpay', providerTitle: 'Внешние платежи', customerAction: null, receipt: null, parentId: null, orderId: 'A-1',
  amountKop: 12_345, phase: 'awaiting_status', phaseText: 'Ждём', isFinal: false, outcome: null, requestId: 'r1', transactionId: 'T-SECRET-1',
  refTransactionId: null, paymentType: 'yandex_pay', loyaltyId: '777', error: null, slip: null, lines: [], cancellable: true, refundableKop: null,
  shiftId: 1, recovered: false, createdAt: 'x', updatedAt: 'x', finishedAt: null, ...over,
});
const qr = { kind: 'qr' as const, payload: 'http://127.0.0.1:1/pay/abc', hintRu: 'Отсканируйте QR-код камерой телефона' };

function fakeCore(display: Record<string, unknown> = { enabled: true, resultSeconds: 5 }) {
  let config: PaydeskConfig = configSchema.parse({ till: { storeName: 'Ромашка' }, customerDisplay: display });
  const events = new Set<(e: { type: 'operation'; operation: OperationView }) => void>();
  const changes = new Set<(c: PaydeskConfig) => void>();
  const core: DisplayCore = {
    config: { current: () => config, onChange: (l) => { changes.add(l); return () => changes.delete(l); } },
    onEvent: (l) => { events.add(l); return () => events.delete(l); },
  };
  return {
    core,
    push: (operation: OperationView) => { for (const l of events) l({ type: 'operation', operation }); },
    setDisplay: (d: Record<string, unknown>) => { config = configSchema.parse({ till: { storeName: 'Ромашка' }, customerDisplay: d }); for (const l of changes) l(config); },
  };
}

afterEach(() => { vi.useRealTimers(); });

describe('customer display view (pure)', () => {
  const base = { enabled: true, storeName: 'Ромашка', basketKop: null, payment: null, resultFresh: false };
  it('off when not enabled: nothing of the till, not even the store name', () => {
    expect(customerDisplayView({ ...base, enabled: false, payment: op({ customerAction: qr }), basketKop: 500 })).toEqual({ state: 'off', storeName: '', totalKop: null, qr: null });
  });
  it('a running payment shows its total and its QR; never its ids, provider or errors', () => {
    const view = customerDisplayView({ ...base, payment: op({ customerAction: qr }) });
    expect(view).toEqual({ state: 'pay', storeName: 'Ромашка', totalKop: 12_345, currency: 'RUB', qr });
    expect(JSON.stringify(view)).not.toMatch(/T-SECRET-1|A-1|extpay|777|r1/);
    expect(customerDisplayViewSchema.parse(view)).toEqual(view);
  });
  it('paid / rejected / failed while fresh; a cancel or a parked payment is idle; then the basket or idle', () => {
    expect(customerDisplayView({ ...base, resultFresh: true, payment: op({ isFinal: true, outcome: 'paid' }) }).state).toBe('paid');
    expect(customerDisplayView({ ...base, resultFresh: true, payment: op({ isFinal: true, outcome: 'rejected' }) }).state).toBe('declined');
    expect(customerDisplayView({ ...base, resultFresh: true, payment: op({ isFinal: true, outcome: 'failed' }) }).state).toBe('declined');
    expect(customerDisplayView({ ...base, resultFresh: true, payment: op({ isFinal: true, outcome: 'canceled' }) }).state).toBe('idle');
    expect(customerDisplayView({ ...base, payment: op({ parked: true, customerAction: qr }) }).state).toBe('idle');
    expect(customerDisplayView({ ...base, resultFresh: false, payment: op({ isFinal: true, outcome: 'paid' }), basketKop: 990 })).toMatchObject({ state: 'basket', totalKop: 990 });
    expect(customerDisplayView({ ...base, basketKop: 0 }).state).toBe('idle');
  });
  it('a foreign sale shows in its own currency (USD → $, KZT → ₸); the typed basket stays in the till\'s', () => {
    // What the page renders: formatMinor(totalKop, currency ?? TILL_CURRENCY) (renderer/display/CustomerDisplay.tsx).
    const shown = (v: CustomerDisplayView): string => formatMinor(v.totalKop ?? 0, v.currency ?? TILL_CURRENCY);
    const usd = customerDisplayView({ ...base, payment: op({ currency: 'USD', amountKop: 1_999 }) });
    expect(usd).toMatchObject({ state: 'pay', currency: 'USD' });
    expect(shown(usd)).toBe('19,99\u00a0$');
    const kzt = customerDisplayView({ ...base, resultFresh: true, payment: op({ currency: 'KZT', amountKop: 500_000, isFinal: true, outcome: 'paid' }) });
    expect(kzt).toMatchObject({ state: 'paid', currency: 'KZT' });
    expect(shown(kzt)).toBe('5\u00a0000,00\u00a0₸');
    expect(customerDisplayView({ ...base, resultFresh: true, payment: op({ currency: 'USD', isFinal: true, outcome: 'rejected' }) }).currency).toBe('USD');
    expect(customerDisplayViewSchema.parse(usd)).toEqual(usd);
    // A payment without a recorded currency is the till's; the basket after a USD sale reads as roubles again.
    expect(customerDisplayView({ ...base, payment: op() }).currency).toBe('RUB');
    const basket = customerDisplayView({ ...base, basketKop: 990, payment: op({ currency: 'USD', isFinal: true, outcome: 'paid' }) });
    expect(basket).toEqual({ state: 'basket', storeName: 'Ромашка', totalKop: 990, qr: null });
    expect(shown(basket)).toBe('9,90\u00a0₽');
    expect(customerDisplayViewSchema.safeParse({ ...usd, currency: 'usd' }).success).toBe(false);
  });
  it('the feed carries the followed payment\'s currency to the display', () => {
    const f = fakeCore();
    const feed = createCustomerDisplayFeed(f.core);
    f.push(op({ currency: 'USD', customerAction: qr }));
    expect(feed.current()).toMatchObject({ state: 'pay', currency: 'USD', totalKop: 12_345 });
    f.push(op({ currency: 'USD', isFinal: true, outcome: 'paid' }));
    expect(feed.current()).toMatchObject({ state: 'paid', currency: 'USD' });
    feed.setBasket(700);
    expect(feed.current().currency).toBeUndefined();
    feed.close();
  });
  it('the strict schema refuses a view carrying anything more', () => {
    const leaky: unknown = { state: 'pay', storeName: 'x', totalKop: 1, qr: null, orderId: 'A-1' };
    expect(customerDisplayViewSchema.safeParse(leaky).success).toBe(false);
    expect(customerDisplayViewSchema.safeParse({ state: 'pay', storeName: 'x', totalKop: 1, qr: { ...qr, secret: 'k' } }).success).toBe(false);
  });
});

describe('customer display feed', () => {
  it('follows basket → QR → paid → idle after resultSeconds, and publishes only changes', () => {
    vi.useFakeTimers();
    const f = fakeCore();
    const feed = createCustomerDisplayFeed(f.core);
    const seen: CustomerDisplayView[] = [];
    feed.subscribe((v) => seen.push(v));
    expect(feed.current()).toMatchObject({ state: 'idle', storeName: 'Ромашка' });
    feed.setBasket(12_345);
    feed.setBasket(12_345);
    f.push(op());
    f.push(op({ customerAction: qr }));
    f.push(op({ customerAction: qr }));
    f.push(op({ isFinal: true, outcome: 'paid', customerAction: null }));
    expect(seen.map((v) => v.state)).toEqual(['basket', 'pay', 'pay', 'paid']);
    expect(seen[2]?.qr).toEqual(qr);
    // The sale screen still holds the paid basket's total: it is not shown again once the result goes.
    vi.advanceTimersByTime(5_000);
    expect(seen.at(-1)?.state).toBe('idle');
    feed.close();
  });
  it('a payment ending in the background (another id, parked) never takes the screen', () => {
    const f = fakeCore();
    const feed = createCustomerDisplayFeed(f.core);
    f.push(op({ id: 'mine', customerAction: qr }));
    f.push(op({ id: 'old', isFinal: true, outcome: 'paid' }));
    f.push(op({ id: 'parked', parked: true }));
    expect(feed.current()).toMatchObject({ state: 'pay', qr });
    f.push(op({ id: 'mine', isFinal: true, outcome: 'rejected' }));
    expect(feed.current().state).toBe('declined');
    feed.setBasket(500); // the next customer's basket ends the result at once
    expect(feed.current()).toMatchObject({ state: 'basket', totalKop: 500 });
    feed.close();
  });
  it('a config edit turning it off blanks the screen at once; on again shows the live state', () => {
    const f = fakeCore();
    const feed = createCustomerDisplayFeed(f.core);
    const seen: string[] = [];
    feed.subscribe((v) => seen.push(v.state));
    f.push(op({ customerAction: qr }));
    f.setDisplay({ enabled: false });
    expect(feed.current()).toEqual({ state: 'off', storeName: '', totalKop: null, qr: null });
    expect(feed.enabled()).toBe(false);
    f.setDisplay({ enabled: true });
    expect(seen).toEqual(['pay', 'off', 'pay']);
    feed.close();
  });
  it('the config section: off by default, typos refused', () => {
    expect(configSchema.parse({}).customerDisplay).toEqual({ enabled: false, screen: 1, position: null, resultSeconds: 15 });
    expect(configSchema.safeParse({ customerDisplay: { enabled: 'yes' } }).success).toBe(false);
    expect(configSchema.safeParse({ customerDisplay: { resultSeconds: 0 } }).success).toBe(false);
  });
});

describe('customer display feed, robustness', () => {
  it('a store name longer than the DTO allows is cut, never thrown into the core\'s event loop', () => {
    const f = fakeCore();
    const feed = createCustomerDisplayFeed(f.core);
    expect(customerDisplayView({ enabled: true, storeName: 'М'.repeat(500), basketKop: null, payment: null, resultFresh: false }).storeName).toHaveLength(200);
    expect(() => f.push(op({ amountKop: -5 }))).not.toThrow(); // not a valid total: the last good view stays
    expect(feed.current().state).toBe('idle');
    feed.close();
  });
});
