// Tochka's section of paydesk.config.json: where the API is, the JWT key, the acquiring identifiers
// (discovered at start-up when absent), the payment modes, the cashbox SBP QR, timings and the binding
// charge. Secrets (the token) never reach the renderer or logs (docs/security.md).
import { z } from 'zod';

export const TOCHKA_PROVIDER = 'tochka';

export const tochkaTimingSchema = z.object({
  /** Longest wait for one API answer. */
  requestTimeoutMs: z.number().int().min(500).max(120_000).default(15_000),
  /** Pauses between status polls / finds; the last one repeats (never auto-failed while unknown). */
  pollScheduleMs: z.array(z.number().int().min(0).max(3_600_000)).min(1).max(20).default([2_000, 2_000, 3_000, 5_000]),
  /** After this long unknown the cashier is told to stop waiting and call the administrator. */
  unresolvedAfterMs: z.number().int().min(1_000).max(3_600_000).default(180_000),
}).prefault({});

export const tochkaConfigSchema = z.object({
  enabled: z.boolean().default(false),
  /** Production `https://enter.tochka.com/uapi`, sandbox `https://enter.tochka.com/sandbox/v2`, or the emulator. */
  baseUrl: z.string().url().default('https://enter.tochka.com/uapi'),
  /** The JWT key issued in the internet bank (Bearer). */
  token: z.string().min(1).optional(),
  /** Extra CA (PEM text): the Russian Trusted Root CA for enter.tochka.com, never disabled verification. */
  caPem: z.string().optional(),
  /** Discovered from customers (type Business) when absent. */
  customerCode: z.string().regex(/^\w{9}$/, 'exactly 9 characters').optional(),
  /** Acquiring retail point (15 digits); discovered from retailers when absent and there is exactly one. */
  merchantId: z.string().regex(/^\d{15}$/, 'exactly 15 digits').optional(),
  /** What the customer may choose on the bank's page; SBP first (docs/banks.md: the seed's nudge). */
  paymentModes: z.array(z.enum(['sbp', 'card'])).min(1).default(['sbp', 'card']),
  /** Link lifetime, minutes (bank default 10080 = a week; a till wants minutes). */
  linkTtlMinutes: z.number().int().min(1).max(44_640).default(15),
  taxSystemCode: z.enum(['osn', 'usn_income', 'usn_income_outcome', 'esn', 'patent']).optional(),
  vatType: z.enum(['none', 'vat0', 'vat5', 'vat7', 'vat10', 'vat22', 'vat105', 'vat107', 'vat110', 'vat122']).default('none'),
  /** Receipt e-mail when the customer gives none (the bank requires Client.email). */
  receiptEmail: z.string().email().default('receipts@example.invalid'),
  /** Cashbox SBP QR at the till (printed once; activated per sale). */
  cashboxQr: z.object({
    qrcId: z.string().min(1).max(32),
    /** SBP merchant id (e.g. MF0000000001), not the 15-digit acquiring one. */
    sbpMerchantId: z.string().min(1).max(12),
    /** "<20-digit account>/<BIC>". */
    accountId: z.string().regex(/^\d{20}\/\d{9}$/),
    ttlMinutes: z.number().int().min(5).max(20).default(5),
    /** The QR's payload (link for the bank app), shown on screen next to the printed QR; optional. */
    payload: z.string().url().optional(),
  }).optional(),
  /** How SBP is taken: inside the payment link, or by the till's cashbox QR (needs cashboxQr). */
  sbpChannel: z.enum(['link', 'cashbox_qr']).default('link'),
  /** Card binding: the verification charge, refunded at once through the outbox. */
  binding: z.object({ amountMinor: z.number().int().min(100).max(10_000).default(200) }).prefault({}),
  /** Pinned webhook verification keys (JWK, RS256); several during a rotation. */
  webhookKeys: z.array(z.object({ kty: z.literal('RSA'), n: z.string().min(16), e: z.string().min(1) }).loose()).default([]),
  /** Demo installs only (environment "emulator"): sell against the embedded Tochka emulator. */
  embeddedEmulator: z.boolean().default(false),
  timing: tochkaTimingSchema,
}).refine((c) => !c.enabled || c.embeddedEmulator || c.token !== undefined, { message: 'tochka.enabled needs tochka.token', path: ['token'] })
  .refine((c) => c.sbpChannel !== 'cashbox_qr' || c.cashboxQr !== undefined, { message: 'tochka.sbpChannel cashbox_qr needs tochka.cashboxQr', path: ['cashboxQr'] });

export type TochkaConfig = z.output<typeof tochkaConfigSchema>;
export type TochkaTiming = z.output<typeof tochkaTimingSchema>;

/** The token the embedded emulator accepts (demo installs; it guards nothing real). */
export const TOCHKA_EMBEDDED_TOKEN = 'test.jwt.token';
