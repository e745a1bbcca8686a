// The provider-neutral fiscal receipt (54-FZ, FFD 1.2): what a connector turns into its own wire format.
// Money is integer kopecks; quantities are decimals of their measure (FFD allows 1.125 kg). Enumerations
// and their ATOL / ЮKassa codes are in one table each, so a connector only looks them up.
import { z } from 'zod';

/** VAT rates (FFD tag 1199) including the 2025 (5 %, 7 %) and 2026 (22 %) ones; vat20/vat120 are pre-2026. */
export const VAT_RATES = ['none', 'vat0', 'vat5', 'vat7', 'vat10', 'vat20', 'vat22', 'vat105', 'vat107', 'vat110', 'vat120', 'vat122'] as const;
export const vatRateSchema = z.enum(VAT_RATES);
export type VatRate = z.infer<typeof vatRateSchema>;

/** ЮKassa vat_code per rate; ATOL uses the rate name itself as vat.type. */
export const YOOKASSA_VAT_CODE: Record<VatRate, number> = {
  none: 1, vat0: 2, vat10: 3, vat20: 4, vat110: 5, vat120: 6, vat5: 7, vat7: 8, vat105: 9, vat107: 10, vat22: 11, vat122: 12,
};

/** Rate as a fraction of the gross sum (for the VAT amount ATOL asks for); null when no VAT is charged. */
const VAT_SHARE: Record<VatRate, [number, number] | null> = {
  none: null, vat0: [0, 1], vat5: [5, 105], vat7: [7, 107], vat10: [10, 110], vat20: [20, 120], vat22: [22, 122],
  vat105: [5, 105], vat107: [7, 107], vat110: [10, 110], vat120: [20, 120], vat122: [22, 122],
};

/** VAT included in a gross sum, rounded half up to the kopeck. */
export function vatAmountKop(rate: VatRate, grossKop: number): number {
  const share = VAT_SHARE[rate];
  if (share === null) return 0;
  return Math.floor((grossKop * share[0] * 2 + share[1]) / (share[1] * 2));
}

/** Признак способа расчёта (tag 1214); a till sale is `full_payment`. */
export const PAYMENT_METHODS = ['full_prepayment', 'prepayment', 'advance', 'full_payment', 'partial_payment', 'credit', 'credit_payment'] as const;
export const paymentMethodSchema = z.enum(PAYMENT_METHODS);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;
/** ЮKassa spells the FFD code-2 value differently from ATOL. */
export const YOOKASSA_PAYMENT_MODE: Record<PaymentMethod, string> = {
  full_prepayment: 'full_prepayment', prepayment: 'partial_prepayment', advance: 'advance', full_payment: 'full_payment',
  partial_payment: 'partial_payment', credit: 'credit', credit_payment: 'credit_payment',
};

/** Признак предмета расчёта (tag 1212): the FFD 1.2 code ATOL sends and ЮKassa's string, for the subjects a till sells. */
export const PAYMENT_OBJECTS = {
  commodity: { ffd: 1, yookassa: 'commodity' },
  excise: { ffd: 2, yookassa: 'excise' },
  job: { ffd: 3, yookassa: 'job' },
  service: { ffd: 4, yookassa: 'service' },
  payment: { ffd: 12, yookassa: 'payment' },
  another: { ffd: 13, yookassa: 'another' },
  non_marked_excise: { ffd: 30, yookassa: 'non_marked_excise' },
  marked_excise: { ffd: 31, yookassa: 'marked_excise' },
  non_marked: { ffd: 32, yookassa: 'non_marked' },
  marked: { ffd: 33, yookassa: 'marked' },
} as const;
export type PaymentObject = keyof typeof PAYMENT_OBJECTS;
export const paymentObjectSchema = z.enum(Object.keys(PAYMENT_OBJECTS) as [PaymentObject, ...PaymentObject[]]);

/** Мера количества (tag 2108): FFD code per ЮKassa name. */
export const MEASURES = {
  piece: 0, gram: 10, kilogram: 11, ton: 12, centimeter: 20, decimeter: 21, meter: 22, square_centimeter: 30, square_decimeter: 31,
  square_meter: 32, milliliter: 40, liter: 41, cubic_meter: 42, kilowatt_hour: 50, gigacalorie: 51, day: 70, hour: 71, minute: 72,
  second: 73, kilobyte: 80, megabyte: 81, gigabyte: 82, terabyte: 83, another: 255,
} as const;
export type Measure = keyof typeof MEASURES;
export const measureSchema = z.enum(Object.keys(MEASURES) as [Measure, ...Measure[]]);

/** Koshelek's basket measure names (PIECE, KILOGRAM, OTHER, ...) onto the FFD measure. */
export function measureFromBasket(name: string): Measure | null {
  const lower = name.trim().toLowerCase();
  if (lower === 'other') return 'another';
  return lower in MEASURES ? (lower as Measure) : null;
}

