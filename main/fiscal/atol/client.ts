// ATOL Online v5 connector: token, sell / sell_refund, report by uuid. The operation's own id is the
// external_id, so a repeat of the same receipt is answered "already exists" with the first document's
// uuid: that is success, and the report tells the result (docs/fiscal.md).
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { AxiosInstance } from 'axios';
import { FiscalError, type CallOptions, type FiscalConnector, type FiscalStatus, type LookupResult } from '../connector';
import { fiscalHttp, networkFault, statusFault } from '../http';
import type { FiscalReceipt } from '../receipt';
import type { AtolConfig } from './config';
import { toAtolRequest } from './map';
import { ATOL_ALREADY_EXISTS, ATOL_TOKEN_CODES, atolRegisterResponseSchema, atolReportSchema, atolTokenResponseSchema, type AtolReport } from './wire';

const SERVICE = 'ATOL Online';

interface Answer {
  status: number;
  data: unknown;
}

export class AtolConnector implements FiscalConnector {
  readonly name = 'atol' as const;
  private readonly http: AxiosInstance;
  private token: string | null = null;

  constructor(private readonly config: AtolConfig) {
    this.http = fiscalHttp(config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`, config.timeoutMs);
  }

  async register(receipt: FiscalReceipt, options: CallOptions = {}): Promise<FiscalStatus> {
    const { signal } = options;
    const body = toAtolRequest(receipt, this.config);
    const answer = await this.authed('post', `${encodeURIComponent(this.config.groupCode)}/${receipt.operation}`, body, signal);
    const parsed = atolRegisterResponseSchema.safeParse(answer.data);
    if (!parsed.success) {
      throw statusFault(answer.status, SERVICE, '') ?? new FiscalError('fiscal.response_invalid', `${SERVICE}: register answer HTTP ${answer.status} is not ATOL JSON`, true);
    }
    const { uuid, error } = parsed.data;
    if (error?.code === ATOL_ALREADY_EXISTS) {
      // A repeat of a document ATOL already has: success; its report tells the result.
      if (!uuid) throw new FiscalError('fiscal.response_invalid', `${SERVICE}: "already exists" without the document's uuid`, true);
      options.onRemoteId?.(uuid);
      return this.follow(uuid, signal);
    }
    if (answer.status >= 200 && answer.status < 300 && uuid && !error) {
      options.onRemoteId?.(uuid);
      return this.follow(uuid, signal);
    }
    const fault = statusFault(answer.status, SERVICE, error ? `code ${error.code}: ${error.text}` : '');
    if (fault) throw fault;
    if (error) return { status: 'failed', ...(uuid ? { remoteId: uuid } : {}), errorKey: 'fiscal.rejected', message: `${SERVICE}: code ${error.code}: ${error.text}` };
    throw new FiscalError('fiscal.response_invalid', `${SERVICE}: register answer HTTP ${answer.status} without uuid`, true);
  }

  /** With the uuid: its report. Without: the same external_id again, which ATOL answers with the existing document. */
  async lookup(receipt: FiscalReceipt, remoteId: string | null, options: CallOptions = {}): Promise<LookupResult> {
    if (remoteId === null) return this.register(receipt, options);
    const report = await this.report(remoteId, options.signal);
    return report === null ? { status: 'absent' } : toStatus(report);
  }

  /** Polls the report for a short while; a receipt still processing is left to the outbox's next attempt. */
  private async follow(uuid: string, signal?: AbortSignal): Promise<FiscalStatus> {
    const until = performance.now() + this.config.pollForMs;
    for (;;) {
      const report = await this.report(uuid, signal);
      if (report === null) throw new FiscalError('fiscal.response_invalid', `${SERVICE}: report for ${uuid} not found`, true);
      const status = toStatus(report);
      if (status.status !== 'pending' || performance.now() + this.config.pollEveryMs > until) return status;
      await delay(this.config.pollEveryMs, undefined, signal ? { signal } : undefined).catch(() => undefined);
      if (signal?.aborted) return status;
    }
  }

  private async report(uuid: string, signal?: AbortSignal): Promise<AtolReport | null> {
    const answer = await this.authed('get', `${encodeURIComponent(this.config.groupCode)}/report/${encodeURIComponent(uuid)}`, undefined, signal);
    if (answer.status === 404) return null;
    const parsed = atolReportSchema.safeParse(answer.data);
    if (parsed.success) return parsed.data;
    throw statusFault(answer.status, SERVICE, '') ?? new FiscalError('fiscal.response_invalid', `${SERVICE}: report HTTP ${answer.status} is not ATOL JSON`, true);
  }

  private async getToken(signal?: AbortSignal): Promise<string> {
    if (this.token) return this.token;
    let answer: Answer;
    try {
      answer = await this.http.post('getToken', { login: this.config.login, pass: this.config.password }, signal ? { signal } : {});
    } catch (error) {
      throw networkFault(error, SERVICE);
    }
    const parsed = atolTokenResponseSchema.safeParse(answer.data);
    if (parsed.success && parsed.data.token && !parsed.data.error) {
      this.token = parsed.data.token;
      return this.token;
    }
    const code = parsed.success && parsed.data.error ? parsed.data.error.code : null;
    throw statusFault(answer.status, SERVICE, 'getToken') ?? new FiscalError(code !== null && ATOL_TOKEN_CODES.has(code) ? 'fiscal.auth' : 'fiscal.response_invalid',
      `${SERVICE}: getToken refused (HTTP ${answer.status}${code !== null ? `, code ${code}` : ''})`, code === null);
  }

  /** One call with the token; a refused token is renewed once (24 h lifetime is not guaranteed). */
  private async authed(method: 'get' | 'post', url: string, body: unknown, signal?: AbortSignal): Promise<Answer> {
    for (let round = 0; ; round += 1) {
      const token = await this.getToken(signal);
      let answer: Answer;
      try {
        answer = await this.http.request({ method, url, data: body, headers: { Token: token }, ...(signal ? { signal } : {}) });
      } catch (error) {
        throw networkFault(error, SERVICE);
      }
      const err = atolRegisterResponseSchema.safeParse(answer.data);
      const tokenRefused = answer.status === 401 || (err.success && err.data.error !== null && err.data.error !== undefined && ATOL_TOKEN_CODES.has(err.data.error.code));
      if (tokenRefused && round === 0) {
        this.token = null;
        continue;
      }
      return answer;
    }
  }
}

export function toStatus(report: AtolReport): FiscalStatus {
  if (report.status === 'wait') return { status: 'pending', remoteId: report.uuid };
  if (report.status === 'fail') {
    return { status: 'failed', remoteId: report.uuid, errorKey: 'fiscal.failed', message: `ATOL Online: ${report.error ? `code ${report.error.code}: ${report.error.text}` : 'fail'}` };
  }
  const p = report.payload ?? {};
  return {
    status: 'done',
    registration: {
      provider: 'atol',
      remoteId: report.uuid,
      ...(p.fiscal_document_number !== undefined ? { fiscalDocumentNumber: String(p.fiscal_document_number) } : {}),
      ...(p.fiscal_document_attribute !== undefined ? { fiscalSign: String(p.fiscal_document_attribute) } : {}),
      ...(p.fn_number !== undefined ? { fiscalStorageNumber: p.fn_number } : {}),
      ...(p.receipt_datetime !== undefined ? { registeredAt: p.receipt_datetime } : {}),
      ...(p.ofd_receipt_url !== undefined ? { ofdUrl: p.ofd_receipt_url } : {}),
    },
  };
}
