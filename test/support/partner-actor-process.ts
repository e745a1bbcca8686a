// A till-like child process for the partner crash tests on the till's own path: the real journal and
// OperationActor drive an extra charge or a reversal (begun here, or resumed from the journal after a
// kill). PAYDESK_FAILPOINT kills it at a step. Prints JSON lines; 'settled' carries the journal row.
import { parseArgs } from 'node:util';
import { OperationActor } from '../../main/checkout/runner';
import { openJournal } from '../../main/journal/database';
import { OperationStore } from '../../main/journal/operations';
import { PartnerClient } from '../../main/payapi/partner/client';
import { PartnerOperationDriver, partnerIntent } from '../../main/payapi/partner/driver';
import { PartnerKeyStore } from '../../main/payapi/partner/keys';
import { parsePartnerState, type PartnerEvent, type PartnerState } from '../../main/payapi/partner/machine';

const { values } = parseArgs({
  options: { db: { type: 'string' }, data: { type: 'string' }, url: { type: 'string' }, op: { type: 'string' }, kind: { type: 'string' }, payment: { type: 'string' }, amount: { type: 'string' } },
});
const say = (event: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, ...extra })}\n`);
};
const operationId = values.op ?? '';
const kind = values.kind === 'reversal' ? 'reversal' : 'extra_charge';
const journal = openJournal(values.db ?? '');
const store = new OperationStore(journal.sqlite);
const client = new PartnerClient({ baseUrl: values.url ?? '', merchantId: 'merchant-1', keys: new PartnerKeyStore(values.data ?? ''), timeoutMs: 3_000 });
const existing = store.get(operationId);
let state: PartnerState;
let driver: PartnerOperationDriver;
let recovery: PartnerEvent | null = null;
if (existing) {
  state = parsePartnerState(existing.context_json);
  driver = new PartnerOperationDriver(operationId, existing, client);
  recovery = { type: 'restarted' };
} else {
  const intent = partnerIntent({
    kind, operationId, paymentId: values.payment ?? '', amountMinor: Number(values.amount), currency: 'RUB', callbackUrl: 'http://127.0.0.1:9/cb',
    recheckMs: [30], parentOperationId: 'parent', journalOrderId: `order-${operationId}`, shiftId: null,
  }, Date.now());
  // The parent payment row belongs to the sale flow; the crash test has none, so no parent link here.
  const row = { ...intent.row, parent_id: null };
  store.insertIntent(row, [], intent.event);
  state = intent.state;
  driver = new PartnerOperationDriver(operationId, row, client);
}
const actor = new OperationActor<PartnerState, PartnerEvent>(state, driver, store, {
  onChange: () => {},
  onError: (_id, error) => say('error', { message: error instanceof Error ? error.message : String(error) }),
  onSettled: () => {
    const row = store.get(operationId);
    say('settled', { phase: row?.phase, outcome: row?.outcome, recovered: row?.recovered });
    actor.stop();
    journal.close();
    process.exit(0);
  },
});
if (recovery) actor.dispatch(recovery);
else actor.start();
