// The external payments API (Yandex Pay for RUB, PayPal for USD, paid by QR) as a registry entry and as a
// live checkout provider: the method that takes the till's currency, the payment factory, phase texts, slip
// refs, the payment link as the customer's QR, and the webhook receiver whose news enters the operation's
// lane through ctx.deliverNews (docs/extpay.md).
import { z } from 'zod';
import { PaydeskError } from '../../errors/catalogue';
import type { CheckoutProvider, LiveProvider, PaymentFactory, PaymentMethodDescriptor, ProviderContext, ProviderDescriptor, RunSignals } from '../../providers/types';
import { packRun, resumeParsed } from '../../providers/types';
import { ExtpayClient } from './client';
import { extpayConfigSchema, type ExtpayConfig } from './config';
import { CURRENCIES, EXTPAY_SANDBOX_TOKEN, METHOD_FOR_CURRENCY, STATUSES, currencyFits } from './contract';
import { EXTPAY_PROVIDER, EXTPAY_SLIP_REFS, ExtpayPaymentDriver, extpayIntent, type ExtpayDriverDeps } from './driver';
import { startExtpayListener, type ExtpayListener } from './listener';
import { parseExtpayState, qrPayload, type ExtpayEvent, type ExtpayState } from './machine';

const TITLE = 'Оплата по QR (Яндекс Пэй / PayPal)';
const METHODS: readonly PaymentMethodDescriptor[] = [
  { id: 'yandex_pay', titleRu: 'Яндекс Пэй (QR)', needsCardScan: false, currency: 'RUB' },
  { id: 'paypal', titleRu: 'PayPal (QR)', needsCardScan: false, currency: 'USD' },
];

/** A verified webhook as the listener hands it over (parsed again here: news is `unknown` at the lane). */
const webhookNewsSchema = z.object({
  internalOrderId: z.string().min(1),
  status: z.enum(STATUSES),
  amount: z.number(),
  currency: z.enum(CURRENCIES),
});

const signals: RunSignals<ExtpayEvent> = {
  // The API has no cancel: a shown link stays payable, so the till never pretends to cancel it.
  cancel: null,
  park: null,
  news(data) {
    const p = webhookNewsSchema.safeParse(data);
    if (!p.success) return null;
    return { type: 'webhook', observation: { source: 'webhook', internalOrderId: p.data.internalOrderId, status: p.data.status, amount: p.data.amount, currency: p.data.currency } };
  },
};

/** Where the service is and how the till authenticates: the configured API, or the embedded emulator. */
export interface ExtpayEndpoint {
  baseUrl: string;
  token: string | null;
  webhookUrl: string | null;
  webhookToken: string | null;
  /** The embedded emulator (demo installs), not a configured service. */
  embedded?: boolean;
}

/** Config values with the vault's environment overrides (secrets never need to sit in the file). */
export function configuredEndpoint(config: ExtpayConfig): ExtpayEndpoint {
  return {
    baseUrl: config.baseUrl,
    token: process.env.PAYDESK_EXTPAY_TOKEN ?? config.token ?? null,
    webhookUrl: config.webhookUrl ?? null,
    webhookToken: process.env.PAYDESK_EXTPAY_WEBHOOK_TOKEN ?? config.webhookToken ?? null,
  };
}

function problem(endpoint: ExtpayEndpoint): PaydeskError | null {
  if (!endpoint.token) return new PaydeskError('config.invalid', 'extpay.token is not configured (or PAYDESK_EXTPAY_TOKEN)');
  if (!endpoint.webhookUrl) return new PaydeskError('config.invalid', 'extpay.webhookUrl is not configured (or extpay.listener on port 0)');
  return null;
}

function payments(config: ExtpayConfig, endpoint: ExtpayEndpoint = configuredEndpoint(config)): PaymentFactory {
  const deps = (): ExtpayDriverDeps => {
    const blocked = problem(endpoint);
    if (blocked || !endpoint.token || !endpoint.webhookUrl) throw blocked ?? new PaydeskError('config.invalid', 'extpay');
    return {
      client: new ExtpayClient({ baseUrl: endpoint.baseUrl, token: endpoint.token, timeoutMs: config.timing.requestTimeoutMs }),
      webhookUrl: endpoint.webhookUrl,
      webhookToken: endpoint.webhookToken,
      returnUrl: config.returnUrl ?? null,
      productTitle: config.productTitle ?? null,
    };
  };
  return {
    begin(input, now) {
      // Enforced before anything is written or sent: the method must take the till's currency.
      if (!METHODS.some((m) => m.id === input.methodId)) throw new PaydeskError('payment.method_unknown', input.methodId);
      if (!currencyFits(config.currency, input.methodId)) throw new PaydeskError('extpay.currency_method', `${input.methodId} with ${config.currency}`);
      const d = deps();
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
        connectionId: input.connectionId ?? null,
      }, now);
      const driver = new ExtpayPaymentDriver(input.operationId, row, d);
      return { row, event, run: packRun<ExtpayState, ExtpayEvent>({ state, driver, recoveryEvent: null, signals }) };
    },
    resume(row) {
      return resumeParsed(() => {
        const state = parseExtpayState(row.context_json);
        return { phase: state.phase, run: packRun<ExtpayState, ExtpayEvent>({ state, driver: new ExtpayPaymentDriver(row.id, row, deps()), recoveryEvent: { type: 'restarted' }, signals }) };
      });
    },
  };
}