export const TAX_SYSTEMS = ['osn', 'usn_income', 'usn_income_outcome', 'esn', 'patent'] as const;
export const taxSystemSchema = z.enum(TAX_SYSTEMS);
export const YOOKASSA_TAX_SYSTEM: Record<z.infer<typeof taxSystemSchema>, number> = { osn: 1, usn_income: 2, usn_income_outcome: 3, esn: 5, patent: 6 };

const kop = z.number().int().min(0).max(4_294_967_295);

export const receiptLineSchema = z.object({
  name: z.string().min(1).max(128),
  /** Unit price, kopecks. */
  priceKop: kop,
  quantity: z.number().positive().max(99_999.999),
  /** Line total after discounts, kopecks (what the customer pays for the line). */
  sumKop: kop,
  measure: measureSchema,
  vat: vatRateSchema,
  paymentMethod: paymentMethodSchema,
  paymentObject: paymentObjectSchema,
});
export type ReceiptLine = z.infer<typeof receiptLineSchema>;

/** Koshelek Pay ids for the customer's receipt and the fiscal receipt's additional fields. */
export const koshelekBlockSchema = z.object({
  orderId: z.string().min(1),
  paymentTransactionId: z.string().min(1).optional(),
  refundTransactionId: z.string().min(1).optional(),
  paymentType: z.string().min(1).optional(),
  qrcId: z.string().min(1).optional(),
  kzo: z.string().min(1).optional(),
});
export type KoshelekBlock = z.infer<typeof koshelekBlockSchema>;

export const fiscalReceiptSchema = z.object({
  /** sell = приход, sell_refund = возврат прихода. */
  operation: z.enum(['sell', 'sell_refund']),
  /** Our own id of the sale or refund operation: ATOL external_id, the ЮKassa Idempotence-Key's source. */
  externalId: z.string().min(1).max(128),
  /** For a refund: the sale's externalId. */
  parentExternalId: z.string().min(1).max(128).optional(),
  createdAt: z.string(),
  lines: z.array(receiptLineSchema).min(1).max(100),
  /** Paid without cash (Koshelek Pay, card terminal); cash stays cash. */
  payments: z.array(z.object({ type: z.enum(['cashless', 'cash']), sumKop: kop })).min(1).max(10),
  customer: z.object({ email: z.string().email().max(64).optional(), phone: z.string().min(5).max(64).optional() }).default({}),
  cashier: z.string().max(64).optional(),
  koshelek: koshelekBlockSchema.optional(),
}).superRefine((r, ctx) => {
  const lines = r.lines.reduce((s, l) => s + l.sumKop, 0);
  const paid = r.payments.reduce((s, p) => s + p.sumKop, 0);
  if (lines !== paid) ctx.addIssue({ code: 'custom', path: ['payments'], message: `payments ${paid} differ from the lines' total ${lines}` });
  if (r.operation === 'sell_refund' && r.parentExternalId === undefined) ctx.addIssue({ code: 'custom', path: ['parentExternalId'], message: 'a refund receipt names its sale' });
});
export type FiscalReceipt = z.infer<typeof fiscalReceiptSchema>;

export const totalKop = (r: FiscalReceipt): number => r.lines.reduce((s, l) => s + l.sumKop, 0);

/** The Koshelek block as one "name=value" text for a connector's additional receipt field (tag 1192 / 1084). */
export function koshelekBlockText(block: KoshelekBlock): string {
  const parts: string[] = [`orderId=${block.orderId}`];
  if (block.paymentTransactionId) parts.push(`paymentTransactionId=${block.paymentTransactionId}`);
  if (block.refundTransactionId) parts.push(`refundTransactionId=${block.refundTransactionId}`);
  if (block.paymentType) parts.push(`paymentType=${block.paymentType}`);
  if (block.qrcId) parts.push(`qrcId=${block.qrcId}`);
  if (block.kzo) parts.push(`kzo=${block.kzo}`);
  return parts.join(';');
}

/** Minor units to the "123.45" text ЮKassa wants; ATOL takes the same value as a JSON number. */
export function rubles(kopecks: number): string {
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(kopecks);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The fiscal registration a connector reports for a done receipt. */
export const fiscalRegistrationSchema = z.object({
  provider: z.enum(['atol', 'yookassa']),
  remoteId: z.string(),
  fiscalDocumentNumber: z.string().optional(),
  fiscalSign: z.string().optional(),
  fiscalStorageNumber: z.string().optional(),
  registeredAt: z.string().optional(),
  ofdUrl: z.string().optional(),
});
export type FiscalRegistration = z.infer<typeof fiscalRegistrationSchema>;
