import { describe, expect, it } from 'vitest';
import { distinctTail, parseRuDate } from './search';

describe('refund search helpers', () => {
  it('reads Russian dates, refuses impossible ones', () => {
    const now = new Date(2026, 10, 30);
    expect(parseRuDate('30.11.2026', now)).toBe('2026-11-30');
    expect(parseRuDate('1.3', now)).toBe('2026-03-01');
    expect(parseRuDate('', now)).toBe('');
    expect(parseRuDate('31.02.2026', now)).toBeNull();
    expect(parseRuDate('2026-11-30', now)).toBeNull();
  });
  it('shows the part of an id that tells it apart from the others on the page', () => {
    const ids = ['POS-01-20261130-090001-ab12', 'POS-01-20261130-090002-cd34', 'POS-01-20261130-101500-ef56'];
    const shown = ids.map((id) => distinctTail(id, ids));
    expect(new Set(shown).size).toBe(3);
    for (const s of shown) expect(s.length).toBeLessThan(20);
    expect(distinctTail('POS-01-20261130-090001-ab12', ['POS-01-20261130-090001-ab12'])).toBe('POS-01-20261130-090001-ab12');
  });
});
