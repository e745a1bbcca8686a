import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BankOperation, CreateOutcome, LookupOutcome } from './bank';
import { NOT_FOUND_TO_FAIL, initialLinkPayment, isFinalLink, isMaterialLink, linkOutcome, parseLinkState, reduceLink, type LinkEvent, type LinkState } from './machine';

const T0 = 1_000_000;
const start = (over: Partial<Parameters<typeof initialLinkPayment>[0]> = {}): LinkState => initialLinkPayment({
  channel: 'link', revocable: false, reference: 'ref-1', orderId: 'o-1', amountMinor: 12_345, currency: 'RUB', purpose: 'Оплата', methods: ['sbp', 'card'], saveCard: false, savedConsumerId: null,
  lines: [], pollScheduleMs: [100, 200], unresolvedAfterMs: 10_000, ...over,
}, T0);

const op = (over: Partial<BankOperation> = {}): BankOperation => ({
  bankOperationId: 'bank-1', reference: 'ref-1', link: 'https://pay/x', status: 'pending', rawStatus: 'CREATED', amountMinor: 12_345, currency: 'RUB',
  paymentType: null, consumerId: null, refundedMinor: 0, ...over,
});
const created = (o = op()): LinkEvent => ({ type: 'create_outcome', outcome: { kind: 'created', operation: o } });
const unknownCreate: LinkEvent = { type: 'create_outcome', outcome: { kind: 'unknown', errorKey: 'bank.checking', code: 'timeout', detail: 'timeout' } };
const found = (o = op()): LookupOutcome => ({ kind: 'found', operation: o });
const poll = (outcome: LookupOutcome): LinkEvent => ({ type: 'poll_outcome', outcome });
const find = (outcome: LookupOutcome): LinkEvent => ({ type: 'find_outcome', outcome });

