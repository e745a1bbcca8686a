// CSV for Excel users in Russia: UTF-8 with BOM, ';' separators, CRLF, decimal comma. One row per
// operation with every §7.2 field and one column per provider id (the report's refColumns, under
// their labels, after paymentType), then the tenders the cashier entered. Each row says its currency
// («Валюта»): amounts of different currencies are never in one column's sum by accident.
import type { RefColumn, ReportLine, ShiftReport, TenderRow } from './model';
import { KIND_LABEL, environmentMark, localTime, statusLabel, tenderLabel } from './labels';
import { formatMinor, TILL_CURRENCY } from '../contract/currency';
import { refValue } from './compute';

const COLUMNS_BEFORE_REFS = [
  'Смена', 'Z №', 'Начало', 'Завершение', 'Операция', 'Статус', 'Сумма', 'Движение', 'Валюта',
  'orderId', 'paymentTransactionId', 'refundTransactionId', 'requestId', 'paymentType',
] as const;
const COLUMNS_AFTER_REFS = ['Провайдер', 'Оплата из смены', 'errorCode', 'ID операции'] as const;

/** The header: the fixed columns with the provider id columns (labels, in order) after paymentType. */
export function csvColumns(refColumns: readonly RefColumn[] = []): string[] {
  return [...COLUMNS_BEFORE_REFS, ...refColumns.map((c) => c.label), ...COLUMNS_AFTER_REFS];
}

const BOM = '\uFEFF';

/** Decimal comma, no grouping: Excel (ru-RU) reads it as a number (in the row's «Валюта»: minor units / 100). */
export const csvMoney = (minor: number): string => formatMinor(minor, TILL_CURRENCY, 'plain').replace('.', ',');

/** Quotes when needed; a text cell that Excel would run as a formula gets a leading apostrophe. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^-?\d+(,\d+)?$/.test(text)) text = `'${text}`;
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const row = (cells: (string | number | null)[]): string => cells.map(csvCell).join(';');

export interface CsvRowContext {
  shiftId: number | null;
  zNumber: number | null;
}

const noRefs = (refColumns: readonly RefColumn[]): null[] => refColumns.map(() => null);

export function operationCsvRow(l: ReportLine, shiftId: number | null, zNumber: number | null, refColumns: readonly RefColumn[] = []): string {
  return row([
    shiftId, zNumber, localTime(l.createdAt), localTime(l.finishedAt), KIND_LABEL[l.kind], statusLabel(l.status),
    csvMoney(l.amountKop), csvMoney(l.signedKop), l.currency, l.orderId, l.paymentTransactionId, l.refundTransactionId, l.requestId,
    l.paymentType, ...refColumns.map((c) => refValue(l.refs, c.key) ?? null), l.provider, l.crossShift ? (l.parentShiftId ?? '?') : null, l.errorCode, l.id,
  ]);
}

export function tenderCsvRow(t: TenderRow, shiftId: number | null, zNumber: number | null, refColumns: readonly RefColumn[] = []): string {
  const signed = t.direction === 'sale' ? t.amountKop : -t.amountKop;
  return row([
    shiftId, zNumber, localTime(t.createdAt), localTime(t.createdAt), `${tenderLabel(t.kind)}: ${t.direction === 'sale' ? 'продажа' : 'возврат'}`,
    'введено кассиром', csvMoney(t.amountKop), csvMoney(signed), TILL_CURRENCY, t.note || null, null, null, null, t.kind, ...noRefs(refColumns), 'касса', null, null, `tender-${t.id}`,
  ]);
}

export function csvDocument(rows: readonly string[], refColumns: readonly RefColumn[] = []): string {
  return `${BOM}${[row(csvColumns(refColumns)), ...rows].join('\r\n')}\r\n`;
}

export function reportCsv(report: ShiftReport): string {
  const shiftId = report.shift.id;
  const refColumns = report.refColumns;
  const mark = environmentMark(report.environment);
  const blank = (): null[] => csvColumns(refColumns).map(() => null);
  // Off production the first row says so; voided tenders are listed with no money movement.
  const markRow = mark ? [row(blank().map((_, i) => (i === 0 ? shiftId : i === 1 ? report.zNumber : i === 4 ? mark : i === 5 ? report.environment : null)))] : [];
  const voidRows = report.tenderVoids.map((v) => row([
    shiftId, report.zNumber, localTime(v.voidedAt), localTime(v.voidedAt), `${tenderLabel(v.kind)}: ${v.direction === 'sale' ? 'продажа' : 'возврат'}`,
    `аннулировано: ${v.voidedBy}, ${v.reason}`, csvMoney(v.amountKop), csvMoney(0), TILL_CURRENCY, null, null, null, null, v.kind, ...noRefs(refColumns), 'касса', null, null, `tender-${v.tenderId}`,
  ]));
  return csvDocument([
    ...markRow,
    ...report.operations.map((l) => operationCsvRow(l, shiftId, report.zNumber, refColumns)),
    ...report.tenderEntries.map((t) => tenderCsvRow(t, shiftId, report.zNumber, refColumns)),
    ...voidRows,
  ], refColumns);
}
