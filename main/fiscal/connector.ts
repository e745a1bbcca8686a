// The one interface every fiscal connector implements. `register` sends a receipt (idempotent by the
// receipt's externalId on the remote side); `lookup` asks the remote side by our own id or its id what
// became of an earlier send, so an interrupted job is resumed, never blindly re-sent.
import type { ErrorKey } from '../errors/catalogue';
import type { FiscalReceipt, FiscalRegistration } from './receipt';

export type FiscalStatus =
  | { status: 'done'; registration: FiscalRegistration }
  | { status: 'pending'; remoteId: string; retryAfterMs?: number }
  | { status: 'failed'; remoteId?: string; errorKey: ErrorKey; message: string };

export type LookupResult = FiscalStatus | { status: 'absent' };

export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Called as soon as the remote side names its document, before any polling (the outbox persists it). */
  onRemoteId?: ((remoteId: string) => void) | undefined;
}

export interface FiscalConnector {
  readonly name: 'atol' | 'yookassa';
  register(receipt: FiscalReceipt, options?: CallOptions): Promise<FiscalStatus>;
  lookup(receipt: FiscalReceipt, remoteId: string | null, options?: CallOptions): Promise<LookupResult>;
}

/** A fault talking to the fiscal service; `retryable` says whether the outbox should try again. */
export class FiscalError extends Error {
  constructor(readonly key: ErrorKey, message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'FiscalError';
  }
}
