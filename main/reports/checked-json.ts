// A report checked against the contract's report DTO schema and serialised, in the report worker: the core
// forwards the text to the window unparsed (main/api/pre-serialized.ts), so the worker is the boundary where
// the report is validated. The core tells a refusal here (a bug, not a busy worker) from a worker that cannot
// run: it is not retried on the core's thread.
//
// The head (totals, tenders, shift, …) is checked with zod. The 10,000 operation lines are checked by
// `lineProblem`, a plain loop that accepts exactly what the contract's `reportLineSchema` accepts (same
// fields, same types and bounds, no other keys; checked-json.test.ts holds the two side by side, field by
// field): a zod pass over 10,000 lines was ~20 ms of a ~70 ms X in the worker (docs/reports.md).
import { reportLineSchema, shiftReportSchema } from '../contract/api';

export class ReportContractError extends Error {
  override readonly name = 'ReportContractError';
}

const MAX_KOP = 9_999_999_999; // contract/checkout.ts `kopecks`
const MAX_SIGNED_KOP = 99_999_999_999; // contract/api.ts `signedKop`
const CURRENCY = /^[A-Z]{3}$/;
const KINDS: ReadonlySet<unknown> = new Set(reportLineSchema.shape.kind.options);

const isStr = (v: unknown): boolean => typeof v === 'string';
const isStrOrNull = (v: unknown): boolean => v === null || typeof v === 'string';
const isInt = (v: unknown, min: number, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Each field of a report line and what it must be (reportLineSchema's shape, in its order). */
export const LINE_FIELDS: Readonly<Record<string, (v: unknown) => boolean>> = {
  id: isStr,
  kind: (v) => KINDS.has(v),
  provider: isStr,
  createdAt: isStr,
  finishedAt: isStrOrNull,
  status: isStr,
  amountKop: (v) => isInt(v, 0, MAX_KOP),
  currency: (v) => typeof v === 'string' && CURRENCY.test(v),
  signedKop: (v) => isInt(v, -MAX_SIGNED_KOP, MAX_SIGNED_KOP),
  orderId: isStr,
  paymentTransactionId: isStrOrNull,
  refundTransactionId: isStrOrNull,
  requestId: isStr,
  paymentType: isStrOrNull,
  refs: (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
    for (const value of Object.values(v)) if (typeof value !== 'string') return false;
    return true;
  },
  errorCode: isStrOrNull,
  parentId: isStrOrNull,
  parentShiftId: (v) => v === null || isInt(v, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  crossShift: (v) => typeof v === 'boolean',
};
const FIELD_NAMES = Object.keys(LINE_FIELDS);

/**
 * What is wrong with one line, or null when the contract accepts it as it is. The keys must also come in
 * the schema's order (toLine's): the text is sent as it is, so it must be what zod's output would
 * serialise to; an unknown key (which zod would strip) is refused for the same reason.
 */
export function lineProblem(line: unknown): string | null {
  if (line === null || typeof line !== 'object' || Array.isArray(line)) return 'not an object';
  const fields = line as Record<string, unknown>;
  let i = 0;
  for (const name in fields) {
    const check = LINE_FIELDS[name];
    if (check === undefined || !Object.prototype.hasOwnProperty.call(LINE_FIELDS, name)) return `unexpected key ${name}`;
    if (name !== FIELD_NAMES[i]) return `${name}: out of order`;
    if (!check(fields[name])) return `${name}: invalid`;
    i += 1;
  }
  return i === FIELD_NAMES.length ? null : `${FIELD_NAMES[i] ?? '?'}: missing`;
}

const headSchema = shiftReportSchema.omit({ operations: true });
const REPORT_KEYS = Object.keys(shiftReportSchema.shape) as (keyof typeof shiftReportSchema.shape)[];

function refused(problems: readonly string[], report?: unknown): ReportContractError {
  const type = report !== null && typeof report === 'object' && (report as { type?: unknown }).type === 'z' ? 'Z' : 'X';
  return new ReportContractError(`the report worker's ${type} report broke the contract: ${problems.join('; ')}`);
}

// Every character outside ASCII as a \u escape: the same JSON value. V8 stores a text of one-byte characters
// in one byte each, and one Russian name in the head (a cashier, the store) spliced into 6 MB of ASCII lines
// made the whole X a two-byte string: 12 MB copied to the core and held on its heap, +7 ms per X (docs/reports.md).
const NON_ASCII = /[\u0080-\uffff]/;
const NON_ASCII_ALL = /[\u0080-\uffff]/g;
const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
export function asciiJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (!NON_ASCII.test(text)) return text;
  // replace() keeps its subject's two-byte form even when only ASCII is left; a latin1 round trip (lossless
  // for ASCII) gives the one-byte string.
  return Buffer.from(text.replace(NON_ASCII_ALL, escapeChar), 'latin1').toString('latin1');
}

/**
 * The head checked by zod, then every key in the schema's order (ASCII only: asciiJson); the lines' text as
 * given. Concatenated, not joined: the lines are megabytes, and each join or flattening copies them (the copy
 * is made once, where the text is sent).
 */
function serialise(head: unknown, linesJson: string): string {
  const checked = headSchema.safeParse(head);
  if (!checked.success) throw refused(checked.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(report)'}: ${i.message}`), head);
  const data = checked.data as Record<string, unknown>;
  let text = '{';
  REPORT_KEYS.forEach((key, i) => {
    text += `${i === 0 ? '' : ','}${JSON.stringify(key)}:`;
    text += key === 'operations' ? linesJson : asciiJson(data[key]);
  });
  return `${text}}`;
}

/**
 * The report as the contract's JSON text: the same bytes as `JSON.stringify(shiftReportSchema.parse(report))`
 * (keys in the schema's order), or ReportContractError naming the first fields that broke it.
 */
export function checkedReportJson(report: unknown): string {
  return serialise(report, JSON.stringify(checkedLines(report)));
}

/**
 * The same check without the text, for a report that is rendered rather than sent (ESC/POS in the worker): a
 * line the contract refuses fails the print instead of reaching paper and a snapshot no reprint could read.
 */
export function checkReport(report: unknown): void {
  checkedLines(report);
  serialise(report, '[]');
}

function checkedLines(report: unknown): unknown[] {
  const lines = (report !== null && typeof report === 'object' ? (report as { operations?: unknown }).operations : undefined);
  if (!Array.isArray(lines)) {
    serialise(report, '[]'); // names the head's problems first, if any
    throw refused(['operations: not an array'], report);
  }
  const problems: string[] = [];
  for (let i = 0; i < lines.length && problems.length < 5; i += 1) {
    const problem = lineProblem(lines[i]);
    if (problem !== null) problems.push(`operations.${i}.${problem}`);
  }
  if (problems.length > 0) throw refused(problems, report);
  return lines;
}

/**
 * A report whose lines are already the contract's JSON text, checked where they were made (report_lines:
 * migrations/0012_report_lines.sql): the head is checked here and the lines, joined with commas (null:
 * none), spliced in as the operations array.
 */
export function checkedReportJsonWithLines(head: unknown, joinedLines: string | null): string {
  return serialise(head, `[${joinedLines ?? ''}]`);
}
