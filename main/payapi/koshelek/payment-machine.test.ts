import { describe, expect, it } from 'vitest';
import { koshelekConfigSchema } from './config';
import type { ApiOutcome } from './client';
import type { MachineEnv, MachineEvent } from './machine-common';
import { initialPayment, reducePayment, type PaymentState } from './payment-machine';
import type { CheckoutResponse, RefOperationResponse, StatusResponse } from './wire';

const config = koshelekConfigSchema.parse({});
let ids = 0;
const env = (now: number): MachineEnv => ({ now, timing: config.timing, enums: config.enums, newRequestId: () => `req-${++ids}` });

const start = (): PaymentState => initialPayment({
  requestId: 'checkout-req', orderId: 'o-1', amountKop: 15000, paymentType: 'SBP', cardSession: 'OKAAAA', loyaltyId: '2000000000001',
  storeId: 's', terminalId: 't', paymentPurpose: null, items: [],
}, 1_000);

const ok = <T>(data: T): ApiOutcome<T> => ({ kind: 'ok', status: 200, data });
const checkout = (outcome: ApiOutcome<CheckoutResponse>): MachineEvent => ({ type: 'outcome', result: { action: 'send_checkout', outcome } });
const poll = (outcome: ApiOutcome<StatusResponse>): MachineEvent => ({ type: 'outcome', result: { action: 'poll_status', outcome } });
const cancelAnswer = (outcome: ApiOutcome<RefOperationResponse>): MachineEvent => ({ type: 'outcome', result: { action: 'send_cancel', outcome } });
const cancelPoll = (outcome: ApiOutcome<StatusResponse>): MachineEvent => ({ type: 'outcome', result: { action: 'poll_cancel_status', outcome } });
const noAnswer: ApiOutcome<never> = { kind: 'no_answer', fault: 'reset', maybeDelivered: true, reusedSocket: true, message: 'socket hang up' };
const status = (s: string, extra: Partial<StatusResponse> = {}): ApiOutcome<StatusResponse> => ok({ transactionId: 'tx-1', status: s, ...extra });
const accepted = (s = 'new') => checkout(ok({ requestId: 'checkout-req', transactionId: 'tx-1', status: s }));

