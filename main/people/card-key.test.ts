import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CARD_KEY_FILE, loadOrCreateCardKey } from './card-key';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-cardkey-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('staff card key', () => {
  it('is created once, private, and stable across restarts', () => {
    const a = loadOrCreateCardKey(dir);
    expect(a).toHaveLength(32);
    expect(fs.statSync(path.join(dir, CARD_KEY_FILE)).mode & 0o077).toBe(0);
    expect(loadOrCreateCardKey(dir).equals(a)).toBe(true);
  });

  it('a damaged key file is refused, not replaced', () => {
    fs.writeFileSync(path.join(dir, CARD_KEY_FILE), 'short');
    expect(() => loadOrCreateCardKey(dir)).toThrow(/damaged/);
    expect(fs.readFileSync(path.join(dir, CARD_KEY_FILE), 'utf8')).toBe('short');
  });
});
