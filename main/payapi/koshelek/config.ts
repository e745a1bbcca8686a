// The Koshelek Pay connector's section of paydesk.config.json (seed 003 §8.1, §8.2).
import { z } from 'zod';

const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

export const KNOWN_PAYMENT_TYPES = ['SBP', 'DOLYAME'] as const;

export const koshelekEnumsSchema = z.object({
  /** Payment providers the till offers; a new provider needs only this list (§8.2). */
  paymentTypes: z.array(z.string().min(1)).min(1).default([...KNOWN_PAYMENT_TYPES]),
  paymentStatuses: z.object({
    /** Not final: keep polling. */
    inProgress: z.array(z.string()).default(['new', 'pending']),
    /** The money was taken (later refund states included). */
    paid: z.array(z.string()).default(['accepted', 'refunding', 'refunded', 'partial_refunded']),
    rejected: z.array(z.string()).default(['rejected']),
    canceled: z.array(z.string()).default(['canceled']),
  }).prefault({}),
  refStatuses: z.object({
    inProgress: z.array(z.string()).default(['new']),
    accepted: z.array(z.string()).default(['accepted']),
    rejected: z.array(z.string()).default(['rejected']),
  }).prefault({}),
  /** errorCode / 422 code values we know; others are logged and shown with a generic instruction. */
  errorCodes: z.array(z.string()).default([]),
  taxes: z.array(z.string()).default(['none', 'vat0', 'vat10', 'vat20', 'vat110', 'vat120']),
  measures: z.array(z.string()).default(['PIECE', 'GRAM', 'KILOGRAM', 'TON', 'CENTIMETER', 'DECIMETER', 'METER', 'SQUARE_CENTIMETER', 'SQUARE_DECIMETER', 'SQUARE_METER', 'MILLILITER', 'LITER', 'CUBIC_METER', 'KILOWATT_HOUR', 'GIGACALORIE', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'KILOBYTE', 'MEGABYTE', 'GIGABYTE', 'TERABYTE', 'OTHER']),
});

export const koshelekTimingSchema = z.object({
  /** Per-request HTTP timeout for checkout / cancel / refund / availability (reference §8 advice: ~5 s). */
  requestTimeoutMs: z.number().int().min(200).max(60_000).default(5_000),
  /** Per-request timeout for status polls, so polling fits the 30 s budget. */
  statusTimeoutMs: z.number().int().min(100).max(30_000).default(2_000),
  /** "X": unanswered checkout attempts (same requestId) before the till cancels automatically (§4.2). */
  checkoutAttempts: z.number().int().min(1).max(20).default(3),
  /** Unanswered cancel / refund attempts in the foreground before the job moves to background recovery. */
  cancelAttempts: z.number().int().min(1).max(50).default(5),
  refundAttempts: z.number().int().min(1).max(50).default(5),
  /** Pause between retries of the same request (grows ×2 per attempt, capped at backgroundRetryMs). */
  retryDelayMs: z.number().int().min(0).max(10_000).default(250),
  /** First status poll after checkout: the contract says 250–500 ms. */
  firstPollMs: z.number().int().min(250).max(500).default(300),
  /** Interval between polls: at least 250 ms. */
  pollIntervalMs: z.number().int().min(250).max(10_000).default(500),
  /** Longest wait for a final payment status before the automatic cancel (contract: 30 s). */
  finalStatusTimeoutMs: z.number().int().min(1_000).max(30_000).default(30_000),
  /** How long the cashier watches a refund / cancel in progress before it continues in the background. */
  refStatusForegroundMs: z.number().int().min(1_000).max(600_000).default(30_000),
  /** Background recovery pace for operations that are not final (never gives up; never a new requestId). */
  backgroundRetryMs: z.number().int().min(500).max(600_000).default(5_000),
  /** The "<X> minutes" in the PAYMENT_TRANSACTION_IS_NOT_PAID cashier instruction. */
  notPaidRetryMinutes: z.number().int().min(1).max(120).default(5),
  /** Idle keep-alive refresh so a payment never pays a TCP+TLS handshake (below the server's idle timeout). */
  keepAliveRefreshMs: z.number().int().min(0).max(600_000).default(3_000),
}).prefault({});

export const koshelekConfigSchema = z.object({
  login: z.string().default(''),
  password: z.string().default(''),
  /**
   * Which server the till talks to. `emulator` (a fresh install's default) is the only mode in which an
   * emulator is ever used; `test`/`production` without credentials block sales instead (docs/safety.md).
   */
  environment: z.enum(['test', 'production', 'emulator']).default('emulator'),
  baseUrls: z.object({
    test: httpUrl.default('https://api-test.koshelek.app/partner'),
    production: httpUrl.default('https://api.koshelek.app/partner'),
    /** environment "emulator" only: a standalone emulator (tests, demos); absent = the embedded one. */
    emulator: httpUrl.optional(),
  }).prefault({}),
  /** Extra CA (PEM file) to trust, e.g. a corporate TLS proxy. */
  caFile: z.string().optional(),
  paymentPurpose: z.string().max(140).optional(),
  /** Start Koshelek Pay at once when availability-info says koshelekPayIsDefault (§4.1 7a). */
  autoStartWhenDefault: z.boolean().default(true),
  /** Use the deprecated async availability flow's answers when the server gives 201 (always supported). */
  enums: koshelekEnumsSchema.prefault({}),
  timing: koshelekTimingSchema,
  postback: z.object({
    enabled: z.boolean().default(false),
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(0),
    path: z.string().startsWith('/').default('/koshelek/postback'),
    partnerLogin: z.string().default(''),
    partnerPassword: z.string().default(''),
  }).prefault({}),
});
export type KoshelekConfig = z.infer<typeof koshelekConfigSchema>;
export type KoshelekTiming = KoshelekConfig['timing'];
