// The payment provider's block on the customer's receipt (seed 003 §2, reference §7.8), rendered from
// the saved slip: orderId, paymentTransactionId (payment) / refundTransactionId (refund), paymentType,
// and the provider's own slip ids (refs) under the labels of the columns the caller passes (the
// provider's registered slip refs).
import type Database from 'better-sqlite3';
import { refValue } from './compute';
import { paymentTypeLabel } from './labels';
import { parseSlipRefs } from './load';
import type { RefColumn } from './model';
import { pair, wrap, type TextLine } from './text';

export interface ReceiptSlip {
  kind: 'payment' | 'refund';
  provider: string;
  orderId: string | null;
  paymentTransactionId: string | null;
  refundTransactionId: string | null;
  paymentType: string | null;
  /** The provider's slip ids by key (slips.refs_json). */
  refs: Record<string, string>;
}

export interface ReceiptBlockOptions {
  /** The provider's name on the receipt (its registered title); default its id. */
  providerTitle?: string;
  /** Which slip ids to print, in order, under which label. */
  refColumns?: readonly RefColumn[];
}

export interface ReceiptBlock {
  title: string;
  /** [label, API parameter, value] in print order; empty values are left out. */
  rows: { label: string; parameter: string; value: string }[];
}

export function receiptBlock(slip: ReceiptSlip, options: ReceiptBlockOptions = {}): ReceiptBlock {
  const rows: ReceiptBlock['rows'] = [];
  const add = (label: string, parameter: string, value: string | null): void => {
    if (value !== null && value !== '') rows.push({ label, parameter, value });
  };
  add('Номер заказа', 'orderId', slip.orderId);
  if (slip.kind === 'payment') add('ID оплаты', 'paymentTransactionId', slip.paymentTransactionId);
  else add('ID возврата', 'refundTransactionId', slip.refundTransactionId);
  add('Способ оплаты', 'paymentType', slip.paymentType === null ? null : paymentTypeLabel(slip.paymentType));
  for (const c of options.refColumns ?? []) add(c.label, c.key, refValue(slip.refs, c.key) ?? null);
  const title = options.providerTitle ?? slip.provider;
  return { title: slip.kind === 'payment' ? `${title}: оплата` : `${title}: возврат`, rows };
}

/** The block as receipt lines for `width` columns (ids wrap rather than being cut). */
export function receiptBlockLines(block: ReceiptBlock, width: number): TextLine[] {
  const out: TextLine[] = [{ text: '-'.repeat(width) }, { text: block.title, bold: true, align: 'center' }];
  for (const r of block.rows) {
    const fits = pair(`${r.label}:`, r.value, width);
    if (fits.length === 1) out.push({ text: fits[0] as string });
    else {
      out.push({ text: `${r.label}:` });
      out.push(...wrap(r.value, width).map((t) => ({ text: t })));
    }
  }
  out.push({ text: '-'.repeat(width) });
  return out;
}

interface SlipJoinRow {
  kind: 'payment' | 'cancel' | 'refund';
  provider: string;
  order_id: string;
  transaction_id: string | null;
  ref_transaction_id: string | null;
  payment_type: string | null;
  s_operation_id: string | null;
  s_order_id: string | null;
  s_payment_transaction_id: string | null;
  s_refund_transaction_id: string | null;
  s_payment_type: string | null;
  s_refs_json: string | null;
}

/** The block for a payment or refund operation from the journal (slip first, operation as fallback); null for a cancel or unknown id. */
export function loadReceiptSlip(sqlite: Database.Database, operationId: string): ReceiptSlip | null {
  const r = sqlite.prepare(`
    SELECT o.kind, o.provider, o.order_id, o.transaction_id, o.ref_transaction_id, o.payment_type,
           s.operation_id AS s_operation_id, s.order_id AS s_order_id, s.payment_transaction_id AS s_payment_transaction_id,
           s.refund_transaction_id AS s_refund_transaction_id, s.payment_type AS s_payment_type, s.refs_json AS s_refs_json
      FROM operations o LEFT JOIN slips s ON s.operation_id = o.id WHERE o.id = ?`).get(operationId) as SlipJoinRow | undefined;
  if (!r || r.kind === 'cancel') return null;
  return {
    kind: r.kind,
    provider: r.provider,
    orderId: r.s_order_id ?? r.order_id,
    paymentTransactionId: r.s_payment_transaction_id ?? r.transaction_id,
    refundTransactionId: r.s_refund_transaction_id ?? (r.kind === 'refund' ? r.ref_transaction_id : null),
    paymentType: r.s_payment_type ?? r.payment_type,
    refs: parseSlipRefs(r.s_refs_json, operationId),
  };
}
