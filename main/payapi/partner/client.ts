// The partner API client: signs every request with the key its operation requires (reversals with the
// reversal key), serializes the body once and sends those bytes, and classifies each exchange as an
// answer, a definite refusal, or unknown (the request may have taken effect: only a status check decides).
import crypto from 'node:crypto';
import type { z } from 'zod';
import { signRequest, type SigningKey } from './canonical';
import {
  PARTNER_PATHS, extraChargeRequestSchema, initSessionResponseSchema, operationAcceptedSchema, partnerErrorSchema,
  paymentStatusResponseSchema, reversalRequestSchema, type PartnerOpKind, type PaymentStatusResponse,
} from './contract';
import type { KeyPurpose } from './keys';

export interface PartnerKeys {
  signingKey(purpose: KeyPurpose): SigningKey;
}

export interface PartnerClientOptions {
  baseUrl: string;
  merchantId: string;
  keys: PartnerKeys;
  timeoutMs: number;
  now?: () => number;
}

/** How an exchange ended. `refused`: the partner answered and nothing happened. `unknown`: it may have. */
export type PartnerOutcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'refused'; status: number; code: string; message: string }
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'unknown'; fault: 'timeout' | 'network' | 'server' | 'garbage'; detail: string };

export interface OperationRequest {
  operationId: string;
  paymentId: string;
  amountMinor: number;
  currency: string;
  callbackUrl: string;
}

function notOk<T>(o: Exclude<PartnerOutcome<unknown>, { kind: 'ok' }>): PartnerOutcome<T> {
  return o;
}

export class PartnerClient {
  private readonly now: () => number;
  constructor(private readonly o: PartnerClientOptions) {
    this.now = o.now ?? Date.now;
  }

  private async call<T>(path: string, purpose: KeyPurpose, body: unknown, schema: z.ZodType<T>): Promise<PartnerOutcome<T>> {
    const bytes = Buffer.from(JSON.stringify(body), 'utf8');
    const headers = signRequest(
      { method: 'POST', path, timestamp: Math.floor(this.now() / 1000), requestId: crypto.randomUUID(), body: bytes },
      this.o.keys.signingKey(purpose),
      this.o.merchantId,
    );
    let res: Response;
    try {
      res = await fetch(new URL(path, this.o.baseUrl), {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: bytes,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (error) {
      const timeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return { kind: 'unknown', fault: timeout ? 'timeout' : 'network', detail: error instanceof Error ? error.message : String(error) };
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      return { kind: 'unknown', fault: 'network', detail: error instanceof Error ? error.message : String(error) };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after') ?? '1');
      return { kind: 'rate_limited', retryAfterMs: Number.isFinite(after) && after > 0 ? after * 1000 : 1000 };
    }
    if (res.status >= 500) return { kind: 'unknown', fault: 'server', detail: `HTTP ${res.status}` };
    if (res.status >= 400) {
      const err = partnerErrorSchema.safeParse(json);
      return { kind: 'refused', status: res.status, code: err.success ? err.data.error : `HTTP_${res.status}`, message: err.success ? (err.data.message ?? '') : text.slice(0, 200) };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return { kind: 'unknown', fault: 'garbage', detail: parsed.error.issues[0]?.message ?? 'invalid answer' };
    return { kind: 'ok', value: parsed.data };
  }

  initSession(purpose: KeyPurpose): Promise<PartnerOutcome<z.infer<typeof initSessionResponseSchema>>> {
    return this.call(PARTNER_PATHS.initSession, purpose, { merchant_id: this.o.merchantId, purpose }, initSessionResponseSchema);
  }

  /** initSession + the operation, signed with the key of its kind. */
  async submit(kind: PartnerOpKind, req: OperationRequest): Promise<PartnerOutcome<z.infer<typeof operationAcceptedSchema>>> {
    const purpose: KeyPurpose = kind === 'reversal' ? 'reversal' : 'payment';
    const session = await this.initSession(purpose);
    if (session.kind !== 'ok') return notOk(session);
    const body = {
      session_id: session.value.session_id,
      operation_id: req.operationId,
      payment_id: req.paymentId,
      amount: req.amountMinor,
      currency: req.currency,
      callback_url: req.callbackUrl,
    };
    if (kind === 'reversal') return this.call(PARTNER_PATHS.processPaymentReversal, 'reversal', reversalRequestSchema.parse(body), operationAcceptedSchema);
    return this.call(PARTNER_PATHS.completeMerchantAcquiring, 'payment', extraChargeRequestSchema.parse(body), operationAcceptedSchema);
  }

  /** initSession + paymentStatus. A 404 NOT_FOUND is an answer: the partner never took the operation. */
  async status(kind: PartnerOpKind, operationId: string): Promise<PartnerOutcome<PaymentStatusResponse | 'not_found'>> {
    const purpose: KeyPurpose = kind === 'reversal' ? 'reversal' : 'payment';
    const session = await this.initSession(purpose);
    if (session.kind !== 'ok') return notOk(session);
    // The session and the status read use the key of the operation's kind (docs/partner-api.yaml).
    const out = await this.call(PARTNER_PATHS.paymentStatus, purpose, { session_id: session.value.session_id, operation_id: operationId }, paymentStatusResponseSchema);
    if (out.kind === 'refused' && out.status === 404 && out.code === 'NOT_FOUND') return { kind: 'ok', value: 'not_found' };
    return out;
  }
}
