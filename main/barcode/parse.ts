// Barcode parsing (issue #3 §1; reference §6.3): split a scanned loyalty barcode into prefix, card
// number (loyaltyId), cardSession and TOTP per the configured card templates. Pure: no I/O, no clock,
// never throws; every rejection names its reason and error-catalogue key.
//
// Layouts (docs/scanning.md "Barcode templates"):
//   fixed (1-D, and 2-D when configured): <prefix><number:N>[<cardSession:S>]<totp:D> or <prefix><number:N>
//   separated (2-D with a long cardSession): <prefix><number:N><SEP><cardSession:1..32><SEP><totp:D>
//                                            or <prefix><number:N><SEP><totp:D>
import type { ScanRejectReason } from '../contract/scan';

/** The part of TotpConfig the parser needs (structurally compatible with TotpConfig). */
export interface BarcodeTemplateCard {
  prefix: string;
  keyHex?: string | undefined;
  digits: number;
  cardNumberLength: number;
  cardNumberCharset: 'digits' | 'alnum';
  cardSessionLengths: readonly number[];
  acceptWithoutTotp: boolean;
}

export interface BarcodeTemplates {
  cards: readonly BarcodeTemplateCard[];
  separator: string;
}

export type BarcodeLayout = 'fixed' | 'separated';

export interface BarcodeParts<C extends BarcodeTemplateCard = BarcodeTemplateCard> {
  ok: true;
  card: C;
  prefix: string;
  loyaltyId: string;
  cardSession?: string;
  totp?: string;
  layout: BarcodeLayout;
}

export interface BarcodeRejection {
  ok: false;
  reason: ScanRejectReason;
  errorKey: string;
  detail: string;
}

export type BarcodeParse<C extends BarcodeTemplateCard = BarcodeTemplateCard> = BarcodeParts<C> | BarcodeRejection;

/** Catalogue key per rejection reason. */
export const REJECT_ERROR_KEY: Readonly<Record<ScanRejectReason, string>> = {
  empty: 'barcode.invalid',
  wrong_prefix: 'barcode.wrong_prefix',
  bad_length: 'barcode.bad_length',
  bad_characters: 'barcode.bad_characters',
  totp_invalid: 'barcode.totp_invalid',
  totp_stale: 'barcode.totp_stale',
  no_totp: 'barcode.no_totp',
  not_decoded: 'barcode.not_decoded',
  verifier_error: 'barcode.verifier_error',
  busy: 'scan.busy',
  unterminated: 'barcode.bad_length',
  token_invalid: 'barcode.token_invalid',
};

export function reject(reason: ScanRejectReason, detail: string): BarcodeRejection {
  return { ok: false, reason, errorKey: REJECT_ERROR_KEY[reason], detail };
}

/** Longest barcode the parser looks at (2-D: 2 + 32 + 32 + 10 + separators, with room). */
export const MAX_BARCODE_LENGTH = 128;

const DIGITS = /^[0-9]+$/;
const ALNUM = /^[A-Za-z0-9]+$/;
// Terminators and padding a scanner or a wedge may leave around the code. GS (0x1D) is data, never trimmed.
const TRIM = /^[\r\n\t ]+|[\r\n\t ]+$/g;

/** Strips terminators/padding (CR, LF, TAB, space) from both ends; keeps GS and everything inside. */
export function normalizeScan(raw: string): string {
  return raw.replace(TRIM, '');
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f || code > 0x7e ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
}

function checkFields<C extends BarcodeTemplateCard>(card: C, number: string, session: string | undefined, totp: string | undefined, layout: BarcodeLayout): BarcodeParse<C> {
  const numberOk = card.cardNumberCharset === 'digits' ? DIGITS.test(number) : ALNUM.test(number);
  if (!numberOk) return reject('bad_characters', `card number must be ${card.cardNumberCharset === 'digits' ? 'digits' : 'Latin letters and digits'}`);
  if (session !== undefined && !ALNUM.test(session)) return reject('bad_characters', 'cardSession must be Latin letters and digits');
  if (totp !== undefined && !DIGITS.test(totp)) return reject('bad_characters', 'TOTP must be digits');
  if (totp === undefined && !card.acceptWithoutTotp) return reject('no_totp', `cards with prefix ${card.prefix} must carry a TOTP`);
  return {
    ok: true, card, prefix: card.prefix, loyaltyId: number, layout,
    ...(session !== undefined ? { cardSession: session } : {}),
    ...(totp !== undefined ? { totp } : {}),
  };
}

