// Neutral receipt → ЮKassa POST /v3/receipts body, and the Idempotence-Key. Pure.
import { createHash } from 'node:crypto';
import { FiscalError } from '../connector';
import { koshelekBlockText, rubles, totalKop, YOOKASSA_PAYMENT_MODE, YOOKASSA_TAX_SYSTEM, YOOKASSA_VAT_CODE, PAYMENT_OBJECTS, type FiscalReceipt, type ReceiptLine } from '../receipt';
import type { YookassaConfig } from './config';
import type { YookassaReceiptRequest } from './wire';

/**
 * The Idempotence-Key of a receipt: a function of the operation only, so every retry, restart and
 * reconciliation sends the same key (64 hex chars, within the widely quoted 64-char limit).
 */
export function idempotenceKey(receipt: Pick<FiscalReceipt, 'operation' | 'externalId'>): string {
  return createHash('sha256').update(`paydesk:${receipt.operation}:${receipt.externalId}`).digest('hex');
}

const money = (kop: number): { value: string; currency: 'RUB' } => ({ value: rubles(kop), currency: 'RUB' });

function quantityText(q: number): string {
  return q.toFixed(3).replace(/\.?0+$/, '') || '0';
}

/**
 * ЮKassa takes a unit price, not a line sum. A discounted line whose sum is not a whole number of
 * kopecks per unit is split in two (q−1 units at the floor price, 1 unit at the rest) so the receipt
 * adds up to the kopeck; a fractional quantity that does not divide evenly is refused (docs/fiscal.md).
 */
export function unitPriced(line: ReceiptLine): { quantity: number; priceKop: number }[] {
  if (Math.round(line.priceKop * line.quantity) === line.sumKop) return [{ quantity: line.quantity, priceKop: line.priceKop }];
  const exact = line.sumKop / line.quantity;
  if (Number.isInteger(exact)) return [{ quantity: line.quantity, priceKop: exact }];
  if (!Number.isInteger(line.quantity)) {
    throw new FiscalError('fiscal.rejected', `ЮKassa: line "${line.name}": a sum of ${line.sumKop} kop over ${line.quantity} units has no whole unit price`, false);
  }
  const floor = Math.floor(line.sumKop / line.quantity);
  const rest = line.sumKop - floor * (line.quantity - 1);
  return [{ quantity: line.quantity - 1, priceKop: floor }, { quantity: 1, priceKop: rest }];
}

export function toYookassaRequest(receipt: FiscalReceipt, config: YookassaConfig): YookassaReceiptRequest {
  if (receipt.payments.some((p) => p.type === 'cash')) {
    throw new FiscalError('fiscal.rejected', 'ЮKassa receipts have no cash settlement; fiscalize cash sales with another connector', false);
  }
  const email = receipt.customer.email ?? (receipt.customer.phone ? undefined : config.fallbackEmail || undefined);
  if (!email && !receipt.customer.phone) throw new FiscalError('fiscal.config', 'ЮKassa needs a customer e-mail or phone: set fiscal.yookassa.fallbackEmail', false);
  return {
    type: receipt.operation === 'sell' ? 'payment' : 'refund',
    customer: { ...(email ? { email } : {}), ...(receipt.customer.phone ? { phone: receipt.customer.phone } : {}) },
    items: receipt.lines.flatMap((l) => unitPriced(l).map((part) => ({
      description: l.name,
      quantity: quantityText(part.quantity),
      amount: money(part.priceKop),
      vat_code: YOOKASSA_VAT_CODE[l.vat],
      payment_mode: YOOKASSA_PAYMENT_MODE[l.paymentMethod],
      payment_subject: PAYMENT_OBJECTS[l.paymentObject].yookassa,
      measure: l.measure,
    }))),
    send: true,
    settlements: [{ type: 'cashless', amount: money(totalKop(receipt)) }],
    tax_system_code: YOOKASSA_TAX_SYSTEM[config.taxSystem],
    internet: false,
    ...(receipt.koshelek ? { additional_user_props: { name: 'Кошелёк Pay', value: koshelekBlockText(receipt.koshelek).slice(0, 256) } } : {}),
  };
}
