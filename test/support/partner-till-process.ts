// A till as a separate OS process for the partner crash tests: the real core (config, SQLite journal, the
// partner provider with its outbox worker) on a data folder. It does one thing, waits until idle, and prints
// JSON lines; the test SIGKILLs it, or PAYDESK_FAILPOINT kills it at an exact commit.
//   --do sale    --order O --amount K --payment P     a sale on the customer's partner payment P
//   --do extra   --parent ID --amount K               an extra charge on a paid sale
//   --do reverse --parent ID --amount K               a (partial) reversal of a paid sale
//   --do resume                                       just start: recovery finishes what the journal holds
//   --do listen                                       start and stay up (the callback receiver listens) until killed
import { parseArgs } from 'node:util';
import { startCore } from '../../main/core/core';
import { silentLogger } from '../../main/log/logger';

const { values } = parseArgs({
  options: { data: { type: 'string' }, config: { type: 'string' }, do: { type: 'string' }, order: { type: 'string' }, amount: { type: 'string' }, payment: { type: 'string' }, parent: { type: 'string' } },
});
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);

const core = await startCore({ configFile: String(values.config), dataDir: String(values.data), logger: silentLogger(), watchConfig: false });
say('ready', { resumed: core.checkout.inFlight() });
const amountKop = Number(values.amount);
if (values.do === 'sale') {
  const op = await core.checkout.pay({ orderId: String(values.order), amountKop, paymentType: 'partner_card', card: { loyaltyId: 'partner-customer', payToken: String(values.payment) } });
  say('started', { id: op.id });
} else if (values.do === 'extra') {
  say('started', { id: (await core.checkout.extraCharge({ paymentOperationId: String(values.parent), amountKop })).id });
} else if (values.do === 'reverse') {
  say('started', { id: (await core.checkout.refund({ paymentOperationId: String(values.parent), amountKop })).id });
}
if (values.do === 'listen') {
  say('listening');
  await new Promise((r) => setTimeout(r, 60_000)); // the test kills it long before
}
const until = Date.now() + 30_000;
while (core.checkout.inFlight() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
const operations = core.journal.sqlite.prepare('SELECT id, kind, parent_id, order_id, amount_kop, outcome, is_final, recovered FROM operations ORDER BY created_at').all();
say('idle', { operations });
await core.close();
process.exit(0);
