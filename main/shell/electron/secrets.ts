// Secrets at rest (Koshelek password, postback password) through Electron safeStorage: DPAPI on
// Windows, Keychain on macOS, libsecret/kwallet on Linux. On Linux without a secret store
// safeStorage falls back to a hard-coded key ('basic_text'): the vault then refuses to store and the
// secrets stay where IT put them (the config file, readable by the till user only). See docs/security.md.
import { safeStorage } from 'electron';
import fs from 'node:fs';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/** Vault entries → environment variables the core reads (main/config: env overrides for secrets). */
export const SECRET_ENV: Record<string, string> = {
  'koshelek.password': 'PAYDESK_KOSHELEK_PASSWORD',
  'koshelek.postback.partnerPassword': 'PAYDESK_POSTBACK_PASSWORD',
};

export function isStrongBackend(storage: SafeStorageLike, platform = process.platform): boolean {
  if (!storage.isEncryptionAvailable()) return false;
  if (platform === 'linux' && storage.getSelectedStorageBackend?.() === 'basic_text') return false;
  return true;
}

export interface SecretVault {
  available: boolean;
  set(name: string, value: string): void;
  get(name: string): string | null;
  /** Put the decrypted secrets into this process's environment for the core (never the renderer). */
  exportToEnvironment(): void;
}

export function openSecretVault(file: string, storage: SafeStorageLike = safeStorage): SecretVault {
  const available = isStrongBackend(storage);
  const read = (): Record<string, string> => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  return {
    available,
    set(name, value) {
      if (!available) throw new Error('no OS secret store: refusing to write secrets with a hard-coded key');
      const data = read();
      data[name] = storage.encryptString(value).toString('base64');
      const tmp = `${file}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
      fs.renameSync(tmp, file);
    },
    get(name) {
      const sealed = read()[name];
      if (!sealed || !available) return null;
      return storage.decryptString(Buffer.from(sealed, 'base64'));
    },
    exportToEnvironment() {
      for (const [name, env] of Object.entries(SECRET_ENV)) {
        const value = this.get(name);
        if (value !== null && process.env[env] === undefined) process.env[env] = value;
      }
    },
  };
}
