// Kiosk shell entry (`npm start -- --kiosk`, or the fallback when the Electron binary is missing):
// core + API + built renderer on 127.0.0.1, then Chromium in --app mode when it is installed.
//   node dist/main/kiosk.mjs [--config file] [--data dir] [--port n] [--renderer dir] [--no-browser] [--fullscreen]
// Prints one line `PAYDESK_KIOSK_READY {"url":…,"ms":…}` when the till is ready (config loaded, DB
// migrated, connection warm, server listening).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKioskShell } from './shell';

const t0 = performance.now();

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

function findRendererDir(explicit?: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [explicit, path.join(here, '..', 'renderer'), path.join(here, '..', '..', '..', 'dist', 'renderer')].filter((c): c is string => !!c);
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'index.html')));
  if (!found) throw new Error(`built renderer not found (tried ${candidates.join(', ')}); run npm run build`);
  return found;
}

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

function openBrowser(url: string, dataDir: string, fullscreen: boolean): ChildProcess | null {
  const browser = process.env.PAYDESK_BROWSER ?? CHROMIUM_CANDIDATES.find((c) => fs.existsSync(c));
  if (!browser) return null;
  const args = [`--app=${url}`, `--user-data-dir=${path.join(dataDir, 'chromium-profile')}`, '--no-first-run', '--disable-sync',
    '--disable-background-networking', '--disable-component-update', '--window-size=1024,768', ...(fullscreen ? ['--kiosk'] : [])];
  const child = spawn(browser, args, { stdio: 'ignore', detached: false });
  child.on('error', () => undefined);
  return child;
}

async function main(): Promise<void> {
  const dataDir = path.resolve(arg('data') ?? process.env.PAYDESK_DATA ?? path.join(os.homedir(), '.paydesk'));
  fs.mkdirSync(dataDir, { recursive: true });
  const configFile = path.resolve(arg('config') ?? process.env.PAYDESK_CONFIG ?? path.join(dataDir, 'paydesk.config.json'));
  const port = arg('port') ? Number(arg('port')) : 0;
  const shell = await startKioskShell({
    configFile, dataDir, rendererDir: findRendererDir(arg('renderer')), port,
    onError: (method, error) => console.error(`[api] ${method}:`, error instanceof Error ? error.message : error),
  });
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  console.log(`PAYDESK_KIOSK_READY ${JSON.stringify({ url: shell.server.url, ms, marks: shell.marks, environment: shell.core.environment().mode })}`);
  console.log(`Paydesk kiosk: ${shell.server.url}  (open this exact URL; the token is valid until this process stops)`);
  // Chromium's command line is readable by every local user (/proc): it gets a one-time launch code, never the token.
  const browser = flag('no-browser') ? null : openBrowser(shell.server.launchUrl(), dataDir, flag('fullscreen'));
  if (browser) browser.on('exit', () => void stop());
  let stopping = false;
  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    if (browser && browser.exitCode === null) browser.kill();
    await shell.close();
    process.exit(0);
  }
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
