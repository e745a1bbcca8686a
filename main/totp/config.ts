// TOTP section of paydesk.config.json (seed 003 §6, §8.2 "Конфигурация TOTP"). Owned by the scanning capability.
import { z } from 'zod';

export const totpCardSchema = z.object({
  /** Card prefix in the barcode (≤ 2 characters). */
  prefix: z.string().min(1).max(2),
  /** Issuer secret for this prefix, hex. */
  keyHex: z.string().regex(/^[0-9a-fA-F]+$/, 'must be hex').min(8),
  algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']).default('SHA256'),
  digits: z.number().int().min(3).max(10).default(3),
  periodSec: z.number().int().min(5).max(300).default(30),
  cardNumberLength: z.number().int().min(4).max(32).default(13),
});

export const totpConfigSchema = z.object({
  /** builtin = otpauth stand-in; vendor = Koshelek Passcode Verify library through native/. */
  verifier: z.enum(['builtin', 'vendor']).default('builtin'),
  vendorLibraryPath: z.string().optional(),
  /** Steps of clock drift accepted either side (RFC 6238 §5.2). */
  allowedDriftSteps: z.number().int().min(0).max(5).default(1),
  cards: z.array(totpCardSchema).default([
    // The embedded emulator's test card issuer (public test key, not a secret).
    { prefix: 'KP', keyHex: '4b6f7368656c656b5465737443617264', algorithm: 'SHA256', digits: 3, periodSec: 30, cardNumberLength: 13 },
  ]),
});
export type TotpConfig = z.infer<typeof totpConfigSchema>;
