// Halyk Bank ePay (Kazakhstan, KZT) section of paydesk.config.json: OAuth client credentials, the shop
// and terminal ids, the invoice-link settings and timings. Its own account, credentials and health,
// next to Tochka's (docs/banks.md). Secrets never reach the renderer or logs.
import { z } from 'zod';

export const HALYK_PROVIDER = 'halyk';

export const halykConfigSchema = z.object({
  enabled: z.boolean().default(false),
  /** OAuth host: prod https://epay-oauth.homebank.kz, test https://test-epay-oauth.epayment.kz (or the emulator). */
  oauthUrl: z.string().url().default('https://epay-oauth.homebank.kz'),
  /** API host: prod https://epay-api.homebank.kz, test https://test-epay-api.epayment.kz (or the emulator). */
  apiUrl: z.string().url().default('https://epay-api.homebank.kz'),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  terminalId: z.string().min(1).optional(),
  shopId: z.string().min(1).optional(),
  /** The shop's account number in ePay (invoice account_id). */
  accountId: z.string().min(1).default('paydesk'),
  /** Invoice lifetime, in ePay's notation ("15m", "1h", "1d"). */
  expirePeriod: z.string().regex(/^\d+[mhd]$/).default('15m'),
  language: z.enum(['rus', 'kaz', 'eng']).default('rus'),
  /** Receipt/notification e-mail when the customer gives none. */
  recipientContact: z.string().email().default('receipts@example.invalid'),
  caPem: z.string().optional(),
  /** Demo installs only (environment "emulator"): sell against the embedded ePay emulator. */
  embeddedEmulator: z.boolean().default(false),
  timing: z.object({
    requestTimeoutMs: z.number().int().min(500).max(120_000).default(15_000),
    pollScheduleMs: z.array(z.number().int().min(0).max(3_600_000)).min(1).max(20).default([2_000, 2_000, 3_000, 5_000]),
    unresolvedAfterMs: z.number().int().min(1_000).max(3_600_000).default(180_000),
  }).prefault({}),
}).refine((c) => !c.enabled || c.embeddedEmulator || (c.clientId && c.clientSecret && c.terminalId && c.shopId), {
  message: 'halyk.enabled needs clientId, clientSecret, terminalId and shopId',
  path: ['clientId'],
});

export type HalykConfig = z.output<typeof halykConfigSchema>;

/** The credentials the embedded emulator accepts (demo installs; they guard nothing real). */
export const HALYK_EMBEDDED_CREDENTIALS = { clientId: 'test', clientSecret: 'secret', terminalId: 'terminal-1', shopId: 'shop-1' } as const;
