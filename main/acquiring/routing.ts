// Which bank takes a card/SBP sale, as a pure function of the configured banks and the customer's
// answer. Both configured → the cashier asks «Карта российского банка или иностранного?»; Russian sales
// offer SBP first and larger (the seed's nudge towards SBP), the card second.
import { CARD_ORIGIN_QUESTION_RU, type CardOrigin } from '../contract/checkout';

export type { CardOrigin };

export interface BankChoice {
  provider: string;
  /** The buttons, in order; `primary` is the larger one. */
  methods: { id: 'sbp' | 'card'; titleRu: string; primary: boolean }[];
}

export type RoutingStep =
  | { kind: 'ask'; questionRu: string; answers: { origin: CardOrigin; titleRu: string }[] }
  | { kind: 'route'; choice: BankChoice }
  | { kind: 'unavailable'; reasonRu: string };

export interface RoutingInput {
  /** The Russian bank's provider name when it is enabled (Tochka), else null. */
  russian: string | null;
  /** The foreign-card bank's provider name when it is enabled (Halyk), else null. */
  foreign: string | null;
  /** The customer's answer, once given. */
  origin: CardOrigin | null;
}

export const ORIGIN_QUESTION_RU = CARD_ORIGIN_QUESTION_RU;

const russianChoice = (provider: string): BankChoice => ({
  provider,
  methods: [
    { id: 'sbp', titleRu: 'СБП — оплата по QR-коду', primary: true },
    { id: 'card', titleRu: 'Картой', primary: false },
  ],
});

const foreignChoice = (provider: string): BankChoice => ({ provider, methods: [{ id: 'card', titleRu: 'Картой иностранного банка', primary: true }] });

export function routeSale(input: RoutingInput): RoutingStep {
  const { russian, foreign, origin } = input;
  if (!russian && !foreign) return { kind: 'unavailable', reasonRu: 'Оплата через банк не настроена. Выберите другой способ оплаты.' };
  if (russian && foreign && origin === null) {
    return { kind: 'ask', questionRu: ORIGIN_QUESTION_RU, answers: [{ origin: 'russian', titleRu: 'Российского банка' }, { origin: 'foreign', titleRu: 'Иностранного банка' }] };
  }
  if (origin === 'foreign' || (origin === null && !russian)) {
    return foreign ? { kind: 'route', choice: foreignChoice(foreign) } : { kind: 'unavailable', reasonRu: 'Оплата картой иностранного банка не настроена. Выберите другой способ оплаты.' };
  }
  return russian ? { kind: 'route', choice: russianChoice(russian) } : { kind: 'unavailable', reasonRu: 'Оплата картой российского банка не настроена. Выберите другой способ оплаты.' };
}
