// A till-like child process for the QR payment crash tests: begins a payment through the registry's
// factory (real journal, real OperationActor) or resumes the open one, prints 'awaiting' with the
// payment id once the QR would be on screen, and 'settled' at the end. PAYDESK_FAILPOINT kills it.
import { parseArgs } from 'node:util';
import { OperationActor } from '../../main/checkout/runner';
import { openJournal } from '../../main/journal/database';
import { OperationStore } from '../../main/journal/operations';
import { findProvider } from '../../main/providers/registry';

const { values } = parseArgs({ options: { db: { type: 'string' }, url: { type: 'string' }, op: { type: 'string' }, begin: { type: 'boolean', default: false } } });
const say = (event: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, ...extra })}\n`);
};
const operationId = values.op ?? '';
const journal = openJournal(values.db ?? '');
const store = new OperationStore(journal.sqlite);
const configured = findProvider('extpay')?.configure({
  baseUrl: values.url, token: 'preview-external-api-secret-2024', currency: 'RUB', webhookUrl: 'http://127.0.0.1:9/hook',
  timing: { requestTimeoutMs: 3_000, pollScheduleMs: [200], createRetryMs: 100, maxCreates: 5 },
});
if (!configured?.ok || !configured.payments) throw new Error('extpay not configured');
const factory = configured.payments;
const existing = store.get(operationId);
if (!values.begin && !existing) throw new Error('nothing to resume');
const resumed = existing ? factory.resume(existing) : null;
if (resumed && !resumed.ok) throw new Error(resumed.reason);
const packed = resumed
  ? resumed.run
  : (() => {
      const { row, event, run } = factory.begin({ operationId, operationExternalId: operationId, orderId: `order-${operationId}`, amountMinor: 25_000, shiftId: null, methodId: 'yandex_pay' }, Date.now());
      store.insertIntent(row, [], event);
      return run;
    })();
packed.use((r) => {
  const row = (): { phase: string; id: string | null } => {
    const now = store.get(operationId);
    return { phase: String(now?.phase), id: now?.transaction_id ?? null };
  };
  const actor = new OperationActor(r.state, r.driver, store, {
    onChange: () => {
      const s = row();
      if (s.phase === 'awaiting') say('awaiting', { internalOrderId: s.id });
    },
    onError: (_id, error) => say('error', { message: error instanceof Error ? error.message : String(error) }),
    onSettled: () => {
      say('settled', row());
      actor.stop();
      journal.close();
      process.exit(0);
    },
  });
  if (r.recoveryEvent) actor.dispatch(r.recoveryEvent);
  else actor.start();
  const s = row();
  if (s.phase === 'awaiting') say('awaiting', { internalOrderId: s.id });
});
