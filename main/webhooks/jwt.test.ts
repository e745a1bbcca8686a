import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importJwks, verifyRs256, type RsaJwk } from './jwt';

const pair = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = (k: crypto.KeyObject): RsaJwk => {
  const j = k.export({ format: 'jwk' });
  return { kty: 'RSA', n: String(j.n), e: String(j.e) };
};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function sign(payload: unknown, key: crypto.KeyObject, header: unknown = { typ: 'JWT', alg: 'RS256' }): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${crypto.sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
}

// The public key published in Tochka's documentation (rwm77av7…): real-format input we did not make.
const TOCHKA_DOC_JWK: RsaJwk = {
  kty: 'RSA', e: 'AQAB',
  n: 'rwm77av7GIttq-JF1itEgLCGEZW_zz16RlUQVYlLbJtyRSu61fCec_rroP6PxjXU2uLzUOaGaLgAPeUZAJrGuVp9nryKgbZceHckdHDYgJd9TsdJ1MYUsXaOb9joN9vmsCscBx1lwSlFQyNQsHUsrjuDk-opf6RCuazRQ9gkoDCX70HV8WBMFoVm-YWQKJHZEaIQxg_DU4gMFyKRkDGKsYKA0POL-UgWA1qkg6nHY5BOMKaqxbc5ky87muWB5nNk4mfmsckyFv9j1gBiXLKekA_y4UwG2o1pbOLpJS3bP_c95rm4M9ZBmGXqfOQhbjz8z-s9C11i-jmOQ2ByohS-ST3E5sqBzIsxxrxyQDTw--bZNhzpbciyYW4GfkkqyeYoOPd_84jPTBDKQXssvj8ZOj2XboS77tvEO1n1WlwUzh8HPCJod5_fEgSXuozpJtOggXBv0C2ps7yXlDZf-7Jar0UYc_NJEHJF-xShlqd6Q3sVL02PhSCM-ibn9DN9BKmD',
};

describe('RS256 webhook JWT', () => {
  it('verifies with any pinned key (rotation: old and new pinned together)', () => {
    const old = pair();
    const fresh = pair();
    const keys = importJwks([jwk(old.publicKey), jwk(fresh.publicKey)]);
    expect(verifyRs256(sign({ a: 1 }, fresh.privateKey), keys)).toEqual({ ok: true, payload: { a: 1 } });
    expect(verifyRs256(sign({ a: 1 }, old.privateKey), keys).ok).toBe(true);
  });

  it('refuses another key, a changed payload, alg none / HS256, garbage and an empty key list', () => {
    const k = pair();
    const keys = importJwks([jwk(k.publicKey)]);
    expect(verifyRs256(sign({ a: 1 }, pair().privateKey), keys)).toEqual({ ok: false, reason: 'bad signature' });
    const [h, , s] = sign({ amount: '1.00' }, k.privateKey).split('.');
    expect(verifyRs256(`${h}.${b64({ amount: '1000.00' })}.${s}`, keys).ok).toBe(false);
    expect(verifyRs256(`${b64({ alg: 'none' })}.${b64({ a: 1 })}.`, keys)).toEqual({ ok: false, reason: 'JWT algorithm is not RS256' });
    expect(verifyRs256(`${b64({ alg: 'HS256' })}.${b64({ a: 1 })}.abc`, keys).ok).toBe(false);
    expect(verifyRs256('a.b', keys).ok).toBe(false);
    expect(verifyRs256('%%%.%%%.%%%', keys).ok).toBe(false);
    expect(verifyRs256(sign({ a: 1 }, k.privateKey), [])).toEqual({ ok: false, reason: 'no pinned verification key' });
  });

  it('imports the 3072-bit key published by Tochka and refuses our forgery against it', () => {
    const keys = importJwks([TOCHKA_DOC_JWK]);
    expect(keys[0]?.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(verifyRs256(sign({ webhookType: 'acquiringInternetPayment' }, pair().privateKey), keys).ok).toBe(false);
  });
});
