// The external payments API client. The body is built as text so the amount goes out as the exact
// decimal ("49.99") made from minor units by string arithmetic; currency/method pairing and the 5 KB
// custom_data limit are checked before anything leaves. Each exchange is classified: an answer, a
// definite refusal, a rate limit (retry later, the sale stays), or unknown.
import {
  EXTPAY_PATHS, createResponseSchema, currencyFits, customDataBytes, CUSTOM_DATA_MAX_BYTES, errorBodySchema, minorToDecimal,
  statusResponseSchema, type CreateResponse, type CustomData, type ExtMethod, type StatusResponse,
} from './contract';

export interface ExtpayClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
}

export type ExtOutcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'refused'; status: number; error: string }
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'unknown'; fault: 'timeout' | 'network' | 'server' | 'garbage'; detail: string };

export interface CreateInput {
  externalOrderId: string;
  amountMinor: number;
  currency: string;
  method: ExtMethod;
  webhookUrl: string;
  webhookToken: string | null;
  returnUrl: string | null;
  productTitle: string | null;
  customData: CustomData;
}

export class ExtpayInputError extends Error {
  constructor(readonly reason: 'currency_method' | 'custom_data_too_large' | 'amount', message: string) {
    super(message);
    this.name = 'ExtpayInputError';
  }
}

/** The exact request body text; throws ExtpayInputError for what the till must never send. */
export function createBody(input: CreateInput): string {
  if (!currencyFits(input.currency, input.method)) throw new ExtpayInputError('currency_method', `${input.method} does not take ${input.currency}`);
  if (customDataBytes(input.customData) > CUSTOM_DATA_MAX_BYTES) throw new ExtpayInputError('custom_data_too_large', 'custom_data exceeds 5 KB');
  const AMOUNT = '"__PAYDESK_AMOUNT__"';
  const text = JSON.stringify({
    external_order_id: input.externalOrderId,
    amount: '__PAYDESK_AMOUNT__',
    currency: input.currency,
    payment_method: input.method,
    webhook_url: input.webhookUrl,
    ...(input.webhookToken ? { auth_token: input.webhookToken } : {}),
    ...(input.returnUrl ? { return_url: input.returnUrl } : {}),
    ...(input.productTitle ? { product_title: input.productTitle } : {}),
    custom_data: input.customData,
  });
  // The only placeholder in the text: custom_data values are JSON-escaped strings and cannot be it unquoted.
  return text.replace(AMOUNT, minorToDecimal(input.amountMinor));
}

export class ExtpayClient {
  constructor(private readonly o: ExtpayClientOptions) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body: string | null, parse: (json: unknown) => T | null): Promise<ExtOutcome<T>> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.o.baseUrl), {
        method,
        headers: { authorization: `Bearer ${this.o.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body } : {}),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (error) {
      const timeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return { kind: 'unknown', fault: timeout ? 'timeout' : 'network', detail: error instanceof Error ? error.message : String(error) };
    }
    let json: unknown;
    try {
      json = JSON.parse(await res.text());
    } catch {
      json = null;
    }
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after') ?? '');
      return { kind: 'rate_limited', retryAfterMs: Number.isFinite(after) && after > 0 ? Math.min(after, 120) * 1000 : 5_000 };
    }
    if (res.status >= 500) return { kind: 'unknown', fault: 'server', detail: `HTTP ${res.status}` };
    if (res.status >= 400) {
      const e = errorBodySchema.safeParse(json);
      return { kind: 'refused', status: res.status, error: e.success ? e.data.error : `HTTP ${res.status}` };
    }
    const value = parse(json);
    return value === null ? { kind: 'unknown', fault: 'garbage', detail: 'answer does not match the contract' } : { kind: 'ok', value };
  }

  create(input: CreateInput): Promise<ExtOutcome<CreateResponse>> {
    return this.call('POST', EXTPAY_PATHS.create, createBody(input), (j) => {
      const p = createResponseSchema.safeParse(j);
      return p.success ? p.data : null;
    });
  }

  status(internalOrderId: string): Promise<ExtOutcome<StatusResponse>> {
    return this.call('GET', EXTPAY_PATHS.status(internalOrderId), null, (j) => {
      const p = statusResponseSchema.safeParse(j);
      return p.success ? p.data : null;
    });
  }
}
