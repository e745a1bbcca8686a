// Tochka as a registry entry: capabilities, the cashier's methods (SBP first), and the payment factory.
// Not yet listed in main/providers/registry.ts: wiring into the sale flow is the next step (docs/banks.md).
import { linkPayments } from '../../acquiring/factory';
import type { ProviderDescriptor } from '../../providers/types';
import { TochkaBank } from './adapter';
import { TochkaCashboxQr } from './cashbox';
import { TOCHKA_PROVIDER, tochkaConfigSchema, type TochkaConfig } from './config';

export const tochkaProvider: ProviderDescriptor<TochkaConfig> = {
  name: TOCHKA_PROVIDER,
  titleRu: 'Банк Точка (СБП и карта)',
  configSchema: tochkaConfigSchema,
  capabilities: new Set(['pay', 'refund', 'partial_refund', 'status_by_own_reference', 'webhooks', 'saved_cards', 'qr']),
  methods: [
    { id: 'sbp', titleRu: 'СБП', needsCardScan: false },
    { id: 'card', titleRu: 'Карта', needsCardScan: false },
  ],
  payments: (config) => {
    let bank: TochkaBank | null = null;
    const links = (): TochkaBank => (bank ??= new TochkaBank(config));
    let qr: TochkaCashboxQr | null = null;
    const cashboxQr = config.cashboxQr;
    return linkPayments({
      channels: {
        link: { adapter: links, methods: config.paymentModes },
        ...(cashboxQr ? { cashbox_qr: { adapter: () => (qr ??= new TochkaCashboxQr(links().client, cashboxQr)), methods: ['sbp'] } } : {}),
      },
      // SBP by the printed cashbox QR when configured so; the card (and SBP otherwise) by payment link.
      channelFor: (methodId) => (methodId === 'sbp' && config.sbpChannel === 'cashbox_qr' ? 'cashbox_qr' : 'link'),
      pollScheduleMs: config.timing.pollScheduleMs,
      unresolvedAfterMs: config.timing.unresolvedAfterMs,
      purpose: (orderId) => `Оплата заказа ${orderId}`.slice(0, 140),
    });
  },
  notes: 'No idempotency header: an ambiguous create is resolved by paymentLinkId in the operation list. Refunds are not pushed by webhook: polled. No API to delete a saved card (unbinding is local).',
};
