// The customer's receipt block for a paid sale or a done refund, from the operation view alone (neutral:
// any provider): order number, the payment's / refund's transaction id, the method, the provider's slip refs
// it marks for the receipt (Koshelek: qrcId, КЗО), and the fiscal receipt's number and sign once it is
// registered. Printed on the receipt printer (ESC/POS) or as a PDF page; seed 003 §2 for Koshelek's block.
import type { OperationView } from '../contract/checkout';
import { paymentTypeLabel } from '../reports/labels';
import { receiptBlockLines, type ReceiptBlock } from '../reports/receipt';
import type { TextLine } from '../reports/text';

/** The block, or null for an operation that has nothing to print (not paid, a cancel). */
export function customerReceiptBlock(op: OperationView): ReceiptBlock | null {
  const paid = (op.kind === 'payment' && op.outcome === 'paid') || (op.kind === 'refund' && op.outcome === 'refunded');
  if (!paid) return null;
  const rows: ReceiptBlock['rows'] = [];
  const add = (label: string, parameter: string, value: string | null | undefined): void => {
    if (value !== null && value !== undefined && value !== '') rows.push({ label, parameter, value });
  };
  const slip = op.slip;
  add('Номер заказа', 'orderId', slip?.orderId ?? op.orderId);
  if (op.kind === 'payment') add('ID оплаты', 'paymentTransactionId', slip?.paymentTransactionId ?? op.transactionId);
  else add('ID возврата', 'refundTransactionId', slip?.refundTransactionId ?? op.refTransactionId);
  const method = slip?.paymentType ?? op.paymentType;
  add('Способ оплаты', 'paymentType', method === null ? null : paymentTypeLabel(method));
  for (const ref of slip?.refs ?? []) if (ref.receipt !== false) add(ref.label, ref.key, ref.value);
  const fiscal = op.receipt;
  if (fiscal?.state === 'done') {
    add('ФД №', 'fiscalDocumentNumber', fiscal.documentNumber);
    add('ФП', 'fiscalSign', fiscal.fiscalSign);
  } else if (fiscal && fiscal.state !== 'none') {
    add('Фискальный чек', 'fiscalReceipt', fiscal.state === 'failed' ? 'не пробит' : 'в очереди');
  }
  return { title: `${op.providerTitle}: ${op.kind === 'payment' ? 'оплата' : 'возврат'}`, rows };
}

/** The block as receipt lines at the printer's width. */
export function customerReceiptLines(op: OperationView, width: number): TextLine[] | null {
  const block = customerReceiptBlock(op);
  return block ? receiptBlockLines(block, width) : null;
}
