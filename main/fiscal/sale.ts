// Which journal transitions make a fiscal receipt, and the receipt they make. Pure: the composition
// root (main/core/fiscal.ts) calls receiptForTransition inside the journal write's transaction and
// enqueues what it returns there, so a paid sale and its receipt job commit together (docs/fiscal.md).
// A payment that ends paid makes a `sell`; a refund that ends refunded makes a `sell_refund` of exactly
// the refund's own lines; nothing else (a failed, rejected or cancelled payment) makes anything.
import type { OperationItemRow, OperationRow } from '../journal/operations';
import { decodeSlipRefs } from '../journal/refs';
import type { SlipsTable } from '../journal/tables';
import { PaydeskError, type ErrorKey } from '../errors/catalogue';
import { AMOUNT_ONLY_LINE } from '../checkout/basket';
import { refundReceipt, saleReceipt } from './build';
import { fiscalizerFor, type FiscalConfig } from './config';
import type { FiscalReceipt, KoshelekBlock } from './receipt';

export type ReceiptDecision =
  | { type: 'none' }
  | { type: 'receipt'; receipt: FiscalReceipt }
  /** The transition needs a receipt that cannot be built (a VAT rate made illegal after the sale started…): recorded as a failed job for the manager, never a rolled-back payment. */
  | { type: 'unbuildable'; operationId: string; operation: FiscalReceipt['operation']; saleId: string; errorKey: ErrorKey; message: string };

export interface TransitionFacts {
  row: OperationRow;
  items: readonly OperationItemRow[];
  /** The slip written with the transition, or the one already saved. */
  slip: Pick<SlipsTable, 'order_id' | 'payment_transaction_id' | 'refund_transaction_id' | 'payment_type' | 'refs_json'> | null;
  /** For a refund: its payment's provider (who fiscalized the sale). */
  parentProvider?: string | null;
}

/** True when this row is a transition that may need a receipt (a cheap test before reading items). */
export function mayNeedReceipt(row: OperationRow): boolean {
  return row.is_final === 1 && ((row.kind === 'payment' && row.outcome === 'paid') || (row.kind === 'refund' && row.outcome === 'refunded'));
}

/**
 * The provider's ids that travel in the fiscal receipt's additional field and on the customer's receipt:
 * order, transaction ids, method, and the slip refs the connector has room for (qrcId, kzo). Neutral:
 * any provider's slip fills it; refs it does not have are left out.
 */
export function providerBlock(row: OperationRow, slip: TransitionFacts['slip']): KoshelekBlock {
  let refs: Record<string, string>;
  try {
    refs = decodeSlipRefs(slip?.refs_json ?? null);
  } catch {
    refs = {};
  }
  const pick = (v: string | null | undefined): string | undefined => (v !== null && v !== undefined && v !== '' ? v : undefined);
  const paymentTransactionId = pick(slip?.payment_transaction_id) ?? pick(row.transaction_id);
  const refundTransactionId = row.kind === 'refund' ? pick(slip?.refund_transaction_id) ?? pick(row.ref_transaction_id) : undefined;
  const paymentType = pick(slip?.payment_type) ?? pick(row.payment_type);
  const qrcId = pick(refs.qrcId);
  const kzo = pick(refs.kzo);
  return {
    orderId: pick(slip?.order_id) ?? row.order_id,
    ...(paymentTransactionId ? { paymentTransactionId } : {}),
    ...(refundTransactionId ? { refundTransactionId } : {}),
    ...(paymentType ? { paymentType } : {}),
    ...(qrcId ? { qrcId } : {}),
    ...(kzo ? { kzo } : {}),
  };
}

/** Whether Paydesk sends a receipt for a sale through `provider` (not when nobody, or the provider itself, fiscalizes). */
export function paydeskFiscalizes(config: FiscalConfig, provider: string): boolean {
  const who = fiscalizerFor(config, provider);
  return who === 'atol' || who === 'yookassa';
}

export function receiptForTransition(facts: TransitionFacts, config: FiscalConfig): ReceiptDecision {
  const { row, items } = facts;
  if (!mayNeedReceipt(row)) return { type: 'none' };
  const saleProvider = row.kind === 'refund' ? facts.parentProvider ?? row.provider : row.provider;
  if (!paydeskFiscalizes(config, saleProvider)) return { type: 'none' };
  const operation = row.kind === 'payment' ? 'sell' : 'sell_refund';
  const saleId = row.kind === 'refund' ? row.parent_id ?? row.id : row.id;
  const lines = items.map((i) => fiscalLine({ name: i.name, article: i.article, priceKop: i.price_kop, quantity: i.quantity, measure: i.measure, totalKop: i.total_kop, tax: i.tax }));
  try {
    if (lines.length === 0) throw new PaydeskError('fiscal.rejected', 'the operation has no lines');
    const source = { operationId: row.id, createdAt: row.finished_at ?? row.updated_at, lines, koshelek: providerBlock(row, facts.slip) };
    const receipt = row.kind === 'payment' ? saleReceipt(source, config) : refundReceipt({ ...source, saleOperationId: saleId }, config);
    // The receipt states what moved: a basket that does not add up to the amount is refused, not sent.
    const total = receipt.lines.reduce((s, l) => s + l.sumKop, 0);
    if (total !== row.amount_kop) throw new PaydeskError('fiscal.rejected', `lines ${total} kop differ from the ${row.kind} amount ${row.amount_kop} kop`);
    return { type: 'receipt', receipt };
  } catch (error) {
    const errorKey: ErrorKey = error instanceof PaydeskError ? error.key : 'fiscal.rejected';
    return { type: 'unbuildable', operationId: row.id, operation, saleId, errorKey, message: error instanceof Error ? error.message : String(error) };
  }
}

export interface SaleLineFacts { name: string; article: string; priceKop: number; quantity: number; measure: string; totalKop: number; tax: string }

/**
 * A basket line as the receipt states it. The checkout keys an amount-only sale as 1 kopeck × N pieces
 * (so partial refunds by amount stay expressible, main/checkout/basket.ts); the receipt shows it as one
 * purchase of N kopecks instead — the customer bought one thing, not N pieces at a kopeck.
 */
export function fiscalLine(l: SaleLineFacts): { name: string; priceKop: number; quantity: number; measure: string; totalKop: number; tax: string } {
  if (l.article === AMOUNT_ONLY_LINE.article && l.priceKop === 1 && l.measure === 'PIECE') {
    return { name: l.name, priceKop: l.totalKop, quantity: 1, measure: l.measure, totalKop: l.totalKop, tax: l.tax };
  }
  return { name: l.name, priceKop: l.priceKop, quantity: l.quantity, measure: l.measure, totalKop: l.totalKop, tax: l.tax };
}

/** Checks a basket before money moves: a line the fiscal receipt would refuse stops the sale there. */
export function checkSaleLines(config: FiscalConfig, provider: string, lines: readonly SaleLineFacts[]): void {
  if (!paydeskFiscalizes(config, provider) || lines.length === 0) return;
  saleReceipt({ operationId: 'check', createdAt: new Date(0).toISOString(), lines: lines.map(fiscalLine) }, config);
}
