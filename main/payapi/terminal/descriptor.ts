// The card terminal as a registry entry: capabilities, the cashier's method, and the payment factory.
import { PaydeskError } from '../../errors/catalogue';
import type { PaymentFactory, ProviderDescriptor } from '../../providers/types';
import { packRun } from '../../providers/types';
import { TerminalClient } from './client';
import { terminalConfigSchema, type TerminalConfig } from './config';
import { TerminalPaymentDriver, terminalIntent } from './driver';
import { parseTerminalState, type TerminalEvent, type TerminalState } from './machine';
import { TERMINAL_PROVIDER } from './slip';

function payments(config: TerminalConfig): PaymentFactory {
  const launch = config.launch;
  // The composition root substitutes the embedded emulator's launch before this is built (demo only).
  const client = launch ? new TerminalClient(launch, config.encoding) : null;
  const need = (): TerminalClient => {
    if (!client) throw new PaydeskError('config.invalid', 'terminal.launch is not configured');
    return client;
  };
  const deps = () => ({ client: need(), timing: config.timing });
  return {
    begin(input, now) {
      const { row, state, event } = terminalIntent(
        { operationId: input.operationId, orderId: input.orderId, amountMinor: input.amountMinor, currency: config.currency, shiftId: input.shiftId, timing: config.timing },
        input.operationExternalId,
        now,
      );
      const driver = new TerminalPaymentDriver(input.operationId, row, deps(), false);
      return { row, event, run: packRun<TerminalState, TerminalEvent>({ state, driver, recoveryEvent: null }) };
    },
    resume(row) {
      const state = parseTerminalState(row.context_json);
      const driver = new TerminalPaymentDriver(row.id, row, deps(), true);
      return packRun<TerminalState, TerminalEvent>({ state, driver, recoveryEvent: { type: 'restarted' } });
    },
  };
}

export const terminalProvider: ProviderDescriptor<TerminalConfig> = {
  name: TERMINAL_PROVIDER,
  titleRu: 'Карта (терминал)',
  configSchema: terminalConfigSchema,
  capabilities: new Set(['pay', 'status_by_own_reference', 'receipts', 'qr']),
  methods: [{ id: 'card', titleRu: 'Карта (терминал)', needsCardScan: false }],
  payments,
  notes: 'Cancel happens on the terminal itself (no API); refunds are not in app-to-app contract v1.',
};
