// Halyk ePay as a BankAdapter: OAuth client-credentials token (cached until shortly before expiry),
// invoice link created with OUR reference as invoice_id, status asked directly by that invoice id (ePay,
// unlike Tochka, answers "what happened to MY id"), refunds by the transaction id.
import type { BankAdapter, BankOperation, BankStatus, CreateLinkRequest, CreateOutcome, LookupOutcome, OperationRef, RefundOutcome } from '../../acquiring/bank';
import { BankHttp, type HttpResult } from '../../acquiring/http';
import type { ErrorKey } from '../../errors/catalogue';
import type { HalykConfig } from './config';
import { checkStatusSchema, errorSchema, invoiceSchema, tengeToTiyn, tiynToTenge, tokenSchema } from './wire';

export function halykStatus(raw: string): BankStatus {
  switch (raw) {
    case 'CHARGE':
      return 'paid';
    case 'REFUND':
      return 'refunded';
    case 'REJECT':
      return 'declined';
    case 'CANCEL':
    case 'EXPIRED':
      return 'expired';
    default:
      return 'pending'; // NEW, AUTH (held until charged), anything new
  }
}

/** ePay invoice ids are digits, 6..15 long: our UUID reference is folded into 15 digits, stable. */
export function invoiceIdFor(reference: string): string {
  const hex = reference.replace(/[^0-9a-f]/gi, '').slice(0, 12) || '0';
  return BigInt(`0x${hex}`).toString().padStart(15, '0').slice(-15);
}

type Failure = { errorKey: ErrorKey; code: string | null; detail: string; certain: boolean };

function failure(r: HttpResult): Failure {
  if (r.kind === 'fault') return { errorKey: r.maybeDelivered ? 'bank.checking' : 'bank.unavailable', code: r.fault, detail: `${r.fault}: ${r.message}`, certain: !r.maybeDelivered };
  const body = errorSchema.safeParse(r.body);
  const detail = `HTTP ${r.status}${body.success && body.data.message ? `: ${body.data.message}` : ''}`;
  if (r.status === 401 || r.status === 403) return { errorKey: 'halyk.auth', code: String(r.status), detail, certain: true };
  if (r.status >= 400 && r.status < 500 && r.status !== 409 && r.status !== 429) return { errorKey: 'bank.rejected', code: String(r.status), detail, certain: true };
  return { errorKey: 'bank.unavailable', code: String(r.status), detail, certain: false };
}

export class HalykBank implements BankAdapter {
  readonly provider = 'halyk';
  readonly currency = 'KZT';
  private readonly oauth: BankHttp;
  private readonly api: BankHttp;
  private token: { value: string; until: number } | null = null;

  constructor(private readonly config: HalykConfig) {
    this.oauth = new BankHttp(config.oauthUrl, config.caPem);
    this.api = new BankHttp(config.apiUrl, config.caPem);
  }

  private async bearer(): Promise<{ ok: true; token: string } | { ok: false; failure: Failure }> {
    if (this.token && this.token.until > Date.now()) return { ok: true, token: this.token.value };
    const r = await this.oauth.send({
      method: 'POST', path: '/oauth2/token', timeoutMs: this.config.timing.requestTimeoutMs,
      form: { grant_type: 'client_credentials', scope: 'webapi payment', client_id: this.config.clientId ?? '', client_secret: this.config.clientSecret ?? '', terminal: this.config.terminalId ?? '' },
    });
    // A token request changes nothing at the bank: any failure of it is certain.
    if (r.kind === 'fault' || r.status !== 200) return { ok: false, failure: { ...failure(r), certain: true, errorKey: r.kind === 'response' && r.status < 500 ? 'halyk.auth' : 'bank.unavailable' } };
    const t = tokenSchema.safeParse(r.body);
    if (!t.success) return { ok: false, failure: { errorKey: 'bank.response_invalid', code: 'invalid', detail: 'bad token answer', certain: true } };
    this.token = { value: t.data.access_token, until: Date.now() + Math.max(0, Number(t.data.expires_in) - 60) * 1_000 };
    return { ok: true, token: t.data.access_token };
  }

