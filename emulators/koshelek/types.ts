// Public types of the Koshelek Pay emulator (re-exported by index.ts).
import { z } from 'zod';

export interface EmulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default false. true = self-signed cert for 127.0.0.1/localhost/::1 (selfsigned); or bring your own PEMs. */
  tls?: boolean | { key: string; cert: string };
  /** Path prefix, default 'partner' -> base URL http(s)://127.0.0.1:PORT/partner. */
  partner?: string;
  /** Basic auth expected; default 'emulator' / 'emulator'. */
  login?: string;
  password?: string;
  /** How long the simulated customer takes to confirm in the app (default 1000). */
  confirmDelayMs?: number;
  /** If set, push status objects (POST, Basic auth) on every state change of a payment/refund/cancel. */
  postback?: { url: string; login: string; password: string } | null;
  /** Answer availability with the deprecated 201 + Location, then the GET poll endpoint. */
  asyncAvailability?: boolean;
  /** Clock injection (ms). */
  now?: () => number;
  /**
   * The /__emulator/ control API (fault injection, request log, transactions). Default true for tests and
   * the standalone CLI; the till's embedded emulator starts with false, so it never ships active.
   */
  controlApi?: boolean;
  /** Skew of the HTTP Date header from this machine's clock, to exercise the till's clock-drift warning. */
  dateSkewMs?: number;
  /**
   * Called once per request to the payment API, when its body has been read (arrivalNs is still the headers'
   * arrival): lets a benchmark wait for an arrival without polling the request log.
   */
  onReceived?: (request: Readonly<ReceivedRequest>) => void;
}

export type EndpointKind = 'availability' | 'availabilityPoll' | 'checkout' | 'status' | 'receipt' | 'cancel' | 'refund' | 'unknown';

export interface ReceivedRequest {
  seq: number;
  method: string;
  path: string;
  endpoint: EndpointKind;
  /** Lower-case header names; Authorization is redacted. */
  headers: Record<string, string>;
  /** Parsed JSON, or the raw text if it was not JSON, or undefined when empty. */
  body: unknown;
  requestId?: string;
  /** process.hrtime.bigint() when the request headers arrived. */
  arrivalNs: bigint;
  /** Undefined while in flight or when the connection was dropped by a fault. */
  responseStatus?: number;
}

export const FAULT_ENDPOINTS = ['availability', 'availabilityPoll', 'checkout', 'status', 'receipt', 'cancel', 'refund', '*'] as const;
export const FAULT_KINDS = ['delay', 'http_status', 'error_422', 'drop_before_process', 'drop_after_process', 'invalid_json', 'wrong_shape'] as const;

export interface FaultRule {
  endpoint: (typeof FAULT_ENDPOINTS)[number];
  /** Default 1. */
  times?: number;
  match?: { requestId?: string; cardSession?: string };
  kind: (typeof FAULT_KINDS)[number];
  delayMs?: number;
  status?: number;
  code?: string;
  details?: string;
}

/** Validates FaultRule JSON of the control API. */
export const faultRuleSchema = z.object({
  endpoint: z.enum(FAULT_ENDPOINTS),
  times: z.number().int().positive().optional(),
  match: z.object({ requestId: z.string().optional(), cardSession: z.string().optional() }).optional(),
  kind: z.enum(FAULT_KINDS),
  delayMs: z.number().int().nonnegative().max(600_000).optional(),
  status: z.number().int().min(100).max(599).optional(),
  code: z.string().optional(),
  details: z.string().optional(),
});

export interface TransactionSnapshot {
  status: string;
  amount: number;
  refunded: number;
  paymentType: string;
  cardSession: string;
  refunds: { refTransactionId: string; amount: number; refStatus: string }[];
}

export interface KoshelekEmulator {
  /** e.g. 'https://127.0.0.1:43123/partner' */
  readonly baseUrl: string;
  readonly port: number;
  /** PEM cert to trust when tls. */
  readonly ca: string | null;
  readonly received: ReceivedRequest[];
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  setOptions(patch: Partial<Pick<EmulatorOptions, 'confirmDelayMs' | 'postback' | 'asyncAvailability' | 'dateSkewMs'>>): void;
  /** Server-side truth for tests: the transaction as the emulator holds it. */
  transaction(transactionId: string): TransactionSnapshot | undefined;
  stats(): { checkouts: number; transactions: number; refunds: number; cancels: number; connections: number };
  close(): Promise<void>;
}
