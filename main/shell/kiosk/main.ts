// Kiosk shell entry (`npm start -- --kiosk`, or the fallback when the Electron binary is missing):
//   node dist/main/kiosk.mjs [--config file] [--data dir] [--port n] [--renderer dir] [--no-browser] [--fullscreen]
//
// Two processes. The supervisor (this file) owns the till's port, the per-start token and the window's
// one-time launch code, runs the core + API in a child process, and restarts the child whenever it dies.
// The window starts beside the core rather than after it (docs/architecture.md "Start-up"): while no core is
// ready the supervisor's own front door serves the page and trades the launch code, one request per
// connection, and holds the page's WebSocket handshake; once a core is ready every new connection is accepted
// paused and handed to it whole, and the held handshakes follow. A page opened while a core restarts is
// served all the same; the open window's WebSocket reconnects by itself with the same token, and the core's
// recovery resumes what was in flight (docs/ui.md, "Core lost"). The token and the code go to
// the child over the IPC channel, never argv or the environment. The supervisor prints
// `PAYDESK_KIOSK_CORE {"pid":…,"at":…}` for each core it starts and forwards the core's
// `PAYDESK_KIOSK_READY {"url":…,"ms":…}` line. The core is dist/main/kiosk-core.mjs (main/shell/kiosk/core-main.ts).
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
import { openFrontDoor, type AttachedApi, type FrontDoor } from './front-door';
import { BROWSER_QUICK_EXIT_MS, browserQuickExitReason, decideRestart, findRendererDir, isCoreMessage, kioskPaths, MAX_UPGRADE_BYTES, noDisplayReason, type ConnectionMessage, type StartMessage, type UpgradeMessage } from './supervise';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

// ---- the supervisor -------------------------------------------------------------------------------

/** How long the window's launch code is good for: the page trades it within a second of loading. */
const LAUNCH_TTL_MS = 60_000;

/** The till's port, owned here: every connection is accepted paused, so no byte is read before a core takes it. */
async function listenPaused(port: number, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer({ pauseOnConnect: true }, onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
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
  const requested = arg('port') === undefined ? 0 : Number(arg('port'));
  if (!Number.isInteger(requested) || requested < 0 || requested > 65_535) throw new Error(`Paydesk: --port ${arg('port') ?? ''}: это не номер порта (0–65535)`);
  // The core is its own bundle next to this one. The first one starts before anything else here: its Node start
  // and compiling overlap the port, the door and the window (it waits for its start message only when loaded).
  const coreEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kiosk-core.mjs');
  const childArgs = process.argv.slice(2);
  const spawnCore = (): SpawnedCore => ({ child: spawn(process.execPath, [coreEntry, ...childArgs], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }), at: Math.round(performance.now()) });
  const firstCore = spawnCore();
  try {
    await superviseWith(firstCore, spawnCore, requested);
  } catch (error) {
    firstCore.child.kill('SIGKILL'); // it never got its start message: nothing of it to keep
    throw error;
  }
}

/** A core process, and when it was started (ms since this process started). */
interface SpawnedCore { child: ChildProcess; at: number }

