// The code a customer presents at the till for their partner payment (docs/partner-api.yaml
// "Presented payment code"): `PTNR1:<payment_id>:<check>`, check = the first 4 hex digits (upper case) of
// SHA-256 over `PTNR1:<payment_id>`. The check catches a misread or mangled code (wrong keyboard layout, a
// dropped character); it is not a signature — the partner decides whether the payment id is real when the till
// charges it. Printed as QR or Code 128; only characters every wedge keymap and symbology carries.
import crypto from 'node:crypto';
import type { TokenFormat, TokenParse } from '../../barcode/tokens';

export const PARTNER_CODE_PREFIX = 'PTNR1:';
/** The till carries a pay token of at most 32 characters (scan contract), so a presented id is 8–32. */
const PAYMENT_ID = /^[A-Za-z0-9-]{8,32}$/;
const CODE = /^PTNR1:([A-Za-z0-9-]{8,32}):([0-9A-F]{4})$/;
const MAX_CODE = PARTNER_CODE_PREFIX.length + 32 + 5;

export function partnerCodeCheck(paymentId: string): string {
  return crypto.createHash('sha256').update(`${PARTNER_CODE_PREFIX}${paymentId}`, 'utf8').digest('hex').slice(0, 4).toUpperCase();
}

/** The code the partner's app shows for a payment (and our emulator and tests print). */
export function composePartnerCode(paymentId: string): string {
  if (!PAYMENT_ID.test(paymentId)) throw new Error('a presented partner payment id is 8–32 of [A-Za-z0-9-]');
  return `${PARTNER_CODE_PREFIX}${paymentId}:${partnerCodeCheck(paymentId)}`;
}

export function parsePartnerCode(code: string): TokenParse {
  // The marker in any case is ours: a code whose letters flipped case (Caps Lock) is a misread, not a card.
  if (code.slice(0, PARTNER_CODE_PREFIX.length).toUpperCase() !== PARTNER_CODE_PREFIX) return { kind: 'none' };
  if (code.length > MAX_CODE) return { kind: 'invalid', detail: `${code.length} characters; a partner payment code has at most ${MAX_CODE}` };
  const m = CODE.exec(code);
  if (!m?.[1] || !m[2]) return { kind: 'invalid', detail: 'not PTNR1:<payment id 8–32 of [A-Za-z0-9-]>:<4 hex digits>' };
  if (partnerCodeCheck(m[1]) !== m[2]) return { kind: 'invalid', detail: 'check digits do not match (misread or mangled code)' };
  return { kind: 'token', payToken: m[1] };
}

export const partnerCodeFormat: TokenFormat = { name: 'partner-code-v1', parse: parsePartnerCode };
