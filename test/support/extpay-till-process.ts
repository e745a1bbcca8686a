// A till as a separate OS process for the QR payment crash tests: the real core (config file, SQLite
// journal, composed providers, checkout) on a data folder. It reports JSON lines on stdout; the test
// SIGKILLs it from outside, or PAYDESK_FAILPOINT kills it at an exact instant.
//   --do pay --order O --amount K --method M    a QR payment through checkout.pay
//   --do resume                                 just start: recovery resumes what the journal holds
// 'qr' {id, link} is printed whenever the operation shows the customer a QR; 'idle' at the end.
import { parseArgs } from 'node:util';
import { startCore } from '../../main/core/core';
import { silentLogger } from '../../main/log/logger';
import type { OperationView } from '../../main/contract/checkout';

const { values } = parseArgs({
  options: { data: { type: 'string' }, config: { type: 'string' }, do: { type: 'string' }, order: { type: 'string' }, amount: { type: 'string' }, method: { type: 'string' } },
});
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);

const core = await startCore({ configFile: String(values.config), dataDir: String(values.data), logger: silentLogger(), watchConfig: false });
const shown = new Set<string>();
const report = (op: OperationView | null): void => {
  const link = op?.customerAction?.payload;
  if (op && link && !shown.has(link)) {
    shown.add(link);
    say('qr', { id: op.id, link, transactionId: op.transactionId });
  }
};
core.onEvent((e) => {
  if (e.type === 'operation') report(e.operation);
});
say('ready', { resumed: core.checkout.inFlight() });
let id: string | null = null;
if (values.do === 'pay') {
  const op = await core.checkout.pay({ orderId: String(values.order), amountKop: Number(values.amount), paymentType: String(values.method ?? 'yandex_pay') });
  id = op.id;
  say('started', { id, requestId: op.requestId });
} else {
  for (const open of core.checkout.query({ kind: 'payment', limit: 50 })) {
    if (!open.isFinal) id = open.id;
    report(open);
  }
}
const until = Date.now() + 30_000;
while (core.checkout.inFlight() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
say('idle', { id, view: id ? core.checkout.get(id) : null, open: core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM operations WHERE is_final = 0').get() });
await core.close();
process.exit(0);
