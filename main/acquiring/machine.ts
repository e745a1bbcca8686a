// A bank payment link as a pure state machine: (state, event, now) → state; the state names its one
// next step, which the runner (main/checkout/runner.ts) performs after persisting the state.
//
//   creating ──created──► awaiting (QR shown)     ──rejected──► failed (nothing created)
//            ──timeout / 5xx / reset / duplicate reference──► resolving
//            ──till restarted──► resolving          (the create is sent at most once, ever)
//   resolving ──find by OUR reference: found──► as the operation's status
//             ──not found twice──► failed (bank.not_created: no link exists, nobody can pay it)
//             ──no answer──► resolving (forever; bank.unresolved after a while)
//   awaiting ──poll / webhook nudge──► paid | declined | expired | mismatch (amount differs)
//            ──cashier cancels──► canceling ──expired──► canceled   ──paid──► paid (late, flagged)
//
// Banks without an idempotency header (Tochka) are why the create is never repeated: an unknown create
// is answered only by looking the operation up by our reference (docs/banks.md).
import { z } from 'zod';
import { isErrorKey, type ErrorKey } from '../errors/catalogue';
import type { BankOperation, CreateOutcome, LookupOutcome } from './bank';

export const LINK_PHASES = ['creating', 'resolving', 'awaiting', 'canceling', 'paid', 'declined', 'expired', 'canceled', 'failed', 'mismatch'] as const;
export type LinkPhase = (typeof LINK_PHASES)[number];
const FINAL: ReadonlySet<LinkPhase> = new Set(['paid', 'declined', 'expired', 'canceled', 'failed', 'mismatch']);

export type LinkAction = 'create' | 'find' | 'poll' | 'revoke';

const errorKeySchema = z.custom<ErrorKey>((v) => typeof v === 'string' && isErrorKey(v), 'not an error catalogue key');

export const receiptLineSchema = z.object({ name: z.string().min(1).max(256), priceMinor: z.number().int().positive(), quantity: z.number().positive() });

