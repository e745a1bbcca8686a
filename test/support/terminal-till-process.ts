// A till as a separate OS process for the terminal crash tests: the real journal (SQLite file, real
// migrations, OperationStore) and the real OperationActor driving a terminal payment. It reports JSON
// lines on stdout; the test SIGKILLs it (from outside, or by a failpoint at an exact instant).
//   --do pay --order O --amount K --op ID --ext EXTERNAL_ID     start a terminal payment
//   --do resume                                                  recover what the journal holds
// PAYDESK_FAILPOINT: terminal.before_launch | terminal.after_answer (in the driver);
//   terminal.before_journal_write | terminal.after_journal_write (the write of the launch's outcome).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OperationActor } from '../../main/checkout/runner';
import { openJournal } from '../../main/journal/database';
import { OperationStore, type OperationWrite } from '../../main/journal/operations';
import { TerminalClient } from '../../main/payapi/terminal/client';
import { terminalConfigSchema } from '../../main/payapi/terminal/config';
import { TerminalPaymentDriver, terminalIntent } from '../../main/payapi/terminal/driver';
import { parseTerminalState, type TerminalEvent, type TerminalState } from '../../main/payapi/terminal/machine';
import { TERMINAL_PROVIDER } from '../../main/payapi/terminal/slip';

const { values } = parseArgs({
  options: {
    data: { type: 'string' }, config: { type: 'string' }, do: { type: 'string' }, order: { type: 'string' },
    amount: { type: 'string' }, op: { type: 'string' }, ext: { type: 'string' },
  },
});
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
const armed = process.env.PAYDESK_FAILPOINT ?? '';

/** Kills the process around the journal write of the launch's outcome (the first write leaving 'launching'). */
class FailpointStore extends OperationStore {
  override write(primary: OperationWrite, related: OperationWrite[] = []): void {
    const leavingLaunch = primary.events.some((e) => e.type === 'transition' && e.phaseFrom === 'launching');
    if (leavingLaunch && armed === 'terminal.before_journal_write') process.kill(process.pid, 'SIGKILL');
    super.write(primary, related);
    if (leavingLaunch && armed === 'terminal.after_journal_write') process.kill(process.pid, 'SIGKILL');
  }
}

const config = terminalConfigSchema.parse(JSON.parse(fs.readFileSync(String(values.config), 'utf8')));
if (!config.launch) throw new Error('config has no terminal.launch');
const journal = openJournal(path.join(String(values.data), 'journal.db'));
const store = new FailpointStore(journal.sqlite);
const client = new TerminalClient(config.launch, config.encoding);

function actorFor(id: string, state: TerminalState, resumed: boolean): OperationActor<TerminalState, TerminalEvent> {
  const base = store.get(id);
  if (!base) throw new Error(`operation ${id} not in the journal`);
  const driver = new TerminalPaymentDriver(id, base, { client, timing: config.timing }, resumed);
  return new OperationActor(state, driver, store, {
    onChange: (opId, s) => say('change', { id: opId, phase: s.phase }),
    onError: (opId, error) => say('error', { id: opId, error: String(error) }),
    onSettled: () => {},
  });
}

const actors: OperationActor<TerminalState, TerminalEvent>[] = [];
if (values.do === 'pay') {
  const id = String(values.op);
  const { row, state, event } = terminalIntent({ operationId: id, orderId: String(values.order), amountMinor: Number(values.amount), currency: config.currency, shiftId: null, timing: config.timing }, String(values.ext), Date.now());
  store.insertIntent(row, [], event);
  say('intent', { id });
  const actor = actorFor(id, state, false);
  actors.push(actor);
  actor.start();
} else {
  for (const row of store.open().filter((r) => r.provider === TERMINAL_PROVIDER)) {
    const actor = actorFor(row.id, parseTerminalState(row.context_json), true);
    actors.push(actor);
    actor.dispatch({ type: 'restarted' });
  }
  say('resumed', { count: actors.length });
}
await Promise.all(actors.map((a) => a.whenFinal()));
for (const a of actors) a.stop();
say('idle', { open: store.open().length });
journal.close();
process.exit(0);
