// API contract: card scans as the core, the preload and the renderer see them (issue #3).
// Pure zod: shared by the core and the renderer. Types are derived from the schemas.
import { z } from 'zod';

/** Where a scan came from. `manual` = typed by the cashier (e.g. a damaged barcode). */
export const scanSourceSchema = z.enum(['serial', 'wedge', 'image', 'manual']);
export type ScanSource = z.infer<typeof scanSourceSchema>;

/** Why a scan was not accepted. Each reason maps to one error-catalogue key (see `errorKey`). */
export const scanRejectReasonSchema = z.enum([
  'empty', // nothing but whitespace / terminators
  'wrong_prefix', // no configured card prefix matches
  'bad_length', // length fits no template for the prefix
  'bad_characters', // card number or payment token outside its charset, TOTP not digits, control bytes…
  'totp_invalid', // TOTP matches no step near now
  'totp_stale', // TOTP matches a step outside the allowed drift (old screenshot, till clock off)
  'no_totp', // a card template that requires a TOTP part (acceptWithoutTotp false) scanned without one
  'not_decoded', // image: no barcode found
  'verifier_error', // the TOTP module failed (vendor library crash, bad answer)
  'busy', // a payment is in flight: the scan is refused, never applied to another sale
  'unterminated', // serial: bytes that never became a whole scan (no terminator, noise before a scan, overflow, port lost)
  'token_invalid', // a provider's pay-token code (its marker recognised) that is garbled: check failed, bad characters
]);
export type ScanRejectReason = z.infer<typeof scanRejectReasonSchema>;

export const parsedScanOkSchema = z.object({
  ok: z.literal(true),
  /** The card template's prefix; empty for a legacy store card (its whole number is the loyaltyId). */
  prefix: z.string().max(2),
  /** Card number: the customer's loyaltyId. */
  loyaltyId: z.string().min(1).max(36),
  /**
   * One-time payment token the barcode carried (the card issuer's name for it may differ); absent on plain
   * loyalty cards. Printable ASCII without spaces, at most 32 characters.
   */
  payToken: z.string().min(1).max(32).regex(/^[\x21-\x7e]+$/).optional(),
  totp: z.string().optional(),
  /**
   * True only when a payToken is present and its TOTP verified (or a provider's token format, check included,
   * accepted the code): the card can pay through a provider that takes a scanned token. False on plain loyalty cards, legacy cards and unverified scans.
   */
  payReady: z.boolean(),
  /** True when a TOTP was present and verified (authentic card). Plain cards without TOTP: false. */
  verified: z.boolean(),
  /** Name of the legacy-card rule (scanner.legacyCards) that accepted a card without payToken/TOTP. */
  legacy: z.string().optional(),
  /** TOTP step offset that matched (0 = current step), when verified. */
  totpDelta: z.number().int().optional(),
  /**
   * The provider whose token format recognised the scan (a pay token presented as its own code, not on a
   * loyalty card): the sale screen offers that provider's scan methods only. Absent for cards.
   */
  provider: z.string().min(1).max(32).optional(),
});

export const parsedScanErrorSchema = z.object({
  ok: z.literal(false),
  reason: scanRejectReasonSchema,
  /** Error-catalogue key with the cashier's text (e.g. 'barcode.wrong_prefix'). */
  errorKey: z.string(),
  /** For IT (folded on screen): what exactly was wrong. Never contains keys or the full TOTP. */
  detail: z.string().optional(),
});

export const parsedScanSchema = z.discriminatedUnion('ok', [parsedScanOkSchema, parsedScanErrorSchema]);
export type ParsedScan = z.infer<typeof parsedScanSchema>;
export type ParsedScanOk = z.infer<typeof parsedScanOkSchema>;
export type ParsedScanError = z.infer<typeof parsedScanErrorSchema>;

export const symbologySchema = z.enum(['code128', 'pdf417', 'datamatrix', 'qr', 'code39', 'ean13', 'other']);
export type Symbology = z.infer<typeof symbologySchema>;

