// Shared HTTP plumbing of the fiscal connectors: one axios instance per connector that never throws on
// a status (each connector maps statuses itself) and one mapping of network faults and generic statuses
// onto catalogue keys. Request bodies never reach error messages (they carry customer contacts).
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { FiscalError } from './connector';

export function fiscalHttp(baseURL: string, timeoutMs: number): AxiosInstance {
  return axios.create({
    baseURL,
    timeout: timeoutMs,
    validateStatus: () => true,
    // A fresh connection per request would add a handshake to every receipt; keep-alive is safe here.
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 4 }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 4 }),
    headers: { 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json' },
    transitional: { clarifyTimeoutError: true },
    proxy: false,
  });
}

/** A thrown axios/network error as a FiscalError; every network fault is worth retrying. */
export function networkFault(error: unknown, service: string): FiscalError {
  if (error instanceof FiscalError) return error;
  const code = axios.isAxiosError(error) ? (error.code ?? '') : '';
  const text = `${code} ${error instanceof Error ? error.message : String(error)}`;
  if (/ETIMEDOUT|ECONNABORTED|timeout|ERR_CANCELED|aborted/i.test(text)) return new FiscalError('fiscal.timeout', `${service}: no answer in time (${code || 'timeout'})`, true);
  return new FiscalError('fiscal.unavailable', `${service}: ${text.trim()}`, true);
}

/** Statuses every connector treats alike; null when the connector must look at the body. */
export function statusFault(status: number, service: string, detail: string): FiscalError | null {
  if (status === 401 || status === 403) return new FiscalError('fiscal.auth', `${service}: HTTP ${status} ${detail}`, false);
  if (status === 404 || status === 405 || status === 415) return new FiscalError('fiscal.config', `${service}: HTTP ${status} ${detail}`, false);
  if (status === 429) return new FiscalError('fiscal.rate_limited', `${service}: HTTP 429`, true);
  if (status >= 500) return new FiscalError('fiscal.unavailable', `${service}: HTTP ${status} ${detail}`, true);
  return null;
}
