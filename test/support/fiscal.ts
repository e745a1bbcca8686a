// Shared fixtures for the fiscal/outbox tests and bench: sample sales and refunds, connector configs
// pointed at the loopback emulators with short timeouts, and a fast backoff policy.
import { atolConfigSchema, type AtolConfig } from '../../main/fiscal/atol/config';
import { yookassaConfigSchema, type YookassaConfig } from '../../main/fiscal/yookassa/config';
import { fiscalReceiptSchema, type FiscalReceipt } from '../../main/fiscal/receipt';
import type { BackoffPolicy } from '../../main/outbox/backoff';
import type { PaydeskConfigInput } from '../../main/config/schema';

export const FAST_BACKOFF: BackoffPolicy = { baseMs: 20, factor: 2, capMs: 200, jitter: 0, maxAttempts: null };

export function sale(id: string, createdAt = '2026-11-30T09:00:00.000Z'): FiscalReceipt {
  return fiscalReceiptSchema.parse({
    operation: 'sell', externalId: id, createdAt,
    lines: [
      { name: 'Молоко 3,2 %', priceKop: 8_990, quantity: 2, sumKop: 17_980, measure: 'piece', vat: 'vat10', paymentMethod: 'full_payment', paymentObject: 'commodity' },
      { name: 'Кофе в зёрнах', priceKop: 129_900, quantity: 1, sumKop: 119_900, measure: 'piece', vat: 'vat22', paymentMethod: 'full_payment', paymentObject: 'commodity' },
      { name: 'Доставка', priceKop: 30_000, quantity: 1, sumKop: 30_000, measure: 'piece', vat: 'vat22', paymentMethod: 'full_payment', paymentObject: 'service' },
    ],
    payments: [{ type: 'cashless', sumKop: 167_880 }],
    koshelek: { orderId: `order-${id}`, paymentTransactionId: `ptx-${id}`, paymentType: 'SBP', qrcId: 'AS10003P3RH0LJ2A9ROO038L6NT5RU1M', kzo: '1' },
  });
}

/** A refund receipt for exactly the given lines of a sale (by index). */
export function refundOf(of: FiscalReceipt, refundId: string, lineIndexes: number[]): FiscalReceipt {
  const lines = lineIndexes.map((i) => {
    const l = of.lines[i];
    if (!l) throw new Error(`no line ${i}`);
    return l;
  });
  const sum = lines.reduce((s, l) => s + l.sumKop, 0);
  return fiscalReceiptSchema.parse({
    operation: 'sell_refund', externalId: refundId, parentExternalId: of.externalId, createdAt: of.createdAt, lines,
    payments: [{ type: 'cashless', sumKop: sum }],
    koshelek: { ...(of.koshelek ?? { orderId: 'o' }), refundTransactionId: `rtx-${refundId}` },
  });
}

export function atolTestConfig(baseUrl: string, overrides: Partial<AtolConfig> = {}): AtolConfig {
  return atolConfigSchema.parse({
    baseUrl, emulator: true, login: 'emulator', password: 'emulator', groupCode: 'group-1',
    company: { inn: '7707083893', email: 'shop@example.ru', sno: 'osn', paymentAddress: 'г. Москва, ул. Тестовая, 1' },
    timeoutMs: 400, pollForMs: 300, pollEveryMs: 30, ...overrides,
  });
}

export function yookassaTestConfig(baseUrl: string, overrides: Partial<YookassaConfig> = {}): YookassaConfig {
  return yookassaConfigSchema.parse({
    baseUrl, emulator: true, shopId: 'shop-1', secretKey: 'secret', fallbackEmail: 'shop@example.ru',
    timeoutMs: 400, pollForMs: 300, pollEveryMs: 30, maxRetryAfterMs: 100, ...overrides,
  });
}

/** The till config's `fiscal` section pointed at an ATOL emulator, fast backoff (extra overrides top-level keys). */
export function atolFiscal(baseUrl: string, extra: Record<string, unknown> = {}, password = 'emulator'): NonNullable<PaydeskConfigInput['fiscal']> {
  return {
    connector: 'atol',
    backoff: { baseMs: 30, factor: 2, capMs: 300, jitter: 0, maxAttempts: null },
    atol: {
      baseUrl, emulator: true, login: 'emulator', password, groupCode: 'group-1',
      company: { inn: '7707083893', email: 'shop@example.ru', sno: 'osn', paymentAddress: 'г. Москва, ул. Тестовая, 1' },
      timeoutMs: 400, pollForMs: 300, pollEveryMs: 30,
    },
    ...extra,
  };
}
