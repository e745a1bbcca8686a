// The composition of payment providers: the config's `providers` list, each built through its registry
// entry from its own section, rebuilt when that section (or the environment) changes; operations in flight
// keep the client they started with. Koshelek Pay is built here from the core's own connection (its
// TOTP verifier is shared with scanning). The only place besides the registry that names providers, and
// with main/core/emulators.ts the only one that reaches emulators (docs/providers.md).
import path from 'node:path';
import type { PaydeskConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import { createKoshelekProvider, type KoshelekProviderDeps } from '../payapi/koshelek/checkout-provider';
import { findProvider } from '../providers/registry';
import type { CheckoutProvider, LiveProvider, RefLabel } from '../providers/types';
import { PaydeskError } from '../errors/catalogue';
import { EMULATORS_SHIPPED, loadEmulators } from './emulators-door';

export interface ProviderSet {
  /** The configured providers, in config order. */
  list(): readonly CheckoutProvider[];
  /** Report columns: the report refs of every configured provider that offers a method, first label per key wins. */
  reportRefs(): RefLabel[];
  /** Webhook receivers of the configured providers, by provider name (the shared listener asks per delivery). */
  webhook(provider: string): NonNullable<LiveProvider['webhook']> | null;
  /** Applies a config edit (a changed provider section is rebuilt). */
  apply(config: PaydeskConfig): Promise<void>;
  close(): Promise<void>;
}

type News = (provider: string, ids: { transactionId?: string | undefined; refTransactionId?: string | undefined }, data: unknown) => boolean;

const KOSHELEK = 'koshelek';

export async function composeProviders(o: {
  config: () => PaydeskConfig;
  koshelek: KoshelekProviderDeps;
  dataDir: string;
  logger: Logger;
  /** Late-bound (checkout is built after its providers): news into the operation's lane. */
  deliverNews: News;
}): Promise<ProviderSet> {
  const koshelek = createKoshelekProvider(o.koshelek);
  const built = new Map<string, { key: string; live: LiveProvider }>();

  const apply = async (config: PaydeskConfig): Promise<void> => {
    for (const name of config.providers) {
      if (name === KOSHELEK) continue;
      const entry = findProvider(name);
      if (!entry?.start) continue;
      const section: unknown = Object.entries(config).find(([k]) => k === name)?.[1];
      const key = JSON.stringify([section, config.koshelek.environment]);
      const previous = built.get(name);
      if (previous?.key === key) continue;
      // Embedded emulators: only in environment "emulator", only when the build ships them, loaded when one
      // is started (main/core/emulators-door.ts).
      const emulatorDir = path.join(o.dataDir, 'providers', name, 'emulator');
      const live = await entry.start(section, {
        environment: config.koshelek.environment,
        dataDir: path.join(o.dataDir, 'providers', name),
        logger: o.logger.child({ provider: name }),
        startEmulator: config.koshelek.environment === 'emulator' && EMULATORS_SHIPPED ? async () => {
          const start = (await loadEmulators())?.providers[name];
          if (!start) throw new PaydeskError('config.invalid', `this build has no embedded emulator for ${name}`);
          return start(emulatorDir);
        } : null,
        deliverNews: (ids, data) => o.deliverNews(name, ids, data),
      });
      built.set(name, { key, live });
      // The old build's listeners stop; operations it started keep their own clients.
      if (previous) await previous.live.close().catch((error: unknown) => o.logger.error({ provider: name, err: String(error) }, 'provider close failed'));
    }
  };
  await apply(o.config());

  const list = (): CheckoutProvider[] => o.config().providers.flatMap((name) => {
    if (name === KOSHELEK) return [koshelek];
    const live = built.get(name)?.live;
    return live ? [live.checkout] : [];
  });
  return {
    list,
    reportRefs() {
      const seen = new Map<string, RefLabel>();
      // Only providers that offer a method now: a switched-off one adds no empty columns.
      for (const p of list().filter((x) => x.methods().length > 0)) for (const r of p.view.reportRefs) if (!seen.has(r.key)) seen.set(r.key, r);
      return [...seen.values()];
    },
    webhook(provider) {
      if (!o.config().providers.includes(provider)) return null;
      return built.get(provider)?.live.webhook ?? null;
    },
    apply,
    async close() {
      for (const { live } of built.values()) await live.close().catch(() => undefined);
    },
  };
}
