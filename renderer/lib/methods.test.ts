import { describe, expect, it } from 'vitest';
import type { AvailabilityResult, PaymentMethodView } from '../../main/contract/checkout';
import { defaultScanMethod, hasDirectMethod, methodChoices, methodTitle, scanProviderTitle, tenderFor } from './methods';

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
    expect(c).toEqual([{ provider: null, method: 'SBP', needsCardScan: true, title: 'SBP', enabled: true, note: null, digit: '1' }]);
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
