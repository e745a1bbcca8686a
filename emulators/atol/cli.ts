// `npx tsx emulators/atol/cli.ts [--port 8788] [--login emulator --password emulator] [--group group-1] [--processing-ms 0]`
// Starts the ATOL Online v5 emulator on loopback, prints its base URL, runs until SIGINT/SIGTERM.
// Faults at run time: POST /__emulator/faults {"failFirst":3} (see docs/fiscal.md).
import { parseArgs } from 'node:util';
import { startAtolEmulator } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8788' },
    login: { type: 'string', default: 'emulator' },
    password: { type: 'string', default: 'emulator' },
    group: { type: 'string', default: 'group-1' },
    'processing-ms': { type: 'string', default: '0' },
  },
  strict: true,
});
const port = Number(values.port);
const processingMs = Number(values['processing-ms']);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: bad value ${values.port}`);
if (!Number.isFinite(processingMs) || processingMs < 0) throw new Error(`--processing-ms: bad value ${values['processing-ms']}`);
const emu = await startAtolEmulator({ port, login: values.login, password: values.password, groupCode: values.group, processingMs });
console.log(`ATOL Online v5 emulator: ${emu.baseUrl} (group ${values.group}); faults: POST ${emu.url}/__emulator/faults`);
const stop = (): void => {
  void emu.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
