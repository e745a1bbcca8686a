// A till as a separate OS process for the terminal crash tests: the real journal (SQLite file, real
// migrations, OperationStore) and the real OperationActor driving a terminal payment. It reports JSON
// lines on stdout; the test SIGKILLs it (from outside, or by a failpoint at an exact instant).
//   --do pay --order O --amount K --op ID --ext EXTERNAL_ID     start a terminal payment
//   --do resume                                                  recover what the journal holds
// PAYDESK_FAILPOINT: terminal.before_launch | terminal.after_answer (in the driver);
//   terminal.before_journal_write | terminal.after_journal_write (the write of the launch's outcome).
import fs from 'node:fs';
import path from 'node:path';
import { openJournal } from '../../main/journal/database';
import { TerminalClient } from '../../main/payapi/terminal/client';
import { terminalConfigSchema } from '../../main/payapi/terminal/config';
import { TerminalPaymentDriver, terminalIntent } from '../../main/payapi/terminal/driver';
import { parseTerminalState, type TerminalEvent, type TerminalState } from '../../main/payapi/terminal/machine';
import { TERMINAL_PROVIDER } from '../../main/payapi/terminal/slip';
import { FailpointStore, runActorTill, tillArgs } from './actor-till';

const values = tillArgs();
const config = terminalConfigSchema.parse(JSON.parse(fs.readFileSync(String(values.config), 'utf8')));
if (!config.launch) throw new Error('config has no terminal.launch');
const journal = openJournal(path.join(String(values.data), 'journal.db'));
// Killed around the journal write of the launch's outcome (the first write leaving 'launching').
const store = new FailpointStore(journal.sqlite, 'launching', 'terminal');
const client = new TerminalClient(config.launch, config.encoding);

await runActorTill<TerminalState, TerminalEvent>(values, {
  journal, store, provider: TERMINAL_PROVIDER, parseState: parseTerminalState, restarted: { type: 'restarted' },
  driver: (id, base, resumed) => new TerminalPaymentDriver(id, base, { client, timing: config.timing }, resumed),
  intent: (id) => terminalIntent({ operationId: id, orderId: String(values.order), amountMinor: Number(values.amount), currency: config.currency, shiftId: null, timing: config.timing }, String(values.ext), Date.now()),
});
