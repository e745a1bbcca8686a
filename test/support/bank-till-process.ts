// A till as a separate OS process for the bank crash tests: the real journal (SQLite file, real
// migrations, OperationStore) and the real OperationActor driving a Tochka payment link. It reports JSON
// lines on stdout; the test SIGKILLs it (from outside, or by a failpoint at an exact instant).
//   --do pay --order O --amount K --op ID --ext REFERENCE    start a payment
//   --do resume                                               recover what the journal holds
// PAYDESK_FAILPOINT: bank.before_create | bank.after_create | bank.after_poll (in the driver);
//   bank.before_journal_write | bank.after_journal_write (the write of the create's outcome).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LinkPaymentDriver, linkIntent } from '../../main/acquiring/driver';
import { parseLinkState, type LinkEvent, type LinkState } from '../../main/acquiring/machine';
import { OperationActor } from '../../main/checkout/runner';
import { openJournal } from '../../main/journal/database';
import { OperationStore, type OperationWrite } from '../../main/journal/operations';
import { TochkaBank } from '../../main/payapi/tochka/adapter';
import { TOCHKA_PROVIDER, tochkaConfigSchema } from '../../main/payapi/tochka/config';

const { values } = parseArgs({
  options: {
    data: { type: 'string' }, config: { type: 'string' }, do: { type: 'string' }, order: { type: 'string' },
    amount: { type: 'string' }, op: { type: 'string' }, ext: { type: 'string' },
  },
});
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
const armed = process.env.PAYDESK_FAILPOINT ?? '';

/** Kills the process around the journal write of the create's outcome (the first write leaving 'creating'). */
class FailpointStore extends OperationStore {
  override write(primary: OperationWrite, related: OperationWrite[] = []): void {
    const leavingCreate = primary.events.some((e) => e.type === 'transition' && e.phaseFrom === 'creating');
    if (leavingCreate && armed === 'bank.before_journal_write') process.kill(process.pid, 'SIGKILL');
    super.write(primary, related);
    if (leavingCreate && armed === 'bank.after_journal_write') process.kill(process.pid, 'SIGKILL');
  }
}

const config = tochkaConfigSchema.parse(JSON.parse(fs.readFileSync(String(values.config), 'utf8')));
const journal = openJournal(path.join(String(values.data), 'journal.db'));
const store = new FailpointStore(journal.sqlite);
const bank = new TochkaBank(config);

function actorFor(id: string, state: LinkState, resumed: boolean): OperationActor<LinkState, LinkEvent> {
  const base = store.get(id);
  if (!base) throw new Error(`operation ${id} not in the journal`);
  return new OperationActor(state, new LinkPaymentDriver(id, base, bank, resumed), store, {
    onChange: (opId, s) => say('change', { id: opId, phase: s.phase }),
    onError: (opId, error) => say('error', { id: opId, error: String(error) }),
    onSettled: () => {},
  });
}

const actors: OperationActor<LinkState, LinkEvent>[] = [];
if (values.do === 'pay') {
  const id = String(values.op);
  const amountMinor = Number(values.amount);
  const { row, state, event } = linkIntent({
    channel: 'link', revocable: false, operationId: id, provider: TOCHKA_PROVIDER, shiftId: null, orderId: String(values.order), amountMinor, currency: 'RUB', purpose: `Оплата заказа ${String(values.order)}`,
    methods: config.paymentModes, saveCard: false, savedConsumerId: null, lines: [{ name: 'Товар', priceMinor: amountMinor, quantity: 1 }],
    pollScheduleMs: config.timing.pollScheduleMs, unresolvedAfterMs: config.timing.unresolvedAfterMs,
  }, String(values.ext), Date.now());
  store.insertIntent(row, [], event);
  say('intent', { id });
  const actor = actorFor(id, state, false);
  actors.push(actor);
  actor.start();
} else {
  for (const row of store.open().filter((r) => r.provider === TOCHKA_PROVIDER)) {
    const actor = actorFor(row.id, parseLinkState(row.context_json), true);
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
