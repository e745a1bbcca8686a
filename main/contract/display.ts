// The customer display's one channel (docs/ui.md "Customer display"): a read-only push of what the person
// paying may see — the store name, the total, the payment QR and its hint, the result. Nothing else crosses:
// no operation or order ids, no provider names, no cashier errors, no config. `.strict()` so a field added by
// mistake on the main side fails the parse instead of riding along. Pure zod, no Node.
import { z } from 'zod';
import { customerActionSchema } from './checkout';
import { currencyCodeSchema } from './currency';

export const displayStateSchema = z.enum([
  /** config customerDisplay.enabled is false: the page shows nothing of the till. */
  'off',
  /** No sale on the way: the store name. */
  'idle',
  /** The cashier is building the basket: its running total. */
  'basket',
  /** A payment runs: the total, and the QR when the customer must act. */
  'pay',
  /** «Оплачено» (shown a while after the payment ended). */
  'paid',
  /** «Оплата отклонена». */
  'declined',
]);
export type DisplayState = z.infer<typeof displayStateSchema>;

export const customerDisplayViewSchema = z.object({
  state: displayStateSchema,
  storeName: z.string().max(200),
  /** Kopecks (minor units); null when there is nothing to pay. */
  totalKop: z.number().int().nonnegative().max(99_999_999_999).nullable(),
  /**
   * The currency of totalKop while a payment is shown (pay / paid / declined): a foreign acquirer charges in
   * its own (USD, KZT). Absent: the till's currency — the typed basket total is always in it.
   */
  currency: currencyCodeSchema.optional(),
  /** The payment link to scan and its short Russian hint, only while a payment asks for it. */
  qr: customerActionSchema.strict().nullable(),
}).strict();
export type CustomerDisplayView = z.infer<typeof customerDisplayViewSchema>;

/** The only frame the display's connection ever receives. */
export const displayFrameSchema = z.object({ display: customerDisplayViewSchema }).strict();
export type DisplayFrame = z.infer<typeof displayFrameSchema>;

/** Cashier side: the basket's running total for the display (the core has no basket until Pay). */
export const displayBasketInputSchema = z.object({ totalKop: z.number().int().nonnegative().max(99_999_999_999) }).strict();

export { DISPLAY_PAGE } from './display-page';
/** Electron: the main process pushes display frames to the display window on this channel. */
export const IPC_DISPLAY = 'paydesk:display';
