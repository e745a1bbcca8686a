// A PaymentFactory (main/providers/types.ts) for a bank's adapters: begin commits the intent and returns
// the link machine's run on the channel the cashier's method picks; resume reads the journal's context
// back (parsed, never cast) and binds the same channel again. The cashier's cancel and a verified webhook
// ("something happened: re-read the bank") enter the operation's own lane as machine events.
import type { PlannedLine } from '../checkout/basket';
import { PaydeskError } from '../errors/catalogue';
import type { NewPayment, PaymentFactory, RunSignals } from '../providers/types';
import { packRun, resumeParsed } from '../providers/types';
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
  /**
   * What the bank's page offers for the cashier's method id (e.g. "card_ru" → card); absent or empty: the
   * channel's methods that equal the id, else all of the channel's methods.
   */
  bankMethodsFor?: (methodId: string) => readonly BankMethod[];
  pollScheduleMs: readonly number[];
  unresolvedAfterMs: number;
  purpose: (orderId: string) => string;
}

/** Cancel and webhook news as link-machine events (the push itself is never trusted: the nudge re-reads). */
export const LINK_SIGNALS: RunSignals<LinkEvent> = { cancel: { type: 'cancel' }, park: null, news: () => ({ type: 'nudge' }) };

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
      const onFile = input.cardOnFile ?? null;
      // A binding or a saved card is a card payment, whatever else the cashier's method offers.
      const wanted = onFile ? ['card'] : options.bankMethodsFor?.(input.methodId) ?? [input.methodId];
      const picked = c.methods.filter((m) => wanted.includes(m));
      if (onFile && picked.length === 0) throw new PaydeskError('saved_card.not_supported', `channel ${name} offers no card payments`);
      const { row, state, event } = linkIntent({
        channel: name, revocable: bank.revoke !== undefined, methodId: input.methodId, connectionId: input.connectionId ?? null,
        operationId: input.operationId, provider: bank.provider, shiftId: input.shiftId, orderId: input.orderId, amountMinor: input.amountMinor,
        currency: bank.currency, purpose: options.purpose(input.orderId), methods: picked.length > 0 ? picked : c.methods,
        saveCard: onFile?.kind === 'bind', savedConsumerId: onFile?.kind === 'saved' ? onFile.providerCardId : null,
        customerId: input.card?.loyaltyId ?? null,
        lines: receiptLines(input.lines ?? [], input.amountMinor),
        pollScheduleMs: options.pollScheduleMs, unresolvedAfterMs: options.unresolvedAfterMs,
      }, input.operationExternalId, now);
      const driver = new LinkPaymentDriver(input.operationId, row, bank, false);
      return { row, event, run: packRun<LinkState, LinkEvent>({ state, driver, recoveryEvent: null, signals: LINK_SIGNALS }) };
    },
    resume(row) {
      return resumeParsed(() => {
        const state = parseLinkState(row.context_json);
        const driver = new LinkPaymentDriver(row.id, row, channel(state.ctx.channel).adapter(), true);
        return { phase: state.phase, run: packRun<LinkState, LinkEvent>({ state, driver, recoveryEvent: { type: 'restarted' }, signals: LINK_SIGNALS }) };
      });
    },
  };
}

/**
 * The basket as the bank's receipt lines: unit price × quantity where that is exact, else the line's total as
 * one unit (discounts); no lines at all when they would not add up to the amount (the bank then gets one line).
 */
export function receiptLines(lines: readonly PlannedLine[], amountMinor: number): { name: string; priceMinor: number; quantity: number }[] {
  // Exactly, not rounded: a weighed 0.455 kg at 1.00 ₽ is 45.5 kop, which the bank would round its own way.
  const out = lines.filter((l) => l.totalKop > 0).map((l) => (l.priceKop * l.quantity === l.totalKop && l.priceKop > 0
    ? { name: l.name.slice(0, 256), priceMinor: l.priceKop, quantity: l.quantity }
    : { name: l.name.slice(0, 256), priceMinor: l.totalKop, quantity: 1 }));
  return out.reduce((sum, l) => sum + Math.round(l.priceMinor * l.quantity), 0) === amountMinor ? out : [];
}
