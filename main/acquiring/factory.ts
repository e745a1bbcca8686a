// A PaymentFactory (main/providers/types.ts) for any bank adapter: begin commits the intent and returns
// the link machine's run; resume reads the journal's context back (parsed, never cast).
import type { NewPayment, PaymentFactory } from '../providers/types';
import { packRun } from '../providers/types';
import type { BankAdapter, BankMethod } from './bank';
import { LinkPaymentDriver, linkIntent } from './driver';
import { parseLinkState, type LinkEvent, type LinkState } from './machine';

export interface LinkFactoryOptions {
  methods: readonly BankMethod[];
  pollScheduleMs: readonly number[];
  unresolvedAfterMs: number;
  purpose: (orderId: string) => string;
}

export function linkPayments(bank: () => BankAdapter, options: LinkFactoryOptions): PaymentFactory {
  return {
    begin(input: NewPayment, now: number) {
      const methods = options.methods.filter((m) => input.methodId === 'any' || m === input.methodId);
      const { row, state, event } = linkIntent({
        operationId: input.operationId, provider: bank().provider, shiftId: input.shiftId, orderId: input.orderId, amountMinor: input.amountMinor,
        currency: bank().currency, purpose: options.purpose(input.orderId), methods: methods.length > 0 ? methods : options.methods,
        saveCard: false, savedConsumerId: null, lines: [], pollScheduleMs: options.pollScheduleMs, unresolvedAfterMs: options.unresolvedAfterMs,
      }, input.operationExternalId, now);
      const driver = new LinkPaymentDriver(input.operationId, row, bank(), false);
      return { row, event, run: packRun<LinkState, LinkEvent>({ state, driver, recoveryEvent: null }) };
    },
    resume(row) {
      const state = parseLinkState(row.context_json);
      const driver = new LinkPaymentDriver(row.id, row, bank(), true);
      return packRun<LinkState, LinkEvent>({ state, driver, recoveryEvent: { type: 'restarted' } });
    },
  };
}
