// Failpoint for the end-to-end receipt crash test: PAYDESK_FAILPOINT=fiscal.inside_paid_commit kills the
// process inside the journal transaction that records `paid`, after the receipt job's INSERT and before
// COMMIT — SQLite must then keep neither (the payment is resumed, its receipt queued by that later write).
// Unset in production: one string comparison. Same convention as main/outbox/failpoints.ts.
const armed = process.env.PAYDESK_FAILPOINT ?? '';

export type FiscalFailpoint = 'fiscal.inside_paid_commit';

export function failpoint(name: FiscalFailpoint): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
