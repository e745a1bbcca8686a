import { describe, expect, it } from 'vitest';
import { ORIGIN_QUESTION_RU, routeSale } from './routing';

describe('bank routing', () => {
  it('both banks configured: asks «Карта российского банка или иностранного?» first', () => {
    expect(routeSale({ russian: 'tochka', foreign: 'halyk', origin: null })).toMatchObject({ kind: 'ask', questionRu: ORIGIN_QUESTION_RU });
    expect(ORIGIN_QUESTION_RU).toBe('Карта российского банка или иностранного?');
  });

  it('Russian card: SBP first and primary (larger), the card second', () => {
    const r = routeSale({ russian: 'tochka', foreign: 'halyk', origin: 'russian' });
    expect(r.kind === 'route' && r.choice.methods.map((m) => [m.id, m.primary])).toEqual([['sbp', true], ['card', false]]);
    expect(r).toMatchObject({ choice: { provider: 'tochka' } });
  });

  it('foreign card → the foreign bank; only one bank configured → no question', () => {
    expect(routeSale({ russian: 'tochka', foreign: 'halyk', origin: 'foreign' })).toMatchObject({ kind: 'route', choice: { provider: 'halyk', methods: [{ id: 'card' }] } });
    expect(routeSale({ russian: 'tochka', foreign: null, origin: null })).toMatchObject({ kind: 'route', choice: { provider: 'tochka' } });
    expect(routeSale({ russian: null, foreign: 'halyk', origin: null })).toMatchObject({ kind: 'route', choice: { provider: 'halyk' } });
  });

  it('the chosen side switched off → a clear Russian refusal, never the other bank silently', () => {
    expect(routeSale({ russian: null, foreign: 'halyk', origin: 'russian' })).toMatchObject({ kind: 'unavailable', reasonRu: expect.stringContaining('российского') });
    expect(routeSale({ russian: 'tochka', foreign: null, origin: 'foreign' })).toMatchObject({ kind: 'unavailable', reasonRu: expect.stringContaining('иностранного') });
    expect(routeSale({ russian: null, foreign: null, origin: null }).kind).toBe('unavailable');
  });
});