export const scanEventSchema = z.object({
  /** Monotonic per hub; events are emitted in arrival order. */
  seq: z.number().int().nonnegative(),
  source: scanSourceSchema,
  /** The scanned text with terminators removed (GS 0x1D kept). */
  raw: z.string(),
  parsed: parsedScanSchema,
  /** ISO time the scan was complete (terminator received / image submitted). */
  receivedAt: z.string(),
  /** Busy-gate generation the scan belongs to (increments on every setBusy change). */
  epoch: z.number().int().nonnegative(),
  symbology: symbologySchema.optional(),
  /** AIM symbology identifier the scanner prepended (e.g. ']Q1'), stripped from `raw`. */
  aim: z.string().regex(/^\][A-Za-z][0-9A-Za-z]$/).optional(),
  /** Terminator received → event emitted, milliseconds (diagnostics, bench). */
  processingMs: z.number().nonnegative().optional(),
});
export type ScanEvent = z.infer<typeof scanEventSchema>;

export const scannerStateSchema = z.enum(['disabled', 'connecting', 'connected', 'disconnected', 'reconnecting', 'stopped']);
export type ScannerState = z.infer<typeof scannerStateSchema>;

export const scannerStatusSchema = z.object({
  device: z.literal('serial'),
  state: scannerStateSchema,
  path: z.string(),
  /** Error-catalogue key to show (e.g. 'scanner.disconnected', 'scanner.reconnected'). */
  messageKey: z.string().optional(),
  detail: z.string().optional(),
  at: z.string(),
  /** Reconnect attempts since the link was lost. */
  attempts: z.number().int().nonnegative().default(0),
});
export type ScannerStatus = z.infer<typeof scannerStatusSchema>;

/** Keyboard-wedge (HID) scanner settings, shared by the config file and the renderer's detector. */
export const wedgeConfigSchema = z.object({
  enabled: z.boolean().default(true),
  /**
   * Longest gap between two keys of one scan before calibration. Scanners send 5–60 ms per key (wireless
   * ones unevenly); humans rarely type six keys in a row this fast. Widened by calibration (see below).
   */
  maxInterKeyMs: z.number().int().min(5).max(500).default(80),
  /** Once a burst has this many fast keys, a pause up to pauseMs inside it is a scanner hiccup, not a new scan. */
  pauseAfterChars: z.number().int().min(2).max(64).default(4),
  pauseMs: z.number().int().min(0).max(2_000).default(300),
  /** Calibration: the gap limit grows to 1.5 × the slowest gap seen in the last accepted scans, capped here. */
  maxCalibratedGapMs: z.number().int().min(5).max(1_000).default(160),
  /** Shortest scan (shorter fast bursts are typing). */
  minLength: z.number().int().min(1).max(64).default(6),
  /** Longest whole scan (first key → terminator). */
  maxScanMs: z.number().int().min(50).max(10_000).default(2_500),
  terminator: z.enum(['Enter', 'Tab', 'none']).default('Enter'),
  /**
   * Idle time after the last key that ends a scan with terminator 'none'. With Enter/Tab configured a burst
   * whose terminator never comes ends after max(idleTimeoutMs, pauseMs).
   */
  idleTimeoutMs: z.number().int().min(10).max(2_000).default(100),
  /**
   * Caps Lock: 'ignore' (default) reads letters by Shift alone — the scanner presses Shift for capitals
   * whatever the Caps Lock LED says; 'apply' for scanners set to compensate for Caps Lock themselves.
   */
  capsLock: z.enum(['ignore', 'apply']).default('ignore'),
  /** Physical key some scanners send for GS (0x1D), e.g. 'F8'. Ctrl+] and Alt+0029 always work. */
  gsKeyCode: z.string().optional(),
});
export type WedgeConfig = z.infer<typeof wedgeConfigSchema>;

/** Till clock versus the server's `Date` header (TOTP needs the till clock right). */
export const clockDriftSchema = z.object({
  /** Server minus till, ms (positive: till is behind). */
  driftMs: z.number(),
  /** |drift| exceeds one TOTP step: scanned codes may be rejected as stale. */
  exceedsStep: z.boolean(),
  stepMs: z.number().int().positive(),
  messageKey: z.string().optional(),
});
export type ClockDrift = z.infer<typeof clockDriftSchema>;
