import { describe, expect, it } from 'vitest';
import { createBody, ExtpayInputError } from './client';
import { minorToDecimal, numberToMinor } from './contract';
import { initialExtpayPayment, isMaterialExtpay, qrPayload, reduceExtpay, type ExtpayEvent, type ExtpayState } from './machine';

const ID = '6f1c2a0e-8a47-4c1e-9d7b-3f2a1b0c9d8e';
const start = (): ExtpayState => initialExtpayPayment({ operationExternalId: 'op-1', orderId: 'o-1', amountMinor: 4999, currency: 'USD', method: 'paypal', pollScheduleMs: [100, 200], createRetryMs: 50, maxCreates: 3 }, 0);
const created: ExtpayEvent = { type: 'create_outcome', outcome: { kind: 'ok', value: { internal_order_id: ID, payment_url: 'https://pay.example/p/1' } } };
const poll = (status: 'PENDING' | 'SUCCESS' | 'FAILED', amount = 49.99): ExtpayEvent => ({ type: 'poll_outcome', outcome: { kind: 'ok', value: { internal_order_id: ID, status, amount, currency: 'USD', payment_method: 'paypal' } } });
const hook = (status: 'PENDING' | 'SUCCESS' | 'FAILED', id = ID, amount = 49.99): ExtpayEvent => ({ type: 'webhook', observation: { source: 'webhook', internalOrderId: id, status, amount, currency: 'USD' } });
const run = (events: ExtpayEvent[], s = start()): ExtpayState => events.reduce((acc, e, i) => reduceExtpay(acc, e, 1000 * (i + 1)), s);

describe('money on the wire', () => {
  it('minor units → decimal text → JSON number → minor units, exactly, for every amount up to 1 000 000.00 sampled and all small ones', () => {
    const values = [...Array.from({ length: 20_000 }, (_, i) => i + 1), 999_999_99, 100_000_000, 1_000_000_00, 123_456_789_01];
    for (const m of values) {
      const text = minorToDecimal(m);
      const parsed = JSON.parse(`{"amount":${text}}`) as { amount: number };
      expect(numberToMinor(parsed.amount)).toBe(m);
    }
    expect(minorToDecimal(1)).toBe('0.01');
    expect(minorToDecimal(4999)).toBe('49.99');
    expect(minorToDecimal(100)).toBe('1.00');
  });

  it('floats that are not exact cents are refused, not rounded', () => {
    expect(numberToMinor(0.1 + 0.2)).toBeNull();
    expect(numberToMinor(1.005)).toBeNull();
    expect(numberToMinor(-1)).toBeNull();
    expect(numberToMinor(Number.NaN)).toBeNull();
    expect(numberToMinor(49.99)).toBe(4999);
  });

  it('the body carries the amount as a bare decimal number and enforces currency → method and 5 KB before sending', () => {
    const base = { externalOrderId: 'op', amountMinor: 1_000_000_01, currency: 'RUB', method: 'yandex_pay' as const, webhookUrl: 'https://h/w', webhookToken: null, returnUrl: null, productTitle: null, customData: { a: '"__PAYDESK_AMOUNT__"' } };
    const text = createBody(base);
    expect(text).toContain('"amount":1000000.01,');
    expect((JSON.parse(text) as { custom_data: { a: string } }).custom_data.a).toBe('"__PAYDESK_AMOUNT__"');
    expect(() => createBody({ ...base, method: 'paypal' })).toThrow(ExtpayInputError);
    expect(() => createBody({ ...base, currency: 'USD' })).toThrow(/does not take/);
    expect(() => createBody({ ...base, customData: { k: 'x'.repeat(5200) } })).toThrow(/5 KB/);
  });
});

describe('the QR payment machine', () => {
  it('created → awaiting with the QR; poll SUCCESS → paid', () => {
    const s = run([created]);
    expect(s.phase).toBe('awaiting');
    expect(qrPayload(s)).toBe('https://pay.example/p/1');
    expect(run([created, poll('PENDING'), poll('SUCCESS')])).toMatchObject({ phase: 'paid', ctx: { settledBy: 'poll' } });
  });

  it('a webhook before the poll settles it; the later poll and duplicate webhooks change nothing', () => {
    const s = run([created, hook('SUCCESS')]);
    expect(s).toMatchObject({ phase: 'paid', ctx: { settledBy: 'webhook' } });
    expect(run([poll('SUCCESS'), hook('SUCCESS'), poll('PENDING'), hook('FAILED')], s)).toBe(s);
  });

  it('out of order: a PENDING webhook after nothing, a stale PENDING poll after SUCCESS → still paid', () => {
    expect(run([created, hook('PENDING')]).phase).toBe('awaiting');
    expect(run([created, hook('SUCCESS'), poll('PENDING')]).phase).toBe('paid');
  });

  it('news for another payment id is counted and ignored', () => {
    const s = run([created, hook('SUCCESS', '00000000-0000-4000-8000-000000000000')]);
    expect(s).toMatchObject({ phase: 'awaiting', ctx: { foreign: 1 } });
  });

  it('SUCCESS with another amount → mismatch (never paid)', () => {
    expect(run([created, hook('SUCCESS', ID, 49.98)])).toMatchObject({ phase: 'mismatch', ctx: { errorKey: 'extpay.mismatch' } });
  });

  it('FAILED → failed', () => {
    expect(run([created, poll('FAILED')])).toMatchObject({ phase: 'failed', ctx: { errorKey: 'extpay.failed' } });
  });

  it('429 on create keeps the sale: create again after Retry-After, not counted as a create', () => {
    const s = reduceExtpay(start(), { type: 'create_outcome', outcome: { kind: 'rate_limited', retryAfterMs: 30_000 } }, 10);
    expect(s).toMatchObject({ phase: 'creating', next: { action: 'create', at: 30_010 }, ctx: { creates: 0, errorKey: 'extpay.rate_limited' } });
  });

  it('unknown create → create again (the unshown link cannot be paid); gives up after maxCreates', () => {
    const unknown: ExtpayEvent = { type: 'create_outcome', outcome: { kind: 'unknown', fault: 'timeout', detail: '' } };
    expect(run([unknown])).toMatchObject({ phase: 'creating', next: { action: 'create' } });
    expect(run([unknown, unknown, unknown])).toMatchObject({ phase: 'failed', ctx: { errorKey: 'network.refused', creates: 3 } });
  });

  it('400/401 on create are final with their own keys', () => {
    expect(reduceExtpay(start(), { type: 'create_outcome', outcome: { kind: 'refused', status: 401, error: 'Unauthorized' } }, 1).ctx.errorKey).toBe('extpay.unauthorized');
    expect(reduceExtpay(start(), { type: 'create_outcome', outcome: { kind: 'refused', status: 400, error: 'Invalid amount parameter' } }, 1).ctx.errorKey).toBe('extpay.rejected');
  });

  it('restart: creating creates again, awaiting polls at once; an unchanged poll is not material', () => {
    expect(reduceExtpay(start(), { type: 'restarted' }, 5).next).toEqual({ action: 'create', at: 5 });
    const a = run([created]);
    expect(reduceExtpay(a, { type: 'restarted' }, 7).next).toEqual({ action: 'poll', at: 7 });
    expect(isMaterialExtpay(a, reduceExtpay(a, poll('PENDING'), 9_000))).toBe(false);
  });
});
