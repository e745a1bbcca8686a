import { describe, expect, it } from 'vitest';
import { defaultConfigText, jsonSyntaxFault, parseConfigText } from './load';

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
  });
  it('an unquoted value (Node 20 quotes it in its message) is located by line and column, its text never shown', () => {
    const text = '{\n  "koshelek": {\n    "login": "shop",\n    "password": Pa55-Koshelek-7f3Q\n  }\n}';
    const r = parseConfigText(text, 'c.json');
    expect(r.ok ? '' : r.problems[0]?.reason).toBe('invalid JSON (line 4, column 17): unexpected character: expected a value (a text value needs double quotes)');
    expect(JSON.stringify(r)).not.toMatch(/Pa55|7f3Q/);
  });
  it('the syntax scanner agrees with JSON.parse on what is valid, and names the fault for what is not', () => {
    for (const ok of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]} ', '"s"', '0']) {
      expect(() => JSON.parse(ok)).not.toThrow();
      expect(jsonSyntaxFault(ok).reason).toBe('');
    }
    const bad: [string, number, RegExp][] = [
      ['{"a": 1,}', 8, /trailing comma/], ['{"a" 1}', 5, /':'/], ['{a: 1}', 1, /double quotes/], ['{"a": 1', 7, /end of file/],
      ['{"a": "x\ny"}', 8, /control character/], ['[1 2]', 3, /','/], ['{} x', 3, /after the end/], ['{"a": 01}', 7, /','/],
    ];
    for (const [text, offset, reason] of bad) {
      expect(() => JSON.parse(text)).toThrow();
      const fault = jsonSyntaxFault(text);
      expect([text, fault.offset]).toEqual([text, offset]);
      expect(fault.reason).toMatch(reason);
    }
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
