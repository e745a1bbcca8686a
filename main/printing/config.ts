// Receipt printer section of paydesk.config.json. Owned by the shifts/reports capability.
import { z } from 'zod';

export const printerConfigSchema = z.object({
  enabled: z.boolean().default(false),
  /**
   * How bytes reach the printer: 'serial' = an RS-232 / USB-CDC port (COM3, /dev/ttyUSB0) opened with
   * serialport; 'device' = a device file the OS exposes for a USB printer (/dev/usb/lp0, a Windows
   * shared printer path \\localhost\Receipt with a RAW queue) written as a file.
   */
  transport: z.enum(['serial', 'device']).default('serial'),
  /** Serial device / pty / device file of an ESC/POS printer. */
  path: z.string().default(''),
  baudRate: z.number().int().default(19200),
  widthMm: z.union([z.literal(58), z.literal(80)]).default(80),
  /** Characters per line in font A; default 32 for 58 mm, 48 for 80 mm (some 80 mm models: 42). */
  charsPerLine: z.number().int().min(16).max(64).optional(),
  /** ESC t n code page number for CP866 (Epson: 17 "PC866 Cyrillic #2"; many clones also 17, some 7 or 46). */
  codePage: z.number().int().min(0).max(255).default(17),
  /** iconv-lite encoding matching codePage. */
  encoding: z.string().default('cp866'),
  cut: z.boolean().default(true),
  feedLines: z.number().int().min(0).max(20).default(4),
  /** Give up on a print after this long (the report stays in history for a reprint). */
  timeoutMs: z.number().int().min(500).max(120_000).default(10_000),
});
export type PrinterConfig = z.infer<typeof printerConfigSchema>;

export function charsPerLine(config: Pick<PrinterConfig, 'widthMm' | 'charsPerLine'>): number {
  return config.charsPerLine ?? (config.widthMm === 58 ? 32 : 48);
}
