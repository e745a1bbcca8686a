import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isErrorKey } from '../../errors/catalogue';
import type { TerminalOutcome, UnknownFault } from './client';
import type { LookupAnswer, SaleAnswer, TerminalTransaction } from './contract';
import {
  initialTerminalPayment, isFinalTerminal, isMaterialTerminal, parseTerminalState, reduceTerminal, terminalOutcome, UNKNOWN_FAULT_KEY,
  type TerminalEvent, type TerminalState,
} from './machine';

const ID = 'op-0123456789';
const T0 = 1_700_000_000_000;
const SCHEDULE = [0, 1_000, 5_000, 60_000];

const fresh = (): TerminalState =>
  initialTerminalPayment({ operationExternalId: ID, orderId: 'order-1', amountMinor: 12_345, currency: 'RUB', lookupScheduleMs: SCHEDULE, unresolvedAfterMs: 180_000 }, T0);

const tx = (status: TerminalTransaction['status'], patch: Partial<TerminalTransaction> = {}): TerminalTransaction => ({
  time: '2026-11-30T05:00:00.000Z', method: 'card', type: 'sale', status, amountMinor: 12_345, currency: 'RUB', rrn: '123456789012', authCode: 'A1B2C3',
  maskedCard: '220000******1234', terminalId: 'T1', merchantId: 'M1', transactionId: '000001', responseCode: '00', message: null, qr: null, keys: null, slip: null, ...patch,
});
const sale = (resultCode: 'OK' | 'FAIL', transaction: TerminalTransaction | null): SaleAnswer => ({ v: 1, kind: 'sale', operationExternalId: ID, resultCode, transaction, error: null });
const answered = (answer: SaleAnswer, duplicates = 0): TerminalEvent => ({ type: 'sale_outcome', outcome: { kind: 'answer', answer, duplicates } });
const saleFault = (fault: UnknownFault): TerminalEvent => ({ type: 'sale_outcome', outcome: { kind: 'unknown', fault, detail: 'x' } });
const lookup = (a: Omit<LookupAnswer, 'v' | 'kind' | 'operationExternalId'>): TerminalEvent => ({ type: 'lookup_outcome', outcome: { kind: 'answer', answer: { v: 1, kind: 'lookup', operationExternalId: ID, ...a }, duplicates: 0 } });
const lookupFault: TerminalEvent = { type: 'lookup_outcome', outcome: { kind: 'unknown', fault: 'timeout', detail: 'x' } };

