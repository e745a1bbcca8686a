// RS256 compact JWT verification against pinned RSA public keys (JWK), with Node's crypto only: the
// header must say RS256 (no "none", no HMAC confusion), the signature must verify with one pinned key.
// Tochka's webhook JWTs carry no kid/exp/iat, so every pinned key is tried and replay protection is our
// de-duplication (docs/banks.md).
import crypto, { type KeyObject } from 'node:crypto';
import { z } from 'zod';

export const rsaJwkSchema = z.object({ kty: z.literal('RSA'), n: z.string().min(16), e: z.string().min(1) }).loose();
export type RsaJwk = z.output<typeof rsaJwkSchema>;

const headerSchema = z.object({ alg: z.literal('RS256'), typ: z.string().optional() }).loose();

export type JwtResult = { ok: true; payload: unknown } | { ok: false; reason: string };

export function importJwks(jwks: readonly RsaJwk[]): KeyObject[] {
  return jwks.map((k) => crypto.createPublicKey({ key: { kty: 'RSA', n: k.n, e: k.e }, format: 'jwk' }));
}

export function verifyRs256(token: string, keys: readonly KeyObject[]): JwtResult {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a compact JWT' };
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'undecodable JWT' };
  }
  if (!headerSchema.safeParse(header).success) return { ok: false, reason: 'JWT algorithm is not RS256' };
  if (keys.length === 0) return { ok: false, reason: 'no pinned verification key' };
  const signature = Buffer.from(s, 'base64url');
  const input = Buffer.from(`${h}.${p}`);
  const good = keys.some((key) => {
    try {
      return crypto.verify('RSA-SHA256', input, key, signature);
    } catch {
      return false;
    }
  });
  return good ? { ok: true, payload } : { ok: false, reason: 'bad signature' };
}
