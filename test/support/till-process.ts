// A till as a separate OS process, for the crash-recovery tests: it starts the real core on a data
// folder, does one thing, and reports JSON lines on stdout. The test kills it with SIGKILL.
//   --do pay     --order O --loyalty L --session S --amount K [--park] [--warm]
//                (--warm: the sale waits for the pre-warmed Pay API connection, as a till that has been up a while)
//   --do refund  --payment ID --amount K
//   --do resume  (just start: recovery resumes what the journal holds, then wait until idle)
// PAYDESK_KILL_ON_WIRE=<endpoint> (checkout, status…): the till SIGKILLs itself the moment the first request to that
// Koshelek endpoint has been wholly handed to the OS (its 'finish'), before any answer is read — the one window
// PAYDESK_FAILPOINT=payment.after_send cannot reach (it fires a tick before Node writes a byte). It prints
// {"event":"on_wire"} first (stdout to a pipe is synchronous on Linux, so the line is not lost with the process).
import { ClientRequest } from 'node:http';
import { subscribe } from 'node:diagnostics_channel';
import { parseArgs } from 'node:util';
import { startCore } from '../../main/core/core';
import { silentLogger } from '../../main/log/logger';
import { ENDPOINTS } from '../../main/payapi/koshelek/wire';

const { values } = parseArgs({
  options: {
    data: { type: 'string' }, config: { type: 'string' }, do: { type: 'string' }, order: { type: 'string' },
    loyalty: { type: 'string' }, session: { type: 'string' }, amount: { type: 'string' }, payment: { type: 'string' }, park: { type: 'boolean' },
    warm: { type: 'boolean' },
  },
});
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);

const killOnWire = process.env.PAYDESK_KILL_ON_WIRE;
if (killOnWire !== undefined && killOnWire !== '') {
  const endpoint = Object.entries(ENDPOINTS).find(([name]) => name === killOnWire)?.[1];
  if (endpoint === undefined) throw new Error(`PAYDESK_KILL_ON_WIRE: no Koshelek endpoint named "${killOnWire}"`);
  // Published for every http(s) ClientRequest as it is created (axios's adapter uses node:http with maxRedirects 0).
  subscribe('http.client.request.start', (message) => {
    const request = message !== null && typeof message === 'object' && 'request' in message ? message.request : undefined;
    if (!(request instanceof ClientRequest) || !(request.path.split('?')[0] ?? '').endsWith(endpoint)) return;
    // 'finish' = the last byte went through the socket's write callback: in the kernel, the answer not yet read.
    request.once('finish', () => {
      say('on_wire', { endpoint: killOnWire, path: request.path, reusedSocket: request.reusedSocket, bytesWritten: request.socket?.bytesWritten ?? null });
      process.kill(process.pid, 'SIGKILL');
    });
  });
}

const core = await startCore({ configFile: String(values.config), dataDir: String(values.data), logger: silentLogger(), watchConfig: false });
say('ready', { resumed: core.checkout.inFlight() });
let id: string | null = null;
if (values.do === 'pay') {
  if (values.warm) say('warm', { warm: await core.warm });
  const op = await core.checkout.pay({ orderId: String(values.order), amountKop: Number(values.amount), card: { loyaltyId: String(values.loyalty), payToken: String(values.session) }, paymentType: 'SBP' });
  id = op.id;
  say('started', { id, requestId: op.requestId });
  if (values.park) {
    await core.checkout.park(op.id);
    say('parked', { id });
  }
} else if (values.do === 'refund') {
  const op = await core.checkout.refund({ paymentOperationId: String(values.payment), amountKop: Number(values.amount) });
  id = op.id;
  say('started', { id, requestId: op.requestId });
}
const until = Date.now() + 30_000;
while (core.checkout.inFlight() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
say('idle', { id, view: id ? core.checkout.get(id) : null, open: core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM operations WHERE is_final = 0').get() });
await core.close();
process.exit(0);
