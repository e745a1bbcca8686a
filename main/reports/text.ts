// Report layout as lines of fixed-width text: the one layout behind the .txt output, the PDF and the
// ESC/POS printout. Narrow widths (receipt paper, 32/48 columns) stack the fields of each operation;
// wide widths (PDF, terminal) give one or two lines per operation.
import { TILL_CURRENCY } from '../contract/currency';
import type { Bucket, CurrencyTotals, KindTotals, RefColumn, ReportLine, ShiftReport } from './model';
import { refValue } from './compute';
import { KIND_LABEL, PROBLEM_LABEL, currencyLabel, environmentMark, localTime, money, paymentTypeLabel, statusLabel, tenderLabel } from './labels';

export interface TextLine {
  text: string;
  bold?: boolean;
  align?: 'left' | 'center';
  /** Double height on the printer, larger type in the PDF. */
  large?: boolean;
}

/** Hard-wraps a string into chunks of `width` characters (ids are not hyphenated). */
export function wrap(text: string, width: number, indent = ''): string[] {
  if (text.length <= width) return [text];
  const out: string[] = [text.slice(0, width)];
  let rest = text.slice(width);
  const room = Math.max(1, width - indent.length);
  while (rest.length > 0) {
    out.push(indent + rest.slice(0, room));
    rest = rest.slice(room);
  }
  return out;
}

/** Joins tokens with spaces, breaking only between tokens (a token longer than a line is hard-wrapped). */
export function wrapTokens(tokens: readonly string[], width: number, indent = '', first = ''): string[] {
  const out: string[] = [];
  let current = first;
  for (const token of tokens) {
    const sep = current.trim() === '' ? '' : ' ';
    if (current.length + sep.length + token.length <= width) {
      current += sep + token;
      continue;
    }
    if (current.trim() !== '') out.push(current);
    const pieces = wrap(indent + token, width, indent);
    current = pieces.pop() ?? indent;
    out.push(...pieces);
  }
  if (current.trim() !== '') out.push(current);
  return out;
}

/** "label ........ value" in `width` columns; the label is shortened first, a long value goes on its own line. */
export function pair(label: string, value: string, width: number): string[] {
  const gap = width - label.length - value.length;
  if (gap >= 1) return [label + ' '.repeat(gap) + value];
  if (value.length + 2 <= width) {
    const room = width - value.length - 1;
    return [label.slice(0, room).padEnd(room) + ' ' + value];
  }
  return [...wrap(label, width), ...wrap(value, width).map((v) => v.padStart(width))];
}

const rule = (width: number, ch = '-'): TextLine => ({ text: ch.repeat(width) });
const line = (text: string, extra: Omit<TextLine, 'text'> = {}): TextLine => ({ text, ...extra });
const headings = (text: string, width: number, extra: Omit<TextLine, 'text'> = { bold: true }): TextLine[] =>
  wrapTokens(text.split(' '), width).map((t) => line(t, extra));
const bucketText = (b: Bucket, currency: string): string => `${b.count} / ${money(b.amountKop, currency)}`;

function kindLines(label: string, totals: KindTotals, width: number, okLabel: string, currency: string): TextLine[] {
  const out: TextLine[] = headings(label, width);
  const rows: [string, Bucket][] = [[' всего', totals.all], [` ${okLabel}`, totals.succeeded], [' не прошло', totals.notSucceeded]];
  if (totals.unresolved.count > 0) rows.push([' не завершено', totals.unresolved]);
  for (const [l, b] of rows) out.push(...pair(l, bucketText(b, currency), width).map((t) => line(t)));
  return out;
}

/** The provider ids of a line, one per report column that has a value: [label, value]. */
export function refValues(l: ReportLine, columns: readonly RefColumn[]): [string, string][] {
  const out: [string, string][] = [];
  for (const c of columns) {
    const value = refValue(l.refs, c.key);
    if (value !== undefined && value !== '') out.push([c.label, value]);
  }
  return out;
}

function operationLinesNarrow(l: ReportLine, index: number, width: number, columns: readonly RefColumn[]): TextLine[] {
  const head = `${index}. ${KIND_LABEL[l.kind]} ${l.paymentType ? paymentTypeLabel(l.paymentType) : `(${l.provider})`}`;
  const out: TextLine[] = pair(head, money(l.kind === 'payment' ? l.amountKop : -l.amountKop, l.currency), width).map((t) => line(t, { bold: true }));
  out.push(...pair(` ${localTime(l.createdAt).slice(11)}`, statusLabel(l.status), width).map((t) => line(t)));
  const field = (name: string, value: string | null): void => {
    if (value === null || value === '') return;
    out.push(...wrap(` ${name}: ${value}`, width, '   ').map((t) => line(t)));
  };
  field('orderId', l.orderId);
  field('requestId', l.requestId);
  field('paymentTransactionId', l.paymentTransactionId);
  field('refundTransactionId', l.refundTransactionId);
  for (const [label, value] of refValues(l, columns)) field(label, value);
  if (l.crossShift) field('оплата из смены', l.parentShiftId === null ? '?' : String(l.parentShiftId));
  field('errorCode', l.errorCode);
  return out;
}

