// Auto-lock as a pure function of idle time. The till locks the screen, not the work: parked payments
// keep resolving while it is locked (the checkout runner does not depend on a signed-in person).
import { z } from 'zod';

export const autoLockConfigSchema = z.object({
  /** Lock after this many idle seconds; 0 turns auto-lock off. */
  idleSec: z.number().int().min(0).max(24 * 3600).default(300),
  /** Show a countdown this many seconds before locking. */
  warnSec: z.number().int().min(0).max(600).default(30),
});
export type AutoLockConfig = z.infer<typeof autoLockConfigSchema>;

export type AutoLockState = { state: 'active'; lockInMs: number | null } | { state: 'warn'; lockInMs: number } | { state: 'locked' };

export function autoLockState(lastActivityMs: number, nowMs: number, config: AutoLockConfig): AutoLockState {
  if (config.idleSec === 0) return { state: 'active', lockInMs: null };
  // A clock stepping backwards must not extend the session: treat negative idle as zero.
  const idle = Math.max(0, nowMs - lastActivityMs);
  const left = config.idleSec * 1000 - idle;
  if (left <= 0) return { state: 'locked' };
  if (left <= config.warnSec * 1000) return { state: 'warn', lockInMs: left };
  return { state: 'active', lockInMs: left };
}
