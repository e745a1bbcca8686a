// What a bank acquiring connector offers the shared payment-link machine: create a link for OUR
// reference, find an operation again by that reference, read it by the bank's id, refund it. Neutral:
// amounts in minor units of the bank's currency, statuses normalised; each bank folder maps its wire
// shapes onto these (main/payapi/tochka, main/payapi/halyk; docs/banks.md).
import type { ErrorKey } from '../errors/catalogue';

/** The customer's ways to pay on the bank's page. */
export type BankMethod = 'card' | 'sbp';

export type BankStatus = 'pending' | 'paid' | 'declined' | 'expired' | 'refunded';

export interface BankOperation {
  /** The bank's id of the operation (Tochka operationId, Halyk invoice id). */
  bankOperationId: string;
  /** Our reference the operation was created with (Tochka paymentLinkId, Halyk invoiceId). */
  reference: string;
  /** The page the customer pays on (shown as a QR); null when the bank did not return it on a lookup. */
  link: string | null;
  status: BankStatus;
  /** The bank's own status word, kept for the journal. */
  rawStatus: string;
  amountMinor: number;
  currency: string;
  /** How it was paid, once paid ('card', 'sbp', ...). */
  paymentType: string | null;
  /** Saved-card id returned after a payment that offered to save the card. */
  consumerId: string | null;
  /** Refunded so far (minor units). */
  refundedMinor: number;
}

export interface ReceiptLine {
  name: string;
  /** Unit price, minor units. */
  priceMinor: number;
  quantity: number;
}

export interface CreateLinkRequest {
  reference: string;
  amountMinor: number;
  purpose: string;
  methods: readonly BankMethod[];
  /** Offer to save the card (binding). */
  saveCard: boolean;
  /** Pay with a saved card: the bank offers it on the page. */
  consumerId: string | null;
  lines: readonly ReceiptLine[];
}

/** A create that certainly did nothing (rejected) versus one that may have created (unknown). */
export type CreateOutcome =
  | { kind: 'created'; operation: BankOperation }
  | { kind: 'rejected'; errorKey: ErrorKey; code: string | null; detail: string }
  | { kind: 'unknown'; errorKey: ErrorKey; code: string | null; detail: string };

export type LookupOutcome =
  | { kind: 'found'; operation: BankOperation }
  | { kind: 'not_found' }
  | { kind: 'unknown'; errorKey: ErrorKey; code: string | null; detail: string };

export type RefundOutcome =
  | { kind: 'done'; refundId: string | null }
  | { kind: 'rejected'; errorKey: ErrorKey; code: string | null; detail: string }
  | { kind: 'unknown'; errorKey: ErrorKey; code: string | null; detail: string };

export interface OperationRef {
  bankOperationId: string;
  reference: string;
}

export interface BankAdapter {
  readonly provider: string;
  readonly currency: string;
  create(request: CreateLinkRequest): Promise<CreateOutcome>;
  /** Finds the operation created with our reference (the resolver of an ambiguous create). */
  findByReference(reference: string, createdAtMs: number): Promise<LookupOutcome>;
  /** Reads a known operation (a bank may key it by its id or by our reference). */
  read(ref: OperationRef): Promise<LookupOutcome>;
  refund(bankOperationId: string, amountMinor: number): Promise<RefundOutcome>;
  /** Stops an unpaid request from being paid (a cashbox QR deactivate); absent where impossible (links). */
  revoke?(ref: OperationRef): Promise<{ done: boolean; detail: string | null }>;
}
