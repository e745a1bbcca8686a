// The partner payments section of paydesk.config.json (docs/partner.md). No secret lives here: the till's
// private keys are generated into its data folder (keys.ts); the partner's callback keys are public.
import crypto from 'node:crypto';
import { z } from 'zod';
import { currencySchema } from './contract';

export const partnerConfigSchema = z.object({
  enabled: z.boolean().default(false),
  baseUrl: z.string().url().default('http://127.0.0.1:1'),
  merchantId: z.string().min(1).max(64).default('merchant-1'),
  currency: currencySchema.default('RUB'),
  /** Where the partner posts on_payment_completed (the store's proxy); default: the receiver's own URL. */
  callbackUrl: z.string().url().optional(),
  /** The till's on_payment_completed receiver (POST /v1/on_payment_completed, partner-signed). */
  callbackListener: z.object({
    enabled: z.boolean().default(false),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(0),
  }).prefault({}),
  /** The partner's callback public keys (PEM, SPKI), several during their rotation. */
  partnerKeys: z.array(z.string().min(1).max(4096).refine(isP521PublicKey, 'must be the partner\'s P-521 public key in PEM (-----BEGIN PUBLIC KEY-----)')).max(4).default([]),
  timing: z.object({
    requestTimeoutMs: z.number().int().min(500).max(60_000).default(10_000),
    /** "Re-check n minutes later" while the partner says PENDING (the confirmation task's pause). */
    recheckMs: z.number().int().min(10).max(3_600_000).default(60_000),
    /** Pause between attempts when the partner cannot be reached (the task's backoff base). */
    retryMs: z.number().int().min(10).max(600_000).default(5_000),
  }).prefault({}),
});
export type PartnerConfig = z.infer<typeof partnerConfigSchema>;

function isP521PublicKey(pem: string): boolean {
  try {
    const key = crypto.createPublicKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp521r1';
  } catch {
    return false;
  }
}
