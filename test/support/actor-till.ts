// The common body of the till processes that drive one provider's OperationActor on the real journal
// (bank-till-process.ts, terminal-till-process.ts): their arguments, JSON-line reports, the journal-write
// failpoints and the pay / resume run. Each process brings only its provider's config, driver and intent.
//   --do pay --order O --amount K --op ID --ext EXTERNAL_ID     start a payment
//   --do resume                                                  recover what the journal holds
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { OperationActor, type Driver } from '../../main/checkout/runner';
import type { Journal } from '../../main/journal/database';
import { OperationStore, type OperationEvent, type OperationRow, type OperationWrite } from '../../main/journal/operations';

export function tillArgs() {
  return parseArgs({
    options: {
      data: { type: 'string' }, config: { type: 'string' }, do: { type: 'string' }, order: { type: 'string' },
      amount: { type: 'string' }, op: { type: 'string' }, ext: { type: 'string' },
    },
  }).values;
}

export const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
const armed = process.env.PAYDESK_FAILPOINT ?? '';

/**
 * A store that kills the process around the journal write of the provider call's outcome (the first
 * write leaving `phase`): at `<prefix>.before_journal_write` and `<prefix>.after_journal_write`.
 */
export class FailpointStore extends OperationStore {
  constructor(sqlite: Database.Database, private readonly phase: string, private readonly prefix: string) {
    super(sqlite);
  }

  override write(primary: OperationWrite, related: OperationWrite[] = []): void {
    const leaving = primary.events.some((e) => e.type === 'transition' && e.phaseFrom === this.phase);
    if (leaving && armed === `${this.prefix}.before_journal_write`) process.kill(process.pid, 'SIGKILL');
    super.write(primary, related);
    if (leaving && armed === `${this.prefix}.after_journal_write`) process.kill(process.pid, 'SIGKILL');
  }
}

export interface ActorTill<S extends { phase: string }, E> {
  journal: Journal;
  store: OperationStore;
  provider: string;
  /** The operation's driver (resumed: after a restart, from its journal row). */
  driver(id: string, base: OperationRow, resumed: boolean): Driver<S, E>;
  parseState(contextJson: string): S;
  restarted: E;
  /** `--do pay`: the intent to journal for this operation id. */
  intent(id: string): { row: OperationRow; state: S; event: OperationEvent };
}

/** Pays (`--do pay`) or resumes every open operation of the provider, waits until all are final, exits. */
export async function runActorTill<S extends { phase: string }, E>(values: ReturnType<typeof tillArgs>, till: ActorTill<S, E>): Promise<void> {
  const { journal, store } = till;
  const actorFor = (id: string, state: S, resumed: boolean): OperationActor<S, E> => {
    const base = store.get(id);
    if (!base) throw new Error(`operation ${id} not in the journal`);
    return new OperationActor(state, till.driver(id, base, resumed), store, {
      onChange: (opId, s) => say('change', { id: opId, phase: s.phase }),
      onError: (opId, error) => say('error', { id: opId, error: String(error) }),
      onSettled: () => {},
    });
  };

  const actors: OperationActor<S, E>[] = [];
  if (values.do === 'pay') {
    const id = String(values.op);
    const { row, state, event } = till.intent(id);
    store.insertIntent(row, [], event);
    say('intent', { id });
    const actor = actorFor(id, state, false);
    actors.push(actor);
    actor.start();
  } else {
    for (const row of store.open().filter((r) => r.provider === till.provider)) {
      const actor = actorFor(row.id, till.parseState(row.context_json), true);
      actors.push(actor);
      actor.dispatch(till.restarted);
    }
    say('resumed', { count: actors.length });
  }
  await Promise.all(actors.map((a) => a.whenFinal()));
  for (const a of actors) a.stop();
  say('idle', { open: store.open().length });
  journal.close();
  process.exit(0);
}
