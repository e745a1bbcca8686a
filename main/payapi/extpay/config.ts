// The external payments API's section of paydesk.config.json. The API token and the webhook token are
// secrets: the config may name them, and PAYDESK_EXTPAY_TOKEN / PAYDESK_EXTPAY_WEBHOOK_TOKEN override
// them (the vault exports them so; docs/extpay.md).
import { z } from 'zod';
import { CURRENCIES } from './contract';

export const extpayTimingSchema = z.object({
  requestTimeoutMs: z.number().int().min(500).max(60_000).default(10_000),
  /** Pauses between status polls while the customer pays; the last one repeats. */
  pollScheduleMs: z.array(z.number().int().min(200).max(600_000)).min(1).default([2_000, 2_000, 3_000, 5_000, 10_000, 30_000]),
  createRetryMs: z.number().int().min(100).max(600_000).default(2_000),
  maxCreates: z.number().int().min(1).max(20).default(5),
});
export type ExtpayTiming = z.infer<typeof extpayTimingSchema>;

export const extpayConfigSchema = z.object({
  baseUrl: z.string().url().default('https://esim-sandbox.oxem.dev'),
  token: z.string().min(1).optional(),
  /** The till's currency decides the method: RUB → Yandex Pay, USD → PayPal. */
  currency: z.enum(CURRENCIES).default('RUB'),
  /** Where the service posts webhooks (the core's webhook listener, reachable from outside). */
  webhookUrl: z.string().url().optional(),
  webhookToken: z.string().min(16).optional(),
  returnUrl: z.string().url().optional(),
  productTitle: z.string().max(128).optional(),
  timing: extpayTimingSchema.default(extpayTimingSchema.parse({})),
});
export type ExtpayConfig = z.infer<typeof extpayConfigSchema>;
