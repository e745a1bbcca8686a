// The composition of payment providers: the config's `providers` list, each built from its own section
// through its folder's factory, rebuilt when that section changes (operations in flight keep the client
// they started with). The only place besides the registry that names providers (docs/providers.md).
import path from 'node:path';
import type { PaydeskConfig } from '../config/schema';
import { PaydeskError } from '../errors/catalogue';
import type { Logger } from '../log/logger';
import { createKoshelekProvider, type KoshelekProviderDeps } from '../payapi/koshelek/checkout-provider';
import { createTerminalProvider } from '../payapi/terminal/descriptor';
import type { TerminalLaunch } from '../payapi/terminal/config';
import type { CheckoutProvider, RefLabel } from '../providers/types';
import { startEmbeddedTerminalEmulator } from '../../emulators/terminal/embedded';

export interface ProviderSet {
  /** The configured providers, in config order. */
  list(): readonly CheckoutProvider[];
  /** Report columns: every configured provider's report refs, first label per key wins. */
  reportRefs(): RefLabel[];
  /** Applies a config edit (a changed provider section is rebuilt). */
  apply(config: PaydeskConfig): Promise<void>;
  close(): Promise<void>;
}

export async function composeProviders(o: {
  config: () => PaydeskConfig;
  koshelek: KoshelekProviderDeps;
  dataDir: string;
  logger: Logger;
}): Promise<ProviderSet> {
  const koshelek = createKoshelekProvider(o.koshelek);
  let embedded: { launch: TerminalLaunch; close(): Promise<void> } | null = null;
  let terminal: { key: string; provider: CheckoutProvider } | null = null;

  const buildTerminal = async (config: PaydeskConfig): Promise<CheckoutProvider> => {
    const section = config.terminal;
    if (!section.embeddedEmulator) return createTerminalProvider(section, section.launch);
    if (config.koshelek.environment !== 'emulator') {
      // A test or production till never pays on an emulator, whatever the terminal section says.
      o.logger.error('terminal.embeddedEmulator is set outside environment "emulator": terminal sales blocked');
      return blockedTerminal(createTerminalProvider(section, undefined), new PaydeskError('config.invalid', 'terminal.embeddedEmulator is allowed only in environment "emulator"'));
    }
    if (!embedded) {
      const running = await startEmbeddedTerminalEmulator(path.join(o.dataDir, 'terminal-emulator'));
      embedded = { launch: running.launch, close: () => running.close() };
      o.logger.warn({ launch: running.launch }, 'terminal: running against the embedded terminal emulator');
    }
    return createTerminalProvider(section, embedded.launch);
  };

  const apply = async (config: PaydeskConfig): Promise<void> => {
    if (!config.providers.includes('terminal')) return;
    const key = JSON.stringify([config.terminal, config.koshelek.environment]);
    if (terminal?.key === key) return;
    terminal = { key, provider: await buildTerminal(config) };
  };
  await apply(o.config());

  const list = (): CheckoutProvider[] => o.config().providers.flatMap((name) => {
    if (name === 'koshelek') return [koshelek];
    if (name === 'terminal' && terminal) return [terminal.provider];
    return [];
  });
  return {
    list,
    reportRefs() {
      const seen = new Map<string, RefLabel>();
      for (const p of list()) for (const r of p.view.reportRefs) if (!seen.has(r.key)) seen.set(r.key, r);
      return [...seen.values()];
    },
    apply,
    async close() {
      await embedded?.close();
    },
  };
}

function blockedTerminal(provider: CheckoutProvider, reason: PaydeskError): CheckoutProvider {
  return { ...provider, connection: () => ({ blocked: reason }) };
}
