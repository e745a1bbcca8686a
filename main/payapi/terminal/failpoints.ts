// Failpoints for the terminal crash tests: PAYDESK_FAILPOINT=<name> makes the process SIGKILL itself at
// that exact instant (an outside kill cannot aim between two statements). Unset in production.
const armed = process.env.PAYDESK_FAILPOINT ?? '';

export type TerminalFailpoint = 'terminal.before_launch' | 'terminal.after_answer';

export function terminalFailpoint(name: TerminalFailpoint): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
