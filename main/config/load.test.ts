import { describe, expect, it } from 'vitest';
import { defaultConfigText, jsonErrorWithoutText, parseConfigText } from './load';

describe('config file problems', () => {
  it('an unknown key (a typo) is an error with the nearest known key, not a silent default', () => {
    const r = parseConfigText(JSON.stringify({ till: { storname: 'Ромашка' }, scanner: { serial: { baudrate: 9600 } } }), 'c.json');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { file: 'c.json', path: 'till.storname', reason: 'unknown key; did you mean "storeName"?' },
      { file: 'c.json', path: 'scanner.serial.baudrate', reason: 'unknown key; did you mean "baudRate"?' },
    ]);
  });
  it('a key far from any known one has no guess', () => {
    const r = parseConfigText(JSON.stringify({ zzzzzzzz: 1 }), 'c.json');
    expect(r.ok ? [] : r.problems).toEqual([{ file: 'c.json', path: 'zzzzzzzz', reason: 'unknown key' }]);
  });
  it('the defaults the till writes itself have no unknown keys', () => {
    expect(parseConfigText(defaultConfigText(), 'c.json').ok).toBe(true);
  });
  it('a JSON syntax error never echoes the file (the password may be next to the fault)', () => {
    const text = '{"koshelek": {"login": "shop", "password": "Sup3rSecret!" oops}}';
    const r = parseConfigText(text, 'c.json');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const reason = r.problems[0]?.reason ?? '';
    expect(reason).toMatch(/^invalid JSON/);
    expect(reason).not.toContain('Sup3rSecret');
    expect(reason).not.toContain('shop');
    expect(jsonErrorWithoutText('Unexpected token \'o\', "...ret!" oops}}" is not valid JSON')).toBe('Unexpected token character');
  });
});

describe('accepted edits', () => {
  it('are described path by path with secrets masked', async () => {
    const { describeChanges } = await import('./live');
    const { configSchema } = await import('./schema');
    const a = configSchema.parse({ koshelek: { login: 'shop', password: 'old-secret' } });
    const b = configSchema.parse({ till: { storeName: 'Ромашка' }, koshelek: { login: 'shop', password: 'new-secret' } });
    const lines = describeChanges(a, b);
    expect(lines).toContain('koshelek.password: changed (secret, not shown)');
    expect(lines.some((l) => l.startsWith('till.storeName: "Магазин" → "Ромашка"'))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/old-secret|new-secret/);
  });
});
