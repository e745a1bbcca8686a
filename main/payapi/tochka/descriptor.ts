// Tochka as a registry entry and as the running till's CheckoutProvider: the cashier's methods (SBP first:
// the seed's nudge; then the Russian card), the payment factory on the link or cashbox-QR channel, refunds
// by operationId, the webhook verifier, and the account's own identity and health (docs/banks.md).
import { BankHealthWatch, bankCheckoutProvider, bankDisabled, bankIdentity } from '../../acquiring/provider';
import type { BankAdapter, BankMethod } from '../../acquiring/bank';
import { linkPayments, type BankChannel } from '../../acquiring/factory';
import { bankRefunds } from '../../acquiring/refund';
import { bankSavedCards } from '../../acquiring/refund-job';
import { PaydeskError } from '../../errors/catalogue';
import type { LiveProvider, PaymentFactory, PaymentMethodDescriptor, ProviderContext, ProviderDescriptor } from '../../providers/types';
import { TochkaBank } from './adapter';
import { TochkaCashboxQr } from './cashbox';
import { TOCHKA_EMBEDDED_TOKEN, TOCHKA_PROVIDER, tochkaConfigSchema, type TochkaConfig } from './config';
import { tochkaWebhookVerifier } from './webhook';

const TITLE = 'Банк Точка (СБП и карта)';

/**
 * Method ids are unique across providers (the terminal has "card"): "card_ru" is the Russian card, so
 * with a foreign-card bank configured the sale screen's buttons answer «Карта российского банка или
 * иностранного?» (docs/banks.md, "Routing").
 */
export const TOCHKA_METHODS: readonly PaymentMethodDescriptor[] = [
  // SBP is the nudge (docs/banks.md, Routing): first and larger; both take Russian banks' customers.
  { id: 'sbp', titleRu: 'СБП — QR-код', needsCardScan: false, primary: true, cardOrigin: 'russian' },
  { id: 'card_ru', titleRu: 'Карта российского банка', needsCardScan: false, cardOrigin: 'russian' },
];

/** What the bank's page offers for a method ("card" kept for callers of the isolated factory). */
const bankMethodsFor = (methodId: string): readonly BankMethod[] => (methodId === 'sbp' ? ['sbp'] : methodId === 'card_ru' || methodId === 'card' ? ['card'] : []);

function channels(config: TochkaConfig, watch: (a: BankAdapter) => BankAdapter = (a) => a, bank: TochkaBank | null = null): Record<string, BankChannel> {
  const links = (): TochkaBank => (bank ??= new TochkaBank(config));
  let watchedLinks: BankAdapter | null = null;
  let qr: BankAdapter | null = null;
  const cashboxQr = config.cashboxQr;
  return {
    link: { adapter: () => (watchedLinks ??= watch(links())), methods: config.paymentModes },
    ...(cashboxQr ? { cashbox_qr: { adapter: () => (qr ??= watch(new TochkaCashboxQr(links().client, cashboxQr))), methods: ['sbp'] } } : {}),
  };
}

function payments(config: TochkaConfig, chans: Record<string, BankChannel> = channels(config)): PaymentFactory {
  return linkPayments({
    channels: chans,
    // SBP by the printed cashbox QR when configured so; the card (and SBP otherwise) by payment link.
    channelFor: (methodId) => (methodId === 'sbp' && config.sbpChannel === 'cashbox_qr' ? 'cashbox_qr' : 'link'),
    bankMethodsFor,
    pollScheduleMs: config.timing.pollScheduleMs,
    unresolvedAfterMs: config.timing.unresolvedAfterMs,
    purpose: (orderId) => `Оплата заказа ${orderId}`.slice(0, 140),
  });
}

/** The methods this section offers now: SBP when SBP is possible, the card when the link offers cards. */
function methodsOf(config: TochkaConfig): PaymentMethodDescriptor[] {
  const sbp = config.paymentModes.includes('sbp') || config.sbpChannel === 'cashbox_qr';
  return TOCHKA_METHODS.filter((m) => (m.id === 'sbp' ? sbp : config.paymentModes.includes('card')));
}

