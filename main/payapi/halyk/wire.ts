// Halyk ePay wire shapes (epayment.kz docs; docs/providers.md, "Halyk ePay"): OAuth token, invoice link,
// transaction status by OUR invoice id, refund by the transaction id. Amounts are tenge with decimals;
// here they are tiyn (1 ₸ = 100 tiyn).
import { z } from 'zod';

export const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.union([z.number(), z.string()]), token_type: z.string().optional() }).loose();

/** Invoice-link answer: the docs show the request only; these fields are what the emulator returns (docs/banks.md gap). */
export const invoiceSchema = z.object({ id: z.string().min(1), invoice_id: z.string().min(1), invoice_url: z.string().min(1) }).loose();

export const HALYK_STATUSES = ['NEW', 'AUTH', 'CHARGE', 'CANCEL', 'REFUND', 'REJECT', 'EXPIRED'] as const;

export const transactionSchema = z.object({
  id: z.string().min(1),
  invoiceID: z.string().min(1),
  amount: z.number().nonnegative(),
  currency: z.string(),
  statusName: z.string(),
  amountBonus: z.number().optional(),
  refundAmount: z.number().optional(),
  cardId: z.string().optional(),
}).loose();

/** check-status: resultCode "100" = found; anything else without a transaction = not known to ePay. */
export const checkStatusSchema = z.object({
  resultCode: z.string(),
  resultMessage: z.string().optional(),
  transaction: transactionSchema.optional(),
}).loose();

export const errorSchema = z.object({ code: z.union([z.number(), z.string()]).optional(), message: z.string().optional() }).loose();

export function tengeToTiyn(value: number): number | null {
  if (!Number.isFinite(value) || value < 0) return null;
  const tiyn = Math.round(value * 100);
  return Math.abs(tiyn - value * 100) < 1e-6 ? tiyn : null;
}

export function tiynToTenge(tiyn: number): number {
  return Number((tiyn / 100).toFixed(2));
}