async function superviseWith(firstCore: SpawnedCore, spawnCore: () => SpawnedCore, requested: number): Promise<void> {
  const { dataDir } = kioskPaths(arg);
  const token = crypto.randomBytes(32).toString('base64url');
  const displayToken = crypto.randomBytes(32).toString('base64url');
  // The window's one-time code, handed to each core until one reports it traded (then it is worth nothing).
  let launch: StartMessage['launch'] | null = { code: crypto.randomBytes(24).toString('base64url'), expiresAt: Date.now() + LAUNCH_TTL_MS };
  let core: ChildProcess | null = null;
  /** The core that serves connections now (it printed READY); null while one starts or restarts. */
  let serving: ChildProcess | null = null;
  let stopping = false;
  let streak = 0;
  let browser: ChildProcess | null = null;
  let url: string | null = null;
  let display: { child: ChildProcess; key: string } | null = null;

  /** What the supervisor's door hands a ready core: each WebSocket handshake it parsed, with its socket. */
  const forwardTo = (to: ChildProcess): AttachedApi => ({
    hasDisplay: true, // the core decides: it checks every handshake again
    upgrade(req, socket, head) {
      const message: UpgradeMessage = { type: 'upgrade', method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers } as UpgradeMessage['headers'], head: head.toString('base64') };
      if (!(socket instanceof net.Socket) || JSON.stringify(message).length > MAX_UPGRADE_BYTES) {
        socket.destroy();
        return;
      }
      to.send(message, socket, (error) => {
        if (error) socket.destroy();
      });
    },
    close: () => undefined,
  });
  const doorRef: { door?: FrontDoor } = {};
  const handOver = (socket: net.Socket): void => {
    const door = doorRef.door;
    if (stopping || !door) { // (the door is open before the first connection can be accepted)
      socket.destroy();
      return;
    }
    const to = serving;
    if (!to?.connected) {
      door.accept(socket);
      return;
    }
    // The socket moves to the core (ours is closed once sent); if the core died meanwhile the page reconnects.
    to.send({ type: 'connection' } satisfies ConnectionMessage, socket, (error) => {
      if (error) socket.destroy();
    });
  };
  let listener: net.Server;
  try {
    listener = await listenPaused(requested, handOver);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`Paydesk: порт ${requested} уже занят другой программой: укажите другой (--port) или остановите её`, { cause: error });
    throw error;
  }
  listener.on('error', (error) => console.error(`Paydesk: порт кассы: ${error.message}`));
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : requested;

  // The supervisor's door: the page, and the launch code, while no core is ready.
  const door = await openFrontDoor({
    rendererDir: findRendererDir(path.dirname(fileURLToPath(import.meta.url)), arg('renderer')), port, listen: false, token, displayToken,
    launch: launch ?? undefined, oneRequestPerConnection: true,
    onLaunchUsed: () => {
      launch = null;
      if (core?.connected) core.send({ type: 'launch-revoked' }, undefined, undefined, () => undefined); // a core that died meanwhile has nothing to forget
    },
  });
  doorRef.door = door; // no core is ready yet: the door holds the page's WebSocket handshakes until one is

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

  const startCoreChild = (prespawned?: SpawnedCore): void => {
    const startedAt = Date.now();
    let ready = false;
    const { child, at } = prespawned ?? spawnCore();
    core = child;
    // `at`: ms since this process started, when the core was (the start-up bench reads it).
    console.log(`PAYDESK_KIOSK_CORE ${JSON.stringify({ pid: child.pid, at })}`);
    if (launch && launch.expiresAt <= Date.now()) launch = null;
    // A send to a core that has just died fails with EPIPE: its exit handler below restarts it, so the error is only said.
    child.on('error', (error) => console.error(`Paydesk: the till core: ${error.message}`));
    if (child.connected) child.send({ type: 'start', port, token, displayToken, ...(launch ? { launch } : {}) } satisfies StartMessage);
    child.on('message', (m: unknown) => {
      if (!isCoreMessage(m)) return;
      launch = null; // traded at the core's door
      door.revokeLaunch();
    });
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.startsWith('PAYDESK_CUSTOMER_DISPLAY ')) {
        followDisplay(line.slice('PAYDESK_CUSTOMER_DISPLAY '.length));
        return; // the launch code stays off the log
      }
      console.log(line);
      if (!line.startsWith('PAYDESK_KIOSK_READY ')) return;
      ready = true;
      if (core === child) {
        serving = child;
        door.attach(forwardTo(child));
      }
      const first = url === null;
      url = (JSON.parse(line.slice('PAYDESK_KIOSK_READY '.length)) as { url: string }).url;
      if (!first) {
        console.log('Paydesk: ядро кассы перезапущено; окно подключится само');
        return;
      }
      console.log(`Paydesk kiosk: ${url}  (open this exact URL; the token is valid until this process stops)`);
      const noDisplay = flag('no-browser') ? null : noDisplayReason(process.env, process.platform);
      if (noDisplay) headless(noDisplay);
    });
    const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (core === child) core = null;
      if (serving === child) {
        serving = null;
        door.detach();
      }
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
    };
    // The first core was started a moment before this: it may (in theory) have ended already.
    if (child.exitCode !== null || child.signalCode !== null) exited(child.exitCode, child.signalCode);
    else child.on('exit', exited);
  };

  async function stop(code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    const b = browser as ChildProcess | null;
    if (b && b.exitCode === null) b.kill();
    closeDisplay();
    listener.close();
    await door.close();
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
  startCoreChild(firstCore);
  // The window starts beside the core: its page is served as soon as the core accepts, and its WebSocket
  // waits for the core to be ready. Chromium's command line is readable by every local user (/proc): it gets
  // the one-time launch code, never the token.
  if (!flag('no-browser') && launch && !noDisplayReason(process.env, process.platform)) {
    browser = openBrowser(`http://127.0.0.1:${port}/#launch=${launch.code}`, dataDir, flag('fullscreen'), headless, () => {
      console.log('Paydesk: окно кассы закрыто — касса остановлена');
      void stop(0);
    });
  }
}

supervise().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
