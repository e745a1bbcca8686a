// The signed request of the partner API (docs/partner-api.yaml, "Signing"): the canonical string, the
// headers, and the one verification routine both sides use (the emulator for our requests, the till for
// the partner's callbacks). The body is serialized once and those exact bytes are hashed, signed and
// sent: re-serializing between signing and sending is the canonicalization bug of most integrations.
import crypto from 'node:crypto';
import { SignatureError, signForWire, verifyWire, type SignatureFault } from './signature';

export const CANONICAL_PREFIX = 'PAYDESK-PARTNER-V1';
export const HEADERS = {
  merchant: 'x-merchant-id',
  keyId: 'x-key-id',
  requestId: 'x-request-id',
  timestamp: 'x-timestamp',
  signature: 'x-signature',
} as const;
/** Allowed difference between the signer's and the verifier's clocks (seconds, either way). */
export const DEFAULT_SKEW_SECONDS = 300;
const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;
const TIMESTAMP = /^[0-9]{1,12}$/;

export interface CanonicalInput {
  method: string;
  /** Path and query exactly as on the request line (no scheme or host). */
  path: string;
  timestamp: number;
  requestId: string;
  body: Uint8Array;
}

export function bodyHash(body: Uint8Array): string {
  return crypto.createHash('sha512').update(body).digest('hex');
}

/** PREFIX \n METHOD \n path \n timestamp \n request-id \n hex(SHA-512(body)) — no trailing newline. */
export function canonicalString(input: CanonicalInput): string {
  return [CANONICAL_PREFIX, input.method.toUpperCase(), input.path, String(input.timestamp), input.requestId, bodyHash(input.body)].join('\n');
}

export interface SigningKey {
  keyId: string;
  privateKey: crypto.KeyObject;
}

/** The headers of a signed request (the body bytes are sent exactly as given). */
export function signRequest(input: CanonicalInput, key: SigningKey, merchantId: string): Record<string, string> {
  if (!REQUEST_ID.test(input.requestId)) throw new Error('request id must be 8–64 of [A-Za-z0-9-]');
  return {
    [HEADERS.merchant]: merchantId,
    [HEADERS.keyId]: key.keyId,
    [HEADERS.requestId]: input.requestId,
    [HEADERS.timestamp]: String(input.timestamp),
    [HEADERS.signature]: signForWire(Buffer.from(canonicalString(input), 'utf8'), key.privateKey),
  };
}

export type VerifyFault = SignatureFault | 'missing_header' | 'unknown_key' | 'wrong_key_purpose' | 'clock_skew' | 'replayed' | 'bad_request_id';

export interface VerifyResult {
  ok: boolean;
  fault?: VerifyFault;
  message?: string;
  /** Built for diagnosis: a partner diffs it against theirs (it holds no secret). */
  canonical?: string;
  keyId?: string;
  requestId?: string;
}

export interface KnownKey<P extends string> {
  publicKey: crypto.KeyObject;
  purpose: P;
}

/** Where verified request ids are remembered: in memory (ReplayCache) or on disk (replay-store.ts). */
export interface ReplayStore {
  /** Records the id; false when it was already seen inside the window. */
  remember(id: string, nowSeconds: number): boolean;
}

/** Request ids seen within the window; a second use is a replay. Bounded by time, not count. */
export class ReplayCache implements ReplayStore {
  private readonly seen = new Map<string, number>();
  constructor(private readonly keepSeconds: number) {}

  /** Records the id; false when it was already seen inside the window. */
  remember(id: string, nowSeconds: number): boolean {
    for (const [k, at] of this.seen) if (at < nowSeconds - this.keepSeconds) this.seen.delete(k);
    if (this.seen.has(id)) return false;
    this.seen.set(id, nowSeconds);
    return true;
  }
}

export interface VerifyOptions<P extends string> {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  keyById: (keyId: string) => KnownKey<P> | null;
  requiredPurpose: P;
  nowSeconds: number;
  skewSeconds?: number;
  /** Omit only where replay is harmless (never on the API). */
  replay?: ReplayStore;
}

function header(headers: VerifyOptions<string>['headers'], name: string): string | null {
  const v = headers[name];
  if (Array.isArray(v)) return v.length === 1 ? (v[0] ?? null) : null;
  return v ?? null;
}

/** Verifies a signed request in the order the spec states: headers, key, purpose, skew, signature, replay. */
export function verifyRequest<P extends string>(o: VerifyOptions<P>): VerifyResult {
  const keyId = header(o.headers, HEADERS.keyId);
  const requestId = header(o.headers, HEADERS.requestId);
  const ts = header(o.headers, HEADERS.timestamp);
  const signature = header(o.headers, HEADERS.signature);
  if (!keyId || !requestId || !ts || !signature) return { ok: false, fault: 'missing_header', message: 'x-key-id, x-request-id, x-timestamp and x-signature are required' };
  if (!REQUEST_ID.test(requestId)) return { ok: false, fault: 'bad_request_id', message: 'request id must be 8–64 of [A-Za-z0-9-]' };
  if (!TIMESTAMP.test(ts)) return { ok: false, fault: 'clock_skew', message: 'timestamp is not unix seconds' };
  const key = o.keyById(keyId);
  if (!key) return { ok: false, fault: 'unknown_key', message: `no active key ${keyId}`, keyId, requestId };
  if (key.purpose !== o.requiredPurpose) return { ok: false, fault: 'wrong_key_purpose', message: `key ${keyId} is a ${key.purpose} key; this operation needs the ${o.requiredPurpose} key`, keyId, requestId };
  const timestamp = Number(ts);
  const skew = o.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  if (Math.abs(o.nowSeconds - timestamp) > skew) return { ok: false, fault: 'clock_skew', message: `timestamp ${timestamp} is more than ${skew} s from ${o.nowSeconds}`, keyId, requestId };
  const canonical = canonicalString({ method: o.method, path: o.path, timestamp, requestId, body: o.body });
  try {
    verifyWire(Buffer.from(canonical, 'utf8'), signature, key.publicKey);
  } catch (error) {
    if (error instanceof SignatureError) return { ok: false, fault: error.fault, message: error.message, canonical, keyId, requestId };
    throw error;
  }
  // Remembered only once the signature holds, so a forged request cannot burn a genuine id.
  if (o.replay && !o.replay.remember(requestId, o.nowSeconds)) return { ok: false, fault: 'replayed', message: `request id ${requestId} was already used`, keyId, requestId };
  return { ok: true, canonical, keyId, requestId };
}
