// The card terminal payment as a pure state machine: (state, event, now) → state, and the state names
// its one next step. The runner persists every material state before acting on it.
//
//   launching ──answer OK/APPROVED──► paid          (amount/currency/id checked: else mismatch)
//      │      ──answer FAIL──► declined / canceled / failed   (FAIL means no money moved)
//      │      ──not delivered (app missing, endpoint refused)──► failed   (nothing reached the terminal)
//      │      ──killed / timeout / garbage / two differing answers / bad exit──► resolving
//      │      ──till restarted──► resolving
//   resolving ──lookup: done──► as an answer above    ──lookup: not_found──► failed (never started)
//             ──lookup: in_progress / no answer──► resolving (next lookup on the schedule, forever)
//
// The sale is launched at most once per operation: after anything unknown the only action is a
// lookup by our operationExternalId, never a second sale (docs/providers.md, "Recovery").
import { z } from 'zod';
import { isErrorKey, type ErrorKey } from '../../errors/catalogue';
import type { TerminalOutcome, UnknownFault } from './client';
import { amountMinorSchema, operationExternalIdSchema, transactionSchema, type LookupAnswer, type SaleAnswer } from './contract';

export const TERMINAL_PHASES = ['launching', 'resolving', 'paid', 'declined', 'canceled', 'failed', 'mismatch'] as const;
export type TerminalPhase = (typeof TERMINAL_PHASES)[number];
export const FINAL_TERMINAL_PHASES: ReadonlySet<TerminalPhase> = new Set(['paid', 'declined', 'canceled', 'failed', 'mismatch']);

export type TerminalAction = 'launch' | 'lookup';

/** The persisted state (journal context_json), versioned: parsed on read, never cast. */
export const terminalStateSchema = z.object({
  v: z.literal(1),
  phase: z.enum(TERMINAL_PHASES),
  next: z.object({ action: z.enum(['launch', 'lookup']), at: z.number() }).nullable(),
  ctx: z.object({
    operationExternalId: operationExternalIdSchema,
    orderId: z.string().min(1),
    amountMinor: amountMinorSchema,
    currency: z.string().regex(/^[A-Z]{3}$/),
    startedAt: z.number(),
    /** Schedule bound when the operation started, so a config edit never changes one in flight. */
    lookupScheduleMs: z.array(z.number().int().min(0)).min(1),
    unresolvedAfterMs: z.number().int().min(0),
    /** Sales launched: 0 or 1, never more. */
    launches: z.number().int().min(0).max(1),
    lookups: z.number().int().min(0),
    /** Since when the outcome has been unknown (null: never was). */
    unknownSince: z.number().nullable(),
    lastFault: z.string().nullable(),
    errorKey: z.custom<ErrorKey>((v) => typeof v === 'string' && isErrorKey(v), 'not an error catalogue key').nullable(),
    /** Terminal's response code or error code, as received. */
    errorCode: z.string().nullable(),
    transaction: transactionSchema.nullable(),
    resultCode: z.enum(['OK', 'FAIL']).nullable(),
    recovered: z.boolean(),
    /** Identical repeated answers seen (a terminal answering twice). */
    duplicates: z.number().int().min(0),
    /** The terminal launch the sale went to; a restart looks it up only there (docs/safety.md). */
    connectionId: z.string().nullable().default(null),
  }),
});
export type TerminalState = z.output<typeof terminalStateSchema>;

export type TerminalEvent =
  | { type: 'sale_outcome'; outcome: TerminalOutcome<SaleAnswer> }
  | { type: 'lookup_outcome'; outcome: TerminalOutcome<LookupAnswer> }
  /** The till restarted with this operation open: whatever it was doing, find out first. */
  | { type: 'restarted' };

export interface NewTerminalPayment {
  operationExternalId: string;
  orderId: string;
  amountMinor: number;
  currency: string;
  lookupScheduleMs: number[];
  unresolvedAfterMs: number;
  connectionId?: string | null;
}

export function initialTerminalPayment(input: NewTerminalPayment, now: number): TerminalState {
  return {
    v: 1,
    phase: 'launching',
    next: { action: 'launch', at: now },
    ctx: {
      ...input,
      connectionId: input.connectionId ?? null,
      lookupScheduleMs: [...input.lookupScheduleMs],
      startedAt: now,
      launches: 0,
      lookups: 0,
      unknownSince: null,
      lastFault: null,
      errorKey: null,
      errorCode: null,
      transaction: null,
      resultCode: null,
      recovered: false,
      duplicates: 0,
    },
  };
}

export function parseTerminalState(json: string): TerminalState {
  return terminalStateSchema.parse(JSON.parse(json));
}

export function isFinalTerminal(state: TerminalState): boolean {
  return FINAL_TERMINAL_PHASES.has(state.phase);
}

export const UNKNOWN_FAULT_KEY: Readonly<Record<UnknownFault, ErrorKey>> = {
  killed: 'terminal.app_killed',
  timeout: 'terminal.no_answer',
  garbage: 'terminal.bad_answer',
  conflict: 'terminal.double_answer',
  exit: 'terminal.app_exited',
  reset: 'terminal.connection_lost',
  http: 'terminal.bad_answer',
};

