// The card terminal app-to-app contract, version 1 (docs/providers.md, "Terminal app-to-app contract").
// One request, one answer, the same JSON over every transport (launched program's stdin/stdout, a
// local TCP line, a local HTTP POST). One zod schema per message; types are derived from them.
import { z } from 'zod';

/** Caps: a terminal answer is a few hundred bytes; anything far larger is not an answer. */
export const MAX_ANSWER_BYTES = 64 * 1024;
export const MAX_ANSWERS = 4;

/** Our pass-through reference: the journal's operation request id (a UUID), echoed in every answer. */
export const operationExternalIdSchema = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

/** ISO 4217 alpha code ("RUB"); the numeric form ("643") is accepted from terminals and normalised. */
const NUMERIC_CURRENCY: Readonly<Record<string, string>> = { '643': 'RUB', '840': 'USD', '978': 'EUR', '398': 'KZT', '933': 'BYN', '818': 'EGP' };
export const currencySchema = z
  .string()
  .regex(/^([A-Z]{3}|\d{3})$/, 'ISO 4217 alpha or numeric code')
  .transform((c, ctx) => {
    if (/^[A-Z]{3}$/.test(c)) return c;
    const alpha = NUMERIC_CURRENCY[c];
    if (!alpha) {
      ctx.addIssue({ code: 'custom', message: `unknown numeric currency ${c}` });
      return z.NEVER;
    }
    return alpha;
  });

export const amountMinorSchema = z.number().int().positive().max(100_000_000_00);

export const terminalRequestSchema = z.object({
  v: z.literal(1),
  /** sale: take a card payment; lookup: report the last transaction with this operationExternalId. */
  operation: z.enum(['sale', 'lookup']),
  operationExternalId: operationExternalIdSchema,
  amountMinor: amountMinorSchema.optional(),
  currency: currencySchema.optional(),
});
export type TerminalRequest = z.input<typeof terminalRequestSchema>;

/** What the payment application did, as the terminal reports it. */
export const TRANSACTION_STATUSES = ['APPROVED', 'DECLINED', 'CANCELLED', 'ABORTED', 'ERROR'] as const;

const shortText = (max: number) => z.string().max(max);

export const transactionSchema = z.object({
  /** Terminal date-time of the transaction (ISO 8601). */
  time: z.string().min(1).max(40).refine((t) => !Number.isNaN(Date.parse(t)), 'not a date-time'),
  /** How the customer paid: card (contact/contactless), qr (SBP), ... */
  method: shortText(32).min(1),
  /** The operation the terminal performed (sale here). */
  type: shortText(32).min(1),
  status: z.enum(TRANSACTION_STATUSES),
  amountMinor: amountMinorSchema,
  currency: currencySchema,
  /** Retrieval reference number (12 digits on Russian hosts; kept as text). */
  rrn: shortText(32).nullable().default(null),
  authCode: shortText(16).nullable().default(null),
  /** Never a full PAN: the schema refuses more than 10 visible digits. */
  maskedCard: shortText(32)
    .refine((m) => (m.match(/\d/g) ?? []).length <= 10, 'looks like a full card number')
    .nullable()
    .default(null),
  terminalId: shortText(32).min(1),
  merchantId: shortText(32).nullable().default(null),
  /** The terminal's own transaction id (STAN / host id), if it has one. */
  transactionId: shortText(64).nullable().default(null),
  /** Host response code and its text, as printed on the slip. */
  responseCode: shortText(16).nullable().default(null),
  message: shortText(200).nullable().default(null),
  /** QR payments: the QR / payment link and its keys (SBP qrcId, ...). */
  qr: shortText(2048).nullable().default(null),
  keys: z.record(shortText(64), shortText(256)).refine((k) => Object.keys(k).length <= 32, 'too many keys').nullable().default(null),
  /** Slip text lines as the terminal would print them. */
  slip: z.array(shortText(200)).max(80).nullable().default(null),
});
export type TerminalTransaction = z.output<typeof transactionSchema>;

export const saleAnswerSchema = z.object({
  v: z.literal(1),
  kind: z.literal('sale'),
  operationExternalId: operationExternalIdSchema,
  resultCode: z.enum(['OK', 'FAIL']),
  /** Present whenever the terminal got as far as a transaction (also on FAIL: declined, cancelled). */
  transaction: transactionSchema.nullable().default(null),
  error: z.object({ code: shortText(64), message: shortText(500) }).nullable().default(null),
});
export type SaleAnswer = z.output<typeof saleAnswerSchema>;

export const lookupAnswerSchema = z.object({
  v: z.literal(1),
  kind: z.literal('lookup'),
  operationExternalId: operationExternalIdSchema,
  /** not_found: the terminal never began a transaction with this id; in_progress: it runs now. */
  state: z.enum(['not_found', 'in_progress', 'done']),
  result: saleAnswerSchema.nullable().default(null),
}).refine((a) => (a.state === 'done') === (a.result !== null), 'result is present exactly when state is done');
export type LookupAnswer = z.output<typeof lookupAnswerSchema>;

export type ParsedAnswers<T> =
  | { kind: 'answer'; answer: T; duplicates: number }
  | { kind: 'none' }
  | { kind: 'garbage'; problem: string }
  | { kind: 'conflict'; count: number };

/**
 * Reads what a terminal wrote back: one JSON answer per line. Identical repeats are one answer (a
 * terminal that answers twice the same thing); differing answers are a conflict the caller must
 * resolve by lookup, never by picking one.
 */
export function parseAnswers<T>(text: string, schema: z.ZodType<T>, expectedId: string): ParsedAnswers<T> {
  if (Buffer.byteLength(text, 'utf8') > MAX_ANSWER_BYTES) return { kind: 'garbage', problem: 'answer too large' };
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length === 0) return { kind: 'none' };
  if (lines.length > MAX_ANSWERS) return { kind: 'garbage', problem: `${lines.length} answers` };
  const parsed: T[] = [];
  const canonical: string[] = [];
  for (const line of lines) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return { kind: 'garbage', problem: 'not JSON' };
    }
    const result = schema.safeParse(json);
    if (!result.success) return { kind: 'garbage', problem: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300) };
    const id = (result.data as { operationExternalId?: unknown }).operationExternalId;
    if (id !== expectedId) return { kind: 'garbage', problem: 'answer for another operation' };
    parsed.push(result.data);
    canonical.push(JSON.stringify(result.data));
  }
  if (new Set(canonical).size > 1) return { kind: 'conflict', count: parsed.length };
  return { kind: 'answer', answer: parsed[0] as T, duplicates: parsed.length - 1 };
}
