// Receipt printer section of paydesk.config.json. Owned by the shifts/reports capability.
import { z } from 'zod';

export const printerConfigSchema = z.object({
  enabled: z.boolean().default(false),
  /** Serial device / pty of an ESC/POS printer. */
  path: z.string().default(''),
  baudRate: z.number().int().default(19200),
  widthMm: z.union([z.literal(58), z.literal(80)]).default(80),
});
export type PrinterConfig = z.infer<typeof printerConfigSchema>;
