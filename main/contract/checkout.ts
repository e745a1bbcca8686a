// API contract: checkout (payments, cancels, refunds) as the renderer and the CLI see it.
// Pure zod: shared by the core, the preload and the renderer. Types are derived from the schemas.
import { z } from 'zod';

export const kopecks = z.number().int().nonnegative().max(9_999_999_999);

export const cashierErrorSchema = z.object({
  key: z.string(),
  ru: z.string(),
  en: z.string(),
  action: z.enum(['rescan', 'retry', 'other_method', 'call_admin', 'wait', 'check_status', 'fix_config', 'none']),
  severity: z.enum(['info', 'warning', 'error']),
  details: z.string().optional(),
});
export type CashierErrorView = z.infer<typeof cashierErrorSchema>;

export const saleLineSchema = z.object({
  name: z.string().min(1).max(256),
  article: z.string().min(1).max(64),
  priceKop: kopecks,
  /** Whole units of `measure` (pieces, grams…); fractional only for piece-less measures. */
  quantity: z.number().positive().max(1_000_000),
  measure: z.string().min(1).default('PIECE'),
  tax: z.string().min(1).default('vat20'),
  discountKop: kopecks.default(0),
});
export type SaleLine = z.infer<typeof saleLineSchema>;
export type SaleLineInput = z.input<typeof saleLineSchema>;

export const cardSchema = z.object({
  loyaltyId: z.string().min(1).max(36),
  /** A one-time payment token the card carried; absent on plain loyalty cards (no scanned-token payment then). */
  payToken: z.string().min(1).max(32).optional(),
});
export type CardView = z.infer<typeof cardSchema>;

export const orderIdSchema = z.string().min(1).max(36).regex(/^[\w.\-:/]+$/, 'letters, digits and . - _ : / only');

const basketFields = {
  orderId: orderIdSchema,
  /** Either amount alone (one line "Покупка"), or lines (amount must then equal their total). */
  amountKop: kopecks.optional(),
  lines: z.array(saleLineSchema).min(1).max(500).optional(),
  /** The scanned customer card; absent when the method needs no scan (a card terminal). */
  card: cardSchema.optional(),
  /** The provider to pay through; absent: the one that offers `paymentType` (method ids are unique). */
  provider: z.string().min(1).max(32).optional(),
};

export const availabilityInputSchema = z.object(basketFields).refine((v) => v.amountKop !== undefined || v.lines !== undefined, 'amountKop or lines is required');
export type AvailabilityInput = z.input<typeof availabilityInputSchema>;

export const availabilityResultSchema = z.object({
  /** The provider asks to start its first available method at once. */
  providerIsDefault: z.boolean(),
  methods: z.array(z.object({ paymentType: z.string(), available: z.boolean(), message: z.string().optional(), known: z.boolean() })),
  /** The method to start at once (providerIsDefault and one available), or null: the cashier chooses. */
  autoStart: z.string().nullable(),
});
export type AvailabilityResult = z.infer<typeof availabilityResultSchema>;

export const payInputSchema = z.object({ ...basketFields, paymentType: z.string().min(1).max(36) })
  .refine((v) => v.amountKop !== undefined || v.lines !== undefined, 'amountKop or lines is required');
export type PayInput = z.input<typeof payInputSchema>;

export const refundInputSchema = z.object({
  /** The payment to refund: local operation id. */
  paymentOperationId: z.string().min(1),
  /** Whole payment when both are absent. */
  amountKop: kopecks.optional(),
  lines: z.array(z.object({ lineNo: z.number().int().nonnegative(), quantity: z.number().positive() })).min(1).optional(),
  /** Client-generated key so a double press or a retried call is one refund. */
  clientRequestKey: z.string().min(1).max(64).optional(),
});
export type RefundInput = z.input<typeof refundInputSchema>;

/** An extra charge on a paid payment whose basket grew: a new payment of the same sale, linked to it. */
export const extraChargeInputSchema = z.object({
  paymentOperationId: z.string().min(1),
  amountKop: kopecks.min(1),
  /** Client-generated key so a double press or a retried call is one extra charge. */
  clientRequestKey: z.string().min(1).max(64).optional(),
});
export type ExtraChargeInput = z.input<typeof extraChargeInputSchema>;

export const slipViewSchema = z.object({
  slipId: z.string().nullable(),
  orderId: z.string().nullable(),
  paymentTransactionId: z.string().nullable(),
  refundTransactionId: z.string().nullable(),
  paymentType: z.string().nullable(),
  operationDateTime: z.string().nullable(),
  /** The provider's own ids on the slip, labelled by the provider (docs/providers.md "refs"). */
  refs: z.array(z.object({ key: z.string(), label: z.string(), value: z.string(), /** false: internal, not printed on the customer's receipt. */ receipt: z.boolean().optional() })),
  totalAmountKop: z.number().nullable(),
  currency: z.string().nullable(),
});
export type SlipView = z.infer<typeof slipViewSchema>;

/** A step the customer takes on their own device: the till shows the payload (a payment link) as a QR. */
export const customerActionSchema = z.object({
  kind: z.literal('qr'),
  payload: z.string().min(1).max(4096),
  /** One short Russian line under the QR, e.g. «Отсканируйте QR-код камерой телефона». */
  hintRu: z.string().max(200),
});
export type CustomerActionView = z.infer<typeof customerActionSchema>;

/**
 * The fiscal receipt of a paid sale or a done refund, as the cashier sees it without waiting: «Чек пробит»,
 * «Чек в очереди», «Чек не пробит: …». null: the operation needs no receipt (not paid, or not a sale/refund).
 */
