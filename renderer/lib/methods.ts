// The sale screen's method list, computed from the registry's methods (`sale.methods`), the scanned
// card's payment token and what the provider's availability check said. Pure: the screen renders it.
import type { AvailabilityResult, CardOrigin, CashierErrorView, PaymentMethodView, SaleLineInput } from '../../main/contract/checkout';

/** What a payment is started with: the provider (null: the core picks the one offering the method) and the method. */
export interface Tender {
  provider: string | null;
  method: string;
  /** Paid with the scanned card's one-time token (the customer confirms on the phone), or not (a terminal). */
  needsCardScan: boolean;
  /** Paid by this saved card of the scanned customer (`savedCards.pay`); `provider` is the card's. */
  savedCardId?: string;
}

/** What a Pay press (or the error panel's retry of it) sends: the same tender always makes the same call. */
export type PayRequest =
  | { method: 'savedCards.pay'; input: { orderId: string; amountKop?: number; lines?: SaleLineInput[]; card: { loyaltyId: string }; savedCardId: string } }
  | { method: 'sale.pay'; input: { orderId: string; amountKop?: number; lines?: SaleLineInput[]; card?: { loyaltyId: string; payToken: string }; paymentType: string; provider?: string } };

/**
 * The request for a tender, or null when it cannot be made now (a token method without a fresh token, a saved
 * card without the scanned customer). A saved card always goes to `savedCards.pay` — `saved_card` is no method
 * of `sale.pay`. The sale's orderId is the intent's key for both calls: a retry with it never charges twice.
 */
export function payRequest(
  tender: Tender, orderId: string, basket: { amountKop?: number; lines?: SaleLineInput[] },
  card: { loyaltyId: string; payToken?: string | null } | null,
): PayRequest | null {
  if (tender.savedCardId !== undefined) {
    return card ? { method: 'savedCards.pay', input: { orderId, ...basket, card: { loyaltyId: card.loyaltyId }, savedCardId: tender.savedCardId } } : null;
  }
  const token = tender.needsCardScan ? card?.payToken : undefined;
  if (tender.needsCardScan && (!card || !token)) return null;
  return {
    method: 'sale.pay',
    input: {
      orderId, ...basket,
      // A method without a scan (a terminal) is paid without the customer card (docs/ui.md).
      ...(card && token ? { card: { loyaltyId: card.loyaltyId, payToken: token } } : {}),
      paymentType: tender.method,
      ...(tender.provider ? { provider: tender.provider } : {}),
    },
  };
}

/** The scanned card's payment token: none scanned (or a plain loyalty card), fresh, or already used for a payment. */
export type TokenState = 'none' | 'fresh' | 'used';

export type ChoiceNote =
  | { kind: 'problem'; problem: CashierErrorView }
  | { kind: 'needs_scan' }
  | { kind: 'token_used' }
  | { kind: 'unavailable'; message: string | null };

export interface MethodChoice extends Tender {
  title: string;
  enabled: boolean;
  /** Why the method cannot be taken now (null when enabled). */
  note: ChoiceNote | null;
  /** The number key that takes it ('1'…'9', list order), or null past nine. */
  digit: string | null;
  /** The provider's preferred way to pay: listed first among its methods and drawn larger. */
  primary: boolean;
  /** The cards it takes by issuing country (null: no card question). */
  cardOrigin: CardOrigin | null;
}

function noteFor(m: PaymentMethodView, token: TokenState, availability: AvailabilityResult | null): ChoiceNote | null {
  if (!m.ready) {
    return { kind: 'problem', problem: m.problem ?? { key: 'provider.not_ready', ru: 'Способ сейчас недоступен', en: 'Not available now', action: 'other_method', severity: 'warning' } };
  }
  if (!m.needsCardScan) return null;
  if (token === 'none') return { kind: 'needs_scan' };
  if (token === 'used') return { kind: 'token_used' };
  // The availability check is optional: without its answer a fresh token may still be tried.
  if (!availability) return null;
  const entry = availability.methods.find((a) => a.paymentType === m.method);
  return entry?.available ? null : { kind: 'unavailable', message: entry?.message ?? null };
}

/**
 * Every configured method in config order (stable numbers for the keys), then methods the availability
 * check offers that the registry list lacks (known to the config, available): the list still works when
 * `sale.methods` could not be read.
 */