function operationLinesWide(l: ReportLine, index: number, width: number, columns: readonly RefColumn[]): TextLine[] {
  const cols = [
    String(index).padStart(5),
    localTime(l.createdAt).slice(11),
    KIND_LABEL[l.kind].padEnd(7),
    statusLabel(l.status).padEnd(16),
    money(l.kind === 'payment' ? l.amountKop : -l.amountKop, l.currency).padStart(16),
    (l.paymentType ?? `(${l.provider})`).padEnd(9),
    `orderId=${l.orderId}`,
    `requestId=${l.requestId}`,
  ];
  const ids = [
    l.paymentTransactionId ? `paymentTransactionId=${l.paymentTransactionId}` : '',
    l.refundTransactionId ? `refundTransactionId=${l.refundTransactionId}` : '',
    ...refValues(l, columns).map(([label, value]) => `${label}=${value}`),
    l.crossShift ? `оплата из смены ${l.parentShiftId ?? '?'}` : '',
    l.errorCode ? `errorCode=${l.errorCode}` : '',
  ].filter((s) => s !== '');
  const out = wrapTokens(cols, width, ' '.repeat(6)).map((t) => line(t));
  if (ids.length > 0) out.push(...wrapTokens(ids, width, ' '.repeat(6), ' '.repeat(6)).map((t) => line(t)));
  return out;
}

/** The totals of one currency: kinds, payment types, tenders (till currency only) and the till total. */
function currencyLines(c: CurrencyTotals, w: number, multi: boolean): TextLine[] {
  const out: TextLine[] = [];
  const cur = c.currency;
  const pairs = (label: string, value: string, extra: Omit<TextLine, 'text'> = {}): void => {
    out.push(...pair(label, value, w).map((t) => line(t, extra)));
  };
  out.push(rule(w, '='));
  out.push(...headings(`ВАЛЮТА: ${currencyLabel(cur)}`, w, { bold: true, align: 'center' }));
  out.push(...headings('ИТОГИ ПО ТИПАМ ОПЕРАЦИЙ (кол-во / сумма)', w));
  out.push(...kindLines('Оплаты', c.byKind.payment, w, 'оплачено', cur));
  out.push(...kindLines('Отмены', c.byKind.cancel, w, 'отменено', cur));
  out.push(...kindLines('Возвраты', c.byKind.refund, w, 'возвращено', cur));
  if (c.crossShiftRefunds.count > 0) pairs(' в т.ч. по оплатам прошлых смен', bucketText(c.crossShiftRefunds, cur));
  out.push(rule(w));
  out.push(...headings('ПО СПОСОБАМ ОПЛАТЫ (paymentType)', w));
  if (c.byPaymentType.length === 0) out.push(line(' нет операций'));
  for (const t of c.byPaymentType) {
    out.push(...headings(`${paymentTypeLabel(t.paymentType)} (${t.provider})`, w));
    pairs(' оплаты', bucketText(t.payments, cur));
    pairs(' возвраты', bucketText(t.refunds, cur));
    pairs(' итого', money(t.netKop, cur));
  }
  // Tender entries are in the till's currency: the other sections have none to list.
  if (cur === TILL_CURRENCY || c.tenders.length > 0) {
    out.push(rule(w));
    out.push(...headings('ВНЕ ПЛАТЁЖНЫХ СИСТЕМ (введено кассиром)', w));
    if (c.tenders.length === 0) out.push(line(' нет'));
    for (const t of c.tenders) {
      out.push(...headings(tenderLabel(t.kind), w));
      pairs(' продажи', bucketText(t.sales, cur));
      pairs(' возвраты', bucketText(t.refunds, cur));
      pairs(' итого', money(t.netKop, cur));
    }
  }
  out.push(rule(w));
  pairs('Электронные оплаты', money(c.totals.electronicInKop, cur));
  pairs('Электронные возвраты', money(-c.totals.electronicOutKop, cur));
  pairs('Итого электронные', money(c.totals.electronicNetKop, cur));
  pairs('Итого вне платёжных систем', money(c.totals.tendersNetKop, cur));
  pairs(multi ? `ИТОГО ПО КАССЕ, ${cur}` : 'ИТОГО ПО КАССЕ', money(c.totals.tillNetKop, cur), { bold: true });
  return out;
}

export interface TextOptions {
  width: number;
  /** Leave out the operation list (a short printout). */
  summaryOnly?: boolean;
}

