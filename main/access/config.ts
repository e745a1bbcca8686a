// The `access` section of paydesk.config.json: whether the till asks people to sign in, and auto-lock.
// Off by default so an existing till keeps selling after the update; with it off every action is
// recorded as done by «касса» (the till itself) and `paydesk doctor` warns outside the emulator
// environment (docs/people-and-audit.md "Default: sign-in off").
import { z } from 'zod';
import { autoLockConfigSchema } from '../people/autolock';

export const accessConfigSchema = z.object({
  /** true: nothing is sold, refunded or reported without a signed-in person whose rights allow it. */
  signIn: z.boolean().default(false),
  autoLock: autoLockConfigSchema.prefault({}),
  /**
   * Emulator environment only: with sign-in on and nobody enrolled, create the demo people of
   * docs/people-and-audit.md (documented PINs). Ignored in test and production.
   */
  demoPeople: z.boolean().default(true),
});
export type AccessConfig = z.infer<typeof accessConfigSchema>;
