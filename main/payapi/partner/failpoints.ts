// Failpoints for the partner crash tests (same convention as the checkout's and the outbox's):
// PAYDESK_FAILPOINT=<name> makes the process SIGKILL itself at that instant. Unset in production.
const armed = process.env.PAYDESK_FAILPOINT ?? '';

// partner.callback_remembered: a verified callback's request id is committed, its answer not yet sent.
export const PARTNER_FAILPOINTS = ['partner.before_send', 'partner.after_send', 'partner.after_status', 'partner.callback_remembered'] as const;
export type PartnerFailpoint = (typeof PARTNER_FAILPOINTS)[number];

export function partnerFailpoint(name: PartnerFailpoint): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
