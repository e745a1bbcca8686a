// Failpoints for the bank crash tests: PAYDESK_FAILPOINT=<name> makes the process SIGKILL itself at that
// exact instant (an outside kill cannot aim between two statements). Unset in production.
const armed = process.env.PAYDESK_FAILPOINT ?? '';

export type BankFailpoint = 'bank.before_create' | 'bank.after_create' | 'bank.after_poll' | 'bank.before_refund_send' | 'bank.after_refund_send';

export function bankFailpoint(name: BankFailpoint): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
