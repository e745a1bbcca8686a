// Halyk ePay (Kazakhstan, KZT) as a registry entry and as the running till's CheckoutProvider: the same
// neutral payment-link machine, refunds and view as Tochka, nothing of Tochka's shapes; its own account,
// credentials, identity and health (docs/banks.md).
import type { BankAdapter } from '../../acquiring/bank';
import { linkPayments, type BankChannel } from '../../acquiring/factory';
import { BankHealthWatch, bankCheckoutProvider, bankDisabled, bankIdentity } from '../../acquiring/provider';
import { bankRefunds } from '../../acquiring/refund';
import { PaydeskError } from '../../errors/catalogue';
import type { LiveProvider, PaymentFactory, PaymentMethodDescriptor, ProviderContext, ProviderDescriptor } from '../../providers/types';
import { HalykBank } from './adapter';
import { HALYK_EMBEDDED_CREDENTIALS, HALYK_PROVIDER, halykConfigSchema, type HalykConfig } from './config';

const TITLE = 'Halyk ePay (карта иностранного банка, ₸)';

/** "card_foreign": with a Russian bank configured, the other answer to «Карта российского банка или иностранного?». */
export const HALYK_METHODS: readonly PaymentMethodDescriptor[] = [
  { id: 'card_foreign', titleRu: 'Карта иностранного банка', needsCardScan: false, primary: true, cardOrigin: 'foreign', currency: 'KZT' },
];

function payments(config: HalykConfig, watch: (a: BankAdapter) => BankAdapter = (a) => a): { factory: PaymentFactory; channels: Record<string, BankChannel> } {
  let bank: BankAdapter | null = null;
  const channels: Record<string, BankChannel> = { link: { adapter: () => (bank ??= watch(new HalykBank(config))), methods: ['card'] } };
  const factory = linkPayments({
    channels,
    channelFor: () => 'link',
    bankMethodsFor: () => ['card'],
    pollScheduleMs: config.timing.pollScheduleMs,
    unresolvedAfterMs: config.timing.unresolvedAfterMs,
    purpose: (orderId) => `Оплата заказа ${orderId}`.slice(0, 140),
  });
  return { factory, channels };
}

/** "15m" / "1h" / "1d" → minutes, for the cashier's texts. */
const periodMinutes = (p: string): number => Number.parseInt(p, 10) * (p.endsWith('d') ? 1_440 : p.endsWith('h') ? 60 : 1);

async function live(ctx: ProviderContext<HalykConfig>): Promise<LiveProvider> {
  const section = ctx.section;
  let config = section;
  let blocked: PaydeskError | null = section.enabled ? null : bankDisabled(HALYK_PROVIDER);
  let close = async (): Promise<void> => undefined;
  let identity = bankIdentity(HALYK_PROVIDER, [section.apiUrl, section.clientId, section.terminalId, section.shopId]);
  if (section.enabled && section.embeddedEmulator) {
    if (!ctx.startEmulator) {
      ctx.logger.error('halyk.embeddedEmulator is set outside environment "emulator": Halyk sales blocked');
      blocked = new PaydeskError('config.invalid', 'halyk.embeddedEmulator is allowed only in environment "emulator"');
    } else {
      const emulator = await ctx.startEmulator();
      ctx.logger.warn({ baseUrl: emulator.baseUrl }, 'halyk: running against the embedded ePay emulator');
      config = { ...section, oauthUrl: emulator.baseUrl, apiUrl: emulator.baseUrl, ...HALYK_EMBEDDED_CREDENTIALS };
      identity = `${HALYK_PROVIDER}:embedded`;
      close = () => emulator.close();
    }
  }
  const health = new BankHealthWatch(HALYK_PROVIDER, ctx.logger);
  const { factory, channels } = payments(config, (a) => health.watch(a));
  const checkout = bankCheckoutProvider({
    name: HALYK_PROVIDER,
    titleRu: TITLE,
    capabilities: halykProvider.capabilities,
    methods: HALYK_METHODS,
    connection: blocked ? { blocked } : { identity },
    payments: factory,
    refunds: bankRefunds({
      provider: HALYK_PROVIDER,
      adapter: (channel) => {
        const c = channels[channel];
        if (!c) throw new PaydeskError('refund.not_supported', `halyk channel ${channel} is not configured`);
        return c.adapter();
      },
      pollScheduleMs: config.timing.pollScheduleMs,
      unresolvedAfterMs: config.timing.unresolvedAfterMs,
    }),
    health,
    limits: { minutes: periodMinutes(config.expirePeriod), seconds: Math.round(config.timing.unresolvedAfterMs / 1000) },
  });
  return { checkout, close };
}

export const halykProvider: ProviderDescriptor<HalykConfig> = {
  name: HALYK_PROVIDER,
  titleRu: TITLE,
  configSchema: halykConfigSchema,
  capabilities: new Set(['pay', 'cancel', 'refund', 'partial_refund', 'status_by_own_reference', 'qr']),
  methods: HALYK_METHODS,
  payments: (config) => payments(config).factory,
  live,
  notes: 'Invoice-link answer fields and check-status "not found" code are not in the public docs (emulated; docs/banks.md). Refund minimum 10 ₸. Postlink notifications are not used: polled.',
};
