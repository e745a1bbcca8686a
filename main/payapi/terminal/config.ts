// The card terminal's section of paydesk.config.json: how to reach the payment application
// (a program to launch, or a local TCP / HTTP endpoint), its timeouts and the till's currency.
import { z } from 'zod';
import { currencySchema } from './contract';

/** Local endpoints only: the app-to-app contract carries no credentials, so it must not leave the machine. */
const loopbackHost = z.string().refine((h) => h === '127.0.0.1' || h === '::1' || h === 'localhost', 'must be a loopback host (127.0.0.1, ::1, localhost)');

export const terminalLaunchSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('exec'),
    /** Absolute path of the payment application. Launched without a shell. */
    executable: z.string().min(1).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path (no PATH lookup)'),
    /**
     * Arguments; {operation}, {operationExternalId}, {amountMinor}, {currency} are substituted. The
     * request is also written as one JSON line to the program's stdin.
     */
    args: z.array(z.string()).max(64).default([]),
  }),
  z.object({ mode: z.literal('tcp'), host: loopbackHost.default('127.0.0.1'), port: z.number().int().min(1).max(65535) }),
  z.object({
    mode: z.literal('http'),
    url: z.string().url().refine((u) => /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(u), 'must be a loopback http:// URL'),
  }),
]);

export const terminalTimingSchema = z.object({
  /** Longest wait for a sale answer: the customer needs time to tap, enter a PIN, the host to answer. */
  saleTimeoutMs: z.number().int().min(1_000).max(600_000).default(120_000),
  /** Longest wait for a lookup answer. */
  lookupTimeoutMs: z.number().int().min(500).max(60_000).default(10_000),
  /** Pauses between lookups while the outcome is unknown; the last one repeats forever (never auto-failed). */
  lookupScheduleMs: z.array(z.number().int().min(0).max(3_600_000)).min(1).max(20).default([0, 1_000, 2_000, 5_000, 15_000, 60_000]),
  /** After this long unknown, the cashier is told to stop waiting and call the administrator. */
  unresolvedAfterMs: z.number().int().min(1_000).max(3_600_000).default(180_000),
}).prefault({});

export const terminalConfigSchema = z.object({
  enabled: z.boolean().default(false),
  /** How the launch reaches the payment application. */
  launch: terminalLaunchSchema.optional(),
  /** Start the bundled terminal emulator (emulators/terminal) and use it: demos and tests only. */
  embeddedEmulator: z.boolean().default(false),
  currency: currencySchema.default('RUB'),
  /** Bytes on the wire: the contract says UTF-8; Windows terminal software often writes CP1251. */
  encoding: z.enum(['utf-8', 'windows-1251']).default('utf-8'),
  timing: terminalTimingSchema,
}).refine((c) => !c.enabled || c.embeddedEmulator || c.launch !== undefined, {
  message: 'terminal.enabled needs terminal.launch (or terminal.embeddedEmulator: true for a demo)',
  path: ['launch'],
});

export type TerminalConfig = z.output<typeof terminalConfigSchema>;
export type TerminalLaunch = z.output<typeof terminalLaunchSchema>;
export type TerminalTiming = z.output<typeof terminalTimingSchema>;
export type TerminalEncoding = TerminalConfig['encoding'];
