// RFC 6238 TOTP per card prefix on otpauth (reference §6.6 stand-in: HMAC-SHA256, 30 s, 3 digits,
// card number not mixed in). Codes are checked nearest step first so a collision with a far step
// (3 digits collide often) never hides an exact match.
import { HOTP, Secret } from 'otpauth';
import { timingSafeEqual } from 'node:crypto';

export interface TotpParams {
  keyHex: string;
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  periodSec: number;
}

export type TotpCheck =
  | { result: 'valid'; delta: number }
  | { result: 'stale'; delta: number }
  | { result: 'invalid' };

const generators = new Map<string, HOTP>();

function generator(params: TotpParams): HOTP {
  const id = `${params.algorithm}:${params.digits}:${params.keyHex.toLowerCase()}`;
  let hotp = generators.get(id);
  if (!hotp) {
    hotp = new HOTP({ secret: Secret.fromHex(params.keyHex), algorithm: params.algorithm, digits: params.digits });
    generators.set(id, hotp);
  }
  return hotp;
}

/** TOTP step number at a time (ms since epoch). */
export function totpStep(params: Pick<TotpParams, 'periodSec'>, atMs: number): number {
  return Math.floor(atMs / 1000 / params.periodSec);
}

/** The TOTP code for a card at a time (same value as otpauth `TOTP.generate`). */
export function totpCode(params: TotpParams, atMs: number): string {
  return generator(params).generate({ counter: totpStep(params, atMs) });
}

function sameCode(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * Checks a code against steps now, now±1, … up to `staleWindowSteps`. Within `allowedDriftSteps` →
 * valid; beyond it but within the stale window → stale (old screenshot or a drifting till clock).
 */
export function checkTotp(params: TotpParams, code: string, atMs: number, allowedDriftSteps: number, staleWindowSteps: number): TotpCheck {
  if (code.length !== params.digits || !/^[0-9]+$/.test(code)) return { result: 'invalid' };
  const hotp = generator(params);
  const step = totpStep(params, atMs);
  const reach = Math.max(allowedDriftSteps, staleWindowSteps);
  for (let distance = 0; distance <= reach; distance += 1) {
    for (const delta of distance === 0 ? [0] : [-distance, distance]) {
      const counter = step + delta;
      if (counter < 0) continue;
      if (sameCode(hotp.generate({ counter }), code)) {
        return distance <= allowedDriftSteps ? { result: 'valid', delta } : { result: 'stale', delta };
      }
    }
  }
  return { result: 'invalid' };
}
