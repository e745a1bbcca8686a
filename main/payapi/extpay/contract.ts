// The external payments API's wire contract (seed "API для внешних платежных сервисов"; docs/extpay.md):
// one zod schema per message, and the money and currency rules that hold before anything is sent.
import { z } from 'zod';

export const EXTPAY_PATHS = {
  create: '/api/external/payments/create',
  status: (id: string) => `/api/external/payments/${encodeURIComponent(id)}/status`,
  simulate: (id: string) => `/api/external/payments/${encodeURIComponent(id)}/simulate`,
} as const;

/** The seed's published sandbox token (public; the embedded emulator's default). Never a production secret. */
export const EXTPAY_SANDBOX_TOKEN = 'preview-external-api-secret-2024';

export const CURRENCIES = ['USD', 'RUB'] as const;
export const METHODS = ['yandex_pay', 'paypal'] as const;
export type ExtCurrency = (typeof CURRENCIES)[number];
export type ExtMethod = (typeof METHODS)[number];
export const STATUSES = ['PENDING', 'SUCCESS', 'FAILED'] as const;
export type ExtStatus = (typeof STATUSES)[number];

/** The seed's pairing: Yandex Pay takes roubles, PayPal dollars. The till never sends another pair. */
export const METHOD_FOR_CURRENCY: Readonly<Record<ExtCurrency, ExtMethod>> = { RUB: 'yandex_pay', USD: 'paypal' };
export function currencyFits(currency: string, method: string): boolean {
  return (CURRENCIES as readonly string[]).includes(currency) && METHOD_FOR_CURRENCY[currency as ExtCurrency] === method;
}

export const CUSTOM_DATA_MAX_BYTES = 5 * 1024;
export const customDataSchema = z.record(z.string().min(1), z.union([z.string(), z.number().finite(), z.boolean()]));
export type CustomData = z.infer<typeof customDataSchema>;
export function customDataBytes(data: CustomData): number {
  return Buffer.byteLength(JSON.stringify(data), 'utf8');
}

const MINOR_DIGITS = 2; // both USD and RUB have 2 decimals

/** Integer minor units → the API's decimal text ("49.99"), by string arithmetic, never division. */
export function minorToDecimal(minor: number): string {
  if (!Number.isSafeInteger(minor) || minor <= 0) throw new Error(`amount must be a positive integer of minor units, got ${minor}`);
  const digits = String(minor).padStart(MINOR_DIGITS + 1, '0');
  return `${digits.slice(0, -MINOR_DIGITS)}.${digits.slice(-MINOR_DIGITS)}`;
}

/**
 * A JSON number from the API → minor units, or null when it is not an exact amount of at most two
 * decimals. `toFixed(2)` then `Number(...) === n` proves the double was exactly that decimal.
 */
export function numberToMinor(n: number): number | null {
  if (!Number.isFinite(n) || n <= 0 || n > 1e13) return null;
  const fixed = n.toFixed(MINOR_DIGITS);
  if (Number(fixed) !== n) return null;
  const [whole, frac] = fixed.split('.');
  const minor = Number(`${whole ?? ''}${frac ?? ''}`);
  return Number.isSafeInteger(minor) ? minor : null;
}

export const createResponseSchema = z.object({ payment_url: z.string().url(), internal_order_id: z.string().uuid() });
export type CreateResponse = z.infer<typeof createResponseSchema>;

export const statusResponseSchema = z.object({
  internal_order_id: z.string().uuid(),
  external_order_id: z.string().nullable().optional(),
  status: z.enum(STATUSES),
  amount: z.number(),
  currency: z.enum(CURRENCIES),
  payment_method: z.enum(METHODS),
  processed_at: z.string().nullable().optional(),
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

export const errorBodySchema = z.object({ error: z.string() });

/** The webhook: the fields below plus custom_data flattened into the root (kept in `custom`). */
export const webhookSchema = z.looseObject({
  internal_order_id: z.string().uuid(),
  external_order_id: z.string().nullable().optional(),
  status: z.enum(STATUSES),
  amount: z.number(),
  currency: z.enum(CURRENCIES),
  payment_method: z.enum(METHODS),
  processed_at: z.string(),
});
export const WEBHOOK_FIELDS = ['internal_order_id', 'external_order_id', 'status', 'amount', 'currency', 'payment_method', 'processed_at'] as const;
