// A till as a separate OS process for the bank kill -9 tests through the REAL core: config file, registry,
// composition root, checkout, journal. It does one thing, waits until nothing is in flight, and reports
// JSON lines on stdout; the test SIGKILLs it (from outside, or by a failpoint at an exact instant).
//   --do pay --order O --amount K --method sbp|card_ru|card_foreign
//   --do refund --payment ID --amount K
//   --do bind --order O --customer C   (card binding: the verification charge, refunded by the outbox)
//   --do resume            (just start: recovery resumes what the journal holds)
// "idle" waits for the operations in flight AND the queued / running bank refund jobs (binding refunds).
// PAYDESK_FAILPOINT: payment.after_intent, refund.after_intent (checkout); bank.before_create,
//   bank.after_create, bank.after_poll, bank.before_refund_send, bank.after_refund_send (bank drivers);
//   outbox.after_enqueue, outbox.after_claim, outbox.after_send … (the outbox worker, main/outbox/failpoints.ts).
import { parseArgs } from 'node:util';
import { startCore } from '../../main/core/core';
import { silentLogger } from '../../main/log/logger';

const { values } = parseArgs({
  options: {
    data: { type: 'string' }, config: { type: 'string' }, do: { type: 'string' }, order: { type: 'string' },
    amount: { type: 'string' }, method: { type: 'string' }, payment: { type: 'string' }, customer: { type: 'string' },
  },
});
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);

const core = await startCore({ configFile: String(values.config), dataDir: String(values.data), logger: silentLogger(), watchConfig: false });
say('ready', { resumed: core.checkout.inFlight() });
let id: string | null = null;
if (values.do === 'pay') {
  const op = await core.checkout.pay({ orderId: String(values.order), amountKop: Number(values.amount), paymentType: String(values.method) });
  id = op.id;
  say('started', { id, requestId: op.requestId });
} else if (values.do === 'refund') {
  const op = await core.checkout.refund({ paymentOperationId: String(values.payment), amountKop: Number(values.amount) });
  id = op.id;
  say('started', { id, requestId: op.requestId });
} else if (values.do === 'bind') {
  const op = await core.savedCards.bind({ orderId: String(values.order), customerId: String(values.customer) });
  id = op.id;
  say('started', { id, requestId: op.requestId });
}
const refundJobs = core.journal.sqlite.prepare("SELECT COUNT(*) AS n FROM outbox_jobs WHERE kind LIKE '%.refund' AND state IN ('queued', 'running')");
const pendingRefunds = (): number => (refundJobs.get() as { n: number }).n;
const until = Date.now() + 30_000;
while ((core.checkout.inFlight() > 0 || pendingRefunds() > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
say('idle', { id, open: core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM operations WHERE is_final = 0').get(), pendingRefunds: pendingRefunds() });
await core.close();
process.exit(0);
