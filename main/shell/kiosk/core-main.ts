// The kiosk core process (dist/main/kiosk-core.mjs), started and restarted by the supervisor
// (main/shell/kiosk/main.ts): core + API + built renderer on 127.0.0.1, on the port and with the token the
// supervisor sends over the IPC channel, so a restarted core is the same address for the open window.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKioskShell } from './shell';
import { isStartMessage, kioskPaths, type StartMessage } from './supervise';

const t0 = performance.now();

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function findRendererDir(explicit?: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [explicit, path.join(here, '..', 'renderer'), path.join(here, '..', '..', '..', 'dist', 'renderer')].filter((c): c is string => !!c);
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'index.html')));
  if (!found) throw new Error(`built renderer not found (tried ${candidates.join(', ')}); run npm run build`);
  return found;
}

async function runCore(): Promise<void> {
  if (!process.send) throw new Error('kiosk-core runs under the kiosk supervisor: start dist/main/kiosk.mjs');
  const message = await new Promise<StartMessage>((resolve, reject) => {
    process.once('message', (m: unknown) => (isStartMessage(m) ? resolve(m) : reject(new Error('bad start message'))));
    process.once('disconnect', () => reject(new Error('supervisor gone before start')));
  });
  const { dataDir, configFile } = kioskPaths(arg);
  const shell = await startKioskShell({
    configFile, dataDir, rendererDir: findRendererDir(arg('renderer')), port: message.port, token: message.token, displayToken: message.displayToken, loopPriority: true,
    onError: (method, error) => console.error(`[api] ${method}:`, error instanceof Error ? error.message : error),
  });
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  console.log(`PAYDESK_KIOSK_READY ${JSON.stringify({ url: shell.server.url, launchUrl: shell.server.launchUrl(), ms, marks: shell.marks, environment: shell.core.environment().mode })}`);
  // The customer display window (config customerDisplay, hot-reloaded): the supervisor opens / closes it on this line.
  let announced = '';
  const announceDisplay = (): void => {
    const settings = shell.core.config.current().customerDisplay;
    const key = JSON.stringify([settings.enabled, settings.position]);
    if (key === announced) return;
    announced = key;
    console.log(`PAYDESK_CUSTOMER_DISPLAY ${JSON.stringify({ enabled: settings.enabled, position: settings.position, launchUrl: settings.enabled ? shell.server.displayLaunchUrl() : null })}`);
  };
  announceDisplay();
  shell.core.config.onChange(announceDisplay);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await shell.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop()); // the supervisor died: never leave an orphan core holding the journal
}

runCore().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
