// ATOL Online v5 section of the fiscal config. The password is a secret: never logged, never sent to
// the renderer (listed in the fiscal SECRET_PATHS).
import { z } from 'zod';
import { taxSystemSchema } from '../receipt';

export const atolConfigSchema = z.object({
  /** Ends with /possystem/v5/; the emulator's address when `emulator` is true. */
  baseUrl: z.url().default('https://online.atol.ru/possystem/v5/'),
  emulator: z.boolean().default(false),
  login: z.string().default(''),
  password: z.string().default(''),
  groupCode: z.string().default(''),
  company: z.object({
    inn: z.string().regex(/^(\d{10}|\d{12})?$/, 'ИНН: 10 или 12 цифр').default(''),
    email: z.string().default(''),
    sno: taxSystemSchema.default('osn'),
    paymentAddress: z.string().default(''),
  }).prefault({}),
  /** Per request; a register that times out is looked up (report by uuid / same external_id), never re-created. */
  timeoutMs: z.number().int().min(200).max(120_000).default(10_000),
  /** How long one attempt polls the report before leaving the job to the outbox's backoff. */
  pollForMs: z.number().int().min(0).max(60_000).default(3_000),
  pollEveryMs: z.number().int().min(10).max(10_000).default(500),
});
export type AtolConfig = z.infer<typeof atolConfigSchema>;
