// Electron shell: window, app:// protocol, IPC through the one validating dispatcher. Thin on
// purpose (it cannot run in CI here); the policy lives in security.ts and is unit-tested.
// The core (the same startCore + API session as the kiosk shell) runs in a utilityProcess, off the browser
// main thread (main/shell/core-host.ts); this process only moves envelopes. Quitting waits for the core.
import { app, BrowserWindow, ipcMain, Menu, protocol, screen, session, shell as electronShell, utilityProcess, type IpcMainInvokeEvent } from 'electron';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IPC_EVENT, IPC_INVOKE, type ApiResponse } from '../../contract/api';
import { describeError } from '../../errors/catalogue';
import { connectCoreHost, type CoreClient } from '../core-client';
import type { HostOutbound } from '../core-host';
import { contentSecurityPolicy } from '../csp';
import { APP_ORIGIN, APP_SCHEME, APP_URL, createWindowOptions, isAllowedNavigation, isPermissionAllowed, isTrustedSender, resolveAppFile } from './security';
import { openSecretVault } from './secrets';
import { electronFileOpener } from './open-file';
import { DISPLAY_PAGE, IPC_DISPLAY, type CustomerDisplayView } from '../../contract/display';
import type { DisplayWindow } from '../core-host';
import { chooseDisplay, displayWindowOptions } from './display-window';
import { browserNice, electronPidsToLower, lowerThreads } from '../browser-priority';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
  process.exit(0);
}

const dist = path.resolve(__dirname, '..');
const rendererDir = path.join(dist, 'renderer');
const preloadPath = path.join(dist, 'preload', 'index.cjs');
const displayPreloadPath = path.join(dist, 'preload', 'display.cjs');
const dataDir = path.resolve(process.env.PAYDESK_DATA ?? path.join(os.homedir(), '.paydesk'));
const configFile = path.resolve(process.env.PAYDESK_CONFIG ?? path.join(dataDir, 'paydesk.config.json'));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.map': 'application/json', '.woff2': 'font/woff2', '.wasm': 'application/wasm' };

let win: BrowserWindow | null = null;
/** The customer display (config customerDisplay): its own preload with no invoke; IPC from it is refused. */
let displayWin: BrowserWindow | null = null;
let displayView: CustomerDisplayView | null = null;
let displayScreen = -1;
let api: CoreClient | null = null;
let quitting = false;

app.on('second-instance', () => {
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

// Every web-contents: no navigation away, no new windows, no <webview>.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

async function handleInvoke(event: IpcMainInvokeEvent, method: unknown, input: unknown): Promise<ApiResponse> {
  const frame = event.senderFrame;
  // Only the till's own window may ask the core anything (the display window has no invoke; this is the second lock).
  if (!api || !frame || !win || event.sender !== win.webContents || !isTrustedSender(frame.url, frame === event.sender.mainFrame)) {
    return { ok: false, error: describeError('ipc.invalid', 'untrusted sender') };
  }
  return api.invoke(method, input);
}

function closeDisplayWindow(): void {
  if (displayWin && !displayWin.isDestroyed()) displayWin.destroy();
  displayWin = null;
}

/** Open, keep or close the customer display's window as the config says (hot-reloaded). */
function followDisplay(view: CustomerDisplayView, wanted: DisplayWindow): void {
  displayView = view;
  if (!wanted.enabled) {
    closeDisplayWindow();
    return;
  }
  if (displayWin && !displayWin.isDestroyed() && displayScreen === wanted.screen) {
    displayWin.webContents.send(IPC_DISPLAY, { display: view });
    return;
  }
  closeDisplayWindow(); // another monitor chosen in the config: a fresh window there
  displayScreen = wanted.screen;
  const target = chooseDisplay(screen.getAllDisplays(), screen.getPrimaryDisplay(), wanted.screen);
  const w = new BrowserWindow(displayWindowOptions(displayPreloadPath, target.bounds, target.id !== screen.getPrimaryDisplay().id));
  displayWin = w;
  w.on('closed', () => { if (displayWin === w) displayWin = null; });
  w.webContents.on('did-finish-load', () => { if (displayView) w.webContents.send(IPC_DISPLAY, { display: displayView }); });
  w.once('ready-to-show', () => w.showInactive());
  void w.loadURL(`${APP_ORIGIN}${DISPLAY_PAGE}`);
}

async function start(): Promise<void> {
  // No application menu on a till: its default accelerators (F11 full screen, Ctrl+R reload, DevTools)
  // would fight the till's own F-keys and let a cashier reload the UI mid-payment.
  Menu.setApplicationMenu(null);
  fs.mkdirSync(dataDir, { recursive: true });
  const vault = openSecretVault(path.join(dataDir, 'secrets.vault.json'));
  vault.exportToEnvironment();

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => callback(isPermissionAllowed(permission, details.requestingUrl, 'mediaTypes' in details ? details.mediaTypes ?? [] : undefined)));
  ses.setPermissionCheckHandler((_wc, permission, origin) => isPermissionAllowed(permission, origin));
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(rendererDir, request.url);
    if (!file) return new Response('forbidden', { status: 403 });
    try {
      const body = await fs.promises.readFile(file);
      return new Response(body, { headers: { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': contentSecurityPolicy(), 'X-Content-Type-Options': 'nosniff' } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });

  // The vault's secrets reach the core through its environment, never argv.
  const child = utilityProcess.fork(path.join(dist, 'main', 'core-host.cjs'), [], {
    serviceName: 'Paydesk core',
    env: { ...process.env, PAYDESK_CORE_HOST: '1', PAYDESK_DATA: dataDir, PAYDESK_CONFIG: configFile },
    stdio: 'inherit',
  });
  const client = connectCoreHost({
    post: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', (message: HostOutbound) => listener(message)),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
  }, async (file) => {
    // The journal (and so exports/) lives in the data folder; only files in there ever reach the OS viewer.
    await electronFileOpener((f) => electronShell.openPath(f), path.join(dataDir, 'exports'))(file);
  });
  api = client;
  client.onDisplay(followDisplay);
  await client.ready;
  ipcMain.handle(IPC_INVOKE, handleInvoke);

  win = new BrowserWindow(createWindowOptions(preloadPath, process.argv.includes('--fullscreen')));
  const target = win;
  const unsubscribe = api.subscribe((event) => {
    if (!target.isDestroyed()) target.webContents.send(IPC_EVENT, event);
  });
  target.on('closed', () => {
    closeDisplayWindow(); // the till's window gone: the app quits, the customer's screen with it
    unsubscribe();
    win = null;
  });
  target.once('ready-to-show', () => target.show());
  // The window's renderer and the GPU process below the core's priority, as the kiosk starts its browser
  // (main/shell/browser-priority.ts): at each load, so a renderer that was replaced is lowered again.
  target.webContents.on('did-finish-load', () => {
    const nice = browserNice(process.env);
    if (nice > 0) for (const pid of electronPidsToLower(app.getAppMetrics(), process.pid)) lowerThreads(pid, nice);
  });
  await target.loadURL(APP_URL);

  // Quit only after the core has closed its journal and connections (or a 10 s cap).
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void client.shutdown(10_000).finally(() => app.quit());
  });
}

app.on('window-all-closed', () => app.quit());
app.whenReady().then(start).catch((error: unknown) => {
  console.error(error);
  void electronShell.beep();
  app.exit(1);
});
