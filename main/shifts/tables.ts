// Kysely table types added by migrations/0002_shifts.sql. Keep in step with the SQL.
import type { Generated } from 'kysely';
import type { JournalSchema } from '../journal/tables';

export interface ShiftsTable {
  id: Generated<number>;
  opened_at: string;
  opened_by: string;
  closed_at: string | null;
  closed_by: string | null;
  z_number: number | null;
}

export interface ZReportsTable {
  number: number;
  shift_id: number;
  created_at: string;
  cashier: string;
  body_json: string;
  sha256: string;
}

export type TenderDirection = 'sale' | 'refund';

export interface TendersTable {
  id: Generated<number>;
  shift_id: number;
  kind: string;
  direction: TenderDirection;
  amount_kop: number;
  note: string;
  cashier: string;
  created_at: string;
}

export type ReportOutputFormat = 'escpos' | 'pdf' | 'csv' | 'txt';
export type ReportOutputStatus = 'pending' | 'done' | 'failed';

export interface ReportOutputsTable {
  id: Generated<number>;
  report_type: 'x' | 'z';
  shift_id: number;
  z_number: number | null;
  format: ReportOutputFormat;
  target: string;
  status: ReportOutputStatus;
  error: string | null;
  body_json: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface ShiftsSchema extends JournalSchema {
  shifts: ShiftsTable;
  z_reports: ZReportsTable;
  tenders: TendersTable;
  report_outputs: ReportOutputsTable;
}
