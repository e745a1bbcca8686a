// Config section `customerDisplay`: a second screen facing the customer (docs/config.md, docs/ui.md
// "Customer display"). Off by default; hot-reloaded like every section (the shells open / close the window).
import { z } from 'zod';

export const customerDisplayConfigSchema = z.object({
  enabled: z.boolean().default(false),
  /** Electron: which monitor, in the OS's order (0 = the primary; 1 = the first other one). Missing → the last one. */
  screen: z.number().int().min(0).max(15).default(1),
  /** Kiosk shell: the window's top-left corner on the desktop (the second monitor's origin); null = the window manager's choice. */
  position: z.object({ x: z.number().int().min(-32_768).max(32_768), y: z.number().int().min(-32_768).max(32_768) }).nullable().default(null),
  /** How long «Оплачено» / «Оплата отклонена» stay before the idle screen. */
  resultSeconds: z.number().int().min(1).max(600).default(15),
});
export type CustomerDisplayConfig = z.infer<typeof customerDisplayConfigSchema>;