describe('payment machine', () => {
  it('starts by sending checkout now', () => {
    const s = start();
    expect(s.phase).toBe('checkout_pending');
    expect(s.next).toEqual({ action: 'send_checkout', at: 1_000 });
  });

  it('happy path: new → first poll within 250–500 ms → accepted with the slip', () => {
    let s = reducePayment(start(), accepted(), env(1_100));
    expect(s.phase).toBe('awaiting_status');
    expect(s.ctx.transactionId).toBe('tx-1');
    expect(s.next?.action).toBe('poll_status');
    expect((s.next?.at ?? 0) - 1_100).toBeGreaterThanOrEqual(250);
    expect((s.next?.at ?? 0) - 1_100).toBeLessThanOrEqual(500);
    expect(s.ctx.deadlineAt).toBe(1_100 + 30_000);
    s = reducePayment(s, poll(status('pending')), env(1_500));
    expect(s.phase).toBe('awaiting_status');
    expect((s.next?.at ?? 0) - 1_500).toBeGreaterThanOrEqual(250);
    s = reducePayment(s, poll(status('accepted', { slip: { qrcId: 'QR', kzo: '42', paymentType: 'SBP' } })), env(2_000));
    expect(s.phase).toBe('paid');
    expect(s.next).toBeNull();
    expect(s.ctx.slip?.kzo).toBe('42');
  });

  it('repeats an unanswered checkout with the same requestId, then after X attempts resolves and cancels', () => {
    let s = start();
    for (let attempt = 1; attempt < config.timing.checkoutAttempts; attempt += 1) {
      s = reducePayment(s, checkout(noAnswer), env(2_000 * attempt));
      expect(s.phase).toBe('checkout_pending');
      expect(s.next?.action).toBe('send_checkout');
      expect(s.ctx.requestId).toBe('checkout-req');
    }
    s = reducePayment(s, checkout(noAnswer), env(10_000));
    expect(s.phase).toBe('resolving_checkout');
    expect(s.ctx.errorKey).toBe('payment.auto_canceled_no_answer');
    expect(s.next?.action).toBe('send_checkout');
    // Koshelek finally answers the same requestId: we learn the transaction and cancel it.
    s = reducePayment(s, accepted('pending'), env(20_000));
    expect(s.phase).toBe('cancel_pending');
    expect(s.ctx.cancels).toHaveLength(1);
    expect(s.ctx.cancels[0]?.reason).toBe('no_answer');
    const cancelRequestId = s.ctx.cancels[0]?.requestId;
    s = reducePayment(s, cancelAnswer(noAnswer), env(20_100));
    expect(s.phase).toBe('cancel_pending');
    expect(s.ctx.cancels[0]?.requestId).toBe(cancelRequestId);
    s = reducePayment(s, cancelAnswer(ok({ refTransactionId: 'ref-1', refStatus: 'accepted', transactionId: 'tx-1', status: 'canceled' })), env(21_000));
    expect(s.phase).toBe('canceled');
    expect(s.ctx.cancels[0]?.outcome).toBe('canceled');
  });

  it('cancels automatically when no final status arrives within 30 s', () => {
    let s = reducePayment(start(), accepted(), env(1_000));
    s = reducePayment(s, poll(status('pending')), env(30_999));
    expect(s.phase).toBe('awaiting_status');
    expect((s.next?.at ?? 0) - 30_999).toBeGreaterThanOrEqual(250); // never closer than 250 ms, even at the deadline
    s = reducePayment(s, poll(status('pending')), env(31_000));
    expect(s.phase).toBe('cancel_pending');
    expect(s.ctx.cancels[0]?.reason).toBe('timeout');
    expect(s.ctx.errorKey).toBe('payment.auto_canceled_timeout');
  });

  it('a declined cancel because the bank approved means the payment counts', () => {
    let s = reducePayment(start(), accepted(), env(1_000));
    s = reducePayment(s, { type: 'cancel_requested' }, env(2_000));
    expect(s.phase).toBe('cancel_pending');
    s = reducePayment(s, cancelAnswer(ok({ refTransactionId: 'ref-1', refStatus: 'rejected', transactionId: 'tx-1', status: 'accepted', details: 'уже была одобрена банком' })), env(2_100));
    expect(s.phase).toBe('awaiting_status');
    expect(s.ctx.deadlineAt).toBeNull();
    s = reducePayment(s, poll(status('accepted', { slip: { qrcId: 'Q' } })), env(2_400));
    expect(s.phase).toBe('paid');
    expect(s.ctx.errorKey).toBe('payment.cancel_declined_paid');
    expect(s.ctx.cancels[0]?.outcome).toBe('cancel_rejected');
  });

  it('follows an asynchronous cancel (refStatus new) by refTransactionId', () => {
    let s = reducePayment(start(), accepted(), env(1_000));
    s = reducePayment(s, { type: 'cancel_requested' }, env(2_000));
    s = reducePayment(s, cancelAnswer(ok({ refTransactionId: 'ref-9', refStatus: 'new', transactionId: 'tx-1', status: 'pending' })), env(2_100));
    expect(s.phase).toBe('awaiting_cancel_status');
    expect(s.ctx.cancels[0]?.refTransactionId).toBe('ref-9');
    s = reducePayment(s, cancelPoll(status('pending', { refTransactionId: 'ref-9', refStatus: 'new' })), env(2_500));
    expect(s.phase).toBe('awaiting_cancel_status');
    s = reducePayment(s, cancelPoll(status('canceled', { refTransactionId: 'ref-9', refStatus: 'accepted' })), env(3_000));
    expect(s.phase).toBe('canceled');
  });

  it('a cashier cancel before Koshelek answered waits for the transactionId, then cancels', () => {
    let s = reducePayment(start(), { type: 'cancel_requested' }, env(1_050));
    expect(s.phase).toBe('checkout_pending');
    expect(s.ctx.cancelWanted).toBe(true);
    s = reducePayment(s, accepted(), env(1_100));
    expect(s.phase).toBe('cancel_pending');
    expect(s.ctx.cancels[0]?.reason).toBe('cashier');
  });

  it('maps refusals to the error catalogue', () => {
    const rescan = reducePayment(start(), checkout({ kind: 'api_error', status: 422, code: 'UNKNOWN_SESSION_ID' }), env(1_100));
    expect(rescan.phase).toBe('failed');
    expect(rescan.ctx.errorKey).toBe('koshelek.UNKNOWN_SESSION_ID');
    const limit = reducePayment(start(), checkout(ok({ transactionId: 'tx', status: 'rejected', errorCode: 'NOT_ENOUGH_LIMIT_TO_PAY' })), env(1_100));
    expect(limit.phase).toBe('rejected');
    expect(limit.ctx.errorKey).toBe('koshelek.NOT_ENOUGH_LIMIT_TO_PAY');
    const unknownCode = reducePayment(start(), checkout({ kind: 'api_error', status: 422, code: 'SOMETHING_NEW' }), env(1_100));
    expect(unknownCode.ctx.errorKey).toBe('koshelek.unknown_code');
    const auth = reducePayment(start(), checkout({ kind: 'http_error', status: 401 }), env(1_100));
    expect(auth.phase).toBe('failed');
    expect(auth.ctx.errorKey).toBe('http.401');
  });

  it('TRANSACTION_IN_PROCESSING repeats the same checkout instead of creating a new one', () => {
    const s = reducePayment(start(), checkout({ kind: 'api_error', status: 422, code: 'TRANSACTION_IN_PROCESSING' }), env(1_100));
    expect(s.phase).toBe('checkout_pending');
    expect(s.next).toEqual({ action: 'send_checkout', at: 1_100 + config.timing.pollIntervalMs });
  });

  it('keeps polling on an unknown status value and records it', () => {
    let s = reducePayment(start(), accepted(), env(1_000));
    s = reducePayment(s, poll(status('quantum_state')), env(1_400));
    expect(s.phase).toBe('awaiting_status');
    expect(s.ctx.unknownValues).toEqual(['quantum_state']);
  });

  it('a cancel of a transaction Koshelek does not know ends canceled: nothing was charged', () => {
    let s = reducePayment(start(), accepted(), env(1_000));
    s = reducePayment(s, { type: 'cancel_requested' }, env(1_500));
    s = reducePayment(s, cancelAnswer({ kind: 'api_error', status: 422, code: 'UNKNOWN_TRANSACTION_ID' }), env(1_600));
    expect(s.phase).toBe('canceled');
    expect(s.ctx.cancels[0]?.outcome).toBe('not_found');
  });

  it('final states are sticky: late or duplicate notifications change nothing', () => {
    let s = reducePayment(start(), accepted(), env(1_000));
    s = reducePayment(s, poll(status('accepted')), env(1_200));
    expect(s.phase).toBe('paid');
    const after = reducePayment(s, { type: 'postback', data: { transactionId: 'tx-1', status: 'canceled' } }, env(1_300));
    expect(after).toBe(s);
    expect(reducePayment(s, poll(status('rejected')), env(1_400))).toBe(s);
  });

  it('a postback is only a trigger: it brings the next status poll forward and decides nothing', () => {
    const s = reducePayment(start(), accepted(), env(1_000));
    const pushed = reducePayment(s, { type: 'postback', data: { transactionId: 'tx-1', status: 'accepted' } }, env(1_100));
    expect(pushed.phase).toBe('awaiting_status');
    expect(pushed.next).toEqual({ action: 'poll_status', at: 1_100 });
    const forged = reducePayment(s, { type: 'postback', data: { transactionId: 'tx-1', status: 'canceled' } }, env(1_100));
    expect(forged.phase).toBe('awaiting_status');
  });

  it('ignores a postback for another transaction', () => {
    const s = reducePayment(start(), accepted(), env(1_000));
    expect(reducePayment(s, { type: 'postback', data: { transactionId: 'other', status: 'accepted' } }, env(1_100)).phase).toBe('awaiting_status');
  });
});
