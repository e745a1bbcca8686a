// Koshelek Pay API client: the seven endpoints of v1.2.1, each response validated against its
// wire schema. It returns outcomes, never throws for a protocol answer, and never retries:
// the state machines decide what a fault means (same requestId, or the status path).
import type { z } from 'zod';
import { PayApiTransport, type NetworkFault, type TransportOptions, type TransportResult } from './transport';
import {
  ENDPOINTS, apiErrorSchema, availabilityAsyncResponseSchema, availabilityPollResponseSchema,
  availabilitySyncResponseSchema, checkoutResponseSchema, refOperationResponseSchema, statusResponseSchema,
  type AvailabilityPollResponse, type AvailabilityRequest, type AvailabilitySyncResponse, type CancelRequest,
  type CheckoutRequest, type CheckoutResponse, type EndpointName, type ReceiptRequest, type RefOperationResponse,
  type RefundRequest, type StatusRequest, type StatusResponse,
} from './wire';

/** Where the `token` header comes from (the TOTP module, or its built-in stand-in). */
export interface TokenProvider {
  getToken(): string | Promise<string>;
}

export type ApiOutcome<T> =
  | { kind: 'ok'; status: number; data: T }
  | { kind: 'api_error'; status: number; code: string; details?: string }
  | { kind: 'http_error'; status: number }
  | { kind: 'invalid_response'; status: number; problem: string }
  | { kind: 'no_answer'; fault: NetworkFault; maybeDelivered: boolean; reusedSocket: boolean; message: string };

export type AvailabilityOutcome =
  | { kind: 'sync'; data: AvailabilitySyncResponse }
  | { kind: 'async'; availabilityInfoId: string; timeoutMs: number };

export interface ExchangeInfo {
  endpoint: EndpointName;
  requestId: string | null;
  body: unknown;
  outcome: ApiOutcome<unknown>;
  startedAt: number;
  durationMs: number;
  dateHeader: string | null;
}

export interface KoshelekClientOptions extends TransportOptions {
  tokenProvider: TokenProvider;
  requestTimeoutMs: number;
  statusTimeoutMs: number;
  /** Observes every exchange (health, clock skew, journaling). Must not throw. */
  onExchange?: (info: ExchangeInfo) => void;
}

export class KoshelekClient {
  readonly transport: PayApiTransport;

