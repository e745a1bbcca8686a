// Basket and refund arithmetic: pure functions over integer kopecks.
// Quantities are whole numbers of their measure (reference §7.2: 1125 GRAM, never 1.125 KILOGRAM).
import type { SaleLineInput } from '../contract/checkout';
import { saleLineSchema } from '../contract/checkout';
import { PaydeskError } from '../errors/catalogue';
import type { OperationItemRow } from '../journal/operations';

export interface PlannedLine {
  lineNo: number;
  name: string;
  article: string;
  priceKop: number;
  quantity: number;
  measure: string;
  subtotalKop: number;
  discountKop: number;
  totalKop: number;
  tax: string;
}

export interface Basket {
  amountKop: number;
  lines: PlannedLine[];
}

/**
 * The single line used when the cashier keys in an amount only: 1 kopeck × amount pieces. The contract
 * lets a refund return only paid items and only quantities not yet returned, so any sequence of
 * partial refunds by amount (R kopecks = R pieces) up to the paid amount passes.
 */
export const AMOUNT_ONLY_LINE = { name: 'Покупка', article: 'SALE', tax: 'none' } as const;
const AMOUNT_UNIT_KOP = 1;

/** A payment keyed in as an amount only, in the kopeck-unit representation. */
function isAmountOnly(paid: readonly PlannedLine[]): paid is readonly [PlannedLine] {
  const only = paid[0];
  return paid.length === 1 && only !== undefined && only.article === AMOUNT_ONLY_LINE.article && only.measure === 'PIECE' && only.priceKop === AMOUNT_UNIT_KOP;
}

export function planSale(input: { amountKop?: number | undefined; lines?: readonly SaleLineInput[] | undefined }): Basket {
  if (input.lines && input.lines.length > 0) {
    const lines = input.lines.map((raw, index) => {
      const line = saleLineSchema.parse(raw);
      if (!Number.isInteger(line.quantity)) {
        throw new PaydeskError('payment.amount_invalid', `line ${index + 1}: quantity must be a whole number of ${line.measure}`);
      }
      const subtotalKop = line.priceKop * line.quantity;
      const totalKop = subtotalKop - line.discountKop;
      if (totalKop < 0 || !Number.isSafeInteger(subtotalKop)) throw new PaydeskError('payment.amount_invalid', `line ${index + 1}: discount exceeds the line`);
      return { lineNo: index, name: line.name, article: line.article, priceKop: line.priceKop, quantity: line.quantity, measure: line.measure, subtotalKop, discountKop: line.discountKop, totalKop, tax: line.tax };
    });
    const amountKop = lines.reduce((sum, l) => sum + l.totalKop, 0);
    if (input.amountKop !== undefined && input.amountKop !== amountKop) {
      throw new PaydeskError('payment.amount_invalid', `amount ${input.amountKop} differs from the lines' total ${amountKop}`);
    }
    if (amountKop <= 0) throw new PaydeskError('payment.amount_invalid', 'total must be positive');
    return { amountKop, lines };
  }
  const amountKop = input.amountKop ?? 0;
  if (!Number.isSafeInteger(amountKop) || amountKop <= 0) throw new PaydeskError('payment.amount_invalid', 'amount must be a positive number of kopecks');
  return {
    amountKop,
    lines: [{ lineNo: 0, ...AMOUNT_ONLY_LINE, priceKop: AMOUNT_UNIT_KOP, quantity: amountKop, measure: 'PIECE', subtotalKop: amountKop, discountKop: 0, totalKop: amountKop }],
  };
}

export function toItemRows(operationId: string, lines: readonly PlannedLine[]): OperationItemRow[] {
  return lines.map((l) => ({
    operation_id: operationId,
    line_no: l.lineNo,
    name: l.name,
    article: l.article,
    price_kop: l.priceKop,
    quantity: l.quantity,
    measure: l.measure,
    total_kop: l.totalKop,
    discount_kop: l.discountKop,
    subtotal_kop: l.subtotalKop,
    tax: l.tax,
  }));
}

