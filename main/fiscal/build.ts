// Building the neutral receipt of a paid sale or an accepted refund from what the checkout records
// (basket lines in kopecks, the Koshelek slip ids). The sale flow calls these inside the paid-sale /
// refund transaction and hands the result to enqueueFiscalReceipt.
import { receiptLinesFromBasket, type BasketLineLike, type FiscalConfig } from './config';
import { fiscalReceiptSchema, type FiscalReceipt, type KoshelekBlock } from './receipt';

export interface ReceiptSource {
  /** Our operation id (the sale's, or the refund's). */
  operationId: string;
  createdAt: string;
  lines: readonly BasketLineLike[];
  /** Defaults to one cashless payment of the lines' total (Koshelek Pay, card terminal). */
  payments?: { type: 'cashless' | 'cash'; sumKop: number }[];
  koshelek?: KoshelekBlock;
  cashier?: string;
  customer?: { email?: string; phone?: string };
}

function build(operation: FiscalReceipt['operation'], source: ReceiptSource, config: FiscalConfig, parentExternalId?: string): FiscalReceipt {
  const lines = receiptLinesFromBasket(source.lines, config);
  const total = lines.reduce((s, l) => s + l.sumKop, 0);
  return fiscalReceiptSchema.parse({
    operation,
    externalId: source.operationId,
    ...(parentExternalId !== undefined ? { parentExternalId } : {}),
    createdAt: source.createdAt,
    lines,
    payments: source.payments ?? [{ type: 'cashless', sumKop: total }],
    customer: source.customer ?? {},
    ...(source.cashier !== undefined ? { cashier: source.cashier } : {}),
    ...(source.koshelek !== undefined ? { koshelek: source.koshelek } : {}),
  });
}

export function saleReceipt(source: ReceiptSource, config: FiscalConfig): FiscalReceipt {
  return build('sell', source, config);
}

/** A refund receipt lists exactly the refunded lines (with the refunded quantity and sum), nothing else. */
export function refundReceipt(source: ReceiptSource & { saleOperationId: string }, config: FiscalConfig): FiscalReceipt {
  return build('sell_refund', source, config, source.saleOperationId);
}
