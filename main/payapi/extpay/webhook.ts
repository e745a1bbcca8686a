// Verifying the external API's webhook: the only proof is the Bearer auth_token we gave at create
// (compared in constant time), so a verified webhook is still only news that goes through the same
// reducer as a poll answer — never more trusted than the status endpoint (docs/extpay.md).
import crypto from 'node:crypto';
import { WEBHOOK_FIELDS, webhookSchema, type ExtCurrency, type ExtMethod, type ExtStatus } from './contract';

export interface VerifiedWebhook {
  internalOrderId: string;
  externalOrderId: string | null;
  status: ExtStatus;
  amount: number;
  currency: ExtCurrency;
  method: ExtMethod;
  processedAt: string;
  /** custom_data as flattened into the root. */
  custom: Record<string, unknown>;
}

export type WebhookVerdict = { ok: true; webhook: VerifiedWebhook } | { ok: false; status: 400 | 401; reason: string };

export function verifyExtpayWebhook(headers: Record<string, string | string[] | undefined>, rawBody: Uint8Array, expectedToken: string): WebhookVerdict {
  const h = headers.authorization;
  const given = Buffer.from(typeof h === 'string' ? h : '', 'utf8');
  const want = Buffer.from(`Bearer ${expectedToken}`, 'utf8');
  if (!expectedToken || given.length !== want.length || !crypto.timingSafeEqual(given, want)) return { ok: false, status: 401, reason: 'bad or missing Bearer token' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(rawBody).toString('utf8'));
  } catch {
    return { ok: false, status: 400, reason: 'body is not JSON' };
  }
  const p = webhookSchema.safeParse(json);
  if (!p.success) return { ok: false, status: 400, reason: p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const custom: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p.data)) if (!(WEBHOOK_FIELDS as readonly string[]).includes(k)) custom[k] = v;
  const d = p.data;
  return { ok: true, webhook: { internalOrderId: d.internal_order_id, externalOrderId: d.external_order_id ?? null, status: d.status, amount: d.amount, currency: d.currency, method: d.payment_method, processedAt: d.processed_at, custom } };
}
