// TOTP section of paydesk.config.json (seed 003 §6, §8.2 "Конфигурация TOTP"). Owned by the scanning capability.
// Barcode templates live here too: one entry per card prefix (docs/scanning.md "Barcode templates").
import { z } from 'zod';

export const totpCardSchema = z.object({
  /** Card prefix in the barcode (≤ 2 characters, Latin letters/digits). */
  prefix: z.string().min(1).max(2).regex(/^[A-Za-z0-9]+$/, 'Latin letters and digits only'),
  /** Issuer secret for this prefix, hex. Omit for plain loyalty cards that carry no TOTP at all. */
  keyHex: z.string().regex(/^(?:[0-9a-fA-F]{2})+$/, 'must be hex (an even number of 0-9a-f)').min(8).optional(),
  algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']).default('SHA256'),
  /** TOTP length in the barcode. */
  digits: z.number().int().min(3).max(10).default(3),
  periodSec: z.number().int().min(5).max(300).default(30),
  cardNumberLength: z.number().int().min(4).max(32).default(13),
  /** Card number alphabet. Koshelek cards: digits. */
  cardNumberCharset: z.enum(['digits', 'alnum']).default('digits'),
  /**
   * Accepted fixed cardSession lengths in separator-free barcodes. 1-D codes carry exactly 6; a 2-D
   * fixed-length layout may add e.g. 32. Totals (prefix + number + session + TOTP) must differ from
   * each other and from the plain layouts, or a length would be ambiguous.
   */
  cardSessionLengths: z.array(z.number().int().min(1).max(32)).min(1).default([6]),
  /** Plain loyalty cards (no cardSession) without a TOTP part: accepted for loyalty, unverified. */
  acceptWithoutTotp: z.boolean().default(true),
});
export type TotpCard = z.infer<typeof totpCardSchema>;

export const DEFAULT_TEST_CARD = {
  prefix: 'KP', keyHex: '4b6f7368656c656b5465737443617264', algorithm: 'SHA256', digits: 3, periodSec: 30, cardNumberLength: 13,
  cardNumberCharset: 'digits', cardSessionLengths: [6], acceptWithoutTotp: true,
} as const satisfies TotpCard;

export const totpConfigSchema = z.object({
  /** builtin = otpauth stand-in; vendor = Koshelek Passcode Verify library through native/. */
  verifier: z.enum(['builtin', 'vendor']).default('builtin'),
  /**
   * vendor: the adapter to load (native/passcode-verify): a JS module (.js/.mjs/.cjs), an N-API addon
   * (.node), or an executable speaking the line-JSON sidecar protocol (see docs/scanning.md).
   */
  vendorLibraryPath: z.string().optional(),
  /** vendor sidecar: extra arguments (e.g. ['-jar', 'passcode-verify-host.jar'] with java as the path). */
  vendorArgs: z.array(z.string()).default([]),
  /** vendor: the parameters agreed with Koshelek, passed verbatim to init(). */
  vendorInit: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** Steps of clock drift accepted either side (RFC 6238 §5.2). */
  allowedDriftSteps: z.number().int().min(0).max(5).default(1),
  /** A TOTP matching within this many steps (but outside allowedDriftSteps) is reported as stale, not invalid. */
  staleWindowSteps: z.number().int().min(0).max(120).default(10),
  /**
   * 2-D payloads with a longer cardSession may separate the fields instead of fixing lengths:
   * <prefix><cardNumber><SEP><cardSession><SEP><totp>. Default GS (0x1D).
   */
  separator: z.string().length(1).default('\u001d'),
  /** Card prefix whose TOTP the built-in token provider appends to the `token` header (default: first card with a key). */
  tokenPrefix: z.string().min(1).max(2).optional(),
  cards: z.array(totpCardSchema).min(1).default([{ ...DEFAULT_TEST_CARD, cardSessionLengths: [6] }]),
}).superRefine((value, ctx) => {
  const seen = new Set<string>();
  value.cards.forEach((card, index) => {
    if (seen.has(card.prefix)) ctx.addIssue({ code: 'custom', path: ['cards', index, 'prefix'], message: `prefix ${card.prefix} is configured twice` });
    seen.add(card.prefix);
    const base = card.prefix.length + card.cardNumberLength;
    const totals = [base, ...(card.keyHex ? [base + card.digits, ...card.cardSessionLengths.map((s) => base + s + card.digits)] : [])];
    if (new Set(totals).size !== totals.length) {
      ctx.addIssue({ code: 'custom', path: ['cards', index, 'cardSessionLengths'], message: `barcode lengths ${totals.join(', ')} are ambiguous for prefix ${card.prefix}` });
    }
  });
  if (/[A-Za-z0-9]/.test(value.separator)) ctx.addIssue({ code: 'custom', path: ['separator'], message: 'the separator must not be a letter or digit' });
  if (value.verifier === 'vendor' && !value.vendorLibraryPath) {
    ctx.addIssue({ code: 'custom', path: ['vendorLibraryPath'], message: 'verifier "vendor" needs vendorLibraryPath (the Passcode Verify adapter)' });
  }
  if (value.tokenPrefix && !value.cards.some((c) => c.prefix === value.tokenPrefix && c.keyHex)) {
    ctx.addIssue({ code: 'custom', path: ['tokenPrefix'], message: `tokenPrefix ${value.tokenPrefix} has no card with a keyHex` });
  }
});
export type TotpConfig = z.infer<typeof totpConfigSchema>;
export type TotpConfigInput = z.input<typeof totpConfigSchema>;
