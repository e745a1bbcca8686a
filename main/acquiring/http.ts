// One small HTTP exchange for bank connectors: JSON in and out, a timeout, and every failure classified
// by what it says about delivery (refused = never sent; timeout / reset = the bank may have acted).
// It never retries: retry policy belongs to the machines and the outbox.
import https from 'node:https';
import axios, { AxiosError, type AxiosInstance } from 'axios';

export type HttpResult =
  | { kind: 'response'; status: number; body: unknown }
  | { kind: 'fault'; fault: 'timeout' | 'reset' | 'refused' | 'other'; maybeDelivered: boolean; message: string };

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** form-urlencoded instead of JSON (OAuth token endpoints). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  timeoutMs: number;
}

export class BankHttp {
  private readonly axios: AxiosInstance;

  constructor(baseUrl: string, caPem?: string) {
    this.axios = axios.create({
      baseURL: baseUrl.replace(/\/+$/, ''),
      httpsAgent: new https.Agent({ keepAlive: true, ...(caPem ? { ca: caPem } : {}) }),
      validateStatus: () => true,
      maxRedirects: 0,
      // Keep the raw text; each connector parses with its own schema.
      transformResponse: [(data: unknown) => data],
      responseType: 'text',
    });
  }

  async send(req: HttpRequest): Promise<HttpResult> {
    const query = req.query ? Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== undefined)) : undefined;
    try {
      const res = await this.axios.request<string>({
        method: req.method,
        url: req.path,
        params: query,
        data: req.form ? new URLSearchParams(req.form).toString() : req.body === undefined ? undefined : JSON.stringify(req.body),
        headers: { Accept: 'application/json', 'Content-Type': req.form ? 'application/x-www-form-urlencoded' : 'application/json', ...req.headers },
        timeout: req.timeoutMs,
      });
      return { kind: 'response', status: res.status, body: parseJson(res.data) };
    } catch (error) {
      return classify(error);
    }
  }
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { unparsable: text.slice(0, 200) };
  }
}

function classify(error: unknown): HttpResult {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof AxiosError ? error.code : undefined;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'fault', fault: 'refused', maybeDelivered: false, message };
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return { kind: 'fault', fault: 'timeout', maybeDelivered: true, message };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_BAD_RESPONSE') return { kind: 'fault', fault: 'reset', maybeDelivered: true, message };
  return { kind: 'fault', fault: 'other', maybeDelivered: true, message };
}