export function reduceTerminal(state: TerminalState, event: TerminalEvent, now: number): TerminalState {
  if (isFinalTerminal(state)) return state; // final states are sticky; a late or second answer changes nothing
  switch (event.type) {
    case 'restarted':
      return {
        ...state,
        phase: 'resolving',
        next: { action: 'lookup', at: now },
        ctx: { ...state.ctx, recovered: true, unknownSince: state.ctx.unknownSince ?? now, lastFault: state.ctx.lastFault ?? 'restarted', errorKey: state.ctx.errorKey ?? 'terminal.checking' },
      };
    case 'sale_outcome':
      if (state.phase !== 'launching') return state;
      return onSale(state, event.outcome, now);
    case 'lookup_outcome':
      if (state.phase !== 'resolving') return state;
      return onLookup(state, event.outcome, now);
  }
}

function onSale(state: TerminalState, outcome: TerminalOutcome<SaleAnswer>, now: number): TerminalState {
  const launched: TerminalState = { ...state, ctx: { ...state.ctx, launches: 1 } };
  switch (outcome.kind) {
    case 'answer': {
      const withDup = { ...launched, ctx: { ...launched.ctx, duplicates: launched.ctx.duplicates + outcome.duplicates } };
      return applyAnswer(withDup, outcome.answer) ?? unknown(withDup, 'contradictory', 'terminal.bad_answer', now);
    }
    case 'not_delivered':
      return final(launched, 'failed', { errorKey: outcome.fault === 'missing' ? 'terminal.app_missing' : 'terminal.unreachable', lastFault: outcome.fault });
    case 'unknown':
      return unknown(launched, outcome.fault, UNKNOWN_FAULT_KEY[outcome.fault], now);
  }
}

function onLookup(state: TerminalState, outcome: TerminalOutcome<LookupAnswer>, now: number): TerminalState {
  const asked: TerminalState = { ...state, ctx: { ...state.ctx, lookups: state.ctx.lookups + 1 } };
  if (outcome.kind !== 'answer') return keepResolving(asked, now);
  const answer = outcome.answer;
  // The terminal knowing our id proves the sale was launched (a restart can hide that from us).
  const counted: TerminalState = answer.state === 'not_found' ? asked : { ...asked, ctx: { ...asked.ctx, launches: 1 } };
  switch (answer.state) {
    case 'not_found':
      // The contract makes the terminal record our id before it touches a card: unknown to it = never charged.
      return final(counted, 'failed', { errorKey: 'terminal.not_started' });
    case 'in_progress':
      return keepResolving(counted, now);
    case 'done':
      return (answer.result ? applyAnswer(counted, answer.result) : null) ?? keepResolving(counted, now);
  }
}

/** A definitive answer → its final state; null when the answer contradicts itself (resolve further). */
function applyAnswer(state: TerminalState, answer: SaleAnswer): TerminalState | null {
  const tx = answer.transaction;
  const base = { transaction: tx, resultCode: answer.resultCode, errorCode: tx?.responseCode ?? answer.error?.code ?? null };
  if (answer.resultCode === 'OK') {
    if (!tx || tx.status !== 'APPROVED') return null;
    if (tx.amountMinor !== state.ctx.amountMinor || tx.currency !== state.ctx.currency) {
      return final(state, 'mismatch', { ...base, errorKey: 'terminal.integrity_mismatch' });
    }
    return final(state, 'paid', { ...base, errorKey: null });
  }
  if (tx?.status === 'APPROVED') return null; // FAIL yet approved: money may have moved
  switch (tx?.status) {
    case 'DECLINED':
      return final(state, 'declined', { ...base, errorKey: 'terminal.declined' });
    case 'CANCELLED':
      return final(state, 'canceled', { ...base, errorKey: 'terminal.canceled' });
    case 'ABORTED':
      return final(state, 'canceled', { ...base, errorKey: 'terminal.aborted' });
    default:
      return final(state, 'failed', { ...base, errorKey: 'terminal.error' });
  }
}

function final(state: TerminalState, phase: TerminalPhase, patch: Partial<TerminalState['ctx']>): TerminalState {
  return { ...state, phase, next: null, ctx: { ...state.ctx, ...patch } };
}

function unknown(state: TerminalState, fault: string, key: ErrorKey, now: number): TerminalState {
  const schedule = state.ctx.lookupScheduleMs;
  return {
    ...state,
    phase: 'resolving',
    next: { action: 'lookup', at: now + (schedule[0] ?? 0) },
    ctx: { ...state.ctx, unknownSince: state.ctx.unknownSince ?? now, lastFault: fault, errorKey: key },
  };
}

function keepResolving(state: TerminalState, now: number): TerminalState {
  const schedule = state.ctx.lookupScheduleMs;
  const pause = schedule[Math.min(state.ctx.lookups, schedule.length - 1)] ?? 0;
  const since = state.ctx.unknownSince ?? now;
  const errorKey = now - since >= state.ctx.unresolvedAfterMs ? 'terminal.unresolved' : state.ctx.errorKey;
  return { ...state, phase: 'resolving', next: { action: 'lookup', at: now + pause }, ctx: { ...state.ctx, unknownSince: since, errorKey } };
}

/** Whether a transition is worth a journal write: anything but the lookup counter and the next time. */
export function isMaterialTerminal(previous: TerminalState, next: TerminalState): boolean {
  const strip = (s: TerminalState) => JSON.stringify({ ...s, next: s.next?.action ?? null, ctx: { ...s.ctx, lookups: 0 } });
  return strip(previous) !== strip(next);
}

/** The journal's neutral outcome for a final phase. */
export function terminalOutcome(state: TerminalState): 'paid' | 'rejected' | 'canceled' | 'failed' | null {
  switch (state.phase) {
    case 'paid':
      return 'paid';
    case 'declined':
      return 'rejected';
    case 'canceled':
      return 'canceled';
    case 'failed':
    case 'mismatch':
      return 'failed';
    default:
      return null;
  }
}
