// Failpoints for the partner crash tests (same convention as the checkout's and the outbox's):
// PAYDESK_FAILPOINT=<name> makes the process SIGKILL itself at that instant. Unset in production.
const armed = process.env.PAYDESK_FAILPOINT ?? '';

export const PARTNER_FAILPOINTS = ['partner.before_send', 'partner.after_send', 'partner.after_status'] as const;
/** The callback receiver's step (not on an operation's path): a verified callback's id committed, its answer not sent. */
export const CALLBACK_FAILPOINT = 'partner.callback_remembered';
export type PartnerFailpoint = (typeof PARTNER_FAILPOINTS)[number] | typeof CALLBACK_FAILPOINT;

export function partnerFailpoint(name: PartnerFailpoint): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
