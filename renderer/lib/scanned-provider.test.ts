import { describe, expect, it } from 'vitest';
import type { PaymentMethodView } from '../../main/contract/checkout';
import { methodChoices } from './methods';
import { forScannedProvider } from './scanned-provider';

const m = (provider: string, method: string, needsCardScan: boolean): PaymentMethodView => ({ provider, providerTitle: provider, method, titleRu: method, needsCardScan, ready: true, problem: null });
const methods = [m('wallet', 'SBP', true), m('wallet', 'CARD', true), m('terminal', 'card_terminal', false), m('other', 'other_card', true)];

describe('forScannedProvider', () => {
  it('a token from one provider\'s code: that provider\'s scan methods and the terminal, renumbered', () => {
    const list = forScannedProvider(methodChoices(methods, 'fresh', null), 'other');
    expect(list.map((c) => [c.method, c.digit, c.enabled])).toEqual([['card_terminal', '1', true], ['other_card', '2', true]]);
  });
  it('a card (no provider): the list as it was', () => {
    expect(forScannedProvider(methodChoices(methods, 'fresh', null), undefined)).toHaveLength(4);
  });
});