export const receiptViewSchema = z.object({
  /** none: Paydesk sends no receipt for it (the provider fiscalizes itself, or fiscalization is off). */
  state: z.enum(['none', 'queued', 'retrying', 'done', 'failed']),
  textRu: z.string(),
  documentNumber: z.string().optional(),
  fiscalSign: z.string().optional(),
  /** ISO time of the next send attempt while retrying. */
  nextAttemptAt: z.string().optional(),
  attempts: z.number().int().nonnegative().default(0),
  /** The outbox job (queue.retry), or null when there is none. */
  jobId: z.number().int().nullable().default(null),
  error: cashierErrorSchema.nullable().default(null),
  /** Money moved and the receipt did not go: offer «Допробить чек / повторить печать», never a second payment. */
  canFinish: z.boolean().default(false),
});
export type ReceiptView = z.infer<typeof receiptViewSchema>;

export const operationKindSchema = z.enum(['payment', 'cancel', 'refund']);
export const outcomeSchema = z.enum(['paid', 'rejected', 'canceled', 'failed', 'refunded', 'refund_rejected', 'cancel_rejected', 'not_found']);
export type Outcome = z.infer<typeof outcomeSchema>;

export const operationLineSchema = z.object({
  lineNo: z.number().int(),
  name: z.string(),
  article: z.string(),
  priceKop: z.number().int(),
  quantity: z.number(),
  measure: z.string(),
  totalKop: z.number().int(),
  tax: z.string(),
});

export const operationViewSchema = z.object({
  id: z.string(),
  kind: operationKindSchema,
  provider: z.string(),
  /** The provider's Russian title (registry). */
  providerTitle: z.string(),
  parentId: z.string().nullable(),
  orderId: z.string(),
  amountKop: z.number().int(),
  /** The currency of amountKop (ISO 4217; minor units of it): a foreign acquirer charges in its own. Absent: RUB. */
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  /** The state machine's state, e.g. 'awaiting_status'. */
  phase: z.string(),
  /** Short Russian status line for the cashier. */
  phaseText: z.string(),
  isFinal: z.boolean(),
  outcome: outcomeSchema.nullable(),
  requestId: z.string(),
  transactionId: z.string().nullable(),
  refTransactionId: z.string().nullable(),
  paymentType: z.string().nullable(),
  loyaltyId: z.string().nullable(),
  error: cashierErrorSchema.nullable(),
  slip: slipViewSchema.nullable(),
  lines: z.array(operationLineSchema),
  cancellable: z.boolean(),
  /** For paid payments: how much can still be refunded. */
  refundableKop: z.number().int().nullable(),
  /**
   * A paid sale whose provider takes extra charges (`sale.extraCharge`): when the basket grew after payment the
   * screen offers one. A neutral capability; false on extra charges themselves, refunds and unpaid payments.
   */
  extraChargeable: z.boolean().optional(),
  shiftId: z.number().int().nullable(),
  recovered: z.boolean(),
  /** Started on another Pay API connection: not resumed, not finished, needs IT (docs/safety.md). */
  held: z.boolean().optional(),
  /** Parked by the cashier: resolved in the background; an end as paid is flagged for the manager. */
  parked: z.boolean().optional(),
  /** A cancel was asked for and will be sent as soon as the payment can be cancelled. */
  cancelQueued: z.boolean().optional(),
  /** Not final and the till does not know yet whether money moved: take no other payment, hand over nothing. */
  outcomeUnknown: z.boolean().optional(),
  /** What the customer must do now, shown by the till (a payment QR to scan); null: nothing to show. */
  customerAction: customerActionSchema.nullable().default(null),
  /** The fiscal receipt's state (paid sales and done refunds); null when none is due. */
  receipt: receiptViewSchema.nullable().default(null),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type OperationView = z.infer<typeof operationViewSchema>;

export const operationQuerySchema = z.object({
  orderId: z.string().optional(),
  transactionId: z.string().optional(),
  /** yyyy-mm-dd, local date of the till. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  kind: operationKindSchema.optional(),
  limit: z.number().int().min(1).max(1000).default(200),
});
export type OperationQuery = z.input<typeof operationQuerySchema>;

/** The issuing side of a customer's card: a Russian bank's or a foreign one (routing to the bank that takes it). */
export const cardOriginSchema = z.enum(['russian', 'foreign']);
export type CardOrigin = z.infer<typeof cardOriginSchema>;
/** The question asked when a till takes cards of both origins through different acquirers. */
export const CARD_ORIGIN_QUESTION_RU = 'Карта российского банка или иностранного?';

/** A payment method the cashier can choose: from the provider registry and the config, in config order. */
export const paymentMethodViewSchema = z.object({
  provider: z.string(),
  providerTitle: z.string(),
  /** The method id (the operation's paymentType). */
  method: z.string(),
  titleRu: z.string(),
  /** The customer must scan a card carrying a pay token first. */
  needsCardScan: z.boolean(),
  /** Configured and not blocked: sales may start. */
  ready: z.boolean(),
  problem: cashierErrorSchema.nullable(),
  /** The method the shop nudges the customer towards: offered first and larger (e.g. SBP before a card). Absent: false. */
  primary: z.boolean().optional(),
  /**
   * Which cards the method takes, by the issuing bank's country; absent: not a card question. Methods of
   * both origins on one till make the screen ask CARD_ORIGIN_QUESTION_RU over them (docs/banks.md, Routing).
   */
  cardOrigin: cardOriginSchema.optional(),
  /** The currency the method charges in (ISO 4217). Absent: RUB. */
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
});
export type PaymentMethodView = z.infer<typeof paymentMethodViewSchema>;

/** The sale screen's taxes and measures (config `sale`). */
export const saleCatalogueSchema = z.object({ taxes: z.array(z.string()), measures: z.array(z.string()) });
export type SaleCatalogueView = z.infer<typeof saleCatalogueSchema>;
