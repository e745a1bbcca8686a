// ЮKassa receipts section of the fiscal config. The secret key is a secret: never logged, never sent
// to the renderer (listed in the fiscal SECRET_PATHS).
import { z } from 'zod';
import { taxSystemSchema } from '../receipt';

export const yookassaConfigSchema = z.object({
  baseUrl: z.url().default('https://api.yookassa.ru/v3/'),
  emulator: z.boolean().default(false),
  shopId: z.string().default(''),
  secretKey: z.string().default(''),
  taxSystem: taxSystemSchema.default('osn'),
  /** ЮKassa requires a customer contact; a till sale usually has none, so the shop's own address is sent. */
  fallbackEmail: z.string().default(''),
  timeoutMs: z.number().int().min(200).max(120_000).default(10_000),
  pollForMs: z.number().int().min(0).max(60_000).default(3_000),
  pollEveryMs: z.number().int().min(10).max(10_000).default(500),
  /** Upper bound for a 202's retry_after, so one attempt never sleeps for long. */
  maxRetryAfterMs: z.number().int().min(0).max(60_000).default(5_000),
});
export type YookassaConfig = z.infer<typeof yookassaConfigSchema>;