  async create(r: CreateLinkRequest): Promise<CreateOutcome> {
    const auth = await this.bearer();
    if (!auth.ok) return { kind: 'rejected', ...auth.failure };
    const res = await this.api.send({
      method: 'POST', path: '/invoice', timeoutMs: this.config.timing.requestTimeoutMs, headers: { Authorization: `Bearer ${auth.token}` },
      body: {
        shop_id: this.config.shopId, account_id: this.config.accountId, invoice_id: invoiceIdFor(r.reference), amount: tiynToTenge(r.amountMinor),
        language: this.config.language, description: r.purpose, expire_period: this.config.expirePeriod, recipient_contact: this.config.recipientContact, currency: 'KZT',
      },
    });
    if (res.kind === 'fault' || res.status !== 200) {
      const f = failure(res);
      return f.certain ? { kind: 'rejected', errorKey: f.errorKey, code: f.code, detail: f.detail } : { kind: 'unknown', errorKey: 'bank.checking', code: f.code, detail: f.detail };
    }
    const inv = invoiceSchema.safeParse(res.body);
    if (!inv.success) return { kind: 'unknown', errorKey: 'bank.response_invalid', code: 'invalid', detail: 'bad invoice answer' };
    return {
      kind: 'created',
      operation: { bankOperationId: inv.data.id, reference: r.reference, link: inv.data.invoice_url, status: 'pending', rawStatus: 'NEW', amountMinor: r.amountMinor, currency: 'KZT', paymentType: null, consumerId: null, refundedMinor: 0 },
    };
  }

  async findByReference(reference: string): Promise<LookupOutcome> {
    const auth = await this.bearer();
    if (!auth.ok) return { kind: 'unknown', errorKey: auth.failure.errorKey, code: auth.failure.code, detail: auth.failure.detail };
    const res = await this.api.send({ method: 'GET', path: `/check-status/payment/transaction/${invoiceIdFor(reference)}`, timeoutMs: this.config.timing.requestTimeoutMs, headers: { Authorization: `Bearer ${auth.token}` } });
    if (res.kind === 'fault' || res.status !== 200) {
      const f = failure(res);
      return { kind: 'unknown', errorKey: f.errorKey, code: f.code, detail: f.detail };
    }
    const body = checkStatusSchema.safeParse(res.body);
    if (!body.success) return { kind: 'unknown', errorKey: 'bank.response_invalid', code: 'invalid', detail: 'bad status answer' };
    const tx = body.data.transaction;
    if (body.data.resultCode !== '100' || !tx) return { kind: 'not_found' };
    const amountMinor = tengeToTiyn(tx.amount);
    if (amountMinor === null) return { kind: 'unknown', errorKey: 'bank.response_invalid', code: 'invalid', detail: 'bad amount' };
    const op: BankOperation = {
      bankOperationId: tx.id, reference, link: null, status: halykStatus(tx.statusName), rawStatus: tx.statusName, amountMinor, currency: tx.currency,
      paymentType: 'card', consumerId: tx.cardId ?? null, refundedMinor: tengeToTiyn(tx.refundAmount ?? 0) ?? 0,
    };
    return { kind: 'found', operation: op };
  }

  /** ePay's status is keyed by our invoice id, so a read is a find (the bank id is not needed). */
  read(ref: OperationRef): Promise<LookupOutcome> {
    return this.findByReference(ref.reference);
  }

  async refund(bankOperationId: string, amountMinor: number): Promise<RefundOutcome> {
    const auth = await this.bearer();
    if (!auth.ok) return { kind: auth.failure.certain ? 'rejected' : 'unknown', errorKey: auth.failure.errorKey, code: auth.failure.code, detail: auth.failure.detail };
    const res = await this.api.send({
      method: 'POST', path: `/operation/${encodeURIComponent(bankOperationId)}/refund`, query: { amount: tiynToTenge(amountMinor) },
      timeoutMs: this.config.timing.requestTimeoutMs, headers: { Authorization: `Bearer ${auth.token}` },
    });
    if (res.kind === 'response' && res.status === 200) return { kind: 'done', refundId: null };
    const f = failure(res);
    return f.certain ? { kind: 'rejected', errorKey: f.errorKey === 'bank.rejected' ? 'bank.refund_rejected' : f.errorKey, code: f.code, detail: f.detail } : { kind: 'unknown', errorKey: f.errorKey, code: f.code, detail: f.detail };
  }
}
