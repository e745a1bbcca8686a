// Pay tokens presented as their own barcode (not on a loyalty card): a provider that takes them contributes a
// token format (CheckoutProvider.tokenFormats) and the scan pipeline asks every configured format before the
// card templates. The barcode layer stays neutral: it only learns "this code is provider X's token T", or
// "this code claims to be provider X's token but is garbled" — never what the token means (docs/scanning.md
// "Provider pay tokens"). Pure; never throws on any input.
import type { ParsedScan } from '../contract/scan';
import { normalizeScan, REJECT_ERROR_KEY } from './parse';
import { MAX_PAY_TOKEN_LENGTH } from './card';

/** What one format says about a scanned code. */
export type TokenParse =
  | { kind: 'none' } // not this format: the next format, then the card templates, look at it
  | { kind: 'token'; payToken: string }
  | { kind: 'invalid'; detail: string }; // this format's marker, but garbled (check failed, bad characters…)

export interface TokenFormat {
  /** For logs and the refusal's detail, e.g. 'partner-qr-v1'. */
  readonly name: string;
  parse(code: string): TokenParse;
}

/** A format with the provider that contributed it (the one whose scan methods the sale screen offers). */
export interface ProviderTokenFormat extends TokenFormat {
  readonly provider: string;
}

const TOKEN = /^[\x21-\x7e]+$/;

/**
 * The scan as a provider's pay token, a refusal when a format recognised its marker but not the rest, or null
 * when no format claims it. A format that throws, or answers a token outside the scan contract, is a refusal
 * (its answer is input we did not make), never a payment.
 */
export function matchProviderToken(raw: string, formats: readonly ProviderTokenFormat[]): ParsedScan | null {
  const code = normalizeScan(raw);
  for (const format of formats) {
    let result: TokenParse;
    try {
      result = format.parse(code);
    } catch (error) {
      result = { kind: 'invalid', detail: `format failed: ${error instanceof Error ? error.message.slice(0, 100) : 'error'}` };
    }
    if (result.kind === 'none') continue;
    if (result.kind === 'token' && (result.payToken.length > MAX_PAY_TOKEN_LENGTH || !TOKEN.test(result.payToken))) {
      result = { kind: 'invalid', detail: 'the token is outside the scan contract (1–32 printable characters)' };
    }
    if (result.kind === 'invalid') return { ok: false, reason: 'token_invalid', errorKey: REJECT_ERROR_KEY.token_invalid, detail: `${format.provider}/${format.name}: ${result.detail}` };
    // The presented id is what the customer shows (no card number): it stands in the card's place.
    return { ok: true, prefix: '', loyaltyId: result.payToken, payToken: result.payToken, payReady: true, verified: false, provider: format.provider };
  }
  return null;
}
