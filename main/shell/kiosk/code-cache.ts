// Loading the kiosk core's CommonJS bundle with V8's code cache (docs/architecture.md "Start-up"): compiling
// ~2.5 MB of JavaScript is most of a cold start on a small till, and Node 20 caches no compiled code for ES
// modules. The cache is made after the first ready start (so it holds what a start compiles), once per bundle.
//
// V8 itself only checks a cache against the source's length and its own version and flags, and trusts the
// bytecode in it; so the file is keyed by a SHA-256 of the bundle (a rebuilt bundle of the same length never
// meets an old cache), carries a SHA-256 of its own bytes (a torn or damaged file is never handed to V8), and
// lives in the till's data folder, owner-only, like the journal. Any doubt means compiling from source.
import crypto from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const MAGIC = Buffer.from('PAYDESK-V8-CACHE-1\n');
const DIGEST_BYTES = 32;

/** What became of the cache at this start: used, none yet, refused by V8 (another Node), or failed our check. */
export type CodeCacheState = 'used' | 'absent' | 'rejected' | 'damaged';

export interface LoadedBundle {
  exports: unknown;
  cache: CodeCacheState;
  /** Write a cache of what has been compiled so far, unless this start used one; true when written. */
  save(): boolean;
}

/** The cache file's bytes: magic, SHA-256 of the payload, payload. */
export function sealCache(payload: Buffer): Buffer {
  return Buffer.concat([MAGIC, crypto.createHash('sha256').update(payload).digest(), payload]);
}

/** The payload of a sealed cache, or null when the file is not one of ours or its bytes changed. */
export function openCache(sealed: Buffer): Buffer | null {
  if (sealed.length <= MAGIC.length + DIGEST_BYTES || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const digest = sealed.subarray(MAGIC.length, MAGIC.length + DIGEST_BYTES);
  const payload = sealed.subarray(MAGIC.length + DIGEST_BYTES);
  return crypto.createHash('sha256').update(payload).digest().equals(digest) ? payload : null;
}

/** The cache file for this bundle's exact text on this Node (a different text or Node is a different file). */
export function cacheFileFor(bundle: string, source: string, cacheDir: string): string {
  const key = crypto.createHash('sha256').update(`${process.version}\0${process.arch}\0`).update(source).digest('hex').slice(0, 32);
  return path.join(cacheDir, `${path.basename(bundle)}.${key}.v8`);
}

type CommonJsWrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

/** Run a CommonJS bundle as `require` would, compiled with the cache in `cacheDir` when there is a sound one. */
export function loadWithCodeCache(bundle: string, cacheDir: string): LoadedBundle {
  const source = fs.readFileSync(bundle, 'utf8');
  const cacheFile = cacheFileFor(bundle, source, cacheDir);
  let cachedData: Buffer | undefined;
  let state: CodeCacheState = 'absent';
  try {
    const payload = openCache(fs.readFileSync(cacheFile));
    if (payload) cachedData = payload;
    else state = 'damaged';
  } catch {
    // no cache yet (or unreadable): compile from source
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  if (cachedData) state = script.cachedDataRejected === true ? 'rejected' : 'used';
  const wrapper = script.runInThisContext() as CommonJsWrapper;
  const module = { exports: {} as unknown };
  wrapper.call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, path.dirname(bundle));
  return {
    exports: module.exports,
    cache: state,
    save() {
      if (state === 'used') return false;
      fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      const temp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(temp, sealCache(script.createCachedData()), { mode: 0o600 });
      fs.renameSync(temp, cacheFile); // whole or not at all
      state = 'used';
      // Caches of older bundles (or another Node), and a write a kill cut short, are of no further use.
      const prefix = `${path.basename(bundle)}.`;
      for (const f of fs.readdirSync(cacheDir)) {
        const old = path.join(cacheDir, f);
        if (f.startsWith(prefix) && old !== cacheFile) fs.rmSync(old, { force: true });
      }
      return true;
    },
  };
}
