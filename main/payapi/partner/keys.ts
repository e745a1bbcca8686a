// Key management for the partner API: two P-521 key pairs (payments, reversals), stored at rest in the
// data dir (directory 0700, files 0600), optionally sealed by an OS protector (the Electron safeStorage
// vault, as main/shell/electron/secrets.ts does for passwords; docs/partner.md). The public key is shown
// for onboarding as PEM plus its SHA-256 fingerprint; the fingerprint is also the key id sent on every
// request. Rotation adds a new key and keeps the old one verifiable for an overlap window.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { SigningKey } from './canonical';

export const KEY_PURPOSES = ['payment', 'reversal'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** Seals private keys at rest where the OS offers a keychain; `available: false` → file mode only. */
export interface KeyProtector {
  available: boolean;
  seal(plain: Buffer): Buffer;
  open(sealed: Buffer): Buffer;
}

export const NO_PROTECTOR: KeyProtector = {
  available: false,
  seal: (b) => b,
  open: (b) => b,
};

/** The part of Electron's safeStorage a protector needs (structural: this folder never imports electron). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/**
 * A protector over Electron safeStorage (DPAPI, Keychain, libsecret/kwallet), built by the shell and
 * handed to the core like the password vault (main/shell/electron/secrets.ts). Linux's 'basic_text'
 * backend is a hard-coded key, so it counts as unavailable: the key files then rely on 0600 alone.
 */
export function safeStorageProtector(storage: SafeStorageLike, platform: string = process.platform): KeyProtector {
  const strong = storage.isEncryptionAvailable() && !(platform === 'linux' && storage.getSelectedStorageBackend?.() === 'basic_text');
  if (!strong) return NO_PROTECTOR;
  return {
    available: true,
    seal: (plain) => storage.encryptString(plain.toString('utf8')),
    open: (sealed) => Buffer.from(storage.decryptString(sealed), 'utf8'),
  };
}

const entrySchema = z.object({
  keyId: z.string().regex(/^[0-9a-f]{64}$/),
  purpose: z.enum(KEY_PURPOSES),
  createdAt: z.number().int(),
  /** After this instant the key no longer signs or verifies (null: current). */
  retiresAt: z.number().int().nullable(),
  file: z.string().regex(/^[a-z]+-[0-9a-f]{64}\.key$/),
  sealed: z.boolean(),
});
const indexSchema = z.object({ v: z.literal(1), keys: z.array(entrySchema) });
export type KeyEntry = z.infer<typeof entrySchema>;

export interface PublicKeyInfo {
  keyId: string;
  purpose: KeyPurpose;
  pem: string;
  /** SHA-256 of the SubjectPublicKeyInfo DER, as colon-separated upper-case hex (how it is read aloud). */
  fingerprint: string;
  createdAt: number;
  retiresAt: number | null;
}

export function spkiSha256(publicKey: crypto.KeyObject): string {
  return crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function formatFingerprint(hex: string): string {
  return `SHA256:${(hex.match(/../g) ?? []).join(':').toUpperCase()}`;
}

export function generateP521(): { privateKey: crypto.KeyObject; publicKey: crypto.KeyObject } {
  return crypto.generateKeyPairSync('ec', { namedCurve: 'P-521' });
}

function writePrivate(file: string, data: Buffer): void {
  // Written under a temporary name with 0600 from the first byte, then renamed: never world-readable.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

export class PartnerKeyStore {
  private readonly dir: string;
  private readonly indexFile: string;

  constructor(dataDir: string, private readonly protector: KeyProtector = NO_PROTECTOR, private readonly now: () => number = Date.now) {
    this.dir = path.join(dataDir, 'partner-keys');
    this.indexFile = path.join(this.dir, 'index.json');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.dir, 0o700);
  }

  private readIndex(): KeyEntry[] {
    if (!fs.existsSync(this.indexFile)) return [];
    return indexSchema.parse(JSON.parse(fs.readFileSync(this.indexFile, 'utf8'))).keys;
  }

  private writeIndex(keys: KeyEntry[]): void {
    writePrivate(this.indexFile, Buffer.from(JSON.stringify({ v: 1, keys }, null, 2)));
  }

  /** Creates a key of `purpose`. With an existing current key, that key retires after `overlapMs`. */
  generate(purpose: KeyPurpose, overlapMs = 0): PublicKeyInfo {
    const { privateKey, publicKey } = generateP521();
    const keyId = spkiSha256(publicKey);
    const file = `${purpose}-${keyId}.key`;
    const pem = Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writePrivate(path.join(this.dir, file), this.protector.available ? this.protector.seal(pem) : pem);
    const now = this.now();
    const keys = this.readIndex().map((k) => (k.purpose === purpose && (k.retiresAt === null || k.retiresAt > now + overlapMs) ? { ...k, retiresAt: now + overlapMs } : k));
    keys.push({ keyId, purpose, createdAt: now, retiresAt: null, file, sealed: this.protector.available });
    this.writeIndex(keys);
    return this.describe(keys[keys.length - 1] as KeyEntry, publicKey);
  }

  /** Rotation: a new signing key; the old one keeps verifying (callbacks, the partner's cache) for `overlapMs`. */
  rotate(purpose: KeyPurpose, overlapMs: number): PublicKeyInfo {
    return this.generate(purpose, overlapMs);
  }

  /** Keys not yet retired, newest first (the index is append-only: order, not timestamps, says which is newer). */
  live(purpose: KeyPurpose): KeyEntry[] {
    const now = this.now();
    return this.readIndex().filter((k) => k.purpose === purpose && (k.retiresAt === null || k.retiresAt > now)).reverse();
  }

  private loadPrivate(entry: KeyEntry): crypto.KeyObject {
    const file = path.join(this.dir, entry.file);
    const mode = fs.statSync(file).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) throw new Error(`${file} is readable by others (mode ${mode.toString(8)}); refusing to use it`);
    const raw = fs.readFileSync(file);
    const pem = entry.sealed ? this.protector.open(raw) : raw;
    return crypto.createPrivateKey(pem);
  }

  /** The key that signs requests of `purpose` now (the newest live one). */
  signingKey(purpose: KeyPurpose): SigningKey {
    const entry = this.live(purpose)[0];
    if (!entry) throw new Error(`no ${purpose} key: generate one (paydesk partner keys generate)`);
    return { keyId: entry.keyId, privateKey: this.loadPrivate(entry) };
  }

  /** Onboarding view of every live key: PEM and fingerprint, never the private part. */
  publicKeys(): PublicKeyInfo[] {
    return KEY_PURPOSES.flatMap((p) => this.live(p).map((e) => this.describe(e, crypto.createPublicKey(this.loadPrivate(e)))));
  }

  private describe(entry: KeyEntry, publicKey: crypto.KeyObject): PublicKeyInfo {
    return {
      keyId: entry.keyId,
      purpose: entry.purpose,
      pem: String(publicKey.export({ type: 'spki', format: 'pem' })),
      fingerprint: formatFingerprint(entry.keyId),
      createdAt: entry.createdAt,
      retiresAt: entry.retiresAt,
    };
  }
}