export function reportLines(report: ShiftReport, options: TextOptions): TextLine[] {
  const w = options.width;
  const out: TextLine[] = [];
  const push = (...lines: TextLine[]): void => {
    out.push(...lines);
  };
  const pairs = (label: string, value: string, extra: Omit<TextLine, 'text'> = {}): void => push(...pair(label, value, w).map((t) => line(t, extra)));
  const title = report.type === 'z' ? `Z-ОТЧЁТ № ${report.zNumber ?? '?'}` : 'X-ОТЧЁТ';
  push(...headings(title, w, { bold: true, align: 'center', large: true }));
  push(...headings(report.type === 'z' ? 'отчёт о закрытии смены' : 'без закрытия смены', w, { align: 'center' }));
  const mark = environmentMark(report.environment);
  if (mark) push(...headings(`*** ${mark} ***`, w, { bold: true, align: 'center' }));
  if (report.till.storeName) push(...headings(report.till.storeName, w, { align: 'center' }));
  if (report.till.terminalId) pairs('Касса (terminalId)', report.till.terminalId);
  if (report.till.storeId) pairs('storeId', report.till.storeId);
  pairs('Смена №', String(report.shift.id));
  pairs('Открыта', localTime(report.shift.openedAt));
  pairs('Открыл(а)', report.shift.openedBy);
  if (report.shift.closedAt) {
    pairs('Закрыта', localTime(report.shift.closedAt));
    pairs('Закрыл(а)', report.shift.closedBy ?? '');
  }
  pairs('Сформирован', localTime(report.generatedAt));
  // One block per currency, the till's first: amounts of two currencies are never added together.
  const multi = report.currencies.length > 1;
  for (const c of report.currencies) push(...currencyLines(c, w, multi));
  if (report.tenderVoids.length > 0) {
    push(rule(w));
    push(...headings(`АННУЛИРОВАНО (не входит в итоги): ${report.tenderVoids.length}`, w));
    for (const v of report.tenderVoids) {
      pairs(` ${tenderLabel(v.kind)} ${v.direction === 'sale' ? 'продажа' : 'возврат'} №${v.tenderId}`, money(v.direction === 'sale' ? v.amountKop : -v.amountKop, TILL_CURRENCY));
      push(...wrap(`   ${localTime(v.voidedAt)}, ${v.voidedBy}: ${v.reason}`, w, '   ').map((t) => line(t)));
    }
  }
  if (report.unresolved.length > 0) {
    push(rule(w));
    push(...headings(`НЕ ЗАВЕРШЕНО: ${report.unresolved.length}`, w));
    for (const id of report.unresolved) push(...wrap(` ${id}`, w, '  ').map((t) => line(t)));
  }
  if (report.reconciliation) {
    const r = report.reconciliation;
    push(rule(w));
    push(...headings('СВЕРКА С ПЛАТЁЖНЫМИ СИСТЕМАМИ', w));
    pairs(' проверено', String(r.checked));
    pairs(' совпало', String(r.matched));
    pairs(' расхождений', String(r.differences.length));
    pairs(' не проверялось', String(r.skipped));
    for (const d of r.differences) {
      push(...wrap(` ${KIND_LABEL[d.kind]} ${d.orderId}: ${PROBLEM_LABEL[d.problem] ?? d.problem}`, w, '   ').map((t) => line(t, { bold: true })));
      push(...wrap(`   касса: ${statusLabel(d.journal)}; платёжная система: ${d.provider}`, w, '   ').map((t) => line(t)));
      if (d.transactionId) push(...wrap(`   transactionId: ${d.transactionId}`, w, '   ').map((t) => line(t)));
      if (d.refTransactionId) push(...wrap(`   refTransactionId: ${d.refTransactionId}`, w, '   ').map((t) => line(t)));
    }
  }
  if (!options.summaryOnly) {
    push(rule(w, '='));
    push(...headings(`ОПЕРАЦИИ (${report.operations.length})`, w));
    const wide = w >= 100;
    const columns = report.refColumns;
    report.operations.forEach((l, i) => push(...(wide ? operationLinesWide(l, i + 1, w, columns) : operationLinesNarrow(l, i + 1, w, columns))));
    if (report.tenderEntries.length > 0) {
      push(rule(w));
      push(...headings(`ВВЕДЕНО КАССИРОМ (${report.tenderEntries.length})`, w));
      for (const t of report.tenderEntries) {
        pairs(`${localTime(t.createdAt).slice(11)} ${tenderLabel(t.kind)} ${t.direction === 'sale' ? 'продажа' : 'возврат'}`, money(t.direction === 'sale' ? t.amountKop : -t.amountKop, TILL_CURRENCY));
        if (t.note) push(...wrap(`   ${t.note}`, w, '   ').map((x) => line(x)));
      }
    }
  }
  if (mark) push(...headings(`*** ${mark} ***`, w, { bold: true, align: 'center' }));
  push(rule(w, '='));
  return out;
}

/** Plain text: centred lines padded, one line per TextLine. */
export function renderText(lines: readonly TextLine[], width: number): string {
  return `${lines.map((l) => (l.align === 'center' && l.text.length < width ? ' '.repeat(Math.floor((width - l.text.length) / 2)) + l.text : l.text).trimEnd()).join('\n')}\n`;
}

export function reportText(report: ShiftReport, width = 100): string {
  return renderText(reportLines(report, { width }), width);
}
