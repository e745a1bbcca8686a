// The partner API's wire contract (docs/partner-api.yaml), one zod schema per message; types derive
// from them. Amounts are integer minor units on the wire too (our spec's choice: no decimal parsing).
import { z } from 'zod';

export const PARTNER_PATHS = {
  initSession: '/v1/initSession',
  completeMerchantAcquiring: '/v1/completeMerchantAcquiring',
  processPaymentReversal: '/v1/processPaymentReversal',
  paymentStatus: '/v1/paymentStatus',
} as const;
export type PartnerOperation = keyof typeof PARTNER_PATHS;

export const operationIdSchema = z.string().regex(/^[A-Za-z0-9-]{8,64}$/);
export const amountMinorSchema = z.number().int().min(1).max(1_000_000_000_00);
export const currencySchema = z.string().regex(/^[A-Z]{3}$/);
export const keyPurposeSchema = z.enum(['payment', 'reversal']);

export const initSessionRequestSchema = z.object({ merchant_id: z.string().min(1).max(64), purpose: keyPurposeSchema }).strict();
export const initSessionResponseSchema = z.object({ session_id: z.string().min(1), expires_at: z.number().int() });

const mutateRequest = {
  session_id: z.string().min(1),
  /** Ours; the partner's idempotency key: a repeat with the same id returns the existing operation. */
  operation_id: operationIdSchema,
  /** The original (already paid) payment this operation belongs to. */
  payment_id: z.string().min(1).max(64),
  amount: amountMinorSchema,
  currency: currencySchema,
  callback_url: z.url(),
};
export const extraChargeRequestSchema = z.object(mutateRequest).strict();
export const reversalRequestSchema = z.object(mutateRequest).strict();

export const OPERATION_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export const operationStatusSchema = z.enum(OPERATION_STATUSES);
export const operationTypeSchema = z.enum(['extra_charge', 'reversal']);
export type PartnerOpKind = z.infer<typeof operationTypeSchema>;

export const operationAcceptedSchema = z.object({ operation_id: operationIdSchema, status: operationStatusSchema });

export const paymentStatusRequestSchema = z.object({ session_id: z.string().min(1), operation_id: operationIdSchema }).strict();
export const paymentStatusResponseSchema = z.object({
  operation_id: operationIdSchema,
  type: operationTypeSchema,
  payment_id: z.string(),
  status: operationStatusSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  failure_code: z.string().nullable().optional(),
});
export type PaymentStatusResponse = z.infer<typeof paymentStatusResponseSchema>;

export const PARTNER_ERROR_CODES = [
  'VALIDATION_ERROR', 'SIGNATURE_INVALID', 'CLOCK_SKEW', 'REPLAYED', 'UNKNOWN_KEY', 'WRONG_KEY',
  'SESSION_INVALID', 'NOT_FOUND', 'PAYMENT_NOT_FOUND', 'AMOUNT_EXCEEDS_AVAILABLE', 'CURRENCY_MISMATCH',
  'OPERATION_CONFLICT', 'RATE_LIMITED', 'INTERNAL',
] as const;
export const partnerErrorSchema = z.object({ error: z.string(), message: z.string().optional(), fault: z.string().optional() });
export type PartnerErrorBody = z.infer<typeof partnerErrorSchema>;

/** The partner's callback body (signed by the partner's key). Only a hint: the till re-checks the status. */
export const paymentCompletedCallbackSchema = z.object({ operation_id: operationIdSchema, request_id: z.string().min(1).optional() }).passthrough();
export const CALLBACK_PATH = '/v1/on_payment_completed';
