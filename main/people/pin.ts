// PIN and staff-card secrets. PINs are hashed with scrypt (per-person random salt, cost stored in the
// hash so it can be raised later); scrypt runs on libuv's thread pool, off the core's event loop.
// Staff cards are looked up by a keyed SHA-256 (HMAC), so the card number itself is never stored.
import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

export const scryptCostSchema = z.object({
  /** CPU/memory cost, a power of two. 2^15 with r=8 takes ~32 MiB and tens of ms per check. */
  N: z.number().int().min(1024).max(2 ** 20).refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
});
export type ScryptCost = z.infer<typeof scryptCostSchema>;

export const DEFAULT_PIN_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

// Zeros of the decimal digit blocks NFKC leaves alone (full-width and mathematical digits already fold to ASCII).
const DIGIT_ZEROS = [0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xe50, 0xed0, 0xf20, 0x1040, 0x17e0, 0x1810];

/** Digits typed on any keyboard or script (full-width, Arabic-Indic...) become ASCII; anything else is kept and later refused. */
export function normalizePin(input: string): string {
  return input.normalize('NFKC').trim().replace(/\p{Nd}/gu, (d) => {
    const code = d.codePointAt(0) ?? 0;
    const zero = DIGIT_ZEROS.find((z) => code >= z && code <= z + 9);
    return zero === undefined ? d : String(code - zero);
  });
}

export type PinProblem = 'format' | 'trivial';

/** 4–8 digits, not one repeated digit, not a straight run (1234, 9876). */
export function checkPinStrength(pin: string): PinProblem | null {
  if (!/^\d{4,8}$/.test(pin)) return 'format';
  if (/^(\d)\1+$/.test(pin)) return 'trivial';
  const digits = [...pin].map(Number);
  const steps = new Set(digits.slice(1).map((d, i) => d - (digits[i] as number)));
  if (steps.size === 1 && (steps.has(1) || steps.has(-1))) return 'trivial';
  return null;
}

const hashFormat = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export async function hashPin(pin: string, cost: ScryptCost = DEFAULT_PIN_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function parsePinHash(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | null {
  const m = hashFormat.exec(stored);
  if (!m) return null;
  const cost = scryptCostSchema.safeParse({ N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
  if (!cost.success) return null;
  return { cost: cost.data, salt: Buffer.from(m[4] as string, 'base64'), key: Buffer.from(m[5] as string, 'base64') };
}

export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parsed = parsePinHash(stored);
  if (!parsed) return false;
  const key = await derive(pin, parsed.salt, parsed.cost);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** True when the stored hash is cheaper than the configured cost: rehash after the next good sign-in. */
export function needsRehash(stored: string, cost: ScryptCost): boolean {
  const parsed = parsePinHash(stored);
  return !parsed || parsed.cost.N < cost.N || parsed.cost.r < cost.r || parsed.cost.p < cost.p;
}

/** Same work as a real check, for unknown people, so timing does not tell who exists. */
export async function burnPinCheck(cost: ScryptCost): Promise<void> {
  await derive('0000', Buffer.alloc(16), cost);
}

/** A staff card's lookup key. `cardKey` is the till's secret, so a copied database does not reveal card numbers by brute force alone. */
export function cardDigest(code: string, cardKey: Buffer): string {
  return createHmac('sha256', cardKey).update(code.normalize('NFKC').trim(), 'utf8').digest('hex');
}
