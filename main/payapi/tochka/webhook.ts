// Tochka's webhook verifier for the shared listener: the body is a compact JWT (Content-Type text/plain)
// signed RS256 by the bank; verified against the pinned keys from config, then de-duplicated on
// operationId + status. The callback only nudges the operation to re-read the bank.
import { importJwks, verifyRs256, type RsaJwk, type WebhookVerifier } from '../../webhooks';
import { TOCHKA_PROVIDER } from './config';
import { webhookPayloadSchema } from './wire';

export function tochkaWebhookVerifier(pinned: readonly RsaJwk[]): WebhookVerifier {
  const keys = importJwks(pinned);
  return {
    provider: TOCHKA_PROVIDER,
    verify(raw) {
      const jwt = verifyRs256(raw.toString('utf8'), keys);
      if (!jwt.ok) return jwt;
      const payload = webhookPayloadSchema.safeParse(jwt.payload);
      if (!payload.success) return { ok: false, reason: `signed, but not a payment webhook: ${payload.error.issues[0]?.message ?? ''}` };
      const p = payload.data;
      return { ok: true, dedupeKey: `${p.webhookType}:${p.operationId}:${p.status}`, subject: p.operationId, payload: p };
    },
  };
}
