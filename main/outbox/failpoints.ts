// Failpoints for the outbox crash tests: PAYDESK_FAILPOINT=<name> makes the process SIGKILL itself right
// after that SQL statement commits (or right after the remote side answered), the instants an outside
// kill cannot target. Unset in production: one string comparison. Same convention as the checkout's.
const armed = process.env.PAYDESK_FAILPOINT ?? '';

/**
 * Every commit of the enqueue → send → complete path, in order, plus "sent but not recorded". A kill between
 * two statements of one transaction is a rollback (SQLite's atomic commit), i.e. the previous point.
 */
export const OUTBOX_FAILPOINTS = [
  'outbox.after_enqueue',
  'outbox.after_recover',
  'outbox.after_claim',
  'outbox.after_mark_reconciled',
  'outbox.after_remote_ref',
  'outbox.after_send',
  'outbox.after_complete',
] as const;
export type OutboxFailpoint = (typeof OUTBOX_FAILPOINTS)[number];

export function failpoint(name: OutboxFailpoint): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
