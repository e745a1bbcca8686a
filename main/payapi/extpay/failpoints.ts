// Failpoints for the QR payment crash tests (same convention as the checkout's): PAYDESK_FAILPOINT=<name>
// makes the process SIGKILL itself at that instant. Unset in production: one string comparison.
const armed = process.env.PAYDESK_FAILPOINT ?? '';

export const EXTPAY_FAILPOINTS = ['extpay.before_create', 'extpay.after_create', 'extpay.after_poll'] as const;
export type ExtpayFailpoint = (typeof EXTPAY_FAILPOINTS)[number];

export function extpayFailpoint(name: ExtpayFailpoint): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
