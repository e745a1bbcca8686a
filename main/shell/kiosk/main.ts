// Kiosk shell entry (`npm start -- --kiosk`, or the fallback when the Electron binary is missing):
//   node dist/main/kiosk.mjs [--config file] [--data dir] [--port n] [--renderer dir] [--no-browser] [--fullscreen]
//
// Two processes. The supervisor (this file) picks the port and the per-start token once, runs
// the core + API + built renderer in a child process, and restarts the child whenever it dies; the
// open window's WebSocket reconnects by itself to the same port with the same token, and the core's
// recovery resumes what was in flight (docs/ui.md, "Core lost"). The token goes to the child over the
// IPC channel, never argv or the environment. The supervisor prints `PAYDESK_KIOSK_CORE {"pid":…}` for
// each core it starts and forwards the core's `PAYDESK_KIOSK_READY {"url":…,"ms":…}` line. The core is
// dist/main/kiosk-core.mjs (main/shell/kiosk/core-main.ts).
// Without a display (or when Chromium dies at once, e.g. as root) it says so and keeps serving the URL.
// The customer display (config customerDisplay) is a second Chromium window with its own profile, opened and
// closed on the core's `PAYDESK_CUSTOMER_DISPLAY {"enabled":…}` lines (hot-reloaded config); its token is the
// display's own (read-only stream), also chosen once here so the window survives a core restart.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
// zod/mini: the same validator, tree-shaken; the classic build would be ~98 % of this bundle and ~100 ms
// of every start (docs/architecture.md "Start-up").
import * as z from 'zod/mini';
import { fileURLToPath } from 'node:url';
import { browserCommand, browserNice, findNiceProgram, lowerThreads } from '../browser-priority';
import { BROWSER_QUICK_EXIT_MS, browserQuickExitReason, decideRestart, kioskPaths, noDisplayReason, type StartMessage } from './supervise';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

// ---- the supervisor -------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The core's announcement of the customer display (main/shell/kiosk/core-main.ts). */
const displayLineSchema = z.object({
  enabled: z.boolean(),
  position: z.nullable(z.object({ x: z.int(), y: z.int() })),
  launchUrl: z.nullable(z.string()),
});

function openBrowser(url: string, dataDir: string, fullscreen: boolean, onQuickExit: (reason: string) => void, onClosed: () => void, window: { profile: string; extra: string[] } = { profile: 'chromium-profile', extra: [] }): ChildProcess | null {
  const browser = process.env.PAYDESK_BROWSER ?? CHROMIUM_CANDIDATES.find((c) => fs.existsSync(c));
  if (!browser) {
    onQuickExit('Chromium не найден (PAYDESK_BROWSER не задан, /usr/bin/chromium нет)');
    return null;
  }
  const args = [`--app=${url}`, `--user-data-dir=${path.join(dataDir, window.profile)}`, '--no-first-run', '--disable-sync',
    '--disable-background-networking', '--disable-component-update', '--window-size=1024,768', ...window.extra, ...(fullscreen ? ['--kiosk'] : [])];
  const started = Date.now();
  // Below the core's priority, so the core is not waiting for a CPU while Chromium renders a press (docs/ui.md).
  const nice = browserNice(process.env);
  const command = browserCommand(browser, args, nice, findNiceProgram());
  const child = spawn(command.command, command.args, { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  if (!command.lowered && nice > 0 && child.pid !== undefined) lowerThreads(child.pid, nice);
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-4000); });
  child.on('error', (error) => onQuickExit(`Chromium не запустился: ${error.message}`));
  child.on('exit', (code, signal) => {
    if (Date.now() - started < BROWSER_QUICK_EXIT_MS) onQuickExit(browserQuickExitReason(code, signal, process.getuid?.() ?? null, tail));
    else onClosed();
  });
  return child;
}

