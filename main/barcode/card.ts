// The one mapping from a read loyalty barcode to the scan contract's card (docs/scanning.md "Scanned card").
// Every producer goes through it: the built-in verifier (our parser's parts), the vendor TOTP library's
// answer and the legacy-card fallback. The barcode format is Koshelek's, whose payment field is the card
// session; the contract carries it as the neutral `payToken` with `payReady`. The fields are checked here
// again because the vendor library's answer is input we did not make: a token or card number outside the
// card format is refused, never passed on. Pure; never throws.
import type { ParsedScan } from '../contract/scan';
import { reject } from './parse';

/** What a barcode reader found on the card. */
export interface CardReading {
  /** The card template's prefix; '' for a legacy store card. */
  prefix: string;
  /** Card number: the customer's loyaltyId. */
  loyaltyId: string;
  /** The barcode's card session (a one-time payment token); absent or empty on plain loyalty cards. */
  cardSession?: string | null | undefined;
  totp?: string | undefined;
}

/** What the verifier concluded about the reading. */
export interface CardCheck {
  /** A TOTP was present and matched near now. */
  verified: boolean;
  /** TOTP step offset that matched, when verified. */
  totpDelta?: number | undefined;
  /** The verifier vouches for the card session (vendor: resultCode CARDSESSION_AVAILABLE). Default true. */
  sessionUsable?: boolean;
  /** The legacy-card rule that accepted a number-only card. */
  legacy?: string;
}

/** Card format limits (reference §6.3): session ≤ 32 Latin letters/digits; card numbers ≤ 36 (loyaltyId). */
export const MAX_PAY_TOKEN_LENGTH = 32;
export const MAX_LOYALTY_ID_LENGTH = 36;
const ALNUM = /^[A-Za-z0-9]+$/;
const DIGITS = /^[0-9]+$/;
const PREFIX = /^[A-Za-z0-9]{0,2}$/;

/** Maps one reading onto the contract: `{ ok: true, …, payToken?, payReady }`, or a rejection naming the field. */
export function toScannedCard(reading: CardReading, check: CardCheck): ParsedScan {
  const refuse = (reason: 'bad_length' | 'bad_characters', detail: string): ParsedScan => {
    const r = reject(reason, detail);
    return { ok: false, reason: r.reason, errorKey: r.errorKey, detail: r.detail };
  };
  const { prefix, loyaltyId, totp } = reading;
  const payToken = reading.cardSession ? reading.cardSession : undefined;
  if (!PREFIX.test(prefix)) return refuse('bad_characters', 'card prefix must be at most 2 Latin letters or digits');
  if (loyaltyId.length === 0 || loyaltyId.length > MAX_LOYALTY_ID_LENGTH) return refuse('bad_length', `card number has ${loyaltyId.length} characters; 1 to ${MAX_LOYALTY_ID_LENGTH}`);
  if (!ALNUM.test(loyaltyId)) return refuse('bad_characters', 'card number must be Latin letters and digits');
  if (payToken !== undefined && payToken.length > MAX_PAY_TOKEN_LENGTH) return refuse('bad_length', `cardSession has ${payToken.length} characters; at most ${MAX_PAY_TOKEN_LENGTH}`);
  if (payToken !== undefined && !ALNUM.test(payToken)) return refuse('bad_characters', 'cardSession must be Latin letters and digits');
  if (totp !== undefined && (totp.length > 10 || !DIGITS.test(totp))) return refuse('bad_characters', 'TOTP must be 1 to 10 digits');
  return {
    ok: true, prefix, loyaltyId,
    ...(payToken !== undefined ? { payToken } : {}),
    ...(totp !== undefined ? { totp } : {}),
    payReady: payToken !== undefined && check.verified && check.sessionUsable !== false,
    verified: check.verified,
    ...(check.legacy !== undefined ? { legacy: check.legacy } : {}),
    ...(check.totpDelta !== undefined ? { totpDelta: check.totpDelta } : {}),
  };
}
