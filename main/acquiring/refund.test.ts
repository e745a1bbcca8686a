import { describe, expect, it } from 'vitest';
import type { BankOperation, LookupOutcome } from './bank';
import { bankRefundStateSchema, isFinalRefund, reduceRefund, type BankRefundState } from './refund';

const start = (): BankRefundState => bankRefundStateSchema.parse({
  v: 1, phase: 'baseline', next: { action: 'read', at: 0 },
  ctx: {
    channel: 'link', paymentOperationId: 'p', bankOperationId: 'b', reference: 'r', amountMinor: 2_000, currency: 'RUB', refundedBeforeMinor: null,
    sends: 0, lookups: 0, pollScheduleMs: [100, 200], unresolvedAfterMs: 1_000, unknownSince: null, refundId: null, errorKey: null,
    errorCode: null, lastFault: null, clientRequestKey: null, connectionId: 'tochka:x', recovered: false,
  },
});
const op = (refundedMinor: number, amountMinor = 10_000): LookupOutcome => ({ kind: 'found', operation: { bankOperationId: 'b', reference: 'r', link: null, status: 'paid', rawStatus: 'APPROVED', amountMinor, currency: 'RUB', paymentType: 'sbp', consumerId: null, refundedMinor } satisfies BankOperation });
const unknown = { kind: 'unknown', errorKey: 'bank.checking', code: 'timeout', detail: 'timeout' } as const;

describe('bank refund machine', () => {
  it('baseline read, one send, done', () => {
    let s = reduceRefund(start(), { type: 'read_outcome', outcome: op(500) }, 1);
    expect(s).toMatchObject({ phase: 'sending', next: { action: 'send' }, ctx: { refundedBeforeMinor: 500 } });
    s = reduceRefund(s, { type: 'send_outcome', outcome: { kind: 'done', refundId: 'R1' } }, 2);
    expect(s).toMatchObject({ phase: 'refunded', next: null, ctx: { sends: 1, refundId: 'R1' } });
    expect(isFinalRefund(s)).toBe(true);
  });

  it('more than is left at the bank: rejected before anything is sent', () => {
    expect(reduceRefund(start(), { type: 'read_outcome', outcome: op(9_000) }, 1)).toMatchObject({ phase: 'rejected', ctx: { sends: 0, errorKey: 'bank.refund_rejected', errorCode: 'exceeds' } });
  });

  it('unknown send → checking; the read shows it → refunded, never sent again', () => {
    let s = reduceRefund(start(), { type: 'read_outcome', outcome: op(0) }, 1);
    s = reduceRefund(s, { type: 'send_outcome', outcome: unknown }, 2);
    expect(s).toMatchObject({ phase: 'checking', next: { action: 'read', at: 102 }, ctx: { errorKey: 'bank.refund_checking' } });
    s = reduceRefund(s, { type: 'read_outcome', outcome: op(2_000) }, 3);
    expect(s).toMatchObject({ phase: 'refunded', ctx: { sends: 1 } });
  });

  it('unknown send, the read proves it absent → sent again (once per proof); unknown reads keep asking, then bank.unresolved', () => {
    let s = reduceRefund(start(), { type: 'read_outcome', outcome: op(0) }, 1);
    s = reduceRefund(s, { type: 'send_outcome', outcome: unknown }, 2);
    s = reduceRefund(s, { type: 'read_outcome', outcome: unknown }, 3);
    s = reduceRefund(s, { type: 'read_outcome', outcome: unknown }, 2_000);
    expect(s).toMatchObject({ phase: 'checking', ctx: { errorKey: 'bank.unresolved' } });
    s = reduceRefund(s, { type: 'read_outcome', outcome: op(0) }, 2_001);
    expect(s).toMatchObject({ phase: 'sending', next: { action: 'send' }, ctx: { errorKey: null } });
  });

  it('restart: whatever the phase, read first; a bank refusal is final; final states are sticky', () => {
    const sending = reduceRefund(start(), { type: 'read_outcome', outcome: op(0) }, 1);
    expect(reduceRefund(sending, { type: 'restarted' }, 5)).toMatchObject({ phase: 'checking', next: { action: 'read', at: 5 }, ctx: { recovered: true } });
    expect(reduceRefund(start(), { type: 'restarted' }, 5)).toMatchObject({ phase: 'baseline', next: { action: 'read' } });
    const rejected = reduceRefund(sending, { type: 'send_outcome', outcome: { kind: 'rejected', errorKey: 'bank.refund_rejected', code: '400', detail: 'no' } }, 2);
    expect(rejected).toMatchObject({ phase: 'rejected', ctx: { errorCode: '400' } });
    expect(reduceRefund(rejected, { type: 'read_outcome', outcome: op(2_000) }, 3)).toBe(rejected);
    expect(reduceRefund(start(), { type: 'read_outcome', outcome: { kind: 'not_found' } }, 1)).toMatchObject({ phase: 'rejected', ctx: { errorCode: 'not_found' } });
  });
});
