import { describe, expect, it } from 'vitest';
import type { AvailabilityResult, PaymentMethodView } from '../../main/contract/checkout';
import { CARD_ORIGIN_QUESTION_RU } from '../../main/contract/checkout';
import { TEXTS } from './i18n';
import { defaultScanMethod, hasDirectMethod, listsDirectMethod, methodChoices, methodTitle, originGroups, payRequest, scanProviderTitle, tenderFor, type Tender } from './methods';

const problem = { key: 'terminal.unreachable', ru: 'Нет связи с терминалом.', en: 'No terminal.', action: 'other_method' as const, severity: 'error' as const };
const m = (provider: string, method: string, needsCardScan: boolean, ready = true, extra: Partial<PaymentMethodView> = {}): PaymentMethodView => ({
  provider, providerTitle: provider === 'wallet' ? 'Кошелёк Один' : 'Карта (терминал)', method, titleRu: `${method}-ru`, needsCardScan, ready, problem: ready ? null : problem, ...extra,
});
const METHODS = [m('wallet', 'QR', true), m('wallet', 'LATER', true), m('term', 'card', false)];
const availability = (list: [string, boolean, boolean?][]): AvailabilityResult => ({
  providerIsDefault: false, autoStart: null, methods: list.map(([paymentType, available, known = true]) => ({ paymentType, available, known })),
});