async function supervise(): Promise<void> {
  const { dataDir } = kioskPaths(arg);
  const port = arg('port') ? Number(arg('port')) : await freePort();
  const token = crypto.randomBytes(32).toString('base64url');
  const displayToken = crypto.randomBytes(32).toString('base64url');
  // The core is its own bundle next to this one, so this small process starts in a few milliseconds.
  const coreEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kiosk-core.mjs');
  const childArgs = process.argv.slice(2);
  let core: ChildProcess | null = null;
  let stopping = false;
  let streak = 0;
  let browser: ChildProcess | null = null;
  let url: string | null = null;
  let display: { child: ChildProcess; key: string } | null = null;

  const closeDisplay = (): void => {
    if (display && display.child.exitCode === null) display.child.kill();
    display = null;
  };
  /** Open, keep or close the customer display's window as the core's latest announcement says. */
  const followDisplay = (line: string): void => {
    let parsed: z.infer<typeof displayLineSchema>;
    try {
      parsed = displayLineSchema.parse(JSON.parse(line));
    } catch {
      return;
    }
    if (!parsed.enabled || !parsed.launchUrl) {
      if (display) console.log('Paydesk: экран покупателя выключен в настройках — окно закрыто');
      closeDisplay();
      return;
    }
    const key = JSON.stringify(parsed.position);
    if (display && display.key === key && display.child.exitCode === null) return; // a restarted core: the window reconnects itself
    closeDisplay();
    if (flag('no-browser') || noDisplayReason(process.env, process.platform)) {
      console.log(`Paydesk: экран покупателя: откройте ${parsed.launchUrl} во втором окне Chromium (одноразовая ссылка)`);
      return;
    }
    const extra = parsed.position ? [`--window-position=${parsed.position.x},${parsed.position.y}`] : [];
    const child = openBrowser(parsed.launchUrl, dataDir, flag('fullscreen'), (reason) => console.log(`Paydesk: экран покупателя не открылся: ${reason}`), () => {
      console.log('Paydesk: окно экрана покупателя закрыто (касса работает; откроется снова при перезапуске или смене настройки)');
    }, { profile: 'chromium-profile-display', extra });
    if (child) display = { child, key };
  };

  const headless = (reason: string): void => {
    console.log(`Paydesk: ${reason}. Касса работает и ждёт: откройте этот адрес в Chromium на этом компьютере:`);
    console.log(`Paydesk kiosk: ${url ?? '(адрес появится, когда ядро запустится)'}`);
  };

  const startCoreChild = (): void => {
    const startedAt = Date.now();
    let ready = false;
    const child = spawn(process.execPath, [coreEntry, ...childArgs], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    core = child;
    console.log(`PAYDESK_KIOSK_CORE ${JSON.stringify({ pid: child.pid })}`);
    child.send({ type: 'start', port, token, displayToken } satisfies StartMessage);
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.startsWith('PAYDESK_CUSTOMER_DISPLAY ')) {
        followDisplay(line.slice('PAYDESK_CUSTOMER_DISPLAY '.length));
        return; // the launch code stays off the log
      }
      console.log(line);
      if (!line.startsWith('PAYDESK_KIOSK_READY ')) return;
      ready = true;
      const first = url === null;
      const readyInfo = JSON.parse(line.slice('PAYDESK_KIOSK_READY '.length)) as { url: string; launchUrl?: string };
      url = readyInfo.url;
      if (!first) {
        console.log('Paydesk: ядро кассы перезапущено; окно подключится само');
        return;
      }
      console.log(`Paydesk kiosk: ${url}  (open this exact URL; the token is valid until this process stops)`);
      if (flag('no-browser')) return;
      const noDisplay = noDisplayReason(process.env, process.platform);
      if (noDisplay) {
        headless(noDisplay);
        return;
      }
      // Chromium's command line is readable by every local user (/proc): it gets a one-time launch code, never the token.
      browser = openBrowser(readyInfo.launchUrl ?? url, dataDir, flag('fullscreen'), headless, () => {
        console.log('Paydesk: окно кассы закрыто — касса остановлена');
        void stop(0);
      });
    });
    child.on('exit', (code, signal) => {
      if (core === child) core = null;
      if (stopping) return;
      const decision = decideRestart({ wasReady: ready, ranMs: Date.now() - startedAt, streak });
      streak = decision.streak;
      const how = signal ? `signal ${signal}` : `code ${code ?? '?'}`;
      if (!decision.restart) {
        console.error(`Paydesk: the till core failed to start ${streak} times in a row (${how}); not restarting. Fix the problem above and start again.`);
        void stop(1);
        return;
      }
      console.error(`Paydesk: the till core stopped (${how}); restarting in ${decision.delayMs} ms`);
      setTimeout(() => { if (!stopping) startCoreChild(); }, decision.delayMs);
    });
  };

  async function stop(code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    const b = browser as ChildProcess | null;
    if (b && b.exitCode === null) b.kill();
    closeDisplay();
    const c = core as ChildProcess | null;
    if (c && c.exitCode === null) {
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    }
    process.exit(code);
  }
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  startCoreChild();
}

supervise().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