describe('payment link machine', () => {
  it('created → awaiting with the link; the poll sees APPROVED → paid', () => {
    const a = reduceLink(start(), created(), T0 + 10);
    expect(a).toMatchObject({ phase: 'awaiting', next: { action: 'poll', at: T0 + 110 }, ctx: { link: 'https://pay/x', creates: 1, errorKey: 'bank.awaiting_customer' } });
    const p = reduceLink(a, poll(found(op({ status: 'paid', rawStatus: 'APPROVED', paymentType: 'sbp' }))), T0 + 200);
    expect(p).toMatchObject({ phase: 'paid', next: null, ctx: { paymentType: 'sbp', paidMinor: 12_345, errorKey: null } });
    expect(linkOutcome(p)).toBe('paid');
  });

  it('an unknown create is only ever resolved by find, never a second create', () => {
    const r = reduceLink(start(), unknownCreate, T0);
    expect(r).toMatchObject({ phase: 'resolving', next: { action: 'find' }, ctx: { creates: 1, errorKey: 'bank.checking' } });
    const again = reduceLink(r, find({ kind: 'unknown', errorKey: 'bank.unavailable', code: '500', detail: '' }), T0 + 100);
    expect(again.next?.action).toBe('find');
    expect(reduceLink(again, find(found()), T0 + 200)).toMatchObject({ phase: 'awaiting', ctx: { bankOperationId: 'bank-1' } });
  });

  it(`not found ${NOT_FOUND_TO_FAIL} times in a row → failed bank.not_created; an unknown answer in between resets the count`, () => {
    let s = reduceLink(start(), unknownCreate, T0);
    s = reduceLink(s, find({ kind: 'not_found' }), T0 + 1);
    s = reduceLink(s, find({ kind: 'unknown', errorKey: 'bank.unavailable', code: null, detail: '' }), T0 + 2);
    s = reduceLink(s, find({ kind: 'not_found' }), T0 + 3);
    expect(s.phase).toBe('resolving');
    s = reduceLink(s, find({ kind: 'not_found' }), T0 + 4);
    expect(s).toMatchObject({ phase: 'failed', ctx: { errorKey: 'bank.not_created' } });
  });

  it('stuck unknown long enough → bank.unresolved, still asking (never auto-failed)', () => {
    let s = reduceLink(start(), unknownCreate, T0);
    s = reduceLink(s, find({ kind: 'unknown', errorKey: 'bank.unavailable', code: null, detail: '' }), T0 + 10_001);
    expect(s).toMatchObject({ phase: 'resolving', next: { action: 'find' }, ctx: { errorKey: 'bank.unresolved' } });
  });

  it('a foreign operation (other reference) is never adopted', () => {
    const s = reduceLink(reduceLink(start(), unknownCreate, T0), find(found(op({ reference: 'someone-else' }))), T0 + 1);
    expect(s).toMatchObject({ phase: 'resolving', ctx: { bankOperationId: null, errorKey: 'bank.response_invalid' } });
  });

  it('amount or currency differs → mismatch', () => {
    const a = reduceLink(start(), created(), T0);
    expect(reduceLink(a, poll(found(op({ status: 'paid', amountMinor: 12_300 }))), T0 + 1).phase).toBe('mismatch');
    expect(reduceLink(a, poll(found(op({ status: 'paid', currency: 'KZT' }))), T0 + 1).phase).toBe('mismatch');
  });

  it('restarted while creating → find (the create may have left); while awaiting → poll now', () => {
    expect(reduceLink(start(), { type: 'restarted' }, T0 + 5)).toMatchObject({ phase: 'resolving', next: { action: 'find', at: T0 + 5 }, ctx: { recovered: true } });
    const a = reduceLink(start(), created(), T0);
    expect(reduceLink(a, { type: 'restarted' }, T0 + 5)).toMatchObject({ phase: 'awaiting', next: { action: 'poll', at: T0 + 5 } });
  });

  it('cancel: canceling until expired → canceled; a payment meanwhile → paid, flagged; cancel before the link is known waits for it', () => {
    const a = reduceLink(start(), created(), T0);
    const c = reduceLink(a, { type: 'cancel' }, T0 + 1);
    expect(c.phase).toBe('canceling');
    expect(reduceLink(c, poll(found(op({ status: 'expired', rawStatus: 'EXPIRED' }))), T0 + 2)).toMatchObject({ phase: 'canceled', ctx: { errorKey: 'bank.canceled' } });
    expect(reduceLink(c, poll(found(op({ status: 'paid' }))), T0 + 2)).toMatchObject({ phase: 'paid', ctx: { errorKey: 'bank.paid_after_cancel' } });
    const early = reduceLink(reduceLink(start(), { type: 'cancel' }, T0), created(), T0 + 1);
    expect(early.phase).toBe('canceling');
    const expired = reduceLink(a, poll(found(op({ status: 'expired' }))), T0 + 1);
    expect(expired).toMatchObject({ phase: 'expired', ctx: { errorKey: 'bank.expired' } });
    expect(linkOutcome(expired)).toBe('canceled');
  });

  it('revocable (cashbox QR): cancel revokes first, then polls; a failed revoke is tried again on the next pending answer', () => {
    const a = reduceLink(start({ revocable: true }), created(), T0);
    const c = reduceLink(a, { type: 'cancel' }, T0 + 1);
    expect(c).toMatchObject({ phase: 'canceling', next: { action: 'revoke', at: T0 + 1 } });
    const failed = reduceLink(c, { type: 'revoke_outcome', done: false, detail: 'timeout' }, T0 + 2);
    expect(failed).toMatchObject({ next: { action: 'poll' }, ctx: { revoked: false } });
    expect(reduceLink(failed, poll(found()), T0 + 3).next?.action).toBe('revoke');
    const done = reduceLink(c, { type: 'revoke_outcome', done: true, detail: null }, T0 + 2);
    expect(reduceLink(done, poll(found()), T0 + 3).next?.action).toBe('poll');
    expect(reduceLink(done, poll(found(op({ status: 'expired' }))), T0 + 3).phase).toBe('canceled');
  });

  it('a webhook nudge only moves the next poll to now', () => {
    const a = reduceLink(start(), created(), T0);
    const n = reduceLink(a, { type: 'nudge' }, T0 + 3);
    expect(n.next).toEqual({ action: 'poll', at: T0 + 3 });
    expect(isMaterialLink(a, n)).toBe(false);
    expect(reduceLink(start(), { type: 'nudge' }, T0)).toEqual(start());
  });

  it('rejected create → failed with the bank\'s key; the persisted state round-trips through its schema', () => {
    const f = reduceLink(start(), { type: 'create_outcome', outcome: { kind: 'rejected', errorKey: 'tochka.acquiring_off', code: '501', detail: 'x' } }, T0);
    expect(f).toMatchObject({ phase: 'failed', ctx: { errorKey: 'tochka.acquiring_off', errorCode: '501' } });
    expect(parseLinkState(JSON.stringify(f))).toEqual(f);
    expect(() => parseLinkState(JSON.stringify({ ...f, ctx: { ...f.ctx, creates: 2 } }))).toThrow();
  });

  it('property: whatever the bank answers, in any order, at most one create and final states never move', () => {
    const outcome = fc.oneof(
      fc.constant<LookupOutcome>({ kind: 'not_found' }),
      fc.constant<LookupOutcome>({ kind: 'unknown', errorKey: 'bank.unavailable', code: null, detail: '' }),
      fc.constantFrom<BankOperation['status']>('pending', 'paid', 'declined', 'expired', 'refunded').map((status): LookupOutcome => found(op({ status }))),
    );
    const createOutcome = fc.constantFrom<CreateOutcome>(
      { kind: 'created', operation: op() }, { kind: 'unknown', errorKey: 'bank.checking', code: null, detail: '' }, { kind: 'rejected', errorKey: 'bank.rejected', code: null, detail: '' },
    );
    const event = fc.oneof(
      createOutcome.map((o): LinkEvent => ({ type: 'create_outcome', outcome: o })),
      outcome.map((o): LinkEvent => ({ type: 'find_outcome', outcome: o })),
      outcome.map((o): LinkEvent => ({ type: 'poll_outcome', outcome: o })),
      fc.constantFrom<LinkEvent>({ type: 'restarted' }, { type: 'cancel' }, { type: 'nudge' }),
    );
    fc.assert(fc.property(fc.array(event, { maxLength: 40 }), (events) => {
      let s = start();
      let t = T0;
      for (const e of events) {
        const before = s;
        s = reduceLink(s, e, (t += 10));
        if (isFinalLink(before)) expect(s).toBe(before);
        if (s.phase !== 'creating') expect(s.next?.action).not.toBe('create');
        expect(s.ctx.creates).toBeLessThanOrEqual(1);
      }
    }));
  });
});