const HINT: Readonly<Record<string, string>> = {
  yandex_pay: 'Отсканируйте QR-код камерой телефона и оплатите в Яндекс Пэй',
  paypal: 'Отсканируйте QR-код камерой телефона и оплатите через PayPal',
};

/** The payment link as the customer's QR, only from a journaled awaiting state (a link never journaled is never shown). */
export function extpayCustomerAction(contextJson: string): { kind: 'qr'; payload: string; hintRu: string } | null {
  let state: ExtpayState;
  try {
    state = parseExtpayState(contextJson);
  } catch {
    return null;
  }
  const payload = qrPayload(state);
  return payload ? { kind: 'qr', payload, hintRu: HINT[state.ctx.method] ?? 'Отсканируйте QR-код камерой телефона' } : null;
}

/**
 * Which service a payment went to: a restart resumes it only there (a sale started on the sandbox is never
 * created or polled on production). The embedded emulator is one identity whatever port it got.
 */
function identity(endpoint: ExtpayEndpoint): string {
  return endpoint.embedded ? 'extpay:embedded-emulator' : `extpay:${endpoint.baseUrl}`;
}

export function createExtpayProvider(config: ExtpayConfig, endpoint: ExtpayEndpoint, blockedBy: PaydeskError | null = null): CheckoutProvider {
  const factory = payments(config, endpoint);
  const blocked = blockedBy ?? (config.enabled ? problem(endpoint) : new PaydeskError('config.invalid', 'extpay.enabled is false'));
  return {
    name: EXTPAY_PROVIDER,
    titleRu: TITLE,
    capabilities: extpayProvider.capabilities,
    // Only the method that takes the till's currency is offered (RUB → Yandex Pay, USD → PayPal).
    methods: () => METHODS.filter((m) => currencyFits(config.currency, m.id)),
    connection: () => (blocked ? { blocked } : { identity: identity(endpoint) }),
    payments: factory,
    refunds: null,
    // Reconciled by the provider's own statement, not the till's Z (counted as skipped there).
    lookup: null,
    availability: null,
    receipts: null,
    view: {
      phaseText: {
        creating: 'Касса создаёт ссылку на оплату…',
        awaiting: 'Покупатель сканирует QR-код и оплачивает…',
        failed: 'Оплата по QR не прошла',
        mismatch: 'Сервис оплаты подтвердил другую сумму: не выдавайте товар',
      },
      unknownPhases: new Set(['creating', 'awaiting']),
      cancellablePhases: new Set(),
      slipRefs: EXTPAY_SLIP_REFS,
      reportRefs: [EXTPAY_SLIP_REFS[0]],
      limits: () => ({ minutes: 0, seconds: Math.round(config.timing.requestTimeoutMs / 1000) }),
      customerAction: (row) => extpayCustomerAction(row.context_json),
    },
  };
}

/**
 * The provider for the running till: the configured API, or the embedded emulator (environment "emulator"
 * only); the webhook receiver when `extpay.listener.enabled`, its news into the operation's lane.
 */
async function live(ctx: ProviderContext<ExtpayConfig>): Promise<LiveProvider> {
  const section = ctx.section;
  const endpoint = configuredEndpoint(section);
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  if (section.embeddedEmulator) {
    if (!ctx.startEmulator) {
      // A test or production till never pays on an emulator, whatever the section says.
      ctx.logger.error('extpay.embeddedEmulator is set outside environment "emulator": QR payments blocked');
      return { checkout: createExtpayProvider(section, endpoint, new PaydeskError('config.invalid', 'extpay.embeddedEmulator is allowed only in environment "emulator"')), close };
    }
    const emulator = await ctx.startEmulator();
    closers.push(() => emulator.close());
    endpoint.baseUrl = emulator.baseUrl;
    endpoint.embedded = true;
    endpoint.token = endpoint.token ?? EXTPAY_SANDBOX_TOKEN;
    ctx.logger.warn({ baseUrl: emulator.baseUrl }, 'extpay: running against the embedded emulator');
  }
  if (section.enabled && section.listener.enabled) {
    if (!endpoint.webhookToken) {
      ctx.logger.error('extpay.listener is enabled without extpay.webhookToken: webhooks not received (polling still decides)');
    } else {
      try {
        const listener: ExtpayListener = await startExtpayListener({
          ...section.listener,
          token: endpoint.webhookToken,
          deliver: (w) => ctx.deliverNews({ transactionId: w.internalOrderId }, { internalOrderId: w.internalOrderId, status: w.status, amount: w.amount, currency: w.currency }),
          onRefused: (reason, status) => ctx.logger.warn({ status, reason }, 'extpay webhook refused'),
        });
        closers.push(() => listener.close());
        endpoint.webhookUrl = endpoint.webhookUrl ?? listener.url;
        ctx.logger.info({ url: listener.url }, 'extpay webhook receiver listening');
      } catch (error) {
        // Not fatal: polling decides every payment anyway. IT sees it in the log.
        ctx.logger.error({ err: String(error) }, 'extpay webhook receiver not started');
      }
    }
  }
  return { checkout: createExtpayProvider(section, endpoint), close };
}

export const extpayProvider: ProviderDescriptor<ExtpayConfig> = {
  name: EXTPAY_PROVIDER,
  titleRu: TITLE,
  configSchema: extpayConfigSchema,
  capabilities: new Set(['pay', 'status_by_own_reference', 'webhooks', 'qr']),
  methods: METHODS,
  payments: (config) => payments(config),
  live,
  notes: 'No cancel or refund in the API; status is read by its internal id (kept from the create answer), not by ours. Yandex Pay takes RUB only, PayPal USD only.',
};
