// The kiosk core process (dist/main/kiosk-core.mjs), started and restarted by the supervisor
// (main/shell/kiosk/main.ts), which owns the till's port: while no core is ready the supervisor serves the page
// itself, and once this one is ready it hands over each new connection, and each WebSocket handshake it took
// meanwhile (docs/architecture.md "Start-up"). This entry is small (the front door: Node's own modules only);
// the core is a CommonJS bundle beside it (kiosk-core-shell.cjs), compiled with V8's code cache when the till
// has one (main/shell/kiosk/code-cache.ts).
import { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWithCodeCache } from './code-cache';
import { openFrontDoor } from './front-door';
import type * as Shell from './shell';
import { findRendererDir, isConnectionMessage, isLaunchRevokedMessage, isStartMessage, isUpgradeMessage, kioskPaths, type CoreMessage, type StartMessage } from './supervise';

const t0 = performance.now();

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const tell = (message: CoreMessage): void => {
  if (process.connected) process.send?.(message);
};

async function runCore(): Promise<void> {
  if (!process.send) throw new Error('kiosk-core runs under the kiosk supervisor: start dist/main/kiosk.mjs');
  const { dataDir, configFile } = kioskPaths(arg);
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Compiled and run first: the start message waits in the channel meanwhile, and nothing here needs it.
  const bundle = loadWithCodeCache(path.join(here, 'kiosk-core-shell.cjs'), path.join(dataDir, 'code-cache'));
  const { startKioskShell } = bundle.exports as typeof Shell;
  const loadedMs = performance.now() - t0;
  const message = await new Promise<StartMessage>((resolve, reject) => {
    process.once('message', (m: unknown) => (isStartMessage(m) ? resolve(m) : reject(new Error('bad start message'))));
    process.once('disconnect', () => reject(new Error('supervisor gone before start')));
  });
  const rendererDir = findRendererDir(here, arg('renderer'));
  const door = await openFrontDoor({
    rendererDir, port: message.port, listen: false, token: message.token, displayToken: message.displayToken,
    launch: message.launch, onLaunchUsed: () => tell({ type: 'launch-used' }),
  });
  process.on('message', (m: unknown, handle: unknown) => {
    if (isLaunchRevokedMessage(m)) door.revokeLaunch();
    if (!(handle instanceof Socket)) return;
    if (isConnectionMessage(m)) door.accept(handle);
    else if (isUpgradeMessage(m)) door.acceptUpgrade(handle, { method: m.method, url: m.url, headers: m.headers, head: Buffer.from(m.head, 'base64') });
    else handle.destroy();
  });
  const marks: Record<string, number> = { loaded: loadedMs, door: performance.now() - t0 };
  let stopping = false;
  let shutdown = async (): Promise<void> => {
    await door.close();
  };
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await shutdown();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop()); // the supervisor died: never leave an orphan core holding the journal

  const shell = await startKioskShell({
    configFile, dataDir, rendererDir, door, loopPriority: true,
    onError: (method, error) => console.error(`[api] ${method}:`, error instanceof Error ? error.message : error),
  });
  shutdown = () => shell.close();
  if (stopping) return;
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  console.log(`PAYDESK_KIOSK_READY ${JSON.stringify({ url: shell.server.url, ms, marks: { ...marks, ...shell.marks }, codeCache: bundle.cache, environment: shell.core.environment().mode })}`);
  // After the first ready start the cache holds what a start compiles; the next start skips that compiling.
  // A cache that cannot be written costs only speed: said once, never fatal.
  setImmediate(() => {
    try {
      bundle.save();
    } catch (error) {
      console.error(`Paydesk: кэш кода ядра не записан (касса работает, следующий запуск будет дольше): ${error instanceof Error ? error.message : String(error)}`);
    }
  });
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
}

runCore().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
