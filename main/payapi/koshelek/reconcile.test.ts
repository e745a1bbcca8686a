// Koshelek's transaction/status words → the journal's neutral outcomes, for every status the reference
// lists (koshelek-pay-api.md §3.1, §3.2) and each operation kind, plus what the manager reads.
import { describe, expect, it } from 'vitest';
import type { ReportOperationRow } from '../../reports/model';
import { compareOne } from '../../reports/reconcile';
import { koshelekEnumsSchema } from './config';
import { koshelekOutcome, koshelekRaw, koshelekStatusLookup, type KoshelekStatusAnswer } from './reconcile';

const enums = koshelekEnumsSchema.parse({});
const PAYMENT_STATUSES = ['new', 'pending', 'accepted', 'refunding', 'refunded', 'partial_refunded', 'rejected', 'canceled', 'none', ''];

describe('koshelekOutcome', () => {
  it('a payment: the money-taken statuses are paid, rejected / canceled as such, an empty status is not found, the rest pending', () => {
    const got = Object.fromEntries(PAYMENT_STATUSES.map((s) => [s, koshelekOutcome('payment', { status: s }, enums)]));
    expect(got).toEqual({
      new: 'pending', pending: 'pending', accepted: 'paid', refunding: 'paid', refunded: 'paid', partial_refunded: 'paid',
      rejected: 'rejected', canceled: 'canceled', none: 'pending', '': 'not_found',
    });
  });

  it('a refund is refunded only when its refStatus is accepted; rejected when declined; else pending', () => {
    expect(koshelekOutcome('refund', { status: 'partial_refunded', refStatus: 'accepted' }, enums)).toBe('refunded');
    expect(koshelekOutcome('refund', { status: 'refunded', refStatus: 'accepted' }, enums)).toBe('refunded');
    expect(koshelekOutcome('refund', { status: 'accepted', refStatus: 'rejected' }, enums)).toBe('rejected');
    expect(koshelekOutcome('refund', { status: 'accepted', refStatus: 'new' }, enums)).toBe('pending');
    expect(koshelekOutcome('refund', { status: 'accepted' }, enums)).toBe('pending');
    expect(koshelekOutcome('refund', { status: '' }, enums)).toBe('not_found');
  });

  it('a cancel is canceled when its refStatus is accepted or the payment is canceled', () => {
    expect(koshelekOutcome('cancel', { status: 'canceled', refStatus: 'accepted' }, enums)).toBe('canceled');
    expect(koshelekOutcome('cancel', { status: 'canceled' }, enums)).toBe('canceled');
    expect(koshelekOutcome('cancel', { status: 'accepted', refStatus: 'rejected' }, enums)).toBe('rejected');
    expect(koshelekOutcome('cancel', { status: 'pending', refStatus: 'new' }, enums)).toBe('pending');
    expect(koshelekOutcome('cancel', { status: '' }, enums)).toBe('not_found');
  });

  it('follows the configured status words (a renamed status is a config edit)', () => {
    const renamed = koshelekEnumsSchema.parse({ paymentStatuses: { paid: ['approved'] }, refStatuses: { accepted: ['done'] } });
    expect(koshelekOutcome('payment', { status: 'approved' }, renamed)).toBe('paid');
    expect(koshelekOutcome('payment', { status: 'accepted' }, renamed)).toBe('pending');
    expect(koshelekOutcome('refund', { status: 'accepted', refStatus: 'done' }, renamed)).toBe('refunded');
  });

  it('says in Koshelek\'s own words what it answered', () => {
    expect(koshelekRaw({ status: '' })).toBe('not found');
    expect(koshelekRaw({ status: 'accepted' })).toBe('accepted');
    expect(koshelekRaw({ status: 'partial_refunded', refStatus: 'accepted' })).toBe('partial_refunded/accepted');
  });
});

