// Runs the Yandex ID emulator on loopback: `tsx emulators/yandex-id/cli.ts --port 8790 --client-id paydesk
// --client-secret s3cret --user 1:admin`. Approve a code with
// `curl -XPOST 127.0.0.1:8790/_control/approve -d '{"user_code":"…","login":"admin"}'`.
import { parseArgs } from 'node:util';
import { startYandexIdEmulator } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    'client-id': { type: 'string', default: 'paydesk-emulator' },
    'client-secret': { type: 'string', default: 'emulator-secret' },
    user: { type: 'string', multiple: true, default: ['1001:admin', '1002:root'] },
    interval: { type: 'string', default: '5' },
    'expires-in': { type: 'string', default: '600' },
  },
});

const emulator = await startYandexIdEmulator({
  port: Number(values.port),
  clientId: values['client-id'],
  clientSecret: values['client-secret'],
  intervalSec: Number(values.interval),
  expiresInSec: Number(values['expires-in']),
  users: values.user.map((u) => {
    const [id = '', login = ''] = u.split(':');
    return { id, login };
  }),
});
process.stdout.write(`Yandex ID emulator on ${emulator.url} (control: POST /_control/approve|deny|expire, GET /_control/codes)\n`);
const stop = (): void => void emulator.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
