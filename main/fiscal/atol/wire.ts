// ATOL Online v5 wire schemas (reference: providers.md §2.4). One schema per message; the report is
// parsed leniently (unknown fields kept out, missing optional fields tolerated).
import { z } from 'zod';

export const atolErrorSchema = z.object({
  error_id: z.string().optional(),
  code: z.number().int(),
  text: z.string().default(''),
  type: z.string().optional(),
});

export const atolTokenResponseSchema = z.object({
  token: z.string().nullable().optional(),
  timestamp: z.string().optional(),
  error: atolErrorSchema.nullable().optional(),
});

export const atolRegisterResponseSchema = z.object({
  uuid: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  timestamp: z.string().optional(),
  error: atolErrorSchema.nullable().optional(),
});

export const atolReportSchema = z.object({
  uuid: z.string(),
  status: z.enum(['wait', 'done', 'fail']),
  external_id: z.string().nullable().optional(),
  error: atolErrorSchema.nullable().optional(),
  payload: z.object({
    fiscal_receipt_number: z.union([z.number(), z.string()]).optional(),
    fiscal_document_number: z.union([z.number(), z.string()]).optional(),
    fiscal_document_attribute: z.union([z.number(), z.string()]).optional(),
    fn_number: z.string().optional(),
    receipt_datetime: z.string().optional(),
    ofd_receipt_url: z.string().optional(),
    total: z.number().optional(),
  }).nullable().optional(),
});
export type AtolReport = z.infer<typeof atolReportSchema>;

const money = z.number().min(0).max(42_949_672.95);

export const atolItemSchema = z.object({
  name: z.string().min(1).max(128),
  price: money,
  quantity: z.number().positive().max(99_999.999),
  measure: z.number().int(),
  sum: money,
  payment_method: z.string(),
  payment_object: z.number().int(),
  vat: z.object({ type: z.string(), sum: money.optional() }),
});

export const atolRegisterRequestSchema = z.object({
  external_id: z.string().min(1).max(128),
  timestamp: z.string().regex(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/),
  receipt: z.object({
    client: z.object({ email: z.string().optional(), phone: z.string().optional() }),
    company: z.object({ email: z.string(), sno: z.string(), inn: z.string(), payment_address: z.string() }),
    items: z.array(atolItemSchema).min(1).max(100),
    payments: z.array(z.object({ type: z.number().int().min(0).max(9), sum: money })).min(1).max(10),
    vats: z.array(z.object({ type: z.string(), sum: money.optional() })).max(6).optional(),
    total: money,
    internet: z.boolean().optional(),
    cashier: z.string().optional(),
    additional_check_props: z.string().max(16).optional(),
    additional_user_props: z.object({ name: z.string().max(64), value: z.string().max(256) }).optional(),
  }),
});
export type AtolRegisterRequest = z.infer<typeof atolRegisterRequestSchema>;

/** ATOL's "a document with this external_id already exists" error code (v4/v5 practice; docs/fiscal.md). */
export const ATOL_ALREADY_EXISTS = 10;
/** Token missing / expired / wrong: get a new token once, then retry. */
export const ATOL_TOKEN_CODES: ReadonlySet<number> = new Set([11, 12, 13, 14]);