/** The persisted state (journal context_json), versioned: parsed on read, never cast. */
export const linkStateSchema = z.object({
  v: z.literal(1),
  phase: z.enum(LINK_PHASES),
  next: z.object({ action: z.enum(['create', 'find', 'poll', 'revoke']), at: z.number() }).nullable(),
  ctx: z.object({
    /** Which of the provider's adapters runs it (e.g. Tochka 'link' or 'cashbox_qr'). */
    channel: z.string().min(1).max(32),
    reference: z.string().min(1).max(64),
    orderId: z.string().min(1),
    amountMinor: z.number().int().positive(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    purpose: z.string().min(1).max(140),
    methods: z.array(z.enum(['card', 'sbp'])).min(1),
    saveCard: z.boolean(),
    /** A saved card to offer (payment by saved card). */
    savedConsumerId: z.string().nullable(),
    lines: z.array(receiptLineSchema),
    startedAt: z.number(),
    /** Bound when the operation started, so a config edit never changes one in flight. */
    pollScheduleMs: z.array(z.number().int().min(0)).min(1),
    unresolvedAfterMs: z.number().int().min(0),
    /** Creates sent: 0 or 1, never more. */
    creates: z.number().int().min(0).max(1),
    lookups: z.number().int().min(0),
    notFound: z.number().int().min(0),
    unknownSince: z.number().nullable(),
    lastFault: z.string().nullable(),
    errorKey: errorKeySchema.nullable(),
    errorCode: z.string().nullable(),
    bankOperationId: z.string().nullable(),
    link: z.string().nullable(),
    rawStatus: z.string().nullable(),
    paymentType: z.string().nullable(),
    consumerId: z.string().nullable(),
    paidMinor: z.number().int().nullable(),
    cancelRequested: z.boolean(),
    revocable: z.boolean(),
    /** The bank was asked to stop accepting payment (cashbox QR deactivated); links cannot be. */
    revoked: z.boolean(),
    recovered: z.boolean(),
    /** The bank connection (account) the operation started on: it resumes and refunds only there. */
    connectionId: z.string().max(200).nullable().default(null),
  }),
});
export type LinkState = z.output<typeof linkStateSchema>;

export type LinkEvent =
  | { type: 'create_outcome'; outcome: CreateOutcome }
  | { type: 'find_outcome'; outcome: LookupOutcome }
  | { type: 'poll_outcome'; outcome: LookupOutcome }
  /** The till restarted with this operation open. */
  | { type: 'restarted' }
  /** The cashier cancels the sale. */
  | { type: 'cancel' }
  /** A verified webhook said something happened: re-read the operation now (never trust the push itself). */
  | { type: 'nudge' }
  /** The revoke (deactivate) was sent; its answer does not matter, the poll that follows decides. */
  | { type: 'revoke_outcome'; done: boolean; detail: string | null };

export interface NewLinkPayment {
  channel: string;
  /** The adapter can revoke an unpaid request (cashbox QR deactivate); payment links cannot. */
  revocable: boolean;
  reference: string;
  orderId: string;
  amountMinor: number;
  currency: string;
  purpose: string;
  methods: readonly ('card' | 'sbp')[];
  saveCard: boolean;
  savedConsumerId: string | null;
  lines: readonly z.input<typeof receiptLineSchema>[];
  pollScheduleMs: readonly number[];
  unresolvedAfterMs: number;
  connectionId?: string | null;
}

/** Consecutive "not found" answers to a find before the create is taken as never having happened. */
export const NOT_FOUND_TO_FAIL = 2;

export function initialLinkPayment(input: NewLinkPayment, now: number): LinkState {
  return linkStateSchema.parse({
    v: 1,
    phase: 'creating',
    next: { action: 'create', at: now },
    ctx: {
      ...input,
      connectionId: input.connectionId ?? null,
      methods: [...input.methods],
      lines: input.lines.map((l) => ({ ...l })),
      pollScheduleMs: [...input.pollScheduleMs],
      startedAt: now,
      creates: 0, lookups: 0, notFound: 0, unknownSince: null, lastFault: null, errorKey: 'bank.creating', errorCode: null,
      bankOperationId: null, link: null, rawStatus: null, paymentType: null, consumerId: null, paidMinor: null,
      cancelRequested: false, revoked: false, recovered: false,
    },
  });
}

export function parseLinkState(json: string): LinkState {
  return linkStateSchema.parse(JSON.parse(json));
}

export function isFinalLink(state: LinkState): boolean {
  return FINAL.has(state.phase);
}

export function reduceLink(state: LinkState, event: LinkEvent, now: number): LinkState {
  if (isFinalLink(state)) return state; // final states are sticky: a late answer or webhook changes nothing
  switch (event.type) {
    case 'restarted': {
      const ctx = { ...state.ctx, recovered: true };
      if (state.phase === 'creating' || state.phase === 'resolving') {
        return { ...state, phase: 'resolving', next: { action: 'find', at: now }, ctx: { ...ctx, unknownSince: ctx.unknownSince ?? now, lastFault: ctx.lastFault ?? 'restarted', errorKey: 'bank.checking' } };
      }
      return { ...state, next: { action: 'poll', at: now }, ctx };
    }
    case 'cancel':
      if (state.phase === 'awaiting') {
        const ctx = { ...state.ctx, cancelRequested: true, errorKey: 'bank.canceling' as const };
        return { ...state, phase: 'canceling', next: { action: wantsRevoke(ctx) ? 'revoke' : 'poll', at: now }, ctx };
      }
      if (state.ctx.cancelRequested) return state;
      return { ...state, ctx: { ...state.ctx, cancelRequested: true } };
    case 'nudge':
      if (state.phase !== 'awaiting' && state.phase !== 'canceling') return state;
      return { ...state, next: { action: 'poll', at: now } };
    case 'revoke_outcome':
      if (state.phase !== 'canceling') return state;
      return { ...state, next: { action: 'poll', at: now }, ctx: { ...state.ctx, revoked: event.done, lastFault: event.done ? state.ctx.lastFault : event.detail } };
    case 'create_outcome':
      if (state.phase !== 'creating') return state;
      return onCreate({ ...state, ctx: { ...state.ctx, creates: 1 } }, event.outcome, now);
    case 'find_outcome':
      if (state.phase !== 'resolving') return state;
      return onFind(state, event.outcome, now);
    case 'poll_outcome':
      if (state.phase !== 'awaiting' && state.phase !== 'canceling') return state;
      return onPoll(state, event.outcome, now);
  }
}

function onCreate(state: LinkState, outcome: CreateOutcome, now: number): LinkState {
  switch (outcome.kind) {
    case 'created':
      return applyOperation(state, outcome.operation, now);
    case 'rejected':
      return final(state, 'failed', { errorKey: outcome.errorKey, errorCode: outcome.code, lastFault: outcome.detail });
    case 'unknown':
      return {
        ...state,
        phase: 'resolving',
        next: { action: 'find', at: now + pause(state) },
        ctx: { ...state.ctx, unknownSince: now, lastFault: outcome.detail, errorKey: 'bank.checking', errorCode: outcome.code },
      };
  }
}

function onFind(state: LinkState, outcome: LookupOutcome, now: number): LinkState {
  const asked = { ...state, ctx: { ...state.ctx, lookups: state.ctx.lookups + 1 } };
  switch (outcome.kind) {
    case 'found':
      return applyOperation(asked, outcome.operation, now);
    case 'not_found': {
      const notFound = asked.ctx.notFound + 1;
      // Nobody ever saw a link the bank never returned, so an operation it does not know cannot be paid.
      if (notFound >= NOT_FOUND_TO_FAIL) return final(asked, 'failed', { notFound, errorKey: 'bank.not_created' });
      return again(asked, 'find', now, { notFound });
    }
    case 'unknown':
      return again(asked, 'find', now, { notFound: 0, lastFault: outcome.detail, errorCode: outcome.code });
  }
}

function onPoll(state: LinkState, outcome: LookupOutcome, now: number): LinkState {
  const asked = { ...state, ctx: { ...state.ctx, lookups: state.ctx.lookups + 1 } };
  if (outcome.kind === 'found') return applyOperation(asked, outcome.operation, now);
  return again(asked, 'poll', now, { lastFault: outcome.kind === 'unknown' ? outcome.detail : 'not_found' });
}

function applyOperation(state: LinkState, op: BankOperation, now: number): LinkState {
  if (op.reference !== state.ctx.reference || (state.ctx.bankOperationId !== null && op.bankOperationId !== state.ctx.bankOperationId)) {
    // Not ours: never adopt someone else's operation; keep asking.
    return again(state, state.phase === 'resolving' ? 'find' : 'poll', now, { errorKey: 'bank.response_invalid', lastFault: 'foreign operation' });
  }
  const known: LinkState = {
    ...state,
    ctx: {
      ...state.ctx,
      bankOperationId: op.bankOperationId,
      link: op.link ?? state.ctx.link,
      rawStatus: op.rawStatus,
      paymentType: op.paymentType ?? state.ctx.paymentType,
      consumerId: op.consumerId ?? state.ctx.consumerId,
      notFound: 0,
      unknownSince: null,
    },
  };
  switch (op.status) {
    case 'pending': {
      const canceling = known.ctx.cancelRequested;
      const phase: LinkPhase = canceling ? 'canceling' : 'awaiting';
      const errorKey: ErrorKey = canceling ? 'bank.canceling' : 'bank.awaiting_customer';
      const moved = known.phase !== phase;
      const ctx = { ...known.ctx, errorKey, lookups: moved ? 0 : known.ctx.lookups };
      if (canceling && wantsRevoke(ctx)) return { ...known, phase, next: { action: 'revoke', at: now }, ctx };
      return { ...known, phase, next: { action: 'poll', at: now + (moved ? firstPause(known) : pause(known)) }, ctx };
    }
    case 'paid':
    case 'refunded':
      if (op.amountMinor !== known.ctx.amountMinor || op.currency !== known.ctx.currency) {
        return final(known, 'mismatch', { paidMinor: op.amountMinor, errorKey: 'bank.amount_mismatch' });
      }
      return final(known, 'paid', { paidMinor: op.amountMinor, errorKey: known.phase === 'canceling' ? 'bank.paid_after_cancel' : null });
    case 'declined':
      return final(known, 'declined', { errorKey: 'bank.declined' });
    case 'expired':
      return known.ctx.cancelRequested ? final(known, 'canceled', { errorKey: 'bank.canceled' }) : final(known, 'expired', { errorKey: 'bank.expired' });
  }
}

function wantsRevoke(ctx: LinkState['ctx']): boolean {
  return ctx.revocable && !ctx.revoked;
}

function firstPause(state: LinkState): number {
  return state.ctx.pollScheduleMs[0] ?? 0;
}

function pause(state: LinkState): number {
  const s = state.ctx.pollScheduleMs;
  return s[Math.min(state.ctx.lookups, s.length - 1)] ?? 0;
}

function again(state: LinkState, action: LinkAction, now: number, patch: Partial<LinkState['ctx']>): LinkState {
  const since = state.ctx.unknownSince;
  const stuck = action === 'find' && since !== null && now - since >= state.ctx.unresolvedAfterMs;
  const errorKey = stuck ? 'bank.unresolved' : (patch.errorKey ?? state.ctx.errorKey);
  return { ...state, next: { action, at: now + pause(state) }, ctx: { ...state.ctx, ...patch, errorKey } };
}

function final(state: LinkState, phase: LinkPhase, patch: Partial<LinkState['ctx']>): LinkState {
  return { ...state, phase, next: null, ctx: { ...state.ctx, ...patch } };
}

/** Worth a journal write: anything but the lookup counter and the next time. */
export function isMaterialLink(previous: LinkState, next: LinkState): boolean {
  const strip = (s: LinkState) => JSON.stringify({ ...s, next: s.next?.action ?? null, ctx: { ...s.ctx, lookups: 0 } });
  return strip(previous) !== strip(next);
}

export function linkOutcome(state: LinkState): 'paid' | 'rejected' | 'canceled' | 'failed' | null {
  switch (state.phase) {
    case 'paid':
      return 'paid';
    case 'declined':
      return 'rejected';
    case 'canceled':
    case 'expired':
      return 'canceled';
    case 'failed':
    case 'mismatch':
      return 'failed';
    default:
      return null;
  }
}
