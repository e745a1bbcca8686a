// The Tochka emulator as a program (`npx tsx emulators/tochka/cli.ts`): a loopback API v2 server for demos and
// manual checks. Prints one JSON line with its URL, token and the public JWK to pin in tochka.webhookKeys.
//   --port N  --token T  --webhook-url URL  --webhook-interval-ms N  --auto-pay-ms N  --acquiring-off
import { parseArgs } from 'node:util';
import { TochkaEmulator } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '7321' },
    token: { type: 'string', default: 'test.jwt.token' },
    'webhook-url': { type: 'string' },
    'webhook-interval-ms': { type: 'string', default: '10000' },
    'auto-pay-ms': { type: 'string' },
    'acquiring-off': { type: 'boolean', default: false },
  },
});

const emulator = new TochkaEmulator({
  token: String(values.token),
  webhookUrl: values['webhook-url'] ?? null,
  webhookIntervalMs: Number(values['webhook-interval-ms']),
  autoPayAfterMs: values['auto-pay-ms'] === undefined ? null : Number(values['auto-pay-ms']),
  acquiringOff: values['acquiring-off'],
});
const url = await emulator.start(Number(values.port));
process.stdout.write(`${JSON.stringify({ event: 'listening', url, token: String(values.token), webhookKey: emulator.publicJwk() })}\n`);
const stop = () => void emulator.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
