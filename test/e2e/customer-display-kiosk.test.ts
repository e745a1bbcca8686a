// The customer display's window as IT runs the kiosk (`node dist/main/kiosk.mjs`): the supervisor opens a second
// browser window for the display when the config says so, closes it when a config edit turns it off, opens it
// again (at the configured position) when turned on, and keeps it through a core restart (the page reconnects by
// itself with the same display token). The browser is a stand-in program that records how it was started
// (PAYDESK_BROWSER); the display's one-time launch address it got is then opened in Debian Chromium.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, ensureRendererBuilt, waitFor, writeConfig } from './harness';

let emulator: KoshelekEmulator;
let dir: string;
let configFile: string;
let launchLog: string;
let kiosk: ChildProcess;
let browser: Browser;
const lines: string[] = [];

interface Launch { pid: number; argv: string[] }
const events = (): ({ launched: Launch } | { ended: number })[] => (fs.existsSync(launchLog) ? fs.readFileSync(launchLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { launched: Launch } | { ended: number }) : []);
const launches = (): Launch[] => events().flatMap((e) => ('launched' in e ? [e.launched] : []));
const ended = (pid: number): boolean => events().some((e) => 'ended' in e && e.ended === pid);
const appUrl = (l: Launch): string => (l.argv.find((a) => a.startsWith('--app=')) ?? '').slice('--app='.length);
const displayLaunches = (): Launch[] => launches().filter((l) => new URL(appUrl(l)).pathname === '/display.html');
const corePids = (): number[] => lines.filter((l) => l.startsWith('PAYDESK_KIOSK_CORE ')).map((l) => (JSON.parse(l.slice(19)) as { pid: number }).pid);
const readyCount = (): number => lines.filter((l) => l.startsWith('PAYDESK_KIOSK_READY ')).length;

function editDisplay(section: Record<string, unknown>): void {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(configFile, `${JSON.stringify({ ...config, customerDisplay: section }, null, 2)}\n`);
}

beforeAll(async () => {
  ensureRendererBuilt();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--only=kiosk'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('kiosk build failed');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-display-kiosk-'));
  launchLog = path.join(dir, 'launches.jsonl');
  // The stand-in browser: records its argv, stays up until it is told to stop, records that too.
  const fake = path.join(dir, 'fake-browser.cjs');
  fs.writeFileSync(fake, `#!${process.execPath}
const fs = require('node:fs');
const log = ${JSON.stringify(launchLog)};
fs.appendFileSync(log, JSON.stringify({ launched: { pid: process.pid, argv: process.argv.slice(2) } }) + '\\n');
process.on('SIGTERM', () => { fs.appendFileSync(log, JSON.stringify({ ended: process.pid }) + '\\n'); process.exit(0); });
setInterval(() => undefined, 1000);
`, { mode: 0o755 });
  emulator = await startKoshelekEmulator({ confirmDelayMs: 300 });
  configFile = path.join(dir, 'paydesk.config.json');
  writeConfig(configFile, emulator, null, {}, { customerDisplay: { enabled: true } });
  kiosk = spawn(process.execPath, [path.join(ROOT, 'dist', 'main', 'kiosk.mjs'), '--config', configFile, '--data', path.join(dir, 'data')], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISPLAY: ':99', PAYDESK_BROWSER: fake },
  });
  readline.createInterface({ input: kiosk.stdout as NodeJS.ReadableStream }).on('line', (l) => lines.push(l));
  readline.createInterface({ input: kiosk.stderr as NodeJS.ReadableStream }).on('line', (l) => lines.push(l));
  await waitFor(() => readyCount() > 0, 20_000, 'kiosk ready');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (kiosk && kiosk.exitCode === null) {
    const exited = new Promise((r) => kiosk.once('exit', r));
    kiosk.kill('SIGTERM');
    await exited;
  }
  await emulator?.close().catch(() => undefined);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('customer display window (kiosk supervisor)', () => {
  it('opens a second window on its own profile with a one-time address worth only the display; the page shows the idle screen', async () => {
    await waitFor(() => displayLaunches().length === 1 && launches().length === 2, 10_000, 'two windows');
    const [shown] = displayLaunches();
    const till = launches().find((l) => l.pid !== shown?.pid) as Launch;
    expect(shown?.argv).toContain(`--user-data-dir=${path.join(dir, 'data', 'chromium-profile-display')}`);
    expect(till.argv).toContain(`--user-data-dir=${path.join(dir, 'data', 'chromium-profile')}`);
    const url = appUrl(shown as Launch);
    expect(url).toMatch(/#launch=/);
    expect(url).not.toMatch(/token=/);
    // The launch code stays off the supervisor's log.
    expect(lines.join('\n')).not.toContain(new URL(url).hash.slice(1));
    const page = await (await browser.newContext({ viewport: { width: 800, height: 600 } })).newPage();
    await page.goto(url);
    await expect.poll(() => page.getByTestId('display').getAttribute('data-state'), { timeout: 10_000 }).toBe('idle');

    // A core restart: the window is kept (no new launch) and the page reconnects by itself.
    const firstCore = corePids()[0] as number;
    process.kill(firstCore, 'SIGKILL');
    await waitFor(() => readyCount() === 2, 30_000, 'core restarted');
    await expect.poll(() => page.getByTestId('display').getAttribute('data-link'), { timeout: 15_000 }).toBe('open');
    expect(await page.getByTestId('display').getAttribute('data-state')).toBe('idle');
    expect(displayLaunches()).toHaveLength(1);
    await page.context().close();
  }, 60_000);

  it('a config edit turning it off closes the window; on again (with a position) opens a new one there', async () => {
    const first = displayLaunches()[0] as Launch;
    editDisplay({ enabled: false });
    await waitFor(() => ended(first.pid), 10_000, 'display window closed');
    expect(launches().filter((l) => l.pid !== first.pid).some((l) => ended(l.pid))).toBe(false); // the till's window stays
    editDisplay({ enabled: true, position: { x: 1024, y: 0 } });
    await waitFor(() => displayLaunches().length === 2, 10_000, 'display window reopened');
    expect(displayLaunches()[1]?.argv).toContain('--window-position=1024,0');
    expect(kiosk.exitCode).toBeNull();
  }, 30_000);
});