export function methodChoices(methods: readonly PaymentMethodView[], token: TokenState, availability: AvailabilityResult | null): MethodChoice[] {
  const list: Omit<MethodChoice, 'digit'>[] = primaryFirst(methods).map((m) => {
    const note = noteFor(m, token, availability);
    return {
      provider: m.provider, method: m.method, needsCardScan: m.needsCardScan, title: m.titleRu, enabled: note === null, note,
      primary: m.primary ?? false, cardOrigin: m.cardOrigin ?? null,
    };
  });
  if (availability && token === 'fresh') {
    for (const a of availability.methods) {
      if (!a.available || !a.known || methods.some((m) => m.method === a.paymentType)) continue;
      list.push({ provider: null, method: a.paymentType, needsCardScan: true, title: a.paymentType, enabled: true, note: null, primary: false, cardOrigin: null });
    }
  }
  return list.map((c, i) => ({ ...c, digit: i < 9 ? String(i + 1) : null }));
}

/** Config order of the providers kept; within one provider its primary methods come first (stable otherwise). */
function primaryFirst(methods: readonly PaymentMethodView[]): PaymentMethodView[] {
  const providers = [...new Set(methods.map((m) => m.provider))];
  return providers.flatMap((p) => {
    const own = methods.filter((m) => m.provider === p);
    return [...own.filter((m) => m.primary === true), ...own.filter((m) => m.primary !== true)];
  });
}

/** The choices split for the card-origin question, or null when they do not span both origins (no question). */
export interface OriginGroups {
  russian: MethodChoice[];
  foreign: MethodChoice[];
  /** Methods that are not a card question (a wallet, a QR service), listed as usual. */
  other: MethodChoice[];
}

export function originGroups(choices: readonly MethodChoice[]): OriginGroups | null {
  const russian = choices.filter((c) => c.cardOrigin === 'russian');
  const foreign = choices.filter((c) => c.cardOrigin === 'foreign');
  if (russian.length === 0 || foreign.length === 0) return null;
  return { russian, foreign, other: choices.filter((c) => c.cardOrigin === null) };
}

/** The tender for a method id (e.g. availability's autoStart): the registry's entry, else a scanned-token method of unknown provider. */
export function tenderFor(methods: readonly PaymentMethodView[], method: string, needsCardScan: boolean): Tender {
  const m = methods.find((x) => x.method === method && x.needsCardScan === needsCardScan) ?? methods.find((x) => x.method === method);
  return m ? { provider: m.provider, method: m.method, needsCardScan: m.needsCardScan } : { provider: null, method, needsCardScan };
}

/** The scanned-token method to pay with when the availability check cannot answer: the first ready one in config order. */
export function defaultScanMethod(methods: readonly PaymentMethodView[]): PaymentMethodView | null {
  return methods.find((m) => m.needsCardScan && m.ready) ?? null;
}

/** True when some ready method needs no card scan (F9 works without a card). */
export function hasDirectMethod(methods: readonly PaymentMethodView[]): boolean {
  return methods.some((m) => m.ready && !m.needsCardScan);
}

/**
 * True when F9 should open the method list without a card: a no-scan method is ready, or one is listed
 * and nothing else is ready — then the list says why (e.g. the terminal program is missing) instead of
 * asking for a card no ready method takes. With a ready scan method the screen asks for the card.
 */
export function listsDirectMethod(methods: readonly PaymentMethodView[]): boolean {
  return hasDirectMethod(methods) || (methods.some((m) => !m.needsCardScan) && !methods.some((m) => m.ready));
}

/** The provider whose methods take the scanned token (its title names the card on screen), or null. */
export function scanProviderTitle(methods: readonly PaymentMethodView[]): string | null {
  const titles = new Set(methods.filter((m) => m.needsCardScan).map((m) => m.providerTitle));
  // Two providers taking scanned tokens: the card is not one provider's; say "customer card".
  return titles.size === 1 ? [...titles][0] ?? null : null;
}

/** The cashier's name of a method (the registry's title), the code when the till does not know it. */
export function methodTitle(methods: readonly PaymentMethodView[], paymentType: string | null | undefined, provider?: string | null): string {
  if (!paymentType) return '';
  const m = methods.find((x) => x.method === paymentType && (!provider || x.provider === provider)) ?? methods.find((x) => x.method === paymentType);
  return m?.titleRu ?? paymentType;
}
