// The fiscal receipt's facts a payment provider may want for its own copy (Koshelek's optional receipt
// endpoint shows it in the customer's app): neutral, filled by the fiscal wiring from the journal and the
// registered receipt; each provider maps them onto its own wire format (docs/fiscal.md).
import { z } from 'zod';

const kop = z.number().int().nonnegative();

export const receiptFactsSchema = z.object({
  kind: z.literal('fiscal_receipt_facts'),
  receiptType: z.enum(['debit', 'refund']),
  /** Our operation id (the fiscal receipt's externalId). */
  receiptId: z.string().min(1).max(36),
  dateTime: z.string().min(1),
  shift: z.string().min(1).max(32),
  cashier: z.string().min(1).max(256),
  seller: z.object({ name: z.string().min(1), address: z.string().min(1), inn: z.string().min(10).max(12) }),
  totalAmountKop: kop,
  lines: z.array(z.object({
    name: z.string().min(1), article: z.string().min(1), priceKop: kop, quantity: z.number().positive(), measure: z.string(),
    totalKop: kop, discountKop: kop, subtotalKop: kop, tax: z.string().min(1),
  })).min(1),
  fiscal: z.object({ documentNumber: z.string().optional(), fiscalSign: z.string().optional(), storageNumber: z.string().optional() }),
});
export type ReceiptFacts = z.infer<typeof receiptFactsSchema>;
