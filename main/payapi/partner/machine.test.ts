import { describe, expect, it } from 'vitest';
import { initialPartnerOperation, isMaterialPartner, reducePartner, type PartnerEvent, type PartnerState } from './machine';

const start = (kind: 'extra_charge' | 'reversal' = 'reversal'): PartnerState =>
  initialPartnerOperation({ kind, operationId: 'op-00000001', paymentId: 'pay-1', amountMinor: 500, currency: 'RUB', callbackUrl: 'http://x/cb', recheckMs: [60_000, 120_000] }, 0);
const accepted: PartnerEvent = { type: 'send_outcome', outcome: { kind: 'ok', value: { operation_id: 'op-00000001', status: 'PENDING' } } };
const status = (st: 'PENDING' | 'SUCCEEDED' | 'FAILED', over: Record<string, unknown> = {}): PartnerEvent => ({
  type: 'status_outcome',
  outcome: { kind: 'ok', value: { operation_id: 'op-00000001', type: 'reversal', payment_id: 'pay-1', status: st, amount: 500, currency: 'RUB', ...over } },
});
const run = (events: PartnerEvent[], s = start()): PartnerState => events.reduce((acc, e, i) => reducePartner(acc, e, 1000 * (i + 1)), s);

describe('partner operation machine', () => {
  it('accepted → confirming, re-checked n minutes later; SUCCEEDED confirms', () => {
    const s = run([accepted]);
    expect(s).toMatchObject({ phase: 'confirming', next: { action: 'check', at: 61_000 } });
    expect(run([accepted, status('PENDING')]).next).toEqual({ action: 'check', at: 122_000 }); // the second pause of the schedule
    expect(run([accepted, status('PENDING'), status('SUCCEEDED')])).toMatchObject({ phase: 'succeeded', ctx: { errorKey: null } });
  });

  it('the send answer alone never confirms, even "SUCCEEDED": a status read is due at once', () => {
    const s = run([{ type: 'send_outcome', outcome: { kind: 'ok', value: { operation_id: 'op-00000001', status: 'SUCCEEDED' } } }]);
    expect(s).toMatchObject({ phase: 'confirming', next: { action: 'check', at: 1000 } });
  });

  it('unknown send → check (never a blind re-send); NOT_FOUND → send again with the same operation id', () => {
    const s = run([{ type: 'send_outcome', outcome: { kind: 'unknown', fault: 'timeout', detail: '' } }]);
    expect(s).toMatchObject({ phase: 'confirming', next: { action: 'check' } });
    const again = reducePartner(s, { type: 'status_outcome', outcome: { kind: 'ok', value: 'not_found' } }, 5_000);
    expect(again).toMatchObject({ phase: 'sending', next: { action: 'send', at: 5_000 }, ctx: { operationId: 'op-00000001', sends: 1 } });
  });

  it('definite refusals are final with their keys; replay / skew / session refusals are re-checked instead', () => {
    const refused = (code: string, st = 422): PartnerState => run([{ type: 'send_outcome', outcome: { kind: 'refused', status: st, code, message: '' } }]);
    expect(refused('AMOUNT_EXCEEDS_AVAILABLE')).toMatchObject({ phase: 'failed', ctx: { errorKey: 'partner.amount_exceeds' } });
    expect(refused('WRONG_KEY', 403)).toMatchObject({ phase: 'failed', ctx: { errorKey: 'partner.signature_refused' } });
    expect(refused('SOMETHING_NEW', 400)).toMatchObject({ phase: 'failed', ctx: { errorKey: 'partner.refused' } });
    expect(refused('REPLAYED', 409)).toMatchObject({ phase: 'confirming' });
    expect(refused('CLOCK_SKEW', 401)).toMatchObject({ phase: 'confirming', ctx: { errorKey: 'partner.clock_skew' } });
  });

  it('SUCCEEDED for another amount, kind or payment is a mismatch, FAILED is declined', () => {
    expect(run([accepted, status('SUCCEEDED', { amount: 499 })]).ctx.errorKey).toBe('partner.mismatch');
    expect(run([accepted, status('SUCCEEDED', { type: 'extra_charge' })]).phase).toBe('failed');
    expect(run([accepted, status('FAILED')])).toMatchObject({ phase: 'failed', ctx: { errorKey: 'partner.declined' } });
  });

  it('a callback makes the check due now; final states are sticky; restart checks first', () => {
    const s = run([accepted]);
    expect(reducePartner(s, { type: 'callback' }, 7).next).toEqual({ action: 'check', at: 7 });
    const done = run([accepted, status('SUCCEEDED')]);
    expect(run([{ type: 'callback' }, status('FAILED'), { type: 'restarted' }], done)).toBe(done);
    expect(reducePartner(start(), { type: 'restarted' }, 3)).toMatchObject({ phase: 'confirming', next: { action: 'check', at: 3 }, ctx: { recovered: true } });
  });

  it('429 waits for Retry-After without counting as a failure; an unchanged PENDING is not material', () => {
    expect(run([{ type: 'send_outcome', outcome: { kind: 'rate_limited', retryAfterMs: 9_000 } }])).toMatchObject({ phase: 'sending', next: { action: 'send', at: 10_000 } });
    const a = run([accepted, status('PENDING')]);
    expect(isMaterialPartner(a, reducePartner(a, status('PENDING'), 99_000))).toBe(false);
  });
});