describe('methodChoices', () => {
  it('numbers every configured method in config order; without a card only the direct one is enabled', () => {
    const c = methodChoices(METHODS, 'none', null);
    expect(c.map((x) => [x.method, x.digit, x.enabled, x.note?.kind ?? null])).toEqual([
      ['QR', '1', false, 'needs_scan'], ['LATER', '2', false, 'needs_scan'], ['card', '3', true, null],
    ]);
    expect(c[2]).toMatchObject({ provider: 'term', needsCardScan: false, title: 'card-ru' });
  });
  it('a fresh token takes what the availability check offers; an unavailable method keeps its message', () => {
    const a = availability([['QR', false], ['LATER', true]]);
    a.methods[0] = { ...a.methods[0]!, message: 'лимит' };
    const c = methodChoices(METHODS, 'fresh', a);
    expect(c.map((x) => x.enabled)).toEqual([false, true, true]);
    expect(c[0]?.note).toEqual({ kind: 'unavailable', message: 'лимит' });
  });
  it('a method the check does not mention is unavailable; without an answer a fresh token may be tried', () => {
    expect(methodChoices(METHODS, 'fresh', availability([['QR', true]]))[1]?.note).toEqual({ kind: 'unavailable', message: null });
    expect(methodChoices(METHODS, 'fresh', null).every((x) => x.enabled)).toBe(true);
  });
  it('a used token enables no scanned method', () => {
    expect(methodChoices(METHODS, 'used', null).map((x) => x.note?.kind ?? null)).toEqual(['token_used', 'token_used', null]);
  });
  it('a provider that is not ready shows its problem and stays disabled whatever the card', () => {
    const c = methodChoices([m('term', 'card', false, false)], 'fresh', null);
    expect(c[0]).toMatchObject({ enabled: false, note: { kind: 'problem', problem } });
  });
  it('appends available known methods the list lacks (e.g. the list could not be read); skips unknown ones', () => {
    const c = methodChoices([], 'fresh', availability([['SBP', true], ['NEW', true, false], ['OFF', false]]));
    expect(c).toEqual([{ provider: null, method: 'SBP', needsCardScan: true, title: 'SBP', enabled: true, note: null, digit: '1', primary: false, cardOrigin: null }]);
  });
  it('numbers only the first nine', () => {
    const many = Array.from({ length: 11 }, (_, i) => m('term', `m${i}`, false));
    expect(methodChoices(many, 'none', null).map((x) => x.digit)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', null, null]);
  });
});

describe('method helpers', () => {
  it('tenderFor finds the registry entry, else a scanned method of unknown provider', () => {
    expect(tenderFor(METHODS, 'LATER', true)).toEqual({ provider: 'wallet', method: 'LATER', needsCardScan: true });
    expect(tenderFor(METHODS, 'X', true)).toEqual({ provider: null, method: 'X', needsCardScan: true });
  });
  it('defaultScanMethod is the first ready scanned method', () => {
    expect(defaultScanMethod([m('wallet', 'QR', true, false), ...METHODS.slice(1)])?.method).toBe('LATER');
    expect(defaultScanMethod([m('term', 'card', false)])).toBeNull();
  });
  it('hasDirectMethod needs a ready method without a scan', () => {
    expect(hasDirectMethod(METHODS)).toBe(true);
    expect(hasDirectMethod([m('term', 'card', false, false), m('wallet', 'QR', true)])).toBe(false);
  });
  it('scanProviderTitle names the one provider taking scanned tokens, null for none or two', () => {
    expect(scanProviderTitle(METHODS)).toBe('Кошелёк Один');
    expect(scanProviderTitle([m('term', 'card', false)])).toBeNull();
    expect(scanProviderTitle([...METHODS, m('other', 'Y', true, true, { providerTitle: 'Другой' })])).toBeNull();
  });
  it('methodTitle prefers the provider match, falls back to the code', () => {
    const twin = [m('wallet', 'card', true, true, { titleRu: 'карта кошелька' }), m('term', 'card', false)];
    expect(methodTitle(twin, 'card', 'term')).toBe('card-ru');
    expect(methodTitle(twin, 'card')).toBe('карта кошелька');
    expect(methodTitle(twin, 'ZZZ')).toBe('ZZZ');
    expect(methodTitle(twin, null)).toBe('');
  });
});

describe('primary methods and the card-origin question', () => {
  const bank = (provider: string, method: string, extra: Partial<PaymentMethodView>): PaymentMethodView => m(provider, method, false, true, extra);
  const RU = [bank('ru-bank', 'card_ru', { cardOrigin: 'russian' }), bank('ru-bank', 'sbp', { cardOrigin: 'russian', primary: true })];
  const KZ = [bank('kz-bank', 'card_foreign', { cardOrigin: 'foreign', primary: true, currency: 'KZT' })];

  it("a provider's primary method comes first among its own; the providers keep config order and the keys follow", () => {
    const c = methodChoices([m('wallet', 'QR', true), ...RU, ...KZ], 'none', null);
    expect(c.map((x) => [x.method, x.digit, x.primary])).toEqual([['QR', '1', false], ['sbp', '2', true], ['card_ru', '3', false], ['card_foreign', '4', true]]);
  });

  it('methods of both origins are grouped under the question; the rest stay outside it', () => {
    const g = originGroups(methodChoices([m('wallet', 'QR', true), ...RU, ...KZ], 'none', null));
    expect(g && { ru: g.russian.map((x) => x.method), kz: g.foreign.map((x) => x.method), other: g.other.map((x) => x.method) })
      .toEqual({ ru: ['sbp', 'card_ru'], kz: ['card_foreign'], other: ['QR'] });
    expect(TEXTS.ru['sale.origin.question']).toBe(CARD_ORIGIN_QUESTION_RU);
  });

  it('one origin only (one bank configured) or a not-ready bank of the other origin: still asked only when both are listed', () => {
    expect(originGroups(methodChoices(RU, 'none', null))).toBeNull();
    expect(originGroups(methodChoices(KZ, 'none', null))).toBeNull();
    const off = originGroups(methodChoices([...RU, { ...KZ[0]!, ready: false }], 'none', null));
    expect(off?.foreign.map((x) => [x.method, x.enabled])).toEqual([['card_foreign', false]]);
  });
});

describe('payRequest (a Pay press and its retry make the same call)', () => {
  const saved: Tender = { provider: 'bank', method: 'saved_card', needsCardScan: false, savedCardId: '0123456789abcdef' };
  const customer = { loyaltyId: '777', payToken: 'tok-1' };
  it('a saved card goes to savedCards.pay with that card and the sale\'s orderId, never to sale.pay', () => {
    const first = payRequest(saved, 'POS-1', { amountKop: 500 }, customer);
    expect(first).toEqual({ method: 'savedCards.pay', input: { orderId: 'POS-1', amountKop: 500, card: { loyaltyId: '777' }, savedCardId: '0123456789abcdef' } });
    // The error panel's retry keeps the failed phase's tender: the same request again (same card, same orderId key).
    expect(payRequest({ ...saved }, 'POS-1', { amountKop: 500 }, customer)).toEqual(first);
    expect(JSON.stringify(first)).not.toContain('tok-1');
  });
  it('a saved card without the scanned customer cannot be paid (null: back to the sale)', () => {
    expect(payRequest(saved, 'POS-1', { amountKop: 500 }, null)).toBeNull();
  });
  it('a token method sends the scanned token; without one it cannot start', () => {
    const qr: Tender = { provider: 'wallet', method: 'QR', needsCardScan: true };
    expect(payRequest(qr, 'POS-2', { amountKop: 100 }, customer)).toEqual({
      method: 'sale.pay', input: { orderId: 'POS-2', amountKop: 100, card: { loyaltyId: '777', payToken: 'tok-1' }, paymentType: 'QR', provider: 'wallet' },
    });
    expect(payRequest(qr, 'POS-2', { amountKop: 100 }, { loyaltyId: '777' })).toBeNull();
    expect(payRequest(qr, 'POS-2', { amountKop: 100 }, null)).toBeNull();
  });
  it('a terminal is paid without the customer card; a provider-less tender lets the core pick', () => {
    const lines = [{ name: 'A', article: 'A', priceKop: 100, quantity: 1, measure: 'PIECE', tax: 'vat20' }];
    expect(payRequest({ provider: 'term', method: 'card', needsCardScan: false }, 'POS-3', { lines }, customer)).toEqual({
      method: 'sale.pay', input: { orderId: 'POS-3', lines, paymentType: 'card', provider: 'term' },
    });
    expect(payRequest({ provider: null, method: 'card', needsCardScan: false }, 'POS-3', { amountKop: 1 }, null)).toEqual({
      method: 'sale.pay', input: { orderId: 'POS-3', amountKop: 1, paymentType: 'card' },
    });
  });
});

describe('listsDirectMethod (F9 without a card)', () => {
  it('opens the list for a ready terminal, and for a terminal not ready when nothing else is; asks for the card when a scan method is ready', () => {
    expect(listsDirectMethod([m('term', 'card', false)])).toBe(true);
    expect(listsDirectMethod([m('term', 'card', false, false)])).toBe(true);
    expect(listsDirectMethod([m('wallet', 'QR', true), m('term', 'card', false, false)])).toBe(false);
    expect(listsDirectMethod([m('wallet', 'QR', true, false), m('term', 'card', false, false)])).toBe(true);
    expect(listsDirectMethod([m('wallet', 'QR', true)])).toBe(false);
  });
});
