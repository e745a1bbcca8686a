// The external payments API (Yandex Pay for RUB, PayPal for USD, paid by QR) as a registry entry.
import { PaydeskError } from '../../errors/catalogue';
import type { PaymentFactory, ProviderDescriptor } from '../../providers/types';
import { NO_SIGNALS, packRun, resumeParsed } from '../../providers/types';
import { ExtpayClient } from './client';
import { extpayConfigSchema, type ExtpayConfig } from './config';
import { METHOD_FOR_CURRENCY, currencyFits } from './contract';
import { EXTPAY_PROVIDER, ExtpayPaymentDriver, extpayIntent, type ExtpayDriverDeps } from './driver';
import { parseExtpayState, type ExtpayEvent, type ExtpayState } from './machine';

function payments(config: ExtpayConfig): PaymentFactory {
  const token = process.env.PAYDESK_EXTPAY_TOKEN ?? config.token;
  const webhookToken = process.env.PAYDESK_EXTPAY_WEBHOOK_TOKEN ?? config.webhookToken ?? null;
  const deps = (): ExtpayDriverDeps => {
    if (!token) throw new PaydeskError('config.invalid', 'extpay.token is not configured');
    if (!config.webhookUrl) throw new PaydeskError('config.invalid', 'extpay.webhookUrl is not configured');
    return {
      client: new ExtpayClient({ baseUrl: config.baseUrl, token, timeoutMs: config.timing.requestTimeoutMs }),
      webhookUrl: config.webhookUrl,
      webhookToken,
      returnUrl: config.returnUrl ?? null,
      productTitle: config.productTitle ?? null,
    };
  };
  return {
    begin(input, now) {
      // Enforced before anything is sent: the method must take the till's currency.
      if (!currencyFits(config.currency, input.methodId)) throw new PaydeskError('extpay.currency_method', `${input.methodId} with ${config.currency}`);
      const { row, state, event } = extpayIntent({
        operationId: input.operationId,
        shiftId: input.shiftId,
        operationExternalId: input.operationExternalId,
        orderId: input.orderId,
        amountMinor: input.amountMinor,
        currency: config.currency,
        method: METHOD_FOR_CURRENCY[config.currency],
        pollScheduleMs: config.timing.pollScheduleMs,
        createRetryMs: config.timing.createRetryMs,
        maxCreates: config.timing.maxCreates,
      }, now);
      const driver = new ExtpayPaymentDriver(input.operationId, row, deps());
      return { row, event, run: packRun<ExtpayState, ExtpayEvent>({ state, driver, recoveryEvent: null, signals: NO_SIGNALS }) };
    },
    resume(row) {
      return resumeParsed(() => {
        const state = parseExtpayState(row.context_json);
        return { phase: state.phase, run: packRun<ExtpayState, ExtpayEvent>({ state, driver: new ExtpayPaymentDriver(row.id, row, deps()), recoveryEvent: { type: 'restarted' }, signals: NO_SIGNALS }) };
      });
    },
  };
}

export const extpayProvider: ProviderDescriptor<ExtpayConfig> = {
  name: EXTPAY_PROVIDER,
  titleRu: 'Оплата по QR (Яндекс Пэй / PayPal)',
  configSchema: extpayConfigSchema,
  capabilities: new Set(['pay', 'status_by_own_reference', 'webhooks', 'qr']),
  methods: [
    { id: 'yandex_pay', titleRu: 'Яндекс Пэй (QR)', needsCardScan: false },
    { id: 'paypal', titleRu: 'PayPal (QR)', needsCardScan: false },
  ],
  payments,
  notes: 'No cancel or refund in the API; status is read by its internal id (kept from the create answer), not by ours. Yandex Pay takes RUB only, PayPal USD only.',
};