export function fromItemRows(rows: readonly OperationItemRow[]): PlannedLine[] {
  return rows.map((r) => ({
    lineNo: r.line_no, name: r.name, article: r.article, priceKop: r.price_kop, quantity: r.quantity, measure: r.measure,
    subtotalKop: r.subtotal_kop, discountKop: r.discount_kop, totalKop: r.total_kop, tax: r.tax,
  }));
}

export interface RefundRequestLines {
  amountKop?: number | undefined;
  lines?: readonly { lineNo: number; quantity: number }[] | undefined;
}

/**
 * What a refund returns: full (nothing given: everything still refundable), per line (returned
 * quantities; items sold by measure only whole), or an amount (one line carrying that amount).
 * `alreadyRefunded` are the lines of earlier refunds of this payment that succeeded or still run.
 */
export function planRefund(paid: readonly PlannedLine[], paidAmountKop: number, refundableKop: number, alreadyRefunded: readonly PlannedLine[], request: RefundRequestLines): Basket {
  if (refundableKop <= 0) throw new PaydeskError('refund.exceeds_available', 'nothing left to refund');
  let plan: Basket;
  if (request.lines && request.lines.length > 0) {
    const lines = request.lines.map(({ lineNo, quantity }) => {
      const line = paid.find((l) => l.lineNo === lineNo);
      if (!line) throw new PaydeskError('refund.payment_not_found', `line ${lineNo} is not in the payment`);
      if (!Number.isInteger(quantity) || quantity <= 0) throw new PaydeskError('payment.amount_invalid', `line ${lineNo}: quantity must be a whole number`);
      const returned = alreadyRefunded.filter((r) => r.lineNo === lineNo).reduce((s, r) => s + r.quantity, 0);
      if (line.measure !== 'PIECE' && (quantity !== line.quantity || returned > 0)) {
        throw new PaydeskError('refund.non_piece_partial', `line ${lineNo} (${line.measure}) can only be refunded whole`);
      }
      if (quantity + returned > line.quantity) throw new PaydeskError('refund.exceeds_available', `line ${lineNo}: ${quantity} more than the ${line.quantity - returned} left`);
      // Whole line → its exact total; part of a piece line → proportional share, rounded down (never over-refund).
      const totalKop = quantity === line.quantity ? line.totalKop : Math.floor((line.totalKop * quantity) / line.quantity);
      const subtotalKop = line.priceKop * quantity;
      return { ...line, quantity, subtotalKop, discountKop: subtotalKop - totalKop, totalKop };
    });
    plan = { amountKop: lines.reduce((s, l) => s + l.totalKop, 0), lines };
  } else if (request.amountKop === undefined && refundableKop === paidAmountKop) {
    plan = { amountKop: paidAmountKop, lines: paid.map((l) => ({ ...l })) };
  } else {
    const amountKop = request.amountKop ?? refundableKop;
    if (!Number.isSafeInteger(amountKop) || amountKop <= 0) throw new PaydeskError('payment.amount_invalid', 'refund amount must be positive');
    if (paid.some((l) => l.measure !== 'PIECE') && amountKop !== paidAmountKop) {
      throw new PaydeskError('refund.non_piece_partial', 'choose the lines to return: the sale has items sold by measure');
    }
    const first = paid[0];
    if (isAmountOnly(paid)) {
      const only = paid[0];
      plan = { amountKop, lines: [{ ...only, quantity: amountKop, subtotalKop: amountKop, discountKop: 0, totalKop: amountKop }] };
      if (plan.amountKop > refundableKop) throw new PaydeskError('refund.exceeds_available', `${plan.amountKop} > ${refundableKop} left`);
      return plan;
    }
    plan = {
      amountKop,
      lines: [{ lineNo: first?.lineNo ?? 0, name: first?.name ?? AMOUNT_ONLY_LINE.name, article: first?.article ?? AMOUNT_ONLY_LINE.article, tax: first?.tax ?? AMOUNT_ONLY_LINE.tax, priceKop: amountKop, quantity: 1, measure: 'PIECE', subtotalKop: amountKop, discountKop: 0, totalKop: amountKop }],
    };
  }
  if (plan.amountKop > refundableKop) throw new PaydeskError('refund.exceeds_available', `${plan.amountKop} > ${refundableKop} left`);
  return plan;
}