async function live(ctx: ProviderContext<TochkaConfig>): Promise<LiveProvider> {
  const section = ctx.section;
  let config = section;
  let blocked: PaydeskError | null = section.enabled ? null : bankDisabled(TOCHKA_PROVIDER);
  let close = async (): Promise<void> => undefined;
  let identity = bankIdentity(TOCHKA_PROVIDER, [section.baseUrl, section.customerCode, section.merchantId]);
  if (section.enabled && section.embeddedEmulator) {
    if (!ctx.startEmulator) {
      // A test or production till never pays on an emulator, whatever the section says (docs/safety.md).
      ctx.logger.error('tochka.embeddedEmulator is set outside environment "emulator": Tochka sales blocked');
      blocked = new PaydeskError('config.invalid', 'tochka.embeddedEmulator is allowed only in environment "emulator"');
    } else {
      const emulator = await ctx.startEmulator();
      ctx.logger.warn({ baseUrl: emulator.baseUrl }, 'tochka: running against the embedded Tochka emulator');
      config = { ...section, baseUrl: emulator.baseUrl, token: TOCHKA_EMBEDDED_TOKEN, customerCode: undefined, merchantId: undefined, webhookKeys: [] };
      // The embedded emulator forgets its links on restart: one identity, so a resumed sale is looked up (and fails safely).
      identity = `${TOCHKA_PROVIDER}:embedded`;
      close = () => emulator.close();
    }
  }
  const health = new BankHealthWatch(TOCHKA_PROVIDER, ctx.logger);
  const bank = new TochkaBank(config);
  const chans = channels(config, (a) => health.watch(a), bank);
  if (!blocked) {
    // Start-up discovery (customerCode, merchantId) on the instance sales use: a clear error in the log when
    // acquiring is off; the first sale asks again if this failed.
    void bank.identifiers().then((d) => {
      if (!d.ok) ctx.logger.error({ provider: TOCHKA_PROVIDER, errorKey: d.errorKey, detail: d.detail }, 'tochka start-up discovery failed');
      else ctx.logger.info({ provider: TOCHKA_PROVIDER, customerCode: d.customerCode, merchantId: d.merchantId }, 'tochka acquiring identifiers ready');
    }, () => undefined);
  }
  const checkout = bankCheckoutProvider({
    name: TOCHKA_PROVIDER,
    titleRu: TITLE,
    capabilities: tochkaProvider.capabilities,
    methods: methodsOf(config),
    connection: blocked ? { blocked } : { identity },
    payments: payments(config, chans),
    refunds: bankRefunds({
      provider: TOCHKA_PROVIDER,
      adapter: (channel) => {
        const c = chans[channel];
        if (!c) throw new PaydeskError('refund.not_supported', `tochka channel ${channel} is not configured`);
        return c.adapter();
      },
      pollScheduleMs: config.timing.pollScheduleMs,
      unresolvedAfterMs: config.timing.unresolvedAfterMs,
    }),
    health,
    // Binding: the card is saved on the bank's payment page (a card link), so only when the link offers cards.
    savedCards: config.paymentModes.includes('card')
      ? bankSavedCards({ provider: TOCHKA_PROVIDER, methodId: 'card_ru', amountMinor: () => config.binding.amountMinor, adapter: () => chans.link?.adapter() ?? bank })
      : null,
    limits: { minutes: config.linkTtlMinutes, seconds: Math.round(config.timing.unresolvedAfterMs / 1000) },
  });
  return {
    checkout,
    ...(section.enabled && !section.embeddedEmulator
      ? { webhook: { verifier: tochkaWebhookVerifier(config.webhookKeys), apply: (subject: string, payload: unknown) => ctx.deliverNews({ transactionId: subject }, payload) } }
      : {}),
    close,
  };
}

export const tochkaProvider: ProviderDescriptor<TochkaConfig> = {
  name: TOCHKA_PROVIDER,
  titleRu: TITLE,
  configSchema: tochkaConfigSchema,
  capabilities: new Set(['pay', 'cancel', 'refund', 'partial_refund', 'status_by_own_reference', 'webhooks', 'saved_cards', 'qr']),
  methods: TOCHKA_METHODS,
  payments: (config) => payments(config),
  live,
  notes: 'No idempotency header: an ambiguous create is resolved by paymentLinkId in the operation list. Cancel waits for the link to lapse (no revoke API). Refunds are not pushed by webhook: read back. No API to delete a saved card (unbinding is local).',
};