describe('terminal payment machine', () => {
  it('starts by launching once, now', () => {
    expect(fresh().next).toEqual({ action: 'launch', at: T0 });
  });

  it('approved → paid with the transaction kept for the slip', () => {
    const s = reduceTerminal(fresh(), answered(sale('OK', tx('APPROVED'))), T0 + 10);
    expect([s.phase, s.next, terminalOutcome(s), s.ctx.transaction?.rrn, s.ctx.launches]).toEqual(['paid', null, 'paid', '123456789012', 1]);
  });

  it.each([
    ['DECLINED', 'declined', 'terminal.declined', 'rejected'],
    ['CANCELLED', 'canceled', 'terminal.canceled', 'canceled'],
    ['ABORTED', 'canceled', 'terminal.aborted', 'canceled'],
    ['ERROR', 'failed', 'terminal.error', 'failed'],
  ] as const)('FAIL with %s → %s (%s): no money moved, final', (status, phase, key, outcome) => {
    const s = reduceTerminal(fresh(), answered(sale('FAIL', tx(status, { responseCode: '51' }))), T0);
    expect([s.phase, s.ctx.errorKey, terminalOutcome(s), s.ctx.errorCode, s.next]).toEqual([phase, key, outcome, '51', null]);
  });

  it('FAIL without a transaction → failed', () => {
    const s = reduceTerminal(fresh(), answered({ ...sale('FAIL', null), error: { code: 'BUSY', message: 'busy' } }), T0);
    expect([s.phase, s.ctx.errorKey, s.ctx.errorCode]).toEqual(['failed', 'terminal.error', 'BUSY']);
  });

  it.each([['missing', 'terminal.app_missing'], ['refused', 'terminal.unreachable']] as const)('application %s: never reached → failed with %s', (fault, key) => {
    const s = reduceTerminal(fresh(), { type: 'sale_outcome', outcome: { kind: 'not_delivered', fault, detail: 'x' } }, T0);
    expect([s.phase, s.ctx.errorKey, isFinalTerminal(s)]).toEqual(['failed', key, true]);
  });

  it.each(Object.keys(UNKNOWN_FAULT_KEY) as UnknownFault[])('%s: unknown → resolving by lookup, never a second launch', (fault) => {
    const s = reduceTerminal(fresh(), saleFault(fault), T0 + 5);
    expect(s.phase).toBe('resolving');
    expect(s.next).toEqual({ action: 'lookup', at: T0 + 5 });
    expect(s.ctx.errorKey).toBe(UNKNOWN_FAULT_KEY[fault]);
    expect(s.ctx.unknownSince).toBe(T0 + 5);
    expect(isErrorKey(s.ctx.errorKey ?? '')).toBe(true);
  });

  it('an answer that contradicts itself is resolved by lookup, not believed', () => {
    expect(reduceTerminal(fresh(), answered(sale('OK', null)), T0).phase).toBe('resolving');
    expect(reduceTerminal(fresh(), answered(sale('OK', tx('DECLINED'))), T0).phase).toBe('resolving');
    expect(reduceTerminal(fresh(), answered(sale('FAIL', tx('APPROVED'))), T0).phase).toBe('resolving');
  });

  it('approved for another amount or currency → mismatch (final, failed, never paid)', () => {
    const a = reduceTerminal(fresh(), answered(sale('OK', tx('APPROVED', { amountMinor: 12_346 }))), T0);
    const b = reduceTerminal(fresh(), answered(sale('OK', tx('APPROVED', { currency: 'USD' }))), T0);
    for (const s of [a, b]) expect([s.phase, terminalOutcome(s), s.ctx.errorKey]).toEqual(['mismatch', 'failed', 'terminal.integrity_mismatch']);
  });

  it('lookup after an unknown: done → its result; not_found → failed (never started); in_progress → keep asking on the schedule', () => {
    const unknown = reduceTerminal(fresh(), saleFault('killed'), T0);
    expect(reduceTerminal(unknown, lookup({ state: 'done', result: sale('OK', tx('APPROVED')) }), T0 + 1).phase).toBe('paid');
    const notFound = reduceTerminal(unknown, lookup({ state: 'not_found', result: null }), T0 + 1);
    expect([notFound.phase, notFound.ctx.errorKey]).toEqual(['failed', 'terminal.not_started']);
    let s = unknown;
    const ats: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      s = reduceTerminal(s, i % 2 ? lookupFault : lookup({ state: 'in_progress', result: null }), T0 + 100);
      expect(s.phase).toBe('resolving');
      ats.push((s.next?.at ?? 0) - (T0 + 100));
    }
    expect(ats).toEqual([1_000, 5_000, 60_000, 60_000, 60_000, 60_000]);
  });

  it('unknown for longer than unresolvedAfterMs: the cashier is told to call the administrator; still never failed', () => {
    let s = reduceTerminal(fresh(), saleFault('timeout'), T0);
    s = reduceTerminal(s, lookupFault, T0 + 179_999);
    expect(s.ctx.errorKey).toBe('terminal.no_answer');
    s = reduceTerminal(s, lookupFault, T0 + 180_000);
    expect([s.phase, s.ctx.errorKey, s.next?.action]).toEqual(['resolving', 'terminal.unresolved', 'lookup']);
  });

  it('till restart mid-payment: whatever the step, the next action is a lookup', () => {
    const fromLaunching = reduceTerminal(fresh(), { type: 'restarted' }, T0 + 50);
    expect([fromLaunching.phase, fromLaunching.next, fromLaunching.ctx.recovered, fromLaunching.ctx.errorKey]).toEqual(['resolving', { action: 'lookup', at: T0 + 50 }, true, 'terminal.checking']);
    expect(reduceTerminal(fromLaunching, lookup({ state: 'done', result: sale('OK', tx('APPROVED')) }), T0 + 60).ctx.launches).toBe(1); // the terminal saw it
    expect(reduceTerminal(fromLaunching, lookup({ state: 'not_found', result: null }), T0 + 60).ctx.launches).toBe(0);
    const resolving = reduceTerminal(fresh(), saleFault('timeout'), T0);
    const again = reduceTerminal({ ...resolving, next: { action: 'lookup', at: T0 + 60_000 } }, { type: 'restarted' }, T0 + 70);
    expect([again.next, again.ctx.errorKey, again.ctx.unknownSince]).toEqual([{ action: 'lookup', at: T0 + 70 }, 'terminal.no_answer', T0]);
  });

  it('final states are sticky: a second or late answer changes nothing', () => {
    const paid = reduceTerminal(fresh(), answered(sale('OK', tx('APPROVED'))), T0);
    expect(reduceTerminal(paid, answered(sale('FAIL', tx('DECLINED'))), T0)).toBe(paid);
    expect(reduceTerminal(paid, { type: 'restarted' }, T0)).toBe(paid);
    const resolving = reduceTerminal(fresh(), saleFault('garbage'), T0);
    expect(reduceTerminal(resolving, answered(sale('OK', tx('APPROVED'))), T0)).toBe(resolving); // a sale answer while resolving is not ours to trust
    expect(reduceTerminal(fresh(), lookupFault, T0)).toEqual(fresh()); // no lookup result before a launch
  });

  it('an identical repeated answer is counted and accepted', () => {
    const s = reduceTerminal(fresh(), answered(sale('OK', tx('APPROVED')), 1), T0);
    expect([s.phase, s.ctx.duplicates]).toEqual(['paid', 1]);
  });

  it('lookup counting alone is not material (not journaled); phase, key and recovery are', () => {
    const r = reduceTerminal(fresh(), saleFault('timeout'), T0);
    const r2 = reduceTerminal(r, lookup({ state: 'in_progress', result: null }), T0 + 10);
    expect(isMaterialTerminal(r, r2)).toBe(false);
    expect(isMaterialTerminal(fresh(), r)).toBe(true);
  });

  it('the persisted state round-trips through its versioned schema; damage is refused', () => {
    const s = reduceTerminal(fresh(), answered(sale('OK', tx('APPROVED'))), T0);
    expect(parseTerminalState(JSON.stringify(s))).toEqual(s);
    expect(() => parseTerminalState(JSON.stringify({ ...s, v: 2 }))).toThrow();
    expect(() => parseTerminalState(JSON.stringify({ ...s, ctx: { ...s.ctx, launches: 2 } }))).toThrow();
    expect(() => parseTerminalState(JSON.stringify({ ...s, ctx: { ...s.ctx, errorKey: 'terminal.no_such_key' } }))).toThrow();
  });

  it('property: under any sequence of outcomes and restarts, at most one launch; final only on a definitive answer', () => {
    const outcome = fc.oneof(
      fc.constantFrom<UnknownFault>('killed', 'timeout', 'garbage', 'conflict', 'exit', 'reset', 'http').map((f): TerminalOutcome<never> => ({ kind: 'unknown', fault: f, detail: '' })),
      fc.constantFrom<'missing' | 'refused'>('missing', 'refused').map((f): TerminalOutcome<never> => ({ kind: 'not_delivered', fault: f, detail: '' })),
    );
    const status = fc.constantFrom<TerminalTransaction['status']>('APPROVED', 'DECLINED', 'CANCELLED', 'ABORTED', 'ERROR');
    const saleAns = fc.tuple(fc.constantFrom<'OK' | 'FAIL'>('OK', 'FAIL'), fc.option(status)).map(([code, st]) => sale(code, st ? tx(st) : null));
    const event: fc.Arbitrary<TerminalEvent> = fc.oneof(
      fc.constant<TerminalEvent>({ type: 'restarted' }),
      outcome.map((o): TerminalEvent => ({ type: 'sale_outcome', outcome: o })),
      saleAns.map((a): TerminalEvent => answered(a)),
      outcome.map((o): TerminalEvent => ({ type: 'lookup_outcome', outcome: o })),
      fc.constantFrom('not_found', 'in_progress').map((st) => lookup({ state: st as 'not_found' | 'in_progress', result: null })),
      saleAns.map((a) => lookup({ state: 'done', result: a })),
    );
    fc.assert(fc.property(fc.array(event, { maxLength: 30 }), (events) => {
      let s = fresh();
      let t = T0;
      let launchesAllowed = 1;
      for (const ev of events) {
        if (s.next?.action === 'launch' && ev.type === 'sale_outcome') launchesAllowed -= 1;
        const before = s;
        s = reduceTerminal(s, ev, (t += 100));
        if (before.phase !== 'launching' && s.next?.action === 'launch') return false;
        if (s.phase === 'paid' && s.ctx.transaction?.status !== 'APPROVED') return false;
        terminalStateRoundTrip(s);
      }
      return launchesAllowed >= 0 && s.ctx.launches <= 1;
    }), { numRuns: 500 });
  });
});

function terminalStateRoundTrip(s: TerminalState): void {
  expect(parseTerminalState(JSON.stringify(s))).toEqual(s);
}
