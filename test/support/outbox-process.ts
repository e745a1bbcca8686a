// A till-like child process for the outbox crash tests: optionally records a paid sale and its fiscal
// job in one transaction, then runs the outbox worker until that job settles. PAYDESK_FAILPOINT makes
// it SIGKILL itself right after a chosen commit. Prints one JSON line per event on stdout.
import { parseArgs } from 'node:util';
import { openJournal } from '../../main/journal/database';
import { OutboxWorker } from '../../main/outbox/worker';
import { findJobByDedupeKey } from '../../main/outbox/store';
import { failpoint } from '../../main/outbox/failpoints';
import { AtolConnector } from '../../main/fiscal/atol/client';
import { YookassaConnector } from '../../main/fiscal/yookassa/client';
import { enqueueFiscalReceipt, fiscalJobHandlers } from '../../main/fiscal/jobs';
import { FAST_BACKOFF, atolTestConfig, sale, yookassaTestConfig } from './fiscal';

const { values } = parseArgs({ options: { db: { type: 'string' }, connector: { type: 'string' }, url: { type: 'string' }, sale: { type: 'string' }, enqueue: { type: 'boolean', default: false } } });
const say = (event: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, ...extra })}\n`);
};

const journal = openJournal(values.db ?? '');
const receipt = sale(values.sale ?? 'x');
if (values.enqueue) {
  journal.sqlite.transaction(() => {
    journal.sqlite.prepare('INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?)').run(`sale:${receipt.externalId}`, 'paid');
    enqueueFiscalReceipt(journal.sqlite, receipt);
  })();
  failpoint('outbox.after_enqueue');
  say('enqueued');
}
const connector = values.connector === 'atol' ? new AtolConnector(atolTestConfig(values.url ?? '')) : new YookassaConnector(yookassaTestConfig(values.url ?? ''));
const worker = new OutboxWorker(journal.sqlite, fiscalJobHandlers(connector, FAST_BACKOFF), { maxSleepMs: 20 });
say('started', { recovered: worker.start() });
const dedupe = `fiscal.sell:${receipt.externalId}`;
const timer = setInterval(() => {
  const job = findJobByDedupeKey(journal.sqlite, dedupe);
  if (job && (job.state === 'done' || job.state === 'failed')) {
    clearInterval(timer);
    void worker.stop().then(() => {
      say('settled', { state: job.state, attempts: job.attempts });
      journal.close();
      process.exit(0);
    });
  }
}, 10);
