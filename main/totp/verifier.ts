// The TOTP module behind one interface (reference §6.1, §6.4, §6.5): the built-in otpauth stand-in
// or the vendor's Passcode Verify library through native/passcode-verify. Both parse the full
// barcode (the vendor library does its own split) and both produce the `token` header.
import os from 'node:os';
import type { ParsedScan } from '../contract/scan';
import { toScannedCard } from '../barcode/card';
import { parseBarcode, reject } from '../barcode/parse';
import type { TotpCard, TotpConfig } from './config';
import { checkTotp, totpCode, totpStep } from './totp';

/** Source of the Koshelek `token` header (availability-info/task, checkout, refund). Fresh value per request. */
export interface TokenProvider {
  getToken(): string | Promise<string>;
}

export interface VerifyOptions {
  /** Time to verify at (ms since epoch); default: the verifier's clock. */
  nowMs?: number;
}

/** barcodeVerify(fullBarcode) + getToken(), whichever implementation is configured. */
export interface TotpVerifier extends TokenProvider {
  readonly kind: 'builtin' | 'vendor';
  /** Parses and verifies one scanned barcode. Never rejects: failures come back as `{ ok: false }`. */
  verifyBarcode(fullBarcode: string, options?: VerifyOptions): ParsedScan | Promise<ParsedScan>;
  close(): Promise<void>;
}

/** What identifies this till in the built-in token (reference §6.5: semicolon-separated fingerprint). */
export interface TillFingerprint {
  terminalId: string;
  hostname?: string;
  platform?: string;
  arch?: string;
  cpu?: string;
}

export interface BuiltinVerifierOptions {
  fingerprint?: TillFingerprint;
  /** Clock (ms since epoch). Tests and the clock-drift correction plug in here. */
  now?: () => number;
}

function keyed(card: TotpCard): card is TotpCard & { keyHex: string } {
  return card.keyHex !== undefined;
}

/** The card whose TOTP goes into the token: `tokenPrefix`, else the first card with a key. */
export function tokenCard(config: TotpConfig): (TotpCard & { keyHex: string }) | undefined {
  return config.cards.filter(keyed).find((c) => config.tokenPrefix === undefined || c.prefix === config.tokenPrefix);
}

/**
 * Built-in token: base64 of `hostname;platform;arch;cpu;terminalId;timestampMs` followed by the
 * current TOTP digits of the token card (same shape as the published example `…==967`).
 */
export function createBuiltinTokenProvider(config: TotpConfig, options: BuiltinVerifierOptions = {}): TokenProvider {
  const fp = options.fingerprint ?? { terminalId: 'POS-01' };
  const now = options.now ?? Date.now;
  const card = tokenCard(config);
  const stable = [fp.hostname ?? os.hostname(), fp.platform ?? os.platform(), fp.arch ?? os.arch(), fp.cpu ?? os.cpus()[0]?.model ?? 'cpu', fp.terminalId]
    .map((part) => part.replace(/;/g, ','))
    .join(';');
  // The TOTP digits change once per step: computed once per step, not per request (an HMAC on the press path).
  let codeStep = Number.NaN;
  let code = '';
  return {
    getToken(): string {
      const at = now();
      const fingerprint = Buffer.from(`${stable};${at}`, 'utf8').toString('base64');
      if (!card) return fingerprint;
      const step = totpStep(card, at);
      if (step !== codeStep) {
        code = totpCode(card, at);
        codeStep = step;
      }
      return `${fingerprint}${code}`;
    },
  };
}

/** Splits a built-in token back into fingerprint fields and TOTP (for the emulator and tests). */
export function decodeBuiltinToken(token: string, digits: number): { fields: string[]; totp: string } | null {
  if (token.length <= digits) return null;
  const base = token.slice(0, token.length - digits);
  const totp = token.slice(token.length - digits);
  if (!/^[0-9]+$/.test(totp) || !/^[A-Za-z0-9+/]+={0,2}$/.test(base)) return null;
  return { fields: Buffer.from(base, 'base64').toString('utf8').split(';'), totp };
}

export class BuiltinTotpVerifier implements TotpVerifier {
  readonly kind = 'builtin' as const;
  private readonly tokens: TokenProvider;
  private readonly now: () => number;

  constructor(private readonly config: TotpConfig, options: BuiltinVerifierOptions = {}) {
    this.now = options.now ?? Date.now;
    this.tokens = createBuiltinTokenProvider(config, { ...options, now: this.now });
  }

  verifyBarcode(fullBarcode: string, options: VerifyOptions = {}): ParsedScan {
    const parts = parseBarcode(fullBarcode, this.config);
    if (!parts.ok) return { ok: false, reason: parts.reason, errorKey: parts.errorKey, detail: parts.detail };
    const { card } = parts;
    if (parts.totp === undefined || card.keyHex === undefined) return toScannedCard({ ...parts, totp: undefined }, { verified: false });
    const at = options.nowMs ?? this.now();
    const check = checkTotp({ ...card, keyHex: card.keyHex }, parts.totp, at, this.config.allowedDriftSteps, this.config.staleWindowSteps);
    if (check.result === 'invalid') {
      const r = reject('totp_invalid', `TOTP does not match card ${card.prefix} within ±${Math.max(this.config.staleWindowSteps, this.config.allowedDriftSteps)} steps`);
      return { ok: false, reason: r.reason, errorKey: r.errorKey, detail: r.detail };
    }
    if (check.result === 'stale') {
      const r = reject('totp_stale', `TOTP is ${check.delta} steps (${check.delta * card.periodSec} s) from the till clock; allowed ±${this.config.allowedDriftSteps}`);
      return { ok: false, reason: r.reason, errorKey: r.errorKey, detail: r.detail };
    }
    return toScannedCard(parts, { verified: true, totpDelta: check.delta });
  }

  getToken(): string | Promise<string> {
    return this.tokens.getToken();
  }

  async close(): Promise<void> {}
}
