// The terminal's slip as a typed per-provider payload: a versioned schema, written as the slip row's
// raw_json and parsed on read (never cast). The neutral slip columns get what every report needs.
import { z } from 'zod';
import type { SlipInput } from '../../journal/operations';
import { encodeSlipRefs } from '../../journal/refs';
import { operationExternalIdSchema, transactionSchema, type TerminalTransaction } from './contract';

export const TERMINAL_PROVIDER = 'terminal';

export const terminalSlipV1Schema = z.object({
  v: z.literal(1),
  provider: z.literal(TERMINAL_PROVIDER),
  operationExternalId: operationExternalIdSchema,
  resultCode: z.enum(['OK', 'FAIL']),
  transaction: transactionSchema,
});
/** Later versions join this union; readers keep accepting every version ever written. */
export const terminalSlipSchema = z.discriminatedUnion('v', [terminalSlipV1Schema]);
export type TerminalSlip = z.output<typeof terminalSlipSchema>;

export function terminalSlip(operationExternalId: string, resultCode: 'OK' | 'FAIL', transaction: TerminalTransaction): TerminalSlip {
  return { v: 1, provider: TERMINAL_PROVIDER, operationExternalId, resultCode, transaction };
}

export type SlipReadResult = { ok: true; slip: TerminalSlip } | { ok: false; problem: string };

/** Reads a stored slip payload; a damaged or unknown-version payload is reported, never guessed at. */
export function readTerminalSlip(rawJson: string): SlipReadResult {
  let json: unknown;
  try {
    json = JSON.parse(rawJson);
  } catch {
    return { ok: false, problem: 'slip payload is not JSON' };
  }
  const parsed = terminalSlipSchema.safeParse(json);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { ok: true, slip: parsed.data };
}

/** Slip ids kept for search and reports, with their labels (TERMINAL_SLIP_REFS). */
export const TERMINAL_SLIP_REFS = [
  { key: 'rrn', label: 'RRN' },
  { key: 'authCode', label: 'Код авторизации' },
  { key: 'maskedCard', label: 'Карта' },
  { key: 'merchantId', label: 'Мерчант' },
] as const;


/** The neutral slip columns (search by RRN, terminal id, time) plus the typed payload. */
export function terminalSlipRow(slip: TerminalSlip, orderId: string): SlipInput {
  const tx = slip.transaction;
  return {
    slip_id: tx.transactionId,
    payment_transaction_id: tx.rrn,
    refund_transaction_id: null,
    payment_type: tx.method,
    order_id: orderId,
    store_id: null,
    terminal_id: tx.terminalId,
    operation_date_time: tx.time,
    refs_json: encodeSlipRefs({ rrn: tx.rrn, authCode: tx.authCode, maskedCard: tx.maskedCard, merchantId: tx.merchantId }),
    total_amount_kop: tx.amountMinor,
    currency: tx.currency,
    raw_json: JSON.stringify(slip),
  };
}
