// Halyk ePay (Kazakhstan, KZT) as a registry entry: the same neutral descriptor and payment-link machine
// as Tochka, nothing of Tochka's shapes. Not yet listed in main/providers/registry.ts (docs/banks.md).
import { linkPayments } from '../../acquiring/factory';
import type { ProviderDescriptor } from '../../providers/types';
import { HalykBank } from './adapter';
import { HALYK_PROVIDER, halykConfigSchema, type HalykConfig } from './config';

export const halykProvider: ProviderDescriptor<HalykConfig> = {
  name: HALYK_PROVIDER,
  titleRu: 'Halyk ePay (карта иностранного банка, ₸)',
  configSchema: halykConfigSchema,
  capabilities: new Set(['pay', 'refund', 'partial_refund', 'status_by_own_reference', 'qr']),
  methods: [{ id: 'card', titleRu: 'Карта иностранного банка', needsCardScan: false }],
  payments: (config) => {
    let bank: HalykBank | null = null;
    return linkPayments({
      channels: { link: { adapter: () => (bank ??= new HalykBank(config)), methods: ['card'] } },
      channelFor: () => 'link',
      pollScheduleMs: config.timing.pollScheduleMs,
      unresolvedAfterMs: config.timing.unresolvedAfterMs,
      purpose: (orderId) => `Оплата заказа ${orderId}`.slice(0, 140),
    });
  },
  notes: 'Invoice-link answer fields and check-status "not found" code are not in the public docs (emulated; docs/banks.md). Refund minimum 10 ₸. Postlink notifications are not used: polled.',
};
