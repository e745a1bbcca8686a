// Scanner section of paydesk.config.json. Owned by the scanning capability.
import { z } from 'zod';
import { wedgeConfigSchema } from '../contract/scan';
import { legacyCardRuleSchema } from '../barcode/legacy';

export const serialScannerConfigSchema = z.object({
  enabled: z.boolean().default(false),
  /** Device path (/dev/ttyACM0, /dev/serial/by-id/…, COM3). A stable by-id path survives re-enumeration. */
  path: z.string().default(''),
  baudRate: z.number().int().min(110).max(4_000_000).default(9600),
  dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(['none', 'even', 'odd', 'mark', 'space']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]).default(1),
  /**
   * What the scanner sends after each code. With any suffix, CR, LF and TAB all end a scan (a scanner set
   * to LF or LFCR still works under 'CR'); 'none': a scan ends after idleTimeoutMs of silence.
   */
  suffix: z.enum(['CR', 'LF', 'CRLF', 'TAB', 'none']).default('CR'),
  idleTimeoutMs: z.number().int().min(5).max(2000).default(50),
  /**
   * With a suffix configured: bytes left without their suffix for this long are dropped as a broken
   * fragment (reported), so they can never be glued onto the next scan.
   */
  fragmentTimeoutMs: z.number().int().min(50).max(10_000).default(500),
  /** Silence inside a scan that separates what came before it (noise, half a scan) from the scan. */
  gapMs: z.number().int().min(5).max(5_000).default(100),
  /** Longest scan kept; more bytes without a terminator are reported and skipped (bounded buffer). */
  maxFrameBytes: z.number().int().min(64).max(65_536).default(4096),
  reconnectMs: z.number().int().min(100).max(60_000).default(1_000),
}).superRefine((value, ctx) => {
  if (value.enabled && value.path === '') ctx.addIssue({ code: 'custom', path: ['path'], message: 'serial scanner enabled without a port path' });
});

export const scannerConfigSchema = z.object({
  /**
   * AIM symbology identifiers (`]C0`, `]Q1`, `]d2`, `]L2`, `]E0`…) that scanners can prepend: 'strip'
   * removes a leading one (and records the symbology) from serial and wedge scans; 'keep' passes it on.
   */
  aimIds: z.enum(['strip', 'keep']).default('strip'),
  /**
   * Legacy store loyalty cards without cardSession/TOTP (EAN-13, Code 39, numeric Code 128), accepted for
   * loyalty when a scan fits no card template. None by default: the store names its own numbers.
   */
  legacyCards: z.array(legacyCardRuleSchema).max(32).default([]),
  serial: serialScannerConfigSchema.prefault({}),
  wedge: wedgeConfigSchema.prefault({}),
});
export type ScannerConfig = z.infer<typeof scannerConfigSchema>;
export type SerialScannerConfig = z.infer<typeof serialScannerConfigSchema>;
