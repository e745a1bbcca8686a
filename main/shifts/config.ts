// Shift section of paydesk.config.json. Owned by the shifts/reports capability.
import { z } from 'zod';

export const shiftConfigSchema = z.object({
  /** 54-FZ: a shift may not run past 24 hours. */
  maxHours: z.number().min(1).max(24).default(24),
  warnBeforeMinutes: z.number().int().min(0).max(600).default(60),
});
export type ShiftConfig = z.infer<typeof shiftConfigSchema>;
