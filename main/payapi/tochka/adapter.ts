// Tochka as a BankAdapter for the shared payment-link machine: payments_with_receipt with OUR reference
// as paymentLinkId, lookup of an ambiguous create by that paymentLinkId in the operation list, status by
// operationId, refunds by operationId. Identifiers come from config or start-up discovery (once).
import type { BankAdapter, BankOperation, BankStatus, CreateLinkRequest, CreateOutcome, LookupOutcome, OperationRef, RefundOutcome } from '../../acquiring/bank';
import { TochkaClient } from './client';
import type { TochkaConfig } from './config';
import { discover, type Discovery } from './discovery';
import { createCertainlyFailed, failureCode, failureDetail, tochkaErrorKey } from './errors';
import { rublesToMinor, type TochkaOperation } from './wire';

export function tochkaStatus(raw: string): BankStatus {
  switch (raw) {
    case 'APPROVED':
      return 'paid';
    case 'ON-REFUND':
    case 'REFUNDED':
    case 'REFUNDED_PARTIALLY':
      return 'refunded'; // the money was taken; refunds are separate operations
    case 'EXPIRED':
      return 'expired';
    default:
      return 'pending'; // CREATED, AUTHORIZED (held, two-stage only), WAIT_FULL_PAYMENT, anything new
  }
}

export function toBankOperation(op: TochkaOperation): BankOperation | null {
  const amountMinor = rublesToMinor(op.amount);
  if (amountMinor === null) return null;
  const refundedMinor = (op.Order ?? []).filter((o) => o.type === 'refund').reduce((sum, o) => sum + (rublesToMinor(o.amount) ?? 0), 0);
  return {
    bankOperationId: op.operationId,
    reference: op.paymentLinkId ?? '',
    link: op.paymentLink ?? null,
    status: tochkaStatus(op.status),
    rawStatus: op.status,
    amountMinor,
    currency: 'RUB',
    paymentType: op.paymentType ?? null,
    consumerId: op.consumerId ?? null,
    refundedMinor,
  };
}

export class TochkaBank implements BankAdapter {
  readonly provider = 'tochka';
  readonly currency = 'RUB';
  readonly client: TochkaClient;
  private ids: Promise<Discovery> | null = null;

  constructor(private readonly config: TochkaConfig) {
    this.client = new TochkaClient(config);
  }

  /** Identifiers from config, else discovered once (a failed discovery is asked again next time). */
  identifiers(): Promise<Discovery> {
    if (this.config.customerCode && this.config.merchantId) return Promise.resolve({ ok: true, customerCode: this.config.customerCode, merchantId: this.config.merchantId });
    if (!this.ids) {
      this.ids = discover(this.client, this.config).then((d) => {
        if (!d.ok) this.ids = null;
        return d;
      });
    }
    return this.ids;
  }

  async create(r: CreateLinkRequest): Promise<CreateOutcome> {
    const ids = await this.identifiers();
    if (!ids.ok) return { kind: 'rejected', errorKey: ids.errorKey, code: null, detail: ids.detail };
    const res = await this.client.createPaymentWithReceipt({
      customerCode: ids.customerCode,
      ...(ids.merchantId ? { merchantId: ids.merchantId } : {}),
      amountMinor: r.amountMinor,
      purpose: r.purpose,
      paymentMode: r.methods,
      paymentLinkId: r.reference,
      saveCard: r.saveCard,
      consumerId: r.consumerId,
      ttlMinutes: this.config.linkTtlMinutes,
      ...(this.config.taxSystemCode ? { taxSystemCode: this.config.taxSystemCode } : {}),
      vatType: this.config.vatType,
      email: this.config.receiptEmail,
      items: r.lines.length > 0 ? r.lines : [{ name: r.purpose, priceMinor: r.amountMinor, quantity: 1 }],
    });
    if (!res.ok) {
      const detail = failureDetail(res);
      return createCertainlyFailed(res)
        ? { kind: 'rejected', errorKey: tochkaErrorKey(res), code: failureCode(res), detail }
        : { kind: 'unknown', errorKey: 'bank.checking', code: failureCode(res), detail };
    }
    // The create answer echoes the request; its paymentLinkId may be absent in older answers.
    const op = toBankOperation({ ...res.data.Data, paymentLinkId: res.data.Data.paymentLinkId ?? r.reference });
    if (!op) return { kind: 'unknown', errorKey: 'bank.response_invalid', code: 'invalid', detail: 'bad amount in the create answer' };
    return { kind: 'created', operation: op };
  }

  async findByReference(reference: string, createdAtMs: number): Promise<LookupOutcome> {
    const ids = await this.identifiers();
    if (!ids.ok) return { kind: 'unknown', errorKey: ids.errorKey, code: null, detail: ids.detail };
    const day = 86_400_000;
    const res = await this.client.findByPaymentLinkId(ids.customerCode, reference, createdAtMs - day, Date.now() + day);
    if (!res.ok) return { kind: 'unknown', errorKey: tochkaErrorKey(res), code: failureCode(res), detail: failureDetail(res) };
    if (!res.data) return { kind: 'not_found' };
    const op = toBankOperation(res.data);
    return op ? { kind: 'found', operation: op } : { kind: 'unknown', errorKey: 'bank.response_invalid', code: 'invalid', detail: 'bad amount' };
  }

  async read({ bankOperationId }: OperationRef): Promise<LookupOutcome> {
    const res = await this.client.operation(bankOperationId);
    if (!res.ok) {
      if (res.kind === 'http' && res.status === 404) return { kind: 'not_found' };
      return { kind: 'unknown', errorKey: tochkaErrorKey(res), code: failureCode(res), detail: failureDetail(res) };
    }
    const first = res.data.Data.Operation.find((o) => o.operationId === bankOperationId);
    if (!first) return { kind: 'not_found' };
    const op = toBankOperation(first);
    return op ? { kind: 'found', operation: op } : { kind: 'unknown', errorKey: 'bank.response_invalid', code: 'invalid', detail: 'bad amount' };
  }

  async refund(bankOperationId: string, amountMinor: number): Promise<RefundOutcome> {
    const res = await this.client.refund(bankOperationId, amountMinor);
    if (!res.ok) {
      const detail = failureDetail(res);
      if (res.kind === 'http' && res.status >= 400 && res.status < 500 && res.status !== 424 && res.status !== 429) {
        return { kind: 'rejected', errorKey: res.status === 403 ? 'tochka.forbidden' : 'bank.refund_rejected', code: failureCode(res), detail };
      }
      if (res.kind === 'http' && res.status === 501) return { kind: 'rejected', errorKey: 'tochka.acquiring_off', code: '501', detail };
      return { kind: 'unknown', errorKey: tochkaErrorKey(res), code: failureCode(res), detail };
    }
    if (!res.data.Data.isRefund) return { kind: 'rejected', errorKey: 'bank.refund_rejected', code: 'isRefund=false', detail: 'the bank answered isRefund: false' };
    return { kind: 'done', refundId: res.data.Data.orderId ?? null };
  }
}
