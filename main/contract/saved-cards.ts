// Card binding and saved cards on the API (docs/banks.md "Binding and saved cards"). The customer is the
// scanned loyalty id; a card is named by our own opaque id, never by the bank's card id. Pure zod, no Node.
import { z } from 'zod';
import { cardSchema, kopecks, operationViewSchema, orderIdSchema, saleLineSchema } from './checkout';

const customerIdSchema = z.string().trim().min(1).max(36);
const savedCardIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'a saved card id');

export const savedCardViewSchema = z.object({
  id: savedCardIdSchema,
  provider: z.string(),
  providerTitle: z.string(),
  customerId: z.string(),
  /** When the card was bound (ISO). */
  createdAt: z.string(),
});
export type SavedCardView = z.infer<typeof savedCardViewSchema>;

export const savedCardListSchema = z.object({
  cards: z.array(savedCardViewSchema),
  /** Who takes a binding now and its verification charge (refunded at once); null: binding not offered. */
  binding: z.object({ provider: z.string(), providerTitle: z.string(), amountKop: kopecks }).nullable(),
});
export type SavedCardList = z.infer<typeof savedCardListSchema>;

export const SAVED_CARD_METHODS = {
  /** A customer's saved cards (not unbound) and whether a binding can start. */
  'savedCards.list': { input: z.object({ loyaltyId: customerIdSchema }), output: savedCardListSchema },
  /** «Привязать карту»: a journaled payment of the verification charge; the card is saved and the charge refunded once paid. */
  'savedCards.bind': {
    input: z.object({ orderId: orderIdSchema, card: cardSchema, provider: z.string().min(1).max(32).optional() }),
    output: operationViewSchema,
  },
  /** A sale paid by a saved card of the scanned customer (refused when the card is not theirs or was unbound). */
  'savedCards.pay': {
    input: z.object({ orderId: orderIdSchema, amountKop: kopecks.optional(), lines: z.array(saleLineSchema).min(1).max(500).optional(), card: cardSchema, savedCardId: savedCardIdSchema })
      .refine((v) => v.amountKop !== undefined || v.lines !== undefined, 'amountKop or lines is required'),
    output: operationViewSchema,
  },
  /** Unbinding (the manager's, Payments section): the card is no longer offered; local, the bank has no delete API. */
  'savedCards.unbind': { input: z.object({ loyaltyId: customerIdSchema, savedCardId: savedCardIdSchema }), output: z.object({ unbound: z.literal(true) }) },
} as const;
