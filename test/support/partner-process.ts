// A till-like child process for the partner crash tests: optionally enqueues the confirmation task of an
// extra charge or a reversal, then runs the outbox worker until that task settles. PAYDESK_FAILPOINT
// makes it SIGKILL itself right after a chosen commit. Prints one JSON line per event on stdout.
import { parseArgs } from 'node:util';
import { openJournal } from '../../main/journal/database';
import { registerHandler } from '../../main/outbox/handler';
import { enqueue, findJobByDedupeKey } from '../../main/outbox/store';
import { OutboxWorker } from '../../main/outbox/worker';
import { PartnerClient } from '../../main/payapi/partner/client';
import { partnerConfirmHandler, partnerConfirmJob, PARTNER_CONFIRM_KIND } from '../../main/payapi/partner/jobs';
import { PartnerKeyStore } from '../../main/payapi/partner/keys';

const { values } = parseArgs({
  options: {
    db: { type: 'string' }, data: { type: 'string' }, url: { type: 'string' }, op: { type: 'string' }, kind: { type: 'string' },
    payment: { type: 'string' }, amount: { type: 'string' }, enqueue: { type: 'boolean', default: false },
  },
});
const say = (event: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, ...extra })}\n`);
};
const kind = values.kind === 'reversal' ? 'reversal' : 'extra_charge';
const operationId = values.op ?? '';
const journal = openJournal(values.db ?? '');
if (values.enqueue) {
  enqueue(journal.sqlite, partnerConfirmJob({ kind, operationId, paymentId: values.payment ?? '', amountMinor: Number(values.amount), currency: 'RUB', callbackUrl: 'http://127.0.0.1:9/v1/on_payment_completed', recheckMs: 30 }));
  say('enqueued');
}
const client = new PartnerClient({ baseUrl: values.url ?? '', merchantId: 'merchant-1', keys: new PartnerKeyStore(values.data ?? ''), timeoutMs: 3_000 });
const backoff = { baseMs: 20, factor: 2, capMs: 200, jitter: 0, maxAttempts: null };
const worker = new OutboxWorker(journal.sqlite, [registerHandler(partnerConfirmHandler(client, backoff))], { maxSleepMs: 20 });
say('started', { recovered: worker.start() });
const timer = setInterval(() => {
  const job = findJobByDedupeKey(journal.sqlite, `${PARTNER_CONFIRM_KIND}:${operationId}`);
  if (job && (job.state === 'done' || job.state === 'failed')) {
    clearInterval(timer);
    void worker.stop().then(() => {
      say('settled', { state: job.state, attempts: job.attempts });
      journal.close();
      process.exit(0);
    });
  }
}, 10);
