// Tochka API v2 wire shapes (docs/providers.md, "Tochka"): every body is {"Data": …}; errors carry
// code / message / Errors[]. One zod schema per contract; amounts are rubles (decimal) except the SBP
// cashbox QR, which counts kopecks.
import { z } from 'zod';

export const envelope = <T extends z.ZodType>(data: T) => z.object({ Data: data }).loose();

export const errorBodySchema = z.object({
  code: z.union([z.string(), z.number()]).optional(),
  id: z.string().optional(),
  message: z.string().optional(),
  Errors: z.array(z.object({ errorCode: z.string().optional(), message: z.string().optional() }).loose()).optional(),
}).loose();

export const customerSchema = z.object({
  customerCode: z.string(),
  customerType: z.string(),
  isResident: z.boolean().optional(),
  shortName: z.string().optional(),
  fullName: z.string().optional(),
}).loose();
export const customersSchema = envelope(z.object({ Customer: z.array(customerSchema) }));
export type TochkaCustomer = z.output<typeof customerSchema>;

export const retailerSchema = z.object({
  status: z.string(),
  isActive: z.boolean(),
  name: z.string().optional(),
  merchantId: z.string().optional(),
  terminalId: z.string().optional(),
  paymentModes: z.array(z.string()).optional(),
  cashbox: z.string().nullable().optional(),
}).loose();
export const retailersSchema = envelope(z.object({ Retailer: z.array(retailerSchema) }));
export type TochkaRetailer = z.output<typeof retailerSchema>;

export const PAYMENT_STATUSES = ['CREATED', 'APPROVED', 'ON-REFUND', 'REFUNDED', 'EXPIRED', 'REFUNDED_PARTIALLY', 'AUTHORIZED', 'WAIT_FULL_PAYMENT'] as const;

export const orderEntrySchema = z.object({ orderId: z.string(), type: z.string(), amount: z.number(), time: z.string().optional() }).loose();

export const operationSchema = z.object({
  customerCode: z.string().optional(),
  operationId: z.string().min(1),
  paymentLink: z.string().optional(),
  amount: z.union([z.number(), z.string()]),
  status: z.string(),
  createdAt: z.string().optional(),
  paymentType: z.string().nullable().optional(),
  paymentLinkId: z.string().nullable().optional(),
  consumerId: z.string().nullable().optional(),
  purpose: z.string().optional(),
  Order: z.array(orderEntrySchema).optional(),
}).loose();
export type TochkaOperation = z.output<typeof operationSchema>;

export const operationInfoSchema = envelope(z.object({ Operation: z.array(operationSchema) }));
export const operationListSchema = z.object({
  Data: z.object({ Operation: z.array(operationSchema) }),
  Meta: z.object({ totalPages: z.number().int().min(0) }).loose().optional(),
}).loose();

export const createResponseSchema = envelope(operationSchema);

export const refundResponseSchema = envelope(z.object({ isRefund: z.boolean(), operationId: z.string(), amount: z.union([z.number(), z.string()]), orderId: z.string().optional() }).loose());

export const qrActivateResponseSchema = envelope(z.object({ qrcId: z.string(), amount: z.number().int(), paramsId: z.string() }).loose());
export const qrOperationSchema = envelope(z.object({
  qrCodeStatus: z.enum(['DEACTIVATED', 'WAITING_PAYMENT', 'IN_PROGRESS']),
  trxStatus: z.enum(['ACWP', 'RJCT', 'RCVD', 'NTST']),
  trxId: z.string().nullable().optional(),
  amount: z.number().int().nullable().optional(),
}).loose());
/** QR info: the current activation's paramsId and purpose (where our reference is written). */
export const qrInfoSchema = envelope(z.object({
  qrcId: z.string(),
  paramsId: z.string().nullable().optional(),
  paymentPurpose: z.string().nullable().optional(),
  amount: z.number().int().nullable().optional(),
}).loose());
export const qrDeactivateSchema = envelope(z.object({ result: z.boolean() }).loose());

/** The acquiringInternetPayment webhook payload (a JWT's claims); amount is a string of rubles. */
export const webhookPayloadSchema = z.object({
  webhookType: z.string(),
  operationId: z.string().min(1),
  status: z.string(),
  amount: z.string().optional(),
  paymentLinkId: z.string().optional(),
  customerCode: z.string().optional(),
}).loose();

/** Rubles on the wire ↔ kopecks here. Refuses fractions of a kopeck rather than rounding money away. */
export function rublesToMinor(value: number | string): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  if (!Number.isFinite(n) || n < 0) return null;
  const minor = Math.round(n * 100);
  return Math.abs(minor - n * 100) < 1e-6 ? minor : null;
}

export function minorToRubles(minor: number): number {
  return Number((minor / 100).toFixed(2));
}
