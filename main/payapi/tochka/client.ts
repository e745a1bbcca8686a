// Tochka API v2 client: Bearer JWT, {"Data": …} bodies, paths /open-banking/v1.0, /acquiring/v1.0 and
// /sbp/v1.0 (docs/providers.md, "Tochka"). Every answer is parsed by its schema; nothing is retried here.
import type { z } from 'zod';
import { BankHttp, type HttpRequest, type HttpResult } from '../../acquiring/http';
import type { TochkaConfig } from './config';
import {
  createResponseSchema, customersSchema, errorBodySchema, minorToRubles, operationInfoSchema, operationListSchema, qrActivateResponseSchema,
  qrDeactivateSchema, qrInfoSchema, qrOperationSchema, refundResponseSchema, retailersSchema, type TochkaOperation,
} from './wire';

export type TochkaResult<T> =
  | { ok: true; data: T }
  | { ok: false; kind: 'http'; status: number; code: string | null; message: string }
  | { ok: false; kind: 'fault'; fault: string; maybeDelivered: boolean; message: string }
  | { ok: false; kind: 'invalid'; message: string };

export type TochkaFailure = Exclude<TochkaResult<unknown>, { ok: true }>;

export interface CreateLinkBody {
  customerCode: string;
  merchantId?: string;
  amountMinor: number;
  purpose: string;
  paymentMode: readonly ('sbp' | 'card')[];
  paymentLinkId: string;
  saveCard: boolean;
  consumerId: string | null;
  ttlMinutes: number;
  taxSystemCode?: string;
  vatType: string;
  email: string;
  items: readonly { name: string; priceMinor: number; quantity: number }[];
}

export class TochkaClient {
  private readonly http: BankHttp;

  constructor(private readonly config: Pick<TochkaConfig, 'baseUrl' | 'token' | 'caPem' | 'timing'>) {
    this.http = new BankHttp(config.baseUrl, config.caPem);
  }

  customers() {
    return this.call({ method: 'GET', path: '/open-banking/v1.0/customers' }, customersSchema);
  }

  retailers(customerCode: string) {
    return this.call({ method: 'GET', path: '/acquiring/v1.0/retailers', query: { customerCode } }, retailersSchema);
  }

  createPaymentWithReceipt(b: CreateLinkBody) {
    const Data = {
      customerCode: b.customerCode,
      ...(b.merchantId ? { merchantId: b.merchantId } : {}),
      amount: minorToRubles(b.amountMinor),
      purpose: b.purpose,
      paymentMode: [...b.paymentMode],
      paymentLinkId: b.paymentLinkId,
      ttl: b.ttlMinutes,
      ...(b.saveCard ? { saveCard: true } : {}),
      ...(b.consumerId ? { consumerId: b.consumerId } : {}),
      ...(b.taxSystemCode ? { taxSystemCode: b.taxSystemCode } : {}),
      Client: { email: b.email },
      Items: b.items.map((i) => ({ name: i.name, amount: minorToRubles(i.priceMinor), quantity: i.quantity, vatType: b.vatType, paymentMethod: 'full_payment', paymentObject: 'goods', measure: 'шт.' })),
    };
    return this.call({ method: 'POST', path: '/acquiring/v1.0/payments_with_receipt', body: { Data } }, createResponseSchema);
  }

  operation(operationId: string) {
    return this.call({ method: 'GET', path: `/acquiring/v1.0/payments/${encodeURIComponent(operationId)}` }, operationInfoSchema);
  }

  listOperations(customerCode: string, fromDate: string, toDate: string, page: number) {
    return this.call({ method: 'GET', path: '/acquiring/v1.0/payments', query: { customerCode, fromDate, toDate, page, perPage: 1000 } }, operationListSchema);
  }

  /** Walks the list pages for our paymentLinkId (Tochka cannot be asked by our reference directly). */
  async findByPaymentLinkId(customerCode: string, paymentLinkId: string, fromMs: number, toMs: number): Promise<TochkaResult<TochkaOperation | null>> {
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    for (let page = 1; page <= 50; page += 1) {
      const r = await this.listOperations(customerCode, day(fromMs), day(toMs), page);
      if (!r.ok) return r;
      const hit = r.data.Data.Operation.find((o) => o.paymentLinkId === paymentLinkId);
      if (hit) return { ok: true, data: hit };
      if (page >= (r.data.Meta?.totalPages ?? 1)) return { ok: true, data: null };
    }
    return { ok: false, kind: 'invalid', message: 'more than 50 pages of operations' };
  }

  refund(operationId: string, amountMinor: number) {
    return this.call({ method: 'POST', path: `/acquiring/v1.0/payments/${encodeURIComponent(operationId)}/refund`, body: { Data: { amount: minorToRubles(amountMinor) } } }, refundResponseSchema);
  }

  activateCashboxQr(qrcId: string, amountMinor: number, purpose: string, ttlMinutes: number) {
    return this.call({ method: 'POST', path: `/sbp/v1.0/cashbox-qr-code/${encodeURIComponent(qrcId)}/activate`, body: { Data: { amount: amountMinor, currency: 'RUB', paymentPurpose: purpose.slice(0, 140), ttl: ttlMinutes } } }, qrActivateResponseSchema);
  }

  cashboxQrOperation(qrcId: string, paramsId: string) {
    return this.call({ method: 'GET', path: `/sbp/v1.0/cashbox-qr-code/${encodeURIComponent(qrcId)}/operation`, query: { paramsId } }, qrOperationSchema);
  }

  cashboxQrInfo(qrcId: string) {
    return this.call({ method: 'POST', path: `/sbp/v1.0/cashbox-qr-code/${encodeURIComponent(qrcId)}`, body: { Data: { imageParams: { width: 200, height: 200, mediaType: 'image/svg+xml' } } } }, qrInfoSchema);
  }

  deactivateCashboxQr(qrcId: string) {
    return this.call({ method: 'POST', path: `/sbp/v1.0/cashbox-qr-code/${encodeURIComponent(qrcId)}/deactivate` }, qrDeactivateSchema);
  }

  private async call<S extends z.ZodType>(req: Omit<HttpRequest, 'timeoutMs'>, schema: S): Promise<TochkaResult<z.output<S>>> {
    const result: HttpResult = await this.http.send({ ...req, timeoutMs: this.config.timing.requestTimeoutMs, headers: { Authorization: `Bearer ${this.config.token ?? ''}` } });
    if (result.kind === 'fault') return { ok: false, kind: 'fault', fault: result.fault, maybeDelivered: result.maybeDelivered, message: result.message };
    if (result.status < 200 || result.status > 299) {
      const err = errorBodySchema.safeParse(result.body);
      const code = err.success ? (err.data.Errors?.[0]?.errorCode ?? (err.data.code === undefined ? null : String(err.data.code))) : null;
      const message = err.success ? (err.data.message ?? err.data.Errors?.[0]?.message ?? '') : '';
      return { ok: false, kind: 'http', status: result.status, code, message: message.slice(0, 300) };
    }
    const parsed = schema.safeParse(result.body);
    if (!parsed.success) return { ok: false, kind: 'invalid', message: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
    return { ok: true, data: parsed.data };
  }
}