function parseFixed<C extends BarcodeTemplateCard>(card: C, body: string): BarcodeParse<C> {
  const n = card.cardNumberLength;
  const d = card.digits;
  const length = body.length;
  if (length === n) return checkFields(card, body, undefined, undefined, 'fixed');
  if (card.keyHex !== undefined) {
    if (length === n + d) return checkFields(card, body.slice(0, n), undefined, body.slice(n), 'fixed');
    for (const s of card.cardSessionLengths) {
      if (length === n + s + d) return checkFields(card, body.slice(0, n), body.slice(n, n + s), body.slice(n + s), 'fixed');
    }
  }
  const expected = card.keyHex === undefined
    ? `${card.prefix.length + n}`
    : [n, n + d, ...card.cardSessionLengths.map((s) => n + s + d)].map((l) => card.prefix.length + l).join(', ');
  return reject('bad_length', `${card.prefix.length + length} characters; prefix ${card.prefix} expects ${expected}`);
}

function parseSeparated<C extends BarcodeTemplateCard>(card: C, body: string, separator: string): BarcodeParse<C> {
  if (card.keyHex === undefined) return reject('bad_characters', `prefix ${card.prefix} has no TOTP key: separated layout not allowed`);
  const parts = body.split(separator);
  const [number = '', second = '', third] = parts;
  if (parts.length > 3) return reject('bad_length', `${parts.length} fields; expected 2 or 3`);
  if (number.length !== card.cardNumberLength) return reject('bad_length', `card number has ${number.length} characters; expected ${card.cardNumberLength}`);
  const session = parts.length === 3 ? second : undefined;
  const totp = parts.length === 3 ? (third ?? '') : second;
  if (session !== undefined && session.length > 32) return reject('bad_length', `cardSession has ${session.length} characters; at most 32`);
  if (totp.length !== card.digits) return reject('bad_length', `TOTP has ${totp.length} characters; expected ${card.digits}`);
  // An empty session field (<number><SEP><SEP><totp>) is a plain card.
  return checkFields(card, number, session === '' ? undefined : session, totp, 'separated');
}

/**
 * Splits a scanned barcode per the configured templates. Never throws.
 * Cards are matched by the longest configured prefix the value starts with (case-sensitive).
 */
export function parseBarcode<C extends BarcodeTemplateCard>(raw: string, templates: { cards: readonly C[]; separator: string }): BarcodeParse<C> {
  if (typeof raw !== 'string') return reject('empty', 'not text');
  const value = normalizeScan(raw);
  if (value.length === 0) return reject('empty', 'nothing scanned');
  if (value.length > MAX_BARCODE_LENGTH) return reject('bad_length', `${value.length} characters; at most ${MAX_BARCODE_LENGTH}`);
  const separator = templates.separator;
  for (const ch of value) {
    if (ch === separator) continue;
    const code = ch.charCodeAt(0);
    if (code > 0x7e || code < 0x21) return reject('bad_characters', `unexpected character ${describeChar(ch)}`);
  }
  let card: C | undefined;
  for (const candidate of templates.cards) {
    if (value.startsWith(candidate.prefix) && (card === undefined || candidate.prefix.length > card.prefix.length)) card = candidate;
  }
  if (card === undefined) {
    return reject('wrong_prefix', `starts with ${describeChar(value.charAt(0))}; expected ${templates.cards.map((c) => c.prefix).join(' or ')}`);
  }
  const body = value.slice(card.prefix.length);
  return body.includes(separator) ? parseSeparated(card, body, separator) : parseFixed(card, body);
}
