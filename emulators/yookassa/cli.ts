// `npx tsx emulators/yookassa/cli.ts [--port 8789] [--shop-id shop-1 --secret-key secret] [--processing-ms 0]`
// Starts the ЮKassa receipts emulator on loopback, prints its base URL, runs until SIGINT/SIGTERM.
// Faults at run time: POST /__emulator/faults {"processingCount":2} (see docs/fiscal.md).
import { parseArgs } from 'node:util';
import { startYookassaEmulator } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8789' },
    'shop-id': { type: 'string', default: 'shop-1' },
    'secret-key': { type: 'string', default: 'secret' },
    'processing-ms': { type: 'string', default: '0' },
  },
  strict: true,
});
const port = Number(values.port);
const processingMs = Number(values['processing-ms']);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: bad value ${values.port}`);
if (!Number.isFinite(processingMs) || processingMs < 0) throw new Error(`--processing-ms: bad value ${values['processing-ms']}`);
const emu = await startYookassaEmulator({ port, shopId: values['shop-id'], secretKey: values['secret-key'], processingMs });
console.log(`ЮKassa receipts emulator: ${emu.baseUrl}; faults: POST ${emu.url}/__emulator/faults`);
const stop = (): void => {
  void emu.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
