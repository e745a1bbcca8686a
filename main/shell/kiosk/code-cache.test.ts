// The kiosk core's code cache (main/shell/kiosk/code-cache.ts): used when sound, never for another text of the
// bundle (V8 alone would run the old code), never when damaged, written owner-only, old ones cleared.
import fs from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheFileFor, loadWithCodeCache, openCache, sealCache } from './code-cache';

let dir: string;
let cacheDir: string;
let bundle: string;

// Two bundles of exactly the same length that answer differently.
const A = 'module.exports = { answer: () => "AAAA", twice: (n) => n * 2 };\n';
const B = 'module.exports = { answer: () => "BBBB", twice: (n) => n * 2 };\n';

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-code-cache-'));
  cacheDir = path.join(dir, 'data', 'code-cache');
  bundle = path.join(dir, 'kiosk-core-shell.cjs');
  fs.writeFileSync(bundle, A);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

type Exports = { answer(): string; twice(n: number): number };

describe('the code cache of the kiosk core', () => {
  it('is made after the first start, owner-only, and used by the next', () => {
    const first = loadWithCodeCache(bundle, cacheDir);
    expect(first.cache).toBe('absent');
    expect((first.exports as Exports).twice(21)).toBe(42);
    expect(first.save()).toBe(true);
    const file = cacheFileFor(bundle, A, cacheDir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(cacheDir).mode & 0o777).toBe(0o700);
    const second = loadWithCodeCache(bundle, cacheDir);
    expect(second.cache).toBe('used');
    expect((second.exports as Exports).answer()).toBe('AAAA');
    expect(second.save()).toBe(false); // nothing to write
  });

  it('is never used for another text of the bundle, even one of the same length (V8 alone would run the old code)', () => {
    const first = loadWithCodeCache(bundle, cacheDir);
    (first.exports as Exports).answer();
    first.save();
    // The hazard this guards against: V8 checks only the length, and runs the cached code.
    const payload = openCache(fs.readFileSync(cacheFileFor(bundle, A, cacheDir))) as Buffer;
    const box: { exports?: Exports } = {};
    const lookalike = new vm.Script(Module.wrap(B), { filename: bundle, cachedData: payload });
    expect(lookalike.cachedDataRejected).toBe(false);
    (lookalike.runInThisContext() as (exports: unknown, require: unknown, module: typeof box) => void)({}, null, box);
    expect(box.exports?.answer()).toBe('AAAA'); // B's text, A's code

    fs.writeFileSync(bundle, B);
    const rebuilt = loadWithCodeCache(bundle, cacheDir);
    expect(rebuilt.cache).toBe('absent');
    expect((rebuilt.exports as Exports).answer()).toBe('BBBB');
    rebuilt.save();
    expect(fs.readdirSync(cacheDir)).toEqual([path.basename(cacheFileFor(bundle, B, cacheDir))]); // A's is gone
  });

  it('a damaged cache is not handed to V8: compiled from source, and written again', () => {
    loadWithCodeCache(bundle, cacheDir).save();
    const file = cacheFileFor(bundle, A, cacheDir);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    fs.writeFileSync(file, bytes);
    const damaged = loadWithCodeCache(bundle, cacheDir);
    expect(damaged.cache).toBe('damaged');
    expect((damaged.exports as Exports).answer()).toBe('AAAA');
    expect(damaged.save()).toBe(true);
    expect(loadWithCodeCache(bundle, cacheDir).cache).toBe('used');
    fs.writeFileSync(file, bytes.subarray(0, 40)); // torn
    expect(loadWithCodeCache(bundle, cacheDir).cache).toBe('damaged');
  });

  it('a sealed cache V8 refuses (another Node, other flags) is compiled from source and replaced', () => {
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(cacheFileFor(bundle, A, cacheDir), sealCache(Buffer.from('not a V8 code cache at all')));
    const refused = loadWithCodeCache(bundle, cacheDir);
    expect(refused.cache).toBe('rejected');
    expect((refused.exports as Exports).answer()).toBe('AAAA');
    expect(refused.save()).toBe(true);
    expect(loadWithCodeCache(bundle, cacheDir).cache).toBe('used');
  });

  it('clears a write a kill cut short', () => {
    fs.mkdirSync(cacheDir, { recursive: true });
    const stale = `${cacheFileFor(bundle, A, cacheDir)}.12345.tmp`;
    fs.writeFileSync(stale, 'half');
    loadWithCodeCache(bundle, cacheDir).save();
    expect(fs.existsSync(stale)).toBe(false);
  });

  it('seals and opens', () => {
    const payload = Buffer.from('payload');
    expect(openCache(sealCache(payload))?.toString()).toBe('payload');
    expect(openCache(Buffer.from('PAYDESK-V8-CACHE-1\nshort'))).toBeNull();
    expect(openCache(Buffer.concat([Buffer.from('OTHER'), sealCache(payload)]))).toBeNull();
  });
});
