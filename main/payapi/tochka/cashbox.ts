// The till's cashbox SBP QR as a BankAdapter: each sale activates the printed QR with its amount (kopecks)
// and a purpose that carries OUR reference; an ambiguous activate is resolved by reading the QR's current
// activation and matching that reference (the QR is the till's own, one sale at a time); cancel deactivates.
// Cashbox-QR refunds are not in the API (done in the internet bank), so refund is refused with that key.
import type { BankAdapter, BankOperation, CreateLinkRequest, CreateOutcome, LookupOutcome, OperationRef, RefundOutcome } from '../../acquiring/bank';
import type { TochkaClient } from './client';
import type { TochkaConfig } from './config';
import { createCertainlyFailed, failureCode, failureDetail, tochkaErrorKey } from './errors';

/** The purpose as the payer sees it, ending with our reference (always kept whole within 140 chars). */
export function purposeWithReference(purpose: string, reference: string): string {
  const tail = ` #${reference}`;
  return `${purpose.slice(0, 140 - tail.length)}${tail}`;
}

export class TochkaCashboxQr implements BankAdapter {
  readonly provider = 'tochka';
  readonly currency = 'RUB';

  constructor(private readonly client: TochkaClient, private readonly qr: NonNullable<TochkaConfig['cashboxQr']>) {}

  async create(r: CreateLinkRequest): Promise<CreateOutcome> {
    const res = await this.client.activateCashboxQr(this.qr.qrcId, r.amountMinor, purposeWithReference(r.purpose, r.reference), this.qr.ttlMinutes);
    if (!res.ok) {
      const detail = failureDetail(res);
      return createCertainlyFailed(res) ? { kind: 'rejected', errorKey: tochkaErrorKey(res), code: failureCode(res), detail } : { kind: 'unknown', errorKey: 'bank.checking', code: failureCode(res), detail };
    }
    if (res.data.Data.amount !== r.amountMinor) return { kind: 'unknown', errorKey: 'bank.response_invalid', code: 'amount', detail: 'activated with another amount' };
    return { kind: 'created', operation: this.operation(res.data.Data.paramsId, r.reference, 'pending', 'WAITING_PAYMENT', r.amountMinor) };
  }

  async findByReference(reference: string): Promise<LookupOutcome> {
    const info = await this.client.cashboxQrInfo(this.qr.qrcId);
    if (!info.ok) return { kind: 'unknown', errorKey: tochkaErrorKey(info), code: failureCode(info), detail: failureDetail(info) };
    const d = info.data.Data;
    if (!d.paramsId || !d.paymentPurpose?.endsWith(`#${reference}`)) return { kind: 'not_found' };
    return this.read({ bankOperationId: d.paramsId, reference });
  }

  async read({ bankOperationId, reference }: OperationRef): Promise<LookupOutcome> {
    const res = await this.client.cashboxQrOperation(this.qr.qrcId, bankOperationId);
    if (!res.ok) return { kind: 'unknown', errorKey: tochkaErrorKey(res), code: failureCode(res), detail: failureDetail(res) };
    const d = res.data.Data;
    const amount = d.amount ?? null;
    switch (d.trxStatus) {
      case 'ACWP':
        return amount === null ? { kind: 'unknown', errorKey: 'bank.response_invalid', code: 'amount', detail: 'paid without amount' } : { kind: 'found', operation: this.operation(bankOperationId, reference, 'paid', 'ACWP', amount) };
      case 'RJCT':
        return { kind: 'found', operation: this.operation(bankOperationId, reference, 'declined', 'RJCT', amount ?? 0) };
      case 'RCVD':
        return { kind: 'found', operation: this.operation(bankOperationId, reference, 'pending', 'RCVD', amount ?? 0) };
      case 'NTST':
        // No payment: waiting while the QR is live; deactivated (ttl or our revoke) means it can no longer be paid.
        return { kind: 'found', operation: this.operation(bankOperationId, reference, d.qrCodeStatus === 'DEACTIVATED' ? 'expired' : 'pending', d.qrCodeStatus, amount ?? 0) };
    }
  }

  async revoke(): Promise<{ done: boolean; detail: string | null }> {
    const res = await this.client.deactivateCashboxQr(this.qr.qrcId);
    return res.ok ? { done: res.data.Data.result, detail: null } : { done: false, detail: failureDetail(res) };
  }

  refund(): Promise<RefundOutcome> {
    return Promise.resolve({ kind: 'rejected', errorKey: 'tochka.sbp_refund_in_bank', code: null, detail: 'cashbox QR refunds are made in the internet bank' });
  }

  private operation(paramsId: string, reference: string, status: BankOperation['status'], raw: string, amountMinor: number): BankOperation {
    return {
      bankOperationId: paramsId, reference, link: this.qr.payload ?? null, status, rawStatus: raw, amountMinor, currency: 'RUB',
      paymentType: status === 'paid' ? 'sbp' : null, consumerId: null, refundedMinor: 0,
    };
  }
}
