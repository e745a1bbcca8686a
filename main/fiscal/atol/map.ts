// Neutral receipt → ATOL Online v5 register body. Pure.
import { koshelekBlockText, MEASURES, PAYMENT_OBJECTS, totalKop, vatAmountKop, type FiscalReceipt, type VatRate } from '../receipt';
import type { AtolConfig } from './config';
import type { AtolRegisterRequest } from './wire';

const num = (kop: number): number => Math.round(kop) / 100;

/** ATOL's "dd.mm.yyyy HH:MM:SS", in Moscow time (UTC+3, no DST), the time zone of the receipt register. */
export function atolTimestamp(iso: string): string {
  const d = new Date(Date.parse(iso) + 3 * 3_600_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}.${p(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export function toAtolRequest(receipt: FiscalReceipt, config: AtolConfig): AtolRegisterRequest {
  const vats = new Map<VatRate, number>();
  for (const l of receipt.lines) vats.set(l.vat, (vats.get(l.vat) ?? 0) + vatAmountKop(l.vat, l.sumKop));
  const body: AtolRegisterRequest = {
    external_id: receipt.externalId,
    timestamp: atolTimestamp(receipt.createdAt),
    receipt: {
      client: { ...(receipt.customer.email ? { email: receipt.customer.email } : {}), ...(receipt.customer.phone ? { phone: receipt.customer.phone } : {}) },
      company: { email: config.company.email, sno: config.company.sno, inn: config.company.inn, payment_address: config.company.paymentAddress },
      items: receipt.lines.map((l) => ({
        name: l.name,
        price: num(l.priceKop),
        quantity: l.quantity,
        measure: MEASURES[l.measure],
        sum: num(l.sumKop),
        payment_method: l.paymentMethod,
        payment_object: PAYMENT_OBJECTS[l.paymentObject].ffd,
        vat: l.vat === 'none' ? { type: 'none' } : { type: l.vat, sum: num(vatAmountKop(l.vat, l.sumKop)) },
      })),
      // ATOL payments[].type: 0 cash, 1 cashless.
      payments: receipt.payments.map((p) => ({ type: p.type === 'cash' ? 0 : 1, sum: num(p.sumKop) })),
      vats: [...vats].map(([type, sum]) => (type === 'none' ? { type } : { type, sum: num(sum) })),
      total: num(totalKop(receipt)),
      internet: false,
      ...(receipt.cashier ? { cashier: receipt.cashier } : {}),
      ...(receipt.koshelek ? { additional_user_props: { name: 'Кошелёк Pay', value: koshelekBlockText(receipt.koshelek).slice(0, 256) } } : {}),
    },
  };
  return body;
}
