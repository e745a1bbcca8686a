// E2E harness: the real kiosk shell (in-process) over the real core, a temp SQLite data dir, a temp
// config with short timings, the Koshelek emulator on loopback, a socat pty pair as the serial
// scanner, and Debian's Chromium driven by playwright-core at 1024×768.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { startKioskShell, type KioskShell } from '../../main/shell/kiosk/shell';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');
export const CHROMIUM = process.env.PAYDESK_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Build the renderer once per run when sources are newer than the bundle. */
export function ensureRendererBuilt(): string {
  const dir = path.join(ROOT, 'dist', 'renderer');
  const stamp = path.join(dir, 'index.html');
  const newest = (d: string): number => fs.readdirSync(d, { withFileTypes: true }).reduce((m, e) => {
    const p = path.join(d, e.name);
    return Math.max(m, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }, 0);
  const sources = Math.max(newest(path.join(ROOT, 'renderer')), newest(path.join(ROOT, 'main', 'contract')));
  if (!fs.existsSync(stamp) || fs.statSync(stamp).mtimeMs < sources) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--only=renderer'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('renderer build failed');
  }
  return dir;
}

export interface PtyPair {
  /** The end the till opens as its serial scanner. */
  device: string;
  /** Write barcodes here (what a scanner would send). */
  feeder: string;
  close(): void;
}

export async function startPty(dir: string): Promise<PtyPair> {
  const device = path.join(dir, 'ttyScanner');
  const feeder = path.join(dir, 'ttyFeeder');
  const proc: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${feeder}`], { stdio: 'ignore' });
  const t0 = Date.now();
  while (!(fs.existsSync(device) && fs.existsSync(feeder))) {
    if (Date.now() - t0 > 5000) throw new Error('socat pty did not come up');
    await new Promise((r) => setTimeout(r, 20));
  }
  return { device, feeder, close: () => { proc.kill('SIGTERM'); } };
}

export function writeConfig(file: string, emulator: KoshelekEmulator, scannerPath: string | null, timing: Record<string, number> = {}, extra: Record<string, unknown> = {}): void {
  const config = {
    till: { terminalId: 'POS-E2E', storeId: 'e2e-store', storeName: 'Тестовый магазин', language: 'ru' },
    koshelek: {
      // The emulator environment pointed at the loopback emulator: the test cards carry its public TOTP key,
      // which a test/production till refuses (docs/safety.md).
      login: 'emulator', password: 'emulator', environment: 'emulator',
      baseUrls: { emulator: emulator.baseUrl },
      timing: { finalStatusTimeoutMs: 2500, firstPollMs: 250, pollIntervalMs: 250, retryDelayMs: 50, keepAliveRefreshMs: 2000, ...timing },
    },
    // Playwright sends each key only after the page handled the previous one, so a slow re-render
    // stretches the gaps a real scanner would not have; allow 120 ms between keys in the tests.
    scanner: { ...(scannerPath ? { serial: { enabled: true, path: scannerPath, suffix: 'CR' } } : {}), wedge: { maxInterKeyMs: 120 } },
    // Further top-level sections (e.g. a card terminal's): a test adds what it needs.
    ...extra,
  };
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
}

export interface Till {
  dir: string;
  configFile: string;
  emulator: KoshelekEmulator;
  pty: PtyPair | null;
  shell: KioskShell;
  browser: Browser;
  page: Page;
  /** Send a barcode through the pty like a serial scanner (CR suffix). */
  serialScan(barcode: string): void;
  /** Type a barcode into the page like a keyboard-wedge scanner (fast keys + Enter). */
  wedgeScan(barcode: string): Promise<void>;
  screenshot(name: string): Promise<string>;
  /** Stop the shell (and its core) as a crash or power cut would leave it, start it again on the same data, reload the page. */
  restartShell(): Promise<void>;
  close(): Promise<void>;
}

export interface TillOptions {
  serial?: boolean;
  confirmDelayMs?: number;
  timing?: Record<string, number>;
  page?: boolean;
  /** Further top-level config sections (e.g. `terminal`). */
  config?: Record<string, unknown>;
}

export async function startTill(options: TillOptions = {}): Promise<Till> {
  const rendererDir = ensureRendererBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-e2e-'));
  const configFile = path.join(dir, 'paydesk.config.json');
  const emulator = await startKoshelekEmulator({ confirmDelayMs: options.confirmDelayMs ?? 400 });
  const pty = options.serial === false ? null : await startPty(dir);
  writeConfig(configFile, emulator, pty?.device ?? null, options.timing, options.config);
  let shell = await startKioskShell({ configFile, dataDir: path.join(dir, 'data'), rendererDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'ru-RU' });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.error('[console]', m.text()); });
  if (options.page !== false) {
    await page.goto(shell.server.url);
    await page.getByTestId('status-env').waitFor();
  }
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const till: Till = {
    dir, configFile, emulator, pty, shell, browser, page,
    serialScan(barcode) {
      if (!pty) throw new Error('no serial pty');
      fs.writeFileSync(pty.feeder, `${barcode}\r`);
    },
    async wedgeScan(barcode) {
      // Like a HID scanner: physical US-layout keys, Shift held for capitals, a few ms apart, then Enter.
      for (const ch of barcode) {
        const code = /[a-z]/i.test(ch) ? `Key${ch.toUpperCase()}` : /\d/.test(ch) ? `Digit${ch}` : ch;
        await page.keyboard.press(/[A-Z]/.test(ch) ? `Shift+${code}` : code);
      }
      await page.keyboard.press('Enter');
    },
    async screenshot(name) {
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async restartShell() {
      await shell.close();
      shell = await startKioskShell({ configFile, dataDir: path.join(dir, 'data'), rendererDir });
      till.shell = shell;
      await page.goto('about:blank');
      await page.evaluate(() => sessionStorage.clear()).catch(() => undefined);
      await page.goto(shell.server.url);
      await page.getByTestId('status-env').waitFor();
    },
    async close() {
      await browser.close().catch(() => undefined);
      await shell.close().catch(() => undefined);
      pty?.close();
      await emulator.close().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return till;
}

export async function waitFor<T>(fn: () => T | undefined | null | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
