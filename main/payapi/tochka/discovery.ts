// Start-up discovery: customers → the Business customerCode; retailers → the acquiring merchantId,
// ready only when status REG and isActive. Pure pickers plus one async walk; each failure names the
// catalogue entry IT sees (acquiring off, no company, several points without merchantId in config).
import type { ErrorKey } from '../../errors/catalogue';
import type { TochkaClient } from './client';
import type { TochkaConfig } from './config';
import { failureDetail, tochkaErrorKey } from './errors';
import type { TochkaCustomer, TochkaRetailer } from './wire';

export type Discovery =
  | { ok: true; customerCode: string; merchantId: string | null }
  | { ok: false; errorKey: ErrorKey; detail: string };

export function pickBusinessCustomer(customers: readonly TochkaCustomer[], configured?: string): Discovery | { ok: true; customerCode: string } {
  const business = customers.filter((c) => c.customerType === 'Business');
  if (configured) {
    return business.some((c) => c.customerCode === configured)
      ? { ok: true, customerCode: configured }
      : { ok: false, errorKey: 'tochka.no_business_customer', detail: `customerCode ${configured} is not a Business customer of this token` };
  }
  if (business.length === 1 && business[0]) return { ok: true, customerCode: business[0].customerCode };
  if (business.length === 0) return { ok: false, errorKey: 'tochka.no_business_customer', detail: 'no customer of type Business' };
  return { ok: false, errorKey: 'tochka.no_business_customer', detail: `several Business customers (${business.map((c) => c.customerCode).join(', ')}): set tochka.customerCode` };
}

export function pickRetailer(retailers: readonly TochkaRetailer[], configured?: string): { ok: true; merchantId: string | null } | { ok: false; errorKey: ErrorKey; detail: string } {
  const ready = retailers.filter((r) => r.status === 'REG' && r.isActive && r.merchantId);
  if (configured) {
    return ready.some((r) => r.merchantId === configured)
      ? { ok: true, merchantId: configured }
      : { ok: false, errorKey: 'tochka.no_active_retailer', detail: `merchantId ${configured} is not an active (REG) retail point` };
  }
  if (ready.length === 0) {
    const states = retailers.map((r) => `${r.name ?? '?'}: ${r.status}${r.isActive ? '' : ' (inactive)'}`).join(', ');
    return { ok: false, errorKey: 'tochka.no_active_retailer', detail: states ? `no retail point ready: ${states}` : 'no retail points' };
  }
  // One point: merchantId is optional for the bank, but we send it anyway. Several: the bank requires it.
  if (ready.length === 1 && ready[0]) return { ok: true, merchantId: ready[0].merchantId ?? null };
  return { ok: false, errorKey: 'tochka.retailer_ambiguous', detail: `several retail points (${ready.map((r) => r.merchantId).join(', ')}): set tochka.merchantId` };
}

export async function discover(client: TochkaClient, config: Pick<TochkaConfig, 'customerCode' | 'merchantId'>): Promise<Discovery> {
  const customers = await client.customers();
  if (!customers.ok) return { ok: false, errorKey: tochkaErrorKey(customers), detail: `customers: ${failureDetail(customers)}` };
  const customer = pickBusinessCustomer(customers.data.Data.Customer, config.customerCode);
  if (!customer.ok) return customer;
  const retailers = await client.retailers(customer.customerCode);
  if (!retailers.ok) return { ok: false, errorKey: tochkaErrorKey(retailers), detail: `retailers: ${failureDetail(retailers)}` };
  const retailer = pickRetailer(retailers.data.Data.Retailer, config.merchantId);
  if (!retailer.ok) return retailer;
  return { ok: true, customerCode: customer.customerCode, merchantId: retailer.merchantId };
}
