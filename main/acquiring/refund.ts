// A bank refund as a journaled operation of its own (kind 'refund', parent = the payment), driven by the
// same OperationActor as payments, so checkout's refund rules (one at a time, what is left to refund,
// the cashier's key) hold for banks too. Banks without an idempotency key (Tochka) make the send the
// dangerous step: it is sent at most once per attempt, and anything unknown (timeout, a restart) is
// answered by reading the payment at the bank and comparing its refunded total with the baseline read
// just before the send — never a blind re-send (docs/banks.md, "Refunds").
//
//   baseline ──read: refunded so far──► sending ──done──► refunded
//            ──not found / read refused──► rejected       ──rejected──► rejected (nothing refunded)
//   sending ──timeout / 5xx / restart──► checking ──refunded total ≥ baseline + amount──► refunded
//                                                  ──not there──► sending (again; the read proved it absent)
//   unknown reads keep asking (bank.refund_checking), never auto-finished.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MachineDriver, type NextStep } from '../checkout/runner';
import { isErrorKey, PaydeskError, type ErrorKey } from '../errors/catalogue';
import type { OperationEvent, OperationRow, OperationWrite } from '../journal/operations';
import type { NewRefund, RefundFactory } from '../providers/types';
import { packRun, resumeParsed } from '../providers/types';
import type { BankAdapter, LookupOutcome, RefundOutcome } from './bank';
import { bankFailpoint } from './failpoints';
import { parseLinkState } from './machine';

const PHASES = ['baseline', 'sending', 'checking', 'refunded', 'rejected'] as const;
type RefundPhase = (typeof PHASES)[number];
const errorKeySchema = z.custom<ErrorKey>((v) => typeof v === 'string' && isErrorKey(v), 'not an error catalogue key');

