// The shared webhook listener: raw store, per-provider verification, de-duplication, fast 200 (docs/banks.md).
export { WebhookListener, webhookConfigSchema, type WebhookConfig, type WebhookVerifier, type Verification, type WebhookCallback, type WebhookLog } from './listener';
export { verifyRs256, importJwks, rsaJwkSchema, type RsaJwk } from './jwt';
export { deliveries, pendingEvents, type PendingEvent } from './store';
