// The till's staff-card key: 32 random bytes in the data folder (0600), never in the database or config,
// so a copied database alone cannot be matched against card numbers. Created once; a damaged file is
// refused rather than silently replaced (every enrolled card would stop working).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const CARD_KEY_FILE = 'staff-card.key';

export function loadOrCreateCardKey(dataDir: string): Buffer {
  const file = path.join(dataDir, CARD_KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx' fails if the file exists, so two starting processes cannot both create a key.
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(fd, randomBytes(32));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = fs.readFileSync(file);
  if (key.length !== 32) throw new Error(`${file} is damaged (${key.length} bytes, expected 32); restore it from a backup — staff cards depend on it`);
  return key;
}