export const bankRefundStateSchema = z.object({
  v: z.literal(1),
  phase: z.enum(PHASES),
  next: z.object({ action: z.enum(['read', 'send']), at: z.number() }).nullable(),
  ctx: z.object({
    channel: z.string().min(1).max(32),
    paymentOperationId: z.string().min(1),
    bankOperationId: z.string().min(1),
    reference: z.string().min(1),
    amountMinor: z.number().int().positive(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    /** Refunded at the bank before this refund was sent (read first); null until read. */
    refundedBeforeMinor: z.number().int().min(0).nullable(),
    sends: z.number().int().min(0),
    lookups: z.number().int().min(0),
    pollScheduleMs: z.array(z.number().int().min(0)).min(1),
    unresolvedAfterMs: z.number().int().min(0),
    unknownSince: z.number().nullable(),
    refundId: z.string().nullable(),
    errorKey: errorKeySchema.nullable(),
    errorCode: z.string().nullable(),
    lastFault: z.string().nullable(),
    clientRequestKey: z.string().nullable(),
    connectionId: z.string().nullable(),
    recovered: z.boolean(),
  }),
});
export type BankRefundState = z.output<typeof bankRefundStateSchema>;

export type BankRefundEvent =
  | { type: 'read_outcome'; outcome: LookupOutcome }
  | { type: 'send_outcome'; outcome: RefundOutcome }
  | { type: 'restarted' };

const FINAL: ReadonlySet<RefundPhase> = new Set(['refunded', 'rejected']);
export const isFinalRefund = (s: BankRefundState): boolean => FINAL.has(s.phase);

function pause(s: BankRefundState): number {
  const p = s.ctx.pollScheduleMs;
  return p[Math.min(s.ctx.lookups, p.length - 1)] ?? 0;
}

function final(s: BankRefundState, phase: RefundPhase, patch: Partial<BankRefundState['ctx']>): BankRefundState {
  return { ...s, phase, next: null, ctx: { ...s.ctx, ...patch } };
}

function unknown(s: BankRefundState, now: number, detail: string, code: string | null): BankRefundState {
  const since = s.ctx.unknownSince ?? now;
  const errorKey: ErrorKey = now - since >= s.ctx.unresolvedAfterMs ? 'bank.unresolved' : 'bank.refund_checking';
  const ctx = { ...s.ctx, lookups: s.ctx.lookups + 1, unknownSince: since, lastFault: detail, errorCode: code, errorKey };
  const phase: RefundPhase = s.phase === 'baseline' ? 'baseline' : 'checking';
  return { ...s, phase, next: { action: 'read', at: now + pause(s) }, ctx };
}

export function reduceRefund(s: BankRefundState, e: BankRefundEvent, now: number): BankRefundState {
  if (isFinalRefund(s)) return s;
  switch (e.type) {
    case 'restarted':
      // Whether a send left before the kill is unknown: read first, whatever the phase said.
      if (s.phase === 'baseline') return { ...s, next: { action: 'read', at: now }, ctx: { ...s.ctx, recovered: true } };
      return { ...s, phase: 'checking', next: { action: 'read', at: now }, ctx: { ...s.ctx, recovered: true, unknownSince: s.ctx.unknownSince ?? now, errorKey: 'bank.refund_checking' } };
    case 'send_outcome': {
      if (s.phase !== 'sending') return s;
      const sent = { ...s, ctx: { ...s.ctx, sends: s.ctx.sends + 1 } };
      const o = e.outcome;
      if (o.kind === 'done') return final(sent, 'refunded', { refundId: o.refundId, errorKey: null, errorCode: null, unknownSince: null });
      if (o.kind === 'rejected') return final(sent, 'rejected', { errorKey: o.errorKey, errorCode: o.code, lastFault: o.detail });
      return unknown({ ...sent, phase: 'checking' }, now, o.detail, o.code);
    }
    case 'read_outcome': {
      if (s.phase !== 'baseline' && s.phase !== 'checking') return s;
      const o = e.outcome;
      if (o.kind === 'unknown') return unknown(s, now, o.detail, o.code);
      if (o.kind === 'not_found') return final(s, 'rejected', { errorKey: 'bank.refund_rejected', errorCode: 'not_found', lastFault: 'payment not found at the bank' });
      const refunded = o.operation.refundedMinor;
      const ctx = { ...s.ctx, lookups: 0, unknownSince: null, errorKey: null, errorCode: null };
      if (s.phase === 'baseline') {
        if (o.operation.amountMinor - refunded < s.ctx.amountMinor) return final(s, 'rejected', { errorKey: 'bank.refund_rejected', errorCode: 'exceeds', lastFault: `bank shows ${refunded} refunded of ${o.operation.amountMinor}` });
        return { ...s, phase: 'sending', next: { action: 'send', at: now }, ctx: { ...ctx, refundedBeforeMinor: refunded } };
      }
      const before = s.ctx.refundedBeforeMinor ?? 0;
      if (refunded >= before + s.ctx.amountMinor) return final(s, 'refunded', ctx);
      // The bank shows no such refund: the unknown send did not happen, so it is sent (once more).
      return { ...s, phase: 'sending', next: { action: 'send', at: now }, ctx };
    }
  }
}

export function isMaterialRefund(previous: BankRefundState, next: BankRefundState): boolean {
  const strip = (s: BankRefundState) => JSON.stringify({ ...s, next: s.next?.action ?? null, ctx: { ...s.ctx, lookups: 0 } });
  return strip(previous) !== strip(next);
}

function outcomeOf(s: BankRefundState): 'refunded' | 'refund_rejected' | null {
  return s.phase === 'refunded' ? 'refunded' : s.phase === 'rejected' ? 'refund_rejected' : null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class BankRefundDriver extends MachineDriver<BankRefundState, BankRefundEvent> {
  /** Set once this instance sent: a redo after a failed journal write reads instead of sending again. */
  private sent = false;

  constructor(readonly operationId: string, private readonly base: OperationRow, private readonly bank: BankAdapter) {
    super({ reduce: reduceRefund, isFinal: isFinalRefund, isMaterial: isMaterialRefund });
  }

  async perform(step: NextStep, s: BankRefundState): Promise<BankRefundEvent> {
    if (step.action === 'send') {
      if (this.sent) return { type: 'restarted' };
      this.sent = true;
      bankFailpoint('bank.before_refund_send');
      const outcome = await this.bank.refund(s.ctx.bankOperationId, s.ctx.amountMinor);
      bankFailpoint('bank.after_refund_send');
      return { type: 'send_outcome', outcome };
    }
    this.sent = false; // a read decides afresh whether a send is needed
    return { type: 'read_outcome', outcome: await this.bank.read({ bankOperationId: s.ctx.bankOperationId, reference: s.ctx.reference }) };
  }

  writes(previous: BankRefundState, s: BankRefundState, event: BankRefundEvent | null): { primary: OperationWrite; related: OperationWrite[] } {
    const now = Date.now();
    const done = isFinalRefund(s);
    const events: OperationEvent[] = [];
    if (event?.type === 'send_outcome') events.push({ type: event.outcome.kind === 'done' ? 'response' : 'fault', endpoint: 'refund', requestId: this.base.request_id, body: event.outcome });
    if (event?.type === 'read_outcome') events.push({ type: event.outcome.kind === 'unknown' ? 'fault' : 'response', endpoint: 'read', requestId: this.base.request_id, body: event.outcome });
    if (event?.type === 'restarted') events.push({ type: 'recovered', body: { phase: previous.phase } });
    if (previous.phase !== s.phase) events.push({ type: 'transition', phaseFrom: previous.phase, phaseTo: s.phase });
    const row: OperationRow = {
      ...this.base, phase: s.phase, is_final: done ? 1 : 0, outcome: outcomeOf(s), transaction_id: s.ctx.refundId,
      error_code: s.ctx.errorCode, error_key: s.ctx.errorKey, attempts: s.ctx.sends, context_json: JSON.stringify(s),
      updated_at: iso(now), finished_at: done ? iso(now) : null, recovered: s.ctx.recovered ? 1 : 0,
    };
    return { primary: { row, events, slip: null }, related: [] };
  }
}

/** Refunds by the bank's operation id on the channel (adapter) the payment was made on. */
export function bankRefunds(o: {
  provider: string;
  adapter: (channel: string) => BankAdapter;
  pollScheduleMs: readonly number[];
  unresolvedAfterMs: number;
}): RefundFactory {
  const signals = { cancel: null, park: null, news: () => null };
  return {
    begin(input: NewRefund, now: number) {
      const payment = input.payment;
      let paid;
      try {
        paid = parseLinkState(payment.context_json);
      } catch (error) {
        throw new PaydeskError('operation.state_unreadable', `payment ${payment.id}: ${String(error).slice(0, 200)}`);
      }
      if (paid.ctx.bankOperationId === null) throw new PaydeskError('refund.not_paid', 'no bank operation id');
      const state: BankRefundState = bankRefundStateSchema.parse({
        v: 1, phase: 'baseline', next: { action: 'read', at: now },
        ctx: {
          channel: paid.ctx.channel, paymentOperationId: payment.id, bankOperationId: paid.ctx.bankOperationId, reference: paid.ctx.reference,
          amountMinor: input.amountMinor, currency: payment.currency, refundedBeforeMinor: null, sends: 0, lookups: 0,
          pollScheduleMs: [...o.pollScheduleMs], unresolvedAfterMs: o.unresolvedAfterMs, unknownSince: null, refundId: null,
          errorKey: null, errorCode: null, lastFault: null, clientRequestKey: input.clientRequestKey, connectionId: input.connectionId, recovered: false,
        },
      });
      const requestId = randomUUID();
      const row: OperationRow = {
        id: input.operationId, kind: 'refund', provider: o.provider, parent_id: payment.id, shift_id: input.shiftId, order_id: payment.order_id,
        amount_kop: input.amountMinor, currency: payment.currency, phase: state.phase, is_final: 0, outcome: null, request_id: requestId,
        transaction_id: null, ref_transaction_id: paid.ctx.bankOperationId, payment_type: payment.payment_type, provider_status: null,
        provider_ref_status: null, error_code: null, error_key: null, pay_token: null, loyalty_id: null, attempts: 0,
        context_json: JSON.stringify(state), created_at: iso(now), updated_at: iso(now), finished_at: null, recovered: 0,
      };
      const driver = new BankRefundDriver(row.id, row, o.adapter(state.ctx.channel));
      return {
        row,
        event: { type: 'intent', requestId, body: { refundOf: payment.id, bankOperationId: paid.ctx.bankOperationId, amountMinor: input.amountMinor } },
        run: packRun<BankRefundState, BankRefundEvent>({ state, driver, recoveryEvent: null, signals }),
      };
    },
    resume(row) {
      return resumeParsed(() => {
        const state = bankRefundStateSchema.parse(JSON.parse(row.context_json));
        const driver = new BankRefundDriver(row.id, row, o.adapter(state.ctx.channel));
        return { phase: state.phase, run: packRun<BankRefundState, BankRefundEvent>({ state, driver, recoveryEvent: { type: 'restarted' }, signals }) };
      });
    },
    clientKey(row) {
      try {
        return { ok: true, key: bankRefundStateSchema.parse(JSON.parse(row.context_json)).ctx.clientRequestKey };
      } catch (error) {
        return { ok: false, reason: String(error).slice(0, 200) };
      }
    },
  };
}