// The journal's view against Koshelek's answer, through the mapping: the same verdicts the reconciliation gave
// when it compared Koshelek's words itself.
const row = (kind: ReportOperationRow['kind'], outcome: string, amountKop = 1000): ReportOperationRow => ({
  id: 'op', kind, provider: 'koshelek', parentId: null, shiftId: 1, orderId: 'o', amountKop, currency: 'RUB', isFinal: true, outcome, phase: 'done', requestId: 'rq',
  transactionId: 'tx', refTransactionId: kind === 'payment' ? null : 'rtx', paymentType: 'SBP', errorCode: null, createdAt: '', finishedAt: null, slip: null, parent: null,
});
const verdict = (kind: ReportOperationRow['kind'], outcome: string, answer: KoshelekStatusAnswer, amountKop?: number) =>
  compareOne(row(kind, outcome, amountKop), { outcome: koshelekOutcome(kind, answer, enums), raw: koshelekRaw(answer), ...(answer.amountKop !== undefined ? { amountKop: answer.amountKop } : {}) });

describe('verdicts through the mapping', () => {
  it.each([
    ['payment', 'paid', { status: 'accepted', amountKop: 1000 }, null],
    ['payment', 'paid', { status: 'partial_refunded' }, null],
    ['payment', 'paid', { status: 'accepted', amountKop: 999 }, 'amount'],
    ['payment', 'paid', { status: 'rejected' }, 'mismatch'],
    ['payment', 'paid', { status: 'pending' }, 'mismatch'],
    ['payment', 'paid', { status: '' }, 'not_found'],
    ['payment', 'rejected', { status: 'rejected' }, null],
    ['payment', 'rejected', { status: 'accepted' }, 'mismatch'],
    ['payment', 'rejected', { status: '' }, 'not_found'],
    ['payment', 'canceled', { status: 'canceled' }, null],
    ['payment', 'canceled', { status: '' }, null],
    ['payment', 'canceled', { status: 'accepted' }, 'mismatch'],
    ['payment', 'failed', { status: 'accepted' }, 'mismatch'],
    ['payment', 'failed', { status: 'new' }, null],
    ['payment', 'failed', { status: '' }, null],
    ['refund', 'refunded', { status: 'partial_refunded', refStatus: 'accepted' }, null],
    ['refund', 'refunded', { status: 'accepted', refStatus: 'rejected' }, 'mismatch'],
    ['refund', 'refunded', { status: '' }, 'not_found'],
    ['refund', 'refund_rejected', { status: 'accepted', refStatus: 'rejected' }, null],
    ['refund', 'refund_rejected', { status: 'refunded', refStatus: 'accepted' }, 'mismatch'],
    ['cancel', 'canceled', { status: 'canceled', refStatus: 'accepted' }, null],
    ['cancel', 'canceled', { status: 'accepted', refStatus: 'rejected' }, 'mismatch'],
    ['cancel', 'canceled', { status: '' }, 'not_found'],
    ['cancel', 'cancel_rejected', { status: 'accepted', refStatus: 'rejected' }, null],
    ['cancel', 'cancel_rejected', { status: 'canceled' }, 'mismatch'],
  ] as const)('%s %s vs %j → %s', (kind, outcome, answer, expected) => {
    expect(verdict(kind, outcome, answer)).toBe(expected);
  });
});

describe('koshelekStatusLookup', () => {
  it('asks transaction/status with the payment\'s and the operation\'s ids; no answer is a failed lookup, not "not found"', async () => {
    const asked: [string, string | undefined][] = [];
    const lookup = koshelekStatusLookup(async (tx, ref) => {
      asked.push([tx, ref]);
      return tx === 'down' ? null : { status: 'partial_refunded', refStatus: 'accepted', amountKop: 500 };
    }, () => enums);
    expect(await lookup({ provider: 'koshelek', kind: 'refund', transactionId: 'tx', refTransactionId: 'rtx', requestId: 'rq' }))
      .toEqual({ outcome: 'refunded', raw: 'partial_refunded/accepted', amountKop: 500 });
    await lookup({ provider: 'koshelek', kind: 'payment', transactionId: 'tx', refTransactionId: null, requestId: 'rq' });
    expect(asked).toEqual([['tx', 'rtx'], ['tx', undefined]]);
    await expect(lookup({ provider: 'koshelek', kind: 'payment', transactionId: 'down', refTransactionId: null, requestId: 'rq' })).rejects.toThrow(/no status answer/);
  });
});
