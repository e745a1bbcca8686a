// Koshelek Pay API v1.2.1 wire contract: one zod schema per request and response body.
// The client validates responses with these; the emulator validates requests with them.
// Reference: ../shared/reference/koshelek-pay-api.md §2, §7 and Appendix A.
//
// Response schemas are lenient on purpose (§1.6 forward compatibility): unknown fields are stripped,
// enum-typed fields are plain strings here and are classified against the configured enum lists by
// the mapping layer, so a new server value is logged and handled, never a crash.
import { z } from 'zod';

export const API_PREFIX = '/api/v1/merchant';

export const ENDPOINTS = {
  availability: `${API_PREFIX}/availability-info/task`,
  availabilityPoll: `${API_PREFIX}/availability-info/`, // + {availabilityInfoId}
  checkout: `${API_PREFIX}/checkout`,
  status: `${API_PREFIX}/transaction/status`,
  receipt: `${API_PREFIX}/transaction/receipt`,
  cancel: `${API_PREFIX}/transaction/cancel`,
  refund: `${API_PREFIX}/transaction/refund`,
} as const;
export type EndpointName = keyof typeof ENDPOINTS;

/** Endpoints that carry the `token` header (§1.3, §6.5). */
export const TOKEN_ENDPOINTS: ReadonlySet<EndpointName> = new Set(['availability', 'checkout', 'refund']);

export const kopecksSchema = z.number().int().nonnegative().max(9_999_999_999);
const requestIdSchema = z.string().min(1).max(36);
const idSchema = z.string().min(1).max(64);

export const itemSchema = z.object({
  name: z.string().min(1).max(256),
  article: z.string().min(1).max(64),
  price: kopecksSchema,
  currency: z.string().optional(),
  quantity: z.number().positive(),
  measure: z.string().optional(),
  totalAmount: kopecksSchema,
  discountAmount: kopecksSchema.optional(),
  subTotalAmount: kopecksSchema.optional(),
  tax: z.string().min(1),
});
export type Item = z.infer<typeof itemSchema>;

export const checkoutInvoiceSchema = z.object({
  orderId: z.string().min(1).max(36),
  totalAmount: kopecksSchema,
  currency: z.string().optional(),
  discountAmount: kopecksSchema.optional(),
  subTotalAmount: kopecksSchema.optional(),
  items: z.array(itemSchema).min(1),
});
export type CheckoutInvoice = z.infer<typeof checkoutInvoiceSchema>;

export const userSchema = z.object({ loyaltyId: z.string().min(1).max(36) });

export const paymentMethodSchema = z.object({
  type: z.string().min(1).max(36),
  meta: z.record(z.string(), z.unknown()).optional(),
  paymentPurpose: z.string().optional(),
});

// ---- requests (what the till sends; the emulator enforces these) ----

export const availabilityRequestSchema = z.object({
  requestId: requestIdSchema,
  cardSession: z.string().min(1).max(32),
  storeId: z.string().min(1),
  terminalId: z.string().min(1).max(256),
  checkoutInvoice: checkoutInvoiceSchema,
  user: userSchema,
});
export type AvailabilityRequest = z.infer<typeof availabilityRequestSchema>;

export const checkoutRequestSchema = availabilityRequestSchema.extend({
  paymentMethods: z.array(paymentMethodSchema).min(1),
});
export type CheckoutRequest = z.infer<typeof checkoutRequestSchema>;

export const statusRequestSchema = z
  .object({ requestId: requestIdSchema, transactionId: idSchema.optional(), refTransactionId: idSchema.optional() })
  .refine((r) => r.transactionId !== undefined || r.refTransactionId !== undefined, {
    message: 'transactionId or refTransactionId is required',
  });
export type StatusRequest = z.infer<typeof statusRequestSchema>;

export const cancelRequestSchema = z.object({
  requestId: requestIdSchema,
  storeId: z.string().min(1),
  terminalId: z.string().min(1).max(256),
  transactionId: idSchema,
});
export type CancelRequest = z.infer<typeof cancelRequestSchema>;

export const refundRequestSchema = cancelRequestSchema.extend({
  refundAmount: kopecksSchema.refine((v) => v > 0, 'refundAmount must be positive'),
  currency: z.string().optional(),
  items: z.array(itemSchema).min(1),
});
export type RefundRequest = z.infer<typeof refundRequestSchema>;

