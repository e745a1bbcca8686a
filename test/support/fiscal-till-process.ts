// A till as a separate OS process for the end-to-end receipt crash test: the real core (journal, checkout,
// providers, outbox worker, fiscal connector) on a data folder. It does one thing, then waits until every
// operation is final and every receipt job is settled, and reports JSON lines on stdout. PAYDESK_FAILPOINT
// kills it at an exact commit of the payment → receipt path.
//   --do pay --method SBP|card --order O [--loyalty L --session S] --amount K
//   --do refund --payment ID          (refunds the payment's only line)
//   --do resume   (start: recovery resumes payments, the worker resumes receipts; wait until settled)
import { parseArgs } from 'node:util';
import { startCore } from '../../main/core/core';
import { silentLogger } from '../../main/log/logger';

const { values } = parseArgs({
  options: {
    data: { type: 'string' }, config: { type: 'string' }, do: { type: 'string' }, method: { type: 'string' }, order: { type: 'string' },
    loyalty: { type: 'string' }, session: { type: 'string' }, amount: { type: 'string' }, payment: { type: 'string' },
  },
});
const say = (event: string, data: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
};

const core = await startCore({ configFile: String(values.config), dataDir: String(values.data), logger: silentLogger(), watchConfig: false });
say('ready');
if (values.do === 'pay') {
  const method = String(values.method ?? 'SBP');
  const op = await core.checkout.pay({
    orderId: String(values.order), paymentType: method,
    lines: [{ name: 'Кофе в зёрнах', article: 'COFFEE', priceKop: Number(values.amount), quantity: 1, tax: 'vat22' }],
    ...(method === 'card' ? {} : { card: { loyaltyId: String(values.loyalty), payToken: String(values.session) } }),
  });
  say('started', { id: op.id });
} else if (values.do === 'refund') {
  const op = await core.checkout.refund({ paymentOperationId: String(values.payment), lines: [{ lineNo: 0, quantity: 1 }] });
  say('started', { id: op.id });
}
const unsettled = (): number => {
  const ops = core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM operations WHERE is_final = 0').pluck().get() as number;
  const jobs = core.journal.sqlite.prepare("SELECT COUNT(*) AS n FROM outbox_jobs WHERE state IN ('queued', 'running')").pluck().get() as number;
  return ops + jobs + core.checkout.inFlight();
};
const until = Date.now() + 30_000;
while (unsettled() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
say('settled', { unsettled: unsettled() });
await core.close();
process.exit(0);
