// The card terminal as a registry entry and as a live checkout provider: capabilities, the cashier's
// method, the payment factory, phase texts and slip refs.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PaydeskError } from '../../errors/catalogue';
import type { CheckoutProvider, LiveProvider, PaymentFactory, ProviderContext, ProviderDescriptor } from '../../providers/types';
import { NO_SIGNALS, packRun, resumeParsed } from '../../providers/types';
import { TerminalClient } from './client';
import { terminalConfigSchema, type TerminalConfig, type TerminalLaunch } from './config';
import { TerminalPaymentDriver, terminalIntent } from './driver';
import { parseTerminalState, type TerminalEvent, type TerminalState } from './machine';
import { TERMINAL_PROVIDER, TERMINAL_SLIP_REFS } from './slip';

const TITLE = 'Карта (терминал)';

// Cancel and park happen on the terminal itself: the app-to-app contract has no call for them.
const signals = NO_SIGNALS;

function payments(config: TerminalConfig, launch: TerminalLaunch | undefined = config.launch): PaymentFactory {
  const client = launch ? new TerminalClient(launch, config.encoding) : null;
  const need = (): TerminalClient => {
    if (!client) throw new PaydeskError('config.invalid', 'terminal.launch is not configured');
    return client;
  };
  const deps = () => ({ client: need(), timing: config.timing });
  return {
    begin(input, now) {
      if (input.methodId !== 'card') throw new PaydeskError('payment.method_unknown', input.methodId);
      const { row, state, event } = terminalIntent(
        { operationId: input.operationId, orderId: input.orderId, amountMinor: input.amountMinor, currency: config.currency, shiftId: input.shiftId, timing: config.timing, connectionId: input.connectionId },
        input.operationExternalId,
        now,
      );
      const driver = new TerminalPaymentDriver(input.operationId, row, deps(), false);
      return { row, event, run: packRun<TerminalState, TerminalEvent>({ state, driver, recoveryEvent: null, signals }) };
    },
    resume(row) {
      return resumeParsed(() => {
        const state = parseTerminalState(row.context_json);
        const driver = new TerminalPaymentDriver(row.id, row, deps(), true);
        return { phase: state.phase, run: packRun<TerminalState, TerminalEvent>({ state, driver, recoveryEvent: { type: 'restarted' }, signals }) };
      });
    },
  };
}

/** Which terminal application a sale went to: a restart looks a sale up only there. */
export function terminalIdentity(launch: TerminalLaunch): string {
  return `terminal:${createHash('sha256').update(JSON.stringify(launch)).digest('hex').slice(0, 16)}`;
}

/**
 * A launched payment application that is not there (or not executable) cannot take a sale: the method is
 * shown not ready with the instruction instead of failing at the customer's card. Checked on each call
 * (one stat), so installing the application makes it ready without a restart.
 */
export function launchProblem(launch: TerminalLaunch | undefined): PaydeskError | null {
  if (launch?.mode !== 'exec') return null;
  try {
    fs.accessSync(launch.executable, fs.constants.X_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    return new PaydeskError('terminal.app_not_installed', `terminal.launch.executable ${launch.executable}: ${code === 'ENOENT' ? 'not found' : `not executable (${code})`}`);
  }
}

/**
 * The terminal as the running till has it. `launch` is the configured one, or the embedded emulator's
 * when the config asks for it (demo only; the composition root starts it).
 */
export function createTerminalProvider(config: TerminalConfig, launch: TerminalLaunch | undefined): CheckoutProvider {
  const factory = payments(config, launch);
  return {
    name: TERMINAL_PROVIDER,
    titleRu: TITLE,
    capabilities: terminalProvider.capabilities,
    // A terminal switched off in its section is not offered at all (no greyed-out button on every till without one).
    methods: () => (config.enabled ? terminalProvider.methods : []),
    connection: () => (launch && config.enabled ? { identity: terminalIdentity(launch) } : { blocked: new PaydeskError('config.invalid', config.enabled ? 'terminal.launch is not configured' : 'terminal.enabled is false') }),
    startProblem: () => (launch && config.enabled ? launchProblem(launch) : null),
    payments: factory,
    refunds: null,
    availability: null,
    // The terminal's lookup answers by our id, but a shift reconciliation of card sales is the bank's
    // settlement report, not the till's: skipped (counted as such in the Z).
    lookup: null,
    receipts: null,
    view: {
      phaseText: {
        launching: 'Следуйте указаниям на терминале…',
        resolving: 'Касса выясняет у терминала результат оплаты…',
        declined: 'Оплата по карте отклонена',
        canceled: 'Оплата отменена на терминале',
        mismatch: 'Терминал провёл другую сумму: не выдавайте товар',
      },
      unknownPhases: new Set(['launching', 'resolving']),
      cancellablePhases: new Set(),
      slipRefs: TERMINAL_SLIP_REFS,
      reportRefs: [TERMINAL_SLIP_REFS[0], TERMINAL_SLIP_REFS[1]],
      limits: () => ({ minutes: 0, seconds: Math.round(config.timing.saleTimeoutMs / 1000) }),
    },
  };
}

/** The terminal for the running till: the configured launch, or the embedded emulator on a demo install. */
async function live(ctx: ProviderContext<TerminalConfig>): Promise<LiveProvider> {
  const section = ctx.section;
  if (!section.embeddedEmulator) return { checkout: createTerminalProvider(section, section.launch), close: async () => undefined };
  if (!ctx.startEmulator) {
    // A test or production till never pays on an emulator, whatever the terminal section says.
    ctx.logger.error('terminal.embeddedEmulator is set outside environment "emulator": terminal sales blocked');
    const blocked = new PaydeskError('config.invalid', 'terminal.embeddedEmulator is allowed only in environment "emulator"');
    return { checkout: { ...createTerminalProvider(section, undefined), connection: () => ({ blocked }) }, close: async () => undefined };
  }
  const emulator = await ctx.startEmulator();
  ctx.logger.warn({ baseUrl: emulator.baseUrl }, 'terminal: running against the embedded terminal emulator');
  return { checkout: createTerminalProvider(section, { mode: 'http', url: emulator.baseUrl }), close: () => emulator.close() };
}

export const terminalProvider: ProviderDescriptor<TerminalConfig> = {
  name: TERMINAL_PROVIDER,
  titleRu: TITLE,
  configSchema: terminalConfigSchema,
  capabilities: new Set(['pay', 'status_by_own_reference', 'receipts', 'qr']),
  methods: [{ id: 'card', titleRu: TITLE, needsCardScan: false }],
  payments,
  live,
  notes: 'Cancel happens on the terminal itself (no API); refunds are not in app-to-app contract v1.',
};
