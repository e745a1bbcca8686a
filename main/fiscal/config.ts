// Fiscal section of paydesk.config.json: who fiscalizes (nobody, the payment provider itself, or one of
// our connectors), which VAT rates are legal now, and each connector's settings. Wiring this section
// into main/config/schema.ts is part of the sale-flow integration (docs/fiscal.md).
import { z } from 'zod';
import { backoffPolicySchema, type BackoffPolicy } from '../outbox/backoff';
import { PaydeskError } from '../errors/catalogue';
import { atolConfigSchema } from './atol/config';
import { yookassaConfigSchema } from './yookassa/config';
import { measureFromBasket, paymentMethodSchema, paymentObjectSchema, vatRateSchema, type ReceiptLine, type VatRate } from './receipt';

/** From 2026-01-01 the base rate is 22 % (22/122); 20 % and 20/120 are no longer valid on new receipts. */
export const VAT_RATES_2026: VatRate[] = ['none', 'vat0', 'vat5', 'vat7', 'vat10', 'vat22', 'vat105', 'vat107', 'vat110', 'vat122'];

/** Fiscal sends retry until the service answers: 2 s doubling to a 5-minute cap. */
export const FISCAL_BACKOFF: BackoffPolicy = { baseMs: 2_000, factor: 2, capMs: 300_000, jitter: 0.3, maxAttempts: null };

export const fiscalConfigSchema = z.object({
  connector: z.enum(['none', 'atol', 'yookassa']).default('none'),
  /** Payment providers whose sales are fiscalized by the provider itself: Paydesk must not send a receipt. */
  providerFiscalizes: z.array(z.string().min(1)).default([]),
  allowedVatRates: z.array(vatRateSchema).min(1).default(VAT_RATES_2026),
  /** Basket tax names that differ from the rate names (e.g. a catalogue still saying "vat20_new"). */
  taxMap: z.record(z.string(), vatRateSchema).default({}),
  paymentMethod: paymentMethodSchema.default('full_payment'),
  paymentObject: paymentObjectSchema.default('commodity'),
  backoff: backoffPolicySchema.default(FISCAL_BACKOFF),
  /**
   * After the fiscal receipt is registered, also send it to the payment provider when it takes receipts (Koshelek:
   * the customer sees it in the app). An outbox job queued behind the fiscal one; the seller block is required.
   */
  providerReceipt: z.object({
    enabled: z.boolean().default(false),
    merchantName: z.string().default(''),
    merchantAddress: z.string().default(''),
    inn: z.string().regex(/^(\d{10}|\d{12})?$/, 'ИНН: 10 или 12 цифр').default(''),
  }).prefault({}),
  atol: atolConfigSchema.prefault({}),
  yookassa: yookassaConfigSchema.prefault({}),
}).superRefine((c, ctx) => {
  const need = (ok: boolean, path: string[], message: string): void => {
    if (!ok) ctx.addIssue({ code: 'custom', path, message });
  };
  if (c.connector === 'atol') {
    need(c.atol.login !== '', ['atol', 'login'], 'ATOL: login is required');
    need(c.atol.password !== '', ['atol', 'password'], 'ATOL: password is required');
    need(c.atol.groupCode !== '', ['atol', 'groupCode'], 'ATOL: groupCode is required');
    need(c.atol.company.inn !== '', ['atol', 'company', 'inn'], 'ATOL: company INN is required');
    need(c.atol.company.paymentAddress !== '', ['atol', 'company', 'paymentAddress'], 'ATOL: payment address is required');
  }
  if (c.providerReceipt.enabled) {
    need(c.providerReceipt.merchantName !== '', ['providerReceipt', 'merchantName'], 'providerReceipt: merchantName is required');
    need(c.providerReceipt.merchantAddress !== '', ['providerReceipt', 'merchantAddress'], 'providerReceipt: merchantAddress is required');
    need(c.providerReceipt.inn !== '', ['providerReceipt', 'inn'], 'providerReceipt: inn is required');
  }
  if (c.connector === 'yookassa') {
    need(c.yookassa.shopId !== '', ['yookassa', 'shopId'], 'ЮKassa: shopId is required');
    need(c.yookassa.secretKey !== '', ['yookassa', 'secretKey'], 'ЮKassa: secretKey is required');
  }
});
export type FiscalConfig = z.infer<typeof fiscalConfigSchema>;

export const FISCAL_SECRET_PATHS = ['fiscal.atol.password', 'fiscal.yookassa.secretKey'] as const;

/** Who issues the receipt for a sale taken through `paymentProvider`. */
export function fiscalizerFor(config: FiscalConfig, paymentProvider: string): 'none' | 'provider' | 'atol' | 'yookassa' {
  if (config.providerFiscalizes.includes(paymentProvider)) return 'provider';
  return config.connector;
}

/** A basket line as the checkout records it (kopecks; whole units of its measure). */
export interface BasketLineLike {
  name: string;
  priceKop: number;
  quantity: number;
  measure: string;
  totalKop: number;
  tax: string;
}

/** Basket lines → receipt lines with 54-FZ fields; a VAT rate the config does not allow is refused before anything is queued. */
export function receiptLinesFromBasket(lines: readonly BasketLineLike[], config: FiscalConfig): ReceiptLine[] {
  return lines.map((l, index) => {
    const mapped = config.taxMap[l.tax] ?? vatRateSchema.safeParse(l.tax).data;
    if (mapped === undefined || !config.allowedVatRates.includes(mapped)) {
      throw new PaydeskError('fiscal.vat_rate_invalid', `line ${index + 1} "${l.name}": tax "${l.tax}" is not an allowed VAT rate (${config.allowedVatRates.join(', ')})`);
    }
    const measure = measureFromBasket(l.measure);
    if (measure === null) throw new PaydeskError('fiscal.rejected', `line ${index + 1} "${l.name}": unknown measure "${l.measure}"`);
    return { name: l.name.slice(0, 128), priceKop: l.priceKop, quantity: l.quantity, sumKop: l.totalKop, measure, vat: mapped, paymentMethod: config.paymentMethod, paymentObject: config.paymentObject };
  });
}
