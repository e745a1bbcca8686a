// A till as a separate OS process for the terminal checkout crash tests: the REAL core (startCore: config,
// journal, provider registry, checkout, recovery) on a data folder, selling through core.checkout.pay with
// the card terminal. It reports JSON lines on stdout; the test SIGKILLs it from outside, or a failpoint
// (PAYDESK_FAILPOINT) kills it at an exact instant.
//   --do pay --order O --amount K [--hold]   sell O for K kopecks by card on the terminal, wait until final
//   --do resume [--hold]                     just start: recovery resumes what the journal holds, wait idle
// --wait-ms N: how long to wait for the operations in flight to end (default 45 s); then report what is open.
// --hold: after the last report, stay up (the test kills it: a kill after everything was written).
// PAYDESK_FAILPOINT: the core's own (payment.after_intent, terminal.before_launch, terminal.after_answer), or
//   terminal.before_journal_write | terminal.after_journal_write: around the journal write of the launch's
//   outcome (the first write leaving 'launching'), armed here on the journal store the core builds.
import { parseArgs } from 'node:util';
import { payInputSchema } from '../../main/contract/checkout';
import { startCore } from '../../main/core/core';
import { PaydeskError } from '../../main/errors/catalogue';
import { OperationStore, type OperationWrite } from '../../main/journal/operations';
import { silentLogger } from '../../main/log/logger';

const { values } = parseArgs({
  options: {
    data: { type: 'string' }, config: { type: 'string' }, do: { type: 'string' }, order: { type: 'string' },
    amount: { type: 'string' }, hold: { type: 'boolean' }, 'wait-ms': { type: 'string' },
  },
});
const armed = process.env.PAYDESK_FAILPOINT ?? '';
if (armed === 'terminal.before_journal_write' || armed === 'terminal.after_journal_write') {
  // Test instrumentation only (this process): the one instant an outside kill cannot aim at.
  const write = OperationStore.prototype.write;
  OperationStore.prototype.write = function failpointWrite(this: OperationStore, primary: OperationWrite, related: OperationWrite[] = []): void {
    const leavingLaunch = primary.row.provider === 'terminal' && primary.events.some((e) => e.type === 'transition' && e.phaseFrom === 'launching');
    if (leavingLaunch && armed === 'terminal.before_journal_write') process.kill(process.pid, 'SIGKILL');
    write.call(this, primary, related);
    if (leavingLaunch && armed === 'terminal.after_journal_write') process.kill(process.pid, 'SIGKILL');
  };
}
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);

const core = await startCore({ configFile: String(values.config), dataDir: String(values.data), logger: silentLogger(), watchConfig: false });
say('ready', { inFlight: core.checkout.inFlight() });

const allIds = (): string[] => (core.journal.sqlite.prepare('SELECT id FROM operations ORDER BY created_at').all() as { id: string }[]).map((r) => r.id);
const openCount = (): number => (core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM operations WHERE is_final = 0').get() as { n: number }).n;

const waitMs = values['wait-ms'] ? Number(values['wait-ms']) : 45_000;
let exitCode = 0;
if (values.do === 'pay') {
  try {
    // The CLI arguments are a boundary: parsed by the contract's own schema, exactly what the renderer sends.
    const input = payInputSchema.parse({ orderId: String(values.order), amountKop: Number(values.amount), provider: 'terminal', paymentType: 'card' });
    const started = await core.checkout.pay(input);
    say('started', { id: started.id, requestId: started.requestId, view: started });
    const view = await core.checkout.waitFinal(started.id, waitMs);
    say(view.isFinal ? 'final' : 'unfinished', { id: started.id, view });
  } catch (error) {
    // Refused before or at the intent: the cashier gets a clear error, the test sees which.
    say('refused', { key: error instanceof PaydeskError ? error.key : null, message: error instanceof Error ? error.message : String(error) });
    exitCode = 3;
  }
}
const until = Date.now() + waitMs;
while (core.checkout.inFlight() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
say('idle', { open: openCount(), views: allIds().map((id) => core.checkout.get(id)) });
if (values.hold) {
  setInterval(() => {}, 60_000); // stay up until the test kills this process
} else {
  await core.close();
  process.exit(exitCode);
}
