// A PaymentFactory (main/providers/types.ts) for a bank's adapters: begin commits the intent and returns
// the link machine's run on the channel the cashier's method picks; resume reads the journal's context
// back (parsed, never cast) and binds the same channel again.
import type { NewPayment, PaymentFactory } from '../providers/types';
import { NO_SIGNALS, packRun, resumeParsed } from '../providers/types';
import type { BankAdapter, BankMethod } from './bank';
import { LinkPaymentDriver, linkIntent } from './driver';
import { parseLinkState, type LinkEvent, type LinkState } from './machine';

export interface BankChannel {
  adapter: () => BankAdapter;
  /** The customer's choices on this channel (a link offers both; a cashbox QR is SBP only). */
  methods: readonly BankMethod[];
}

export interface LinkFactoryOptions {
  channels: Readonly<Record<string, BankChannel>>;
  /** The channel for the cashier's method id. */
  channelFor: (methodId: string) => string;
  pollScheduleMs: readonly number[];
  unresolvedAfterMs: number;
  purpose: (orderId: string) => string;
}

export function linkPayments(options: LinkFactoryOptions): PaymentFactory {
  const channel = (name: string): BankChannel => {
    const c = options.channels[name];
    if (!c) throw new Error(`no bank channel "${name}"`);
    return c;
  };
  return {
    begin(input: NewPayment, now: number) {
      const name = options.channelFor(input.methodId);
      const c = channel(name);
      const bank = c.adapter();
      const picked = c.methods.filter((m) => m === input.methodId);
      const { row, state, event } = linkIntent({
        channel: name, revocable: bank.revoke !== undefined,
        operationId: input.operationId, provider: bank.provider, shiftId: input.shiftId, orderId: input.orderId, amountMinor: input.amountMinor,
        currency: bank.currency, purpose: options.purpose(input.orderId), methods: picked.length > 0 ? picked : c.methods,
        saveCard: false, savedConsumerId: null, lines: [], pollScheduleMs: options.pollScheduleMs, unresolvedAfterMs: options.unresolvedAfterMs,
      }, input.operationExternalId, now);
      const driver = new LinkPaymentDriver(input.operationId, row, bank, false);
      return { row, event, run: packRun<LinkState, LinkEvent>({ state, driver, recoveryEvent: null, signals: NO_SIGNALS }) };
    },
    resume(row) {
      return resumeParsed(() => {
        const state = parseLinkState(row.context_json);
        const driver = new LinkPaymentDriver(row.id, row, channel(state.ctx.channel).adapter(), true);
        return { phase: state.phase, run: packRun<LinkState, LinkEvent>({ state, driver, recoveryEvent: { type: 'restarted' }, signals: NO_SIGNALS }) };
      });
    },
  };
}
