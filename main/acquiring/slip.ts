// A bank payment's slip: a versioned payload (slips.raw_json, parsed on read) plus the neutral slip columns
// and the ids a cashier or a manager searches by (refs_json: the bank's operation id and our reference).
import { z } from 'zod';
import type { SlipInput } from '../journal/operations';
import { encodeSlipRefs } from '../journal/refs';
import type { RefLabel } from '../providers/types';
import type { LinkState } from './machine';

export const bankSlipV1Schema = z.object({
  v: z.literal(1),
  provider: z.string().min(1),
  reference: z.string().min(1),
  bankOperationId: z.string().min(1),
  paymentType: z.string().nullable(),
  amountMinor: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  rawStatus: z.string().nullable(),
});
export const bankSlipSchema = z.discriminatedUnion('v', [bankSlipV1Schema]);
export type BankSlip = z.output<typeof bankSlipSchema>;

/** Labels of the bank slip ids, in the order the slip and reports show them. */
export const BANK_SLIP_REFS: readonly RefLabel[] = [
  { key: 'operationId', label: 'Операция банка' },
  { key: 'paymentLinkId', label: 'Наша ссылка' },
  { key: 'paymentType', label: 'Способ' },
];

export function readBankSlip(rawJson: string): { ok: true; slip: BankSlip } | { ok: false; problem: string } {
  try {
    const parsed = bankSlipSchema.safeParse(JSON.parse(rawJson));
    return parsed.success ? { ok: true, slip: parsed.data } : { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  } catch {
    return { ok: false, problem: 'slip payload is not JSON' };
  }
}

/** The slip of a paid link payment (null before it is paid or without the bank's id). */
export function bankSlipRow(provider: string, state: LinkState, when: string): SlipInput | null {
  const c = state.ctx;
  if (state.phase !== 'paid' || c.bankOperationId === null) return null;
  const slip: BankSlip = {
    v: 1, provider, reference: c.reference, bankOperationId: c.bankOperationId, paymentType: c.paymentType,
    amountMinor: c.paidMinor ?? c.amountMinor, currency: c.currency, rawStatus: c.rawStatus,
  };
  return {
    slip_id: c.bankOperationId,
    payment_transaction_id: c.bankOperationId,
    refund_transaction_id: null,
    payment_type: c.paymentType,
    order_id: c.orderId,
    store_id: null,
    terminal_id: null,
    operation_date_time: when,
    refs_json: encodeSlipRefs({ operationId: c.bankOperationId, paymentLinkId: c.reference, ...(c.paymentType ? { paymentType: c.paymentType } : {}) }),
    total_amount_kop: slip.amountMinor,
    currency: c.currency,
    raw_json: JSON.stringify(slip),
  };
}
