// Tochka failures → the error catalogue, and whether a failed create may still have created the link.
import type { ErrorKey } from '../../errors/catalogue';
import type { TochkaFailure } from './client';

export function tochkaErrorKey(f: TochkaFailure): ErrorKey {
  if (f.kind === 'invalid') return 'bank.response_invalid';
  if (f.kind === 'fault') return f.maybeDelivered ? 'bank.checking' : 'bank.unavailable';
  if (f.status === 501) return 'tochka.acquiring_off'; // every acquiring call, when acquiring is not activated
  if (f.status === 401 || f.status === 403) return 'tochka.forbidden';
  if (f.status === 400 || f.status === 404 || f.status === 422) return 'bank.rejected';
  return f.status >= 500 || f.status === 424 || f.status === 429 ? 'bank.unavailable' : 'bank.rejected';
}

/**
 * Whether a failed create certainly created nothing. A fault after sending, 5xx, 429 and 424 (also what a
 * reused paymentLinkId gets: the link exists) may hide a created link, so they are resolved by lookup.
 */
export function createCertainlyFailed(f: TochkaFailure): boolean {
  if (f.kind === 'fault') return !f.maybeDelivered;
  if (f.kind === 'invalid') return false;
  return f.status === 400 || f.status === 401 || f.status === 403 || f.status === 404 || f.status === 501;
}

export function failureDetail(f: TochkaFailure): string {
  switch (f.kind) {
    case 'http':
      return `HTTP ${f.status}${f.code ? ` ${f.code}` : ''}${f.message ? `: ${f.message}` : ''}`;
    case 'fault':
      return `${f.fault}: ${f.message}`;
    case 'invalid':
      return `invalid answer: ${f.message}`;
  }
}

export function failureCode(f: TochkaFailure): string | null {
  return f.kind === 'http' ? String(f.status) : f.kind === 'fault' ? f.fault : 'invalid';
}
