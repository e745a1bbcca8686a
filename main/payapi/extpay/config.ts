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

/** The till's own webhook receiver (POST, Bearer checked). Behind the store's reverse proxy in production. */
export const extpayListenerSchema = z.object({
  enabled: z.boolean().default(false),
  host: z.string().min(1).default('127.0.0.1'),
  /** 0: any free port (then webhookUrl defaults to this receiver's own loopback address: emulator/tests). */
  port: z.number().int().min(0).max(65535).default(0),
  path: z.string().regex(/^\/[\w/-]*$/, 'must start with / (letters, digits, _, -, /)').default('/webhooks/extpay'),
  maxBodyBytes: z.number().int().min(1_024).max(1_048_576).default(65_536),
}).prefault({});

export const extpayConfigSchema = z.object({
  /** Whether the till offers QR payments through this API (the method list shows it only then). */
  enabled: z.boolean().default(false),
  /** Start the bundled emulator (emulators/extpay) and pay against it: environment "emulator" only. */
  embeddedEmulator: z.boolean().default(false),
  baseUrl: z.string().url().default('https://esim-sandbox.oxem.dev'),
  token: z.string().min(1).optional(),
  /** The till's currency decides the method: RUB → Yandex Pay, USD → PayPal. */
  currency: z.enum(CURRENCIES).default('RUB'),
  /** Where the service posts webhooks (the core's webhook listener, reachable from outside). */
  webhookUrl: z.string().url().optional(),
  webhookToken: z.string().min(16).optional(),
  returnUrl: z.string().url().optional(),
  productTitle: z.string().max(128).optional(),
  listener: extpayListenerSchema,
  timing: extpayTimingSchema.default(extpayTimingSchema.parse({})),
});
export type ExtpayConfig = z.infer<typeof extpayConfigSchema>;

/** Config paths that hold secrets: masked in config-change logs, never sent to the renderer. */
export const EXTPAY_SECRET_PATHS = ['extpay.token', 'extpay.webhookToken'] as const;