export const invoiceSchema = z.object({
  orderId: z.string().min(1).max(36),
  receiptId: z.string().min(1).max(36),
  merchantName: z.string().min(1).max(999),
  merchantAddress: z.string().min(1).max(999),
  inn: z.string().length(12),
  dateTime: z.string().min(1),
  shift: z.string().min(1).max(32),
  cashier: z.string().min(1).max(256),
  taxation: z.string().optional(),
  kktRegNumber: z.string().max(64).optional(),
  fnNumber: z.string().max(64).optional(),
  fpd: z.string().max(64).optional(),
  fdNumber: z.string().max(64).optional(),
  website: z.string().max(64).optional(),
  receiptType: z.enum(['debit', 'credit', 'refund']),
  totalAmount: kopecksSchema,
  discountAmount: kopecksSchema.optional(),
  subTotalAmount: kopecksSchema.optional(),
  taxAmount: kopecksSchema.optional(),
  currency: z.string().optional(),
  qr: z.string().max(999).optional(),
  items: z.array(itemSchema).min(1),
});
export const receiptRequestSchema = z.object({
  requestId: requestIdSchema,
  transactionId: idSchema,
  storeId: z.string().min(1),
  terminalId: z.string().min(1).max(256),
  invoice: invoiceSchema,
  meta: z.record(z.string(), z.unknown()).optional(),
});
export type ReceiptRequest = z.infer<typeof receiptRequestSchema>;

// ---- responses (what Koshelek answers; lenient, unknown fields stripped) ----
// Every string is capped: a hostile or broken server cannot make the till journal or show megabytes.

/** Identifiers, enum-like values and codes. */
const short = z.string().max(64);
/** Slip fields, names. */
const field = z.string().max(256);
/** Free texts (details, messages). */
const text = z.string().max(1024);

export const slipSchema = z.object({
  id: field.optional(),
  paymentType: short.optional(),
  storeId: field.optional(),
  terminalId: field.optional(),
  orderId: field.optional(),
  paymentTransactionId: short.optional(),
  refundTransactionId: short.optional(),
  merchantId: field.optional(),
  operationDateTime: short.optional(),
  operationId: field.optional(),
  qrcId: field.optional(),
  kzo: z.union([field, z.number()]).transform(String).optional(),
  totalAmount: kopecksSchema.optional(),
  currency: short.optional(),
});
export type Slip = z.infer<typeof slipSchema>;

export const availabilityInfoSchema = z.object({
  paymentType: short.min(1),
  available: z.boolean(),
  message: text.optional(),
});
export const availabilitySyncResponseSchema = z.object({
  koshelekPayIsDefault: z.boolean(),
  paymentTypeAvailabilityInfoList: z.array(availabilityInfoSchema).min(1).max(32),
});
export type AvailabilitySyncResponse = z.infer<typeof availabilitySyncResponseSchema>;

export const availabilityAsyncResponseSchema = z.object({
  availabilityInfoId: short.min(1),
  timeout: z.number().int().nonnegative().optional(),
});
export const availabilityPollResponseSchema = z.object({
  availabilityInfoId: short.optional(),
  computationComplete: z.boolean(),
  pollingTimeout: z.number().int().nonnegative().optional(),
  koshelekPayIsDefault: z.boolean().optional(),
  paymentTypeAvailabilityInfoList: z.array(availabilityInfoSchema).max(32).optional(),
});
export type AvailabilityPollResponse = z.infer<typeof availabilityPollResponseSchema>;

export const checkoutResponseSchema = z.object({
  requestId: short.optional(),
  transactionId: short.min(1),
  status: short,
  slip: slipSchema.optional(),
  errorCode: short.optional(),
});
export type CheckoutResponse = z.infer<typeof checkoutResponseSchema>;

export const statusResponseSchema = z.object({
  requestId: short.optional(),
  transactionId: short.optional(),
  refTransactionId: short.optional(),
  status: short.optional().default(''),
  paymentGroup: short.optional(),
  paymentProvider: field.optional(),
  slip: slipSchema.optional(),
  refStatus: short.optional(),
  errorCode: short.optional(),
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

export const refOperationResponseSchema = z.object({
  requestId: short.optional(),
  refTransactionId: short.optional(),
  refStatus: short,
  transactionId: short.optional(),
  status: short.optional(),
  slip: slipSchema.optional(),
  errorCode: short.optional(),
  details: text.optional(),
});
export type RefOperationResponse = z.infer<typeof refOperationResponseSchema>;

/** HTTP 422 body (§5.1). */
export const apiErrorSchema = z.object({ code: short.min(1), details: text.optional() });
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

/** Postback body = the status response object (§2.8). */
export const postbackBodySchema = statusResponseSchema;
