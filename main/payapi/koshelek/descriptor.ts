// Koshelek Pay as a registry entry: a description only. Its checkout still runs through
// main/checkout/service.ts; the payment factory is wired when checkout becomes provider-neutral.
import { koshelekConfigSchema, type KoshelekConfig } from './config';
import type { ProviderDescriptor } from '../../providers/types';

export const koshelekProvider: ProviderDescriptor<KoshelekConfig> = {
  name: 'koshelek',
  titleRu: 'Кошелёк Pay',
  configSchema: koshelekConfigSchema,
  // status_by_own_reference: no — status needs Koshelek's transactionId; an unanswered checkout is
  // resolved by repeating it with the same requestId (Koshelek replays the first answer).
  capabilities: new Set(['pay', 'cancel', 'refund', 'partial_refund', 'receipts', 'webhooks']),
  methods: [
    { id: 'SBP', titleRu: 'СБП (Кошелёк Pay)', needsCardScan: true },
    { id: 'DOLYAME', titleRu: 'Долями (Кошелёк Pay)', needsCardScan: true },
  ],
  notes: 'Described only: the driver factory lands with the provider-neutral checkout. Methods come from koshelek.enums.paymentTypes at run time.',
};
