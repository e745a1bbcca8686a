// Shift section of paydesk.config.json. Owned by the shifts/reports capability.
import { z } from 'zod';

export const shiftConfigSchema = z.object({
  /** 54-FZ: a shift may not run past 24 hours. */
  maxHours: z.number().min(1).max(24).default(24),
  warnBeforeMinutes: z.number().int().min(0).max(600).default(60),
  /** Local hour at which the business day starts: a shift opened before it on an earlier day is "forgotten overnight". */
  dayStartsAtHour: z.number().int().min(0).max(23).default(5),
  /** Tenders taken outside the payment providers that the cashier may record (cash, a separate card terminal, ...). */
  /** Open a shift by itself at the first sale when none is open (as fiscal registers do); false: the manager must open it. */
  autoOpenOnSale: z.boolean().default(true),
  tenderKinds: z.array(z.string().min(1).max(40)).min(1).default(['cash', 'card_terminal', 'other']),
});
export type ShiftConfig = z.infer<typeof shiftConfigSchema>;
