// The card terminal emulator program (npm run emulator:terminal). Modes:
//   once  --state DIR            launched per operation: one request on stdin, the answer on stdout
//   serve --transport tcp|http --port N --state DIR   a local endpoint
// Faults: --fault MODE for every sale, or a queue in DIR/faults.json (consumed one per sale).
// --encoding utf-8|windows-1251: the bytes it reads and writes (a CP1251 vendor app).
import { parseArgs } from 'node:util';
import { FAULT_MODES, Ledger, type FaultMode } from './ledger';
import { runOnce, serveHttp, serveTcp } from './server';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    state: { type: 'string', default: 'data/terminal-emulator' },
    transport: { type: 'string', default: 'http' },
    port: { type: 'string', default: '7311' },
    fault: { type: 'string', default: 'approve' },
    'processing-ms': { type: 'string', default: '300' },
    'slow-ms': { type: 'string', default: '3000' },
    'terminal-id': { type: 'string', default: 'EMU00001' },
    encoding: { type: 'string', default: 'utf-8' },
  },
});

const fault = String(values.fault);
if (!(FAULT_MODES as readonly string[]).includes(fault)) {
  process.stderr.write(`unknown --fault ${fault}; one of ${FAULT_MODES.join(', ')}\n`);
  process.exit(2);
}
const encoding = (['utf-8', 'windows-1251'] as const).find((e) => e === String(values.encoding));
if (!encoding) {
  process.stderr.write('--encoding must be utf-8 or windows-1251\n');
  process.exit(2);
}
const opts = {
  encoding,
  ledger: new Ledger(String(values.state)),
  defaultFault: fault as FaultMode,
  processingMs: Number(values['processing-ms']),
  slowMs: Number(values['slow-ms']),
  terminalId: String(values['terminal-id']),
  merchantId: '200000000001056',
  crash: 'process' as const,
};

const mode = positionals[0] ?? 'serve';
if (mode === 'once') {
  await runOnce(opts);
  process.exit(0);
} else if (mode === 'serve') {
  const transport = String(values.transport);
  if (transport !== 'tcp' && transport !== 'http') {
    process.stderr.write('--transport must be tcp or http\n');
    process.exit(2);
  }
  const running = transport === 'tcp' ? await serveTcp(opts, Number(values.port)) : await serveHttp(opts, Number(values.port));
  process.stdout.write(`${JSON.stringify({ event: 'listening', transport, port: running.port, state: String(values.state) })}\n`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  process.stderr.write('usage: emulator:terminal [once|serve] [--transport tcp|http] [--port N] [--state DIR] [--fault MODE]\n');
  process.exit(2);
}
