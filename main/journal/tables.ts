// Kysely table types for the journal. Keep in step with migrations/*.sql (a test checks the columns).
import type { Generated } from 'kysely';

export interface OperationsTable {
  id: string;
  kind: 'payment' | 'cancel' | 'refund';
  provider: string;
  parent_id: string | null;
  shift_id: number | null;
  order_id: string;
  amount_kop: number;
  currency: string;
  phase: string;
  is_final: number;
  outcome: string | null;
  request_id: string;
  transaction_id: string | null;
  ref_transaction_id: string | null;
  payment_type: string | null;
  provider_status: string | null;
  provider_ref_status: string | null;
  error_code: string | null;
  error_key: string | null;
  /** A one-time payment token the customer presented; at most one payment per (provider, pay_token). */
  pay_token: string | null;
  /** The retail loyalty-card number; null when the sale had no card. */
  loyalty_id: string | null;
  attempts: number;
  context_json: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  recovered: number;
}

export interface OperationEventsTable {
  seq: Generated<number>;
  operation_id: string;
  at: string;
  type: string;
  endpoint: string | null;
  request_id: string | null;
  http_status: number | null;
  phase_from: string | null;
  phase_to: string | null;
  body_json: string | null;
}

export interface SlipsTable {
  operation_id: string;
  slip_id: string | null;
  payment_transaction_id: string | null;
  refund_transaction_id: string | null;
  payment_type: string | null;
  order_id: string | null;
  store_id: string | null;
  terminal_id: string | null;
  /** The provider's slip ids as a JSON object of strings (docs/journal-neutral.md); '{}' when none. */
  refs_json: string;
  operation_date_time: string | null;
  total_amount_kop: number | null;
  currency: string | null;
  raw_json: string;
  received_at: string;
}

export interface OperationItemsTable {
  operation_id: string;
  line_no: number;
  name: string;
  article: string;
  price_kop: number;
  quantity: number;
  measure: string;
  total_kop: number;
  discount_kop: number;
  subtotal_kop: number;
  tax: string;
}

/** Finished operations as reports read them (migration 0004; kept by triggers, never written by code). */
export interface ReportOperationsTable {
  shift_id: number;
  created_at: string;
  id: string;
  kind: 'payment' | 'cancel' | 'refund';
  provider: string;
  parent_id: string | null;
  order_id: string;
  amount_kop: number;
  /** operations.currency (added by a later migration, docs/reports.md "Currencies"): the minor units amount_kop is in. */
  currency: string;
  outcome: string | null;
  phase: string;
  request_id: string;
  transaction_id: string | null;
  ref_transaction_id: string | null;
  payment_type: string | null;
  error_code: string | null;
  finished_at: string | null;
  has_slip: number;
  slip_payment_transaction_id: string | null;
  slip_refund_transaction_id: string | null;
  slip_payment_type: string | null;
  /** The slip's refs_json; null when the operation has no slip. */
  slip_refs_json: string | null;
  has_parent: number;
  parent_shift_id: number | null;
  parent_transaction_id: string | null;
  parent_payment_type: string | null;
}

/**
 * A finished operation's X report line as the contract's JSON text, made from its report_operations row by
 * triggers in the statement that writes the row (migrations/0012_report_lines.sql).
 */
export interface ReportLinesTable {
  shift_id: number;
  created_at: string;
  id: string;
  /** null when the row breaks the line contract: the X refuses the shift. */
  line_json: string | null;
  /** 1 when the slip's refs are not an object of strings (the line shows `{}`). */
  refs_unreadable: number;
}

export interface AppMetaTable {
  key: string;
  value: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

/** Tables added by later migrations extend this interface (see main/shifts/tables.ts). */
export interface JournalSchema {
  operations: OperationsTable;
  operation_events: OperationEventsTable;
  slips: SlipsTable;
  operation_items: OperationItemsTable;
  report_operations: ReportOperationsTable;
  report_lines: ReportLinesTable;
  app_meta: AppMetaTable;
  schema_migrations: SchemaMigrationsTable;
}
