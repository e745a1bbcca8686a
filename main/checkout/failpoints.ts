// Failpoints for the crash-recovery tests: PAYDESK_FAILPOINT=<name> makes the process SIGKILL itself
// at that exact point (e.g. after the intent is committed and before its request leaves), the one
// instant an outside kill cannot target. Unset in production: one string comparison.
const armed = process.env.PAYDESK_FAILPOINT ?? '';

export type FailpointName = 'payment.after_intent' | 'payment.after_send' | 'refund.after_intent';

export function failpoint(name: FailpointName): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
