// `npm run emulator -- --port 8787 [--tls] [--confirm-ms 1000] [--host 127.0.0.1] [--partner partner]
//   [--login emulator --password emulator] [--async-availability] [--postback-url URL --postback-login L --postback-password P]
//   [--print-arrivals]`
// Starts the Koshelek Pay emulator, prints the base URL, credentials and sample test cards, runs until SIGINT/SIGTERM.
// --print-arrivals prints `ARRIVAL {"seq","endpoint","requestId","arrivalNs"}` per API request (benchmarks wait on it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIO_CODES, startKoshelekEmulator, testCardBarcode, type ReceivedRequest } from './index';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    tls: { type: 'boolean', default: false },
    'confirm-ms': { type: 'string', default: '1000' },
    partner: { type: 'string', default: 'partner' },
    login: { type: 'string', default: 'emulator' },
    password: { type: 'string', default: 'emulator' },
    'async-availability': { type: 'boolean', default: false },
    'postback-url': { type: 'string' },
    'postback-login': { type: 'string', default: '' },
    'postback-password': { type: 'string', default: '' },
    'print-arrivals': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (values.help) {
  console.log('Usage: npm run emulator -- [--port 8787] [--host 127.0.0.1] [--tls] [--confirm-ms 1000] [--partner partner]\n'
    + '  [--login emulator] [--password emulator] [--async-availability] [--postback-url URL --postback-login L --postback-password P]\n'
    + '  [--print-arrivals]');
  process.exit(0);
}

const port = Number(values.port);
const confirmDelayMs = Number(values['confirm-ms']);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: bad value ${values.port}`);
if (!Number.isFinite(confirmDelayMs) || confirmDelayMs < 0) throw new Error(`--confirm-ms: bad value ${values['confirm-ms']}`);

const emu = await startKoshelekEmulator({
  host: values.host,
  port,
  tls: values.tls,
  confirmDelayMs,
  partner: values.partner,
  login: values.login,
  password: values.password,
  asyncAvailability: values['async-availability'],
  postback: values['postback-url'] ? { url: values['postback-url'], login: values['postback-login'], password: values['postback-password'] } : null,
  ...(values['print-arrivals'] ? {
    onReceived: (r: ReceivedRequest) => {
      process.stdout.write(`ARRIVAL ${JSON.stringify({ seq: r.seq, endpoint: r.endpoint, requestId: r.requestId, arrivalNs: r.arrivalNs.toString() })}\n`);
    },
  } : {}),
});

console.log(`Koshelek Pay emulator listening`);
console.log(`  base URL : ${emu.baseUrl}`);
console.log(`  login    : ${values.login}`);
console.log(`  password : ${values.password}`);
console.log(`  token    : any non-empty "token" header`);
if (emu.ca) {
  const caFile = path.join(os.tmpdir(), `koshelek-emulator-ca-${emu.port}.pem`);
  fs.writeFileSync(caFile, emu.ca);
  console.log(`  CA (PEM) : ${caFile}`);
}
const origin = new URL(emu.baseUrl).origin;
console.log(`  control  : ${origin}/__emulator/health | requests | faults | testcard?scenario=OK`);
console.log(`  test cards (valid ~30 s; fresh ones from ${origin}/__emulator/testcard?scenario=XX):`);
for (const sc of SCENARIO_CODES) console.log(`    ${sc}  ${testCardBarcode(sc)}`);

const stop = (): void => {
  console.log('\nstopping…');
  void emu.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
