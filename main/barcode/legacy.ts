// Legacy store loyalty cards (backward compatibility, docs/scanning.md "Legacy store cards"): EAN-13, Code 39 or
// Code 128 cards that carry only a number — no prefix template, no cardSession, no TOTP. Configured
// rules (`scanner.legacyCards`) say which numbers are the store's cards: length, allowed leading digits
// (prefixes or ranges) and the check digit. The whole number is the loyaltyId: a leading range is
// part of the card number, never cut off. Pure; never throws.
import { z } from 'zod';

export const legacyCardRuleSchema = z.object({
  /** For IT and the log, e.g. "ean13-store". */
  name: z.string().min(1).max(40),
  /** Accepted lengths of the whole number (EAN-13: [13]). */
  lengths: z.array(z.number().int().min(4).max(32)).min(1),
  charset: z.enum(['digits', 'alnum']).default('digits'),
  /** The number starts with one of these (empty with no ranges: any start). */
  prefixes: z.array(z.string().regex(/^[0-9A-Za-z]{1,12}$/)).default([]),
  /** Inclusive ranges of the leading digits, e.g. { from: "2000", to: "2099" } (same length, digits). */
  ranges: z.array(z.object({ from: z.string().regex(/^[0-9]{1,12}$/), to: z.string().regex(/^[0-9]{1,12}$/) })
    .refine((r) => r.from.length === r.to.length && r.from <= r.to, 'from and to must have the same number of digits, from ≤ to')).default([]),
  /** 'gs1': EAN-13 / EAN-8 / UPC mod-10 check digit; 'luhn'; 'none'. */
  checkDigit: z.enum(['gs1', 'luhn', 'none']).default('none'),
});
export type LegacyCardRule = z.infer<typeof legacyCardRuleSchema>;

const DIGITS = /^[0-9]+$/;
const ALNUM = /^[A-Za-z0-9]+$/;

/** GS1 mod-10: weights 3, 1, 3… from the digit left of the check digit. */
export function gs1CheckDigitOk(code: string): boolean {
  if (!DIGITS.test(code) || code.length < 2) return false;
  let sum = 0;
  for (let i = code.length - 2, w = 3; i >= 0; i -= 1, w = 4 - w) sum += Number(code.charAt(i)) * w;
  return (10 - (sum % 10)) % 10 === Number(code.charAt(code.length - 1));
}

export function luhnOk(code: string): boolean {
  if (!DIGITS.test(code) || code.length < 2) return false;
  let sum = 0;
  for (let i = code.length - 1, double = false; i >= 0; i -= 1, double = !double) {
    let d = Number(code.charAt(i));
    if (double) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}

function startsOk(rule: LegacyCardRule, code: string): boolean {
  if (rule.prefixes.length === 0 && rule.ranges.length === 0) return true;
  if (rule.prefixes.some((p) => code.startsWith(p))) return true;
  return rule.ranges.some((r) => {
    const head = code.slice(0, r.from.length);
    return head.length === r.from.length && DIGITS.test(head) && head >= r.from && head <= r.to;
  });
}

/** The first rule the code satisfies, or null. `code` is the scan with terminators already trimmed. */
export function matchLegacyCard(code: string, rules: readonly LegacyCardRule[]): LegacyCardRule | null {
  for (const rule of rules) {
    if (!rule.lengths.includes(code.length)) continue;
    if (!(rule.charset === 'digits' ? DIGITS : ALNUM).test(code)) continue;
    if (!startsOk(rule, code)) continue;
    if (rule.checkDigit === 'gs1' && !gs1CheckDigitOk(code)) continue;
    if (rule.checkDigit === 'luhn' && !luhnOk(code)) continue;
    return rule;
  }
  return null;
}