  constructor(private readonly options: KoshelekClientOptions) {
    this.transport = new PayApiTransport(options);
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  availability(body: AvailabilityRequest): Promise<ApiOutcome<AvailabilityOutcome>> {
    return this.call<AvailabilityOutcome>('availability', ENDPOINTS.availability, body, true, this.options.requestTimeoutMs, (status, json) => {
      if (status === 201) {
        const parsed = availabilityAsyncResponseSchema.safeParse(json);
        if (!parsed.success) return { problem: parsed.error.issues[0]?.message ?? 'invalid 201 body' };
        return { data: { kind: 'async', availabilityInfoId: parsed.data.availabilityInfoId, timeoutMs: parsed.data.timeout ?? 350 } };
      }
      return parseWith(availabilitySyncResponseSchema, json, (data): AvailabilityOutcome => ({ kind: 'sync', data }));
    });
  }

  /** Deprecated async availability poll (GET, no token). */
  availabilityPoll(availabilityInfoId: string): Promise<ApiOutcome<AvailabilityPollResponse>> {
    const path = `${ENDPOINTS.availabilityPoll}${encodeURIComponent(availabilityInfoId)}`;
    return this.call('availabilityPoll', path, undefined, false, this.options.statusTimeoutMs, (_s, json) => parseWith(availabilityPollResponseSchema, json, (d) => d));
  }

  checkout(body: CheckoutRequest): Promise<ApiOutcome<CheckoutResponse>> {
    return this.call('checkout', ENDPOINTS.checkout, body, true, this.options.requestTimeoutMs, (_s, json) => parseWith(checkoutResponseSchema, json, (d) => d));
  }

  /** `timeoutMs` shortens the configured status timeout (a poll must not outlive the payment's deadline). */
  status(body: StatusRequest, timeoutMs?: number): Promise<ApiOutcome<StatusResponse>> {
    return this.call('status', ENDPOINTS.status, body, false, timeoutMs ?? this.options.statusTimeoutMs, (_s, json) => parseWith(statusResponseSchema, json, (d) => d));
  }

  receipt(body: ReceiptRequest): Promise<ApiOutcome<null>> {
    return this.call('receipt', ENDPOINTS.receipt, body, false, this.options.requestTimeoutMs, () => ({ data: null }));
  }

  cancel(body: CancelRequest): Promise<ApiOutcome<RefOperationResponse>> {
    return this.call('cancel', ENDPOINTS.cancel, body, false, this.options.requestTimeoutMs, (_s, json) => parseWith(refOperationResponseSchema, json, (d) => d));
  }

  refund(body: RefundRequest): Promise<ApiOutcome<RefOperationResponse>> {
    return this.call('refund', ENDPOINTS.refund, body, true, this.options.requestTimeoutMs, (_s, json) => parseWith(refOperationResponseSchema, json, (d) => d));
  }

  close(): void {
    this.transport.close();
  }

  private async call<T>(
    endpoint: EndpointName,
    path: string,
    body: unknown,
    withToken: boolean,
    timeoutMs: number,
    parse: (status: number, json: unknown) => { data: T } | { problem: string },
  ): Promise<ApiOutcome<T>> {
    const startedAt = Date.now();
    // No await when the token is at hand: the request is then issued in the caller's own tick (right after the
    // committed intent), and nothing queued meanwhile — a UI reply, an event — runs before its bytes leave.
    const pending = withToken ? this.options.tokenProvider.getToken() : undefined;
    const token = typeof pending === 'string' || pending === undefined ? pending : await pending;
    const result = await this.transport.send({ method: body === undefined ? 'GET' : 'POST', path, body, token, timeoutMs });
    const outcome = toOutcome(result, parse);
    this.options.onExchange?.({
      endpoint,
      requestId: typeof (body as { requestId?: unknown } | undefined)?.requestId === 'string' ? (body as { requestId: string }).requestId : null,
      body,
      outcome,
      startedAt,
      durationMs: Date.now() - startedAt,
      dateHeader: result.kind === 'response' ? result.dateHeader : null,
    });
    return outcome;
  }
}

function parseWith<S extends z.ZodType, T>(schema: S, json: unknown, map: (data: z.infer<S>) => T): { data: T } | { problem: string } {
  const parsed = schema.safeParse(json);
  if (parsed.success) return { data: map(parsed.data) };
  const issue = parsed.error.issues[0];
  return { problem: issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'invalid body' };
}

function toOutcome<T>(result: TransportResult, parse: (status: number, json: unknown) => { data: T } | { problem: string }): ApiOutcome<T> {
  if (result.kind === 'fault') {
    return { kind: 'no_answer', fault: result.fault, maybeDelivered: result.maybeDelivered, reusedSocket: result.reusedSocket, message: result.message };
  }
  const { status, body } = result;
  if (status === 422) {
    const parsed = apiErrorSchema.safeParse(body);
    if (parsed.success) return { kind: 'api_error', status, code: parsed.data.code, ...(parsed.data.details ? { details: parsed.data.details } : {}) };
    return { kind: 'invalid_response', status, problem: '422 without a {code} body' };
  }
  if (status === 200 || status === 201) {
    if (body !== null && typeof body === 'object' && '__invalidJson' in body) return { kind: 'invalid_response', status, problem: 'body is not JSON' };
    const parsed = parse(status, body);
    return 'data' in parsed ? { kind: 'ok', status, data: parsed.data } : { kind: 'invalid_response', status, problem: parsed.problem };
  }
  return { kind: 'http_error', status };
}
