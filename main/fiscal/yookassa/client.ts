// ЮKassa receipts connector: POST /v3/receipts with an Idempotence-Key derived from the operation and
// never regenerated; 202 ("processing") and pending receipts are polled; GET /v3/receipts/{id} reads
// the status. A 500 means "unknown": the same request with the same key is repeated (docs/fiscal.md).
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { AxiosInstance } from 'axios';
import { FiscalError, type CallOptions, type FiscalConnector, type FiscalStatus, type LookupResult } from '../connector';
import { fiscalHttp, networkFault, statusFault } from '../http';
import type { FiscalReceipt } from '../receipt';
import type { YookassaConfig } from './config';
import { idempotenceKey, toYookassaRequest } from './map';
import { yookassaErrorSchema, yookassaProcessingSchema, yookassaReceiptSchema, type YookassaReceipt } from './wire';

const SERVICE = 'ЮKassa';

export class YookassaConnector implements FiscalConnector {
  readonly name = 'yookassa' as const;
  private readonly http: AxiosInstance;
  private readonly authorization: string;

  constructor(private readonly config: YookassaConfig) {
    this.http = fiscalHttp(config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`, config.timeoutMs);
    this.authorization = `Basic ${Buffer.from(`${config.shopId}:${config.secretKey}`).toString('base64')}`;
  }

  async register(receipt: FiscalReceipt, options: CallOptions = {}): Promise<FiscalStatus> {
    const body = toYookassaRequest(receipt, this.config);
    const key = idempotenceKey(receipt);
    const until = performance.now() + this.config.pollForMs;
    for (;;) {
      const answer = await this.call('post', 'receipts', body, key, options.signal);
      if (answer.status === 202) {
        const hint = yookassaProcessingSchema.safeParse(answer.data);
        const wait = Math.min(this.config.maxRetryAfterMs, hint.success ? (hint.data.retry_after ?? 1_800) : 1_800);
        if (performance.now() + wait > until || options.signal?.aborted) {
          throw new FiscalError('fiscal.processing', `${SERVICE}: 202 processing, retry after ${wait} ms`, true);
        }
        await delay(wait, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => undefined);
        continue;
      }
      const receiptAnswer = this.receiptOrThrow(answer);
      options.onRemoteId?.(receiptAnswer.id);
      return this.follow(receiptAnswer, until, options.signal);
    }
  }

  /** With the receipt id: GET it. Without: the same POST with the same key, which ЮKassa answers with the original result. */
  async lookup(receipt: FiscalReceipt, remoteId: string | null, options: CallOptions = {}): Promise<LookupResult> {
    if (remoteId === null) return this.register(receipt, options);
    const answer = await this.call('get', `receipts/${encodeURIComponent(remoteId)}`, undefined, null, options.signal);
    if (answer.status === 404) return { status: 'absent' };
    return toStatus(this.receiptOrThrow(answer));
  }

  private async follow(first: YookassaReceipt, until: number, signal?: AbortSignal): Promise<FiscalStatus> {
    let current = first;
    for (;;) {
      const status = toStatus(current);
      if (status.status !== 'pending' || performance.now() + this.config.pollEveryMs > until || signal?.aborted) return status;
      await delay(this.config.pollEveryMs, undefined, signal ? { signal } : undefined).catch(() => undefined);
      const answer = await this.call('get', `receipts/${encodeURIComponent(current.id)}`, undefined, null, signal);
      current = this.receiptOrThrow(answer);
    }
  }

  private receiptOrThrow(answer: { status: number; data: unknown }): YookassaReceipt {
    if (answer.status === 200) {
      const parsed = yookassaReceiptSchema.safeParse(answer.data);
      if (parsed.success) return parsed.data;
      throw new FiscalError('fiscal.response_invalid', `${SERVICE}: 200 without a receipt object`, true);
    }
    const err = yookassaErrorSchema.safeParse(answer.data);
    const detail = err.success ? `${err.data.code}${err.data.parameter ? ` (${err.data.parameter})` : ''}` : '';
    const fault = statusFault(answer.status, SERVICE, detail);
    if (fault) throw fault;
    if (answer.status === 400 || answer.status === 422) throw new FiscalError('fiscal.rejected', `${SERVICE}: HTTP ${answer.status} ${detail}`, false);
    throw new FiscalError('fiscal.response_invalid', `${SERVICE}: unexpected HTTP ${answer.status}`, true);
  }

  private async call(method: 'get' | 'post', url: string, body: unknown, key: string | null, signal?: AbortSignal): Promise<{ status: number; data: unknown }> {
    try {
      const answer = await this.http.request({
        method,
        url,
        data: body,
        headers: { Authorization: this.authorization, ...(key ? { 'Idempotence-Key': key } : {}) },
        ...(signal ? { signal } : {}),
      });
      return { status: answer.status, data: answer.data as unknown };
    } catch (error) {
      throw networkFault(error, SERVICE);
    }
  }
}

export function toStatus(r: YookassaReceipt): FiscalStatus {
  if (r.status === 'pending') return { status: 'pending', remoteId: r.id };
  if (r.status === 'canceled') return { status: 'failed', remoteId: r.id, errorKey: 'fiscal.failed', message: `${SERVICE}: receipt ${r.id} canceled (registration failed)` };
  return {
    status: 'done',
    registration: {
      provider: 'yookassa',
      remoteId: r.id,
      ...(r.fiscal_document_number !== undefined ? { fiscalDocumentNumber: r.fiscal_document_number } : {}),
      ...(r.fiscal_attribute !== undefined ? { fiscalSign: r.fiscal_attribute } : {}),
      ...(r.fiscal_storage_number !== undefined ? { fiscalStorageNumber: r.fiscal_storage_number } : {}),
      ...(r.registered_at !== undefined ? { registeredAt: r.registered_at } : {}),
    },
  };
}
