// Card binding and saved cards on the API (docs/banks.md "Binding and saved cards"): thin handlers over the
// core's SavedCardsService. Rights (main/api/people-api.ts): list / bind / pay need `sell`, unbinding the
// Payments section's right (a manager's).
import type { OperationView } from '../contract/checkout';
import type { SavedCardsService } from '../core/saved-cards';
import { PaydeskError } from '../errors/catalogue';
import type { ApiHandlers } from './dispatcher';

export type SavedCardMethod = 'savedCards.list' | 'savedCards.bind' | 'savedCards.pay' | 'savedCards.unbind';

export function createSavedCardsApi(
  service: SavedCardsService | undefined,
  /** Wraps a payment start like sale.pay does (the scan port's in-flight tracking, the cashier's error text). */
  startPayment: (start: () => Promise<OperationView>) => Promise<OperationView>,
): Pick<ApiHandlers, SavedCardMethod> {
  const s = (): SavedCardsService => {
    if (!service) throw new PaydeskError('saved_card.not_supported', 'this core has no saved cards');
    return service;
  };
  return {
    'savedCards.list': (input) => {
      const offer = s().offer();
      return { cards: s().list(input.loyaltyId), binding: offer ? { provider: offer.provider, providerTitle: offer.providerTitle, amountKop: offer.amountMinor } : null };
    },
    'savedCards.bind': (input) => startPayment(() => s().bind({ orderId: input.orderId, customerId: input.card.loyaltyId, provider: input.provider })),
    'savedCards.pay': (input) => startPayment(() => s().pay(input)),
    'savedCards.unbind': (input) => {
      s().unbind(input.loyaltyId, input.savedCardId);
      return { unbound: true as const };
    },
  };
}
