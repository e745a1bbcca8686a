import { describe, expect, it } from 'vitest';
import { koshelekConfigSchema } from './config';
import type { ApiOutcome } from './client';
import type { MachineEnv, MachineEvent } from './machine-common';
import { initialRefund, reduceRefund } from './refund-machine';
import type { RefOperationResponse, StatusResponse } from './wire';

const config = koshelekConfigSchema.parse({});
const env = (now: number): MachineEnv => ({ now, timing: config.timing, enums: config.enums, newRequestId: () => 'never-used' });
const start = () => initialRefund({ requestId: 'refund-req', paymentOperationId: 'p', transactionId: 'tx', orderId: 'o', amountKop: 500, items: [], storeId: 's', terminalId: 't', paymentType: 'SBP', clientRequestKey: null }, 0);
const answer = (outcome: ApiOutcome<RefOperationResponse>): MachineEvent => ({ type: 'outcome', result: { action: 'send_refund', outcome } });
const poll = (outcome: ApiOutcome<StatusResponse>): MachineEvent => ({ type: 'outcome', result: { action: 'poll_refund_status', outcome } });
const ok = <T>(data: T): ApiOutcome<T> => ({ kind: 'ok', status: 200, data });

describe('refund machine', () => {
  it('accepted at once → refunded with the refund transaction id', () => {
    const s = reduceRefund(start(), answer(ok({ refTransactionId: 'r1', refStatus: 'accepted', transactionId: 'tx', status: 'partial_refunded', slip: { refundTransactionId: 'r1' } })), env(10));
    expect(s.phase).toBe('refunded');
    expect(s.ctx.refTransactionId).toBe('r1');
  });

  it('refStatus new → follows the refund by refTransactionId until accepted', () => {
    let s = reduceRefund(start(), answer(ok({ refTransactionId: 'r1', refStatus: 'new', transactionId: 'tx', status: 'refunding' })), env(10));
    expect(s.phase).toBe('awaiting_refund_status');
    expect(s.next?.action).toBe('poll_refund_status');
    s = reduceRefund(s, poll(ok({ transactionId: 'tx', refTransactionId: 'r1', status: 'refunding', refStatus: 'new' })), env(400));
    expect(s.phase).toBe('awaiting_refund_status');
    s = reduceRefund(s, poll(ok({ transactionId: 'tx', refTransactionId: 'r1', status: 'refunded', refStatus: 'accepted' })), env(800));
    expect(s.phase).toBe('refunded');
  });

  it('never gives up and never changes the requestId when Koshelek does not answer', () => {
    let s = start();
    const delays: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const now = i * 100_000;
      s = reduceRefund(s, answer({ kind: 'no_answer', fault: 'timeout', maybeDelivered: true, reusedSocket: false, message: 't' }), env(now));
      expect(s.phase).toBe('refund_pending');
      expect(s.ctx.requestId).toBe('refund-req');
      delays.push((s.next?.at ?? 0) - now);
    }
    expect(s.ctx.attempts).toBe(20);
    expect(delays.at(-1)).toBe(config.timing.backgroundRetryMs);
  });

  it('a refusal is final with the cashier instruction for its code', () => {
    const rejected = reduceRefund(start(), answer(ok({ refTransactionId: 'r1', refStatus: 'rejected', errorCode: 'REQUESTED_REFUND_AMOUNT_IS_GREATER_THAN_AVAILABLE' })), env(10));
    expect(rejected.phase).toBe('refund_rejected');
    expect(rejected.ctx.errorKey).toBe('koshelek.REQUESTED_REFUND_AMOUNT_IS_GREATER_THAN_AVAILABLE');
    const e422 = reduceRefund(start(), answer({ kind: 'api_error', status: 422, code: 'CANCEL_REFUNDING_BY_BANK' }), env(10));
    expect(e422.phase).toBe('refund_rejected');
    expect(e422.ctx.errorKey).toBe('koshelek.CANCEL_REFUNDING_BY_BANK');
  });

  it('a server error after a first attempt is retried, not treated as refused', () => {
    let s = reduceRefund(start(), answer({ kind: 'no_answer', fault: 'reset', maybeDelivered: true, reusedSocket: true, message: '' }), env(10));
    s = reduceRefund(s, answer({ kind: 'http_error', status: 401 }), env(20));
    expect(s.phase).toBe('refund_pending');
  });
});
