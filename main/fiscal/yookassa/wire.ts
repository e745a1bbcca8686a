// ЮKassa receipts API wire schemas (reference: providers.md §2.2–2.3).
import { z } from 'zod';

const amount = z.object({ value: z.string().regex(/^\d+\.\d{2}$/), currency: z.literal('RUB') });

export const yookassaItemSchema = z.object({
  description: z.string().min(1).max(128),
  quantity: z.string().regex(/^\d+(\.\d{1,3})?$/),
  amount,
  vat_code: z.number().int().min(1).max(12),
  payment_mode: z.string().optional(),
  payment_subject: z.string().optional(),
  measure: z.string().optional(),
});

export const yookassaReceiptRequestSchema = z.object({
  type: z.enum(['payment', 'refund']),
  payment_id: z.string().optional(),
  refund_id: z.string().optional(),
  customer: z.object({ email: z.string().optional(), phone: z.string().optional(), full_name: z.string().optional() })
    .refine((c) => Boolean(c.email ?? c.phone), 'customer needs email or phone'),
  items: z.array(yookassaItemSchema).min(1).max(100),
  send: z.literal(true),
  settlements: z.array(z.object({ type: z.enum(['cashless', 'prepayment', 'postpayment', 'consideration']), amount })).min(1),
  tax_system_code: z.number().int().min(1).max(6).optional(),
  internet: z.boolean().optional(),
  additional_user_props: z.object({ name: z.string().max(64), value: z.string().max(256) }).optional(),
});
export type YookassaReceiptRequest = z.infer<typeof yookassaReceiptRequestSchema>;

export const yookassaReceiptSchema = z.object({
  id: z.string(),
  type: z.enum(['payment', 'refund']),
  status: z.enum(['pending', 'succeeded', 'canceled']),
  fiscal_document_number: z.string().optional(),
  fiscal_storage_number: z.string().optional(),
  fiscal_attribute: z.string().optional(),
  registered_at: z.string().optional(),
});
export type YookassaReceipt = z.infer<typeof yookassaReceiptSchema>;

export const yookassaErrorSchema = z.object({
  type: z.literal('error'),
  id: z.string().optional(),
  code: z.string(),
  description: z.string().optional(),
  parameter: z.string().optional(),
});

/** HTTP 202 "still processing": repeat the same request with the same key after retry_after ms. */
export const yookassaProcessingSchema = z.object({
  type: z.string(),
  description: z.string().optional(),
  retry_after: z.number().min(0).optional(),
});
