// Cold start of the kiosk shell: spawn `node dist/main/kiosk.mjs` → its READY line (config loaded, DB
// migrated, recovery done, Pay API connection warm, API attached) with the browser excluded, and with the
// browser included (Chromium headless through headlessBrowserWrapper, started beside the core): spawn → READY
// while Chromium starts on the same two cores, and spawn → the page's first API request, on an empty journal
// and on a realistic 1,000,000-operation journal (cached like the reports bench's). Goal ≤ 700 ms: recovery reads only unfinished operations, through
// operations_unfinished; pdfkit and serialport load at first use. BENCH_STARTUP_BEFORE=<older kiosk.mjs>
// adds the same runs of another build, interleaved, for a before/after ratio within one run.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKoshelekEmulator } from '../emulators/koshelek';
import { openJournal } from '../main/journal/database';
import { openFrontDoor } from '../main/shell/kiosk/front-door';
import { ensureBuilt, headlessBrowserWrapper, startKioskChild, writeConfig, type KioskChildOptions } from './lib/kiosk';
import { cachePath, captureTemplates, generateRealisticJournal } from './lib/realistic-journal';
import { summarize, writeResults } from './lib/results';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 10);
const BIG = Number(process.env.BENCH_STARTUP_OPS ?? 1_000_000);
const VERSION = 5;

async function bigDataDir(): Promise<string> {
  const dir = cachePath(`startup-v${VERSION}-${BIG}`);
  const file = path.join(dir, 'journal.db');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    console.log(`generating ${BIG.toLocaleString('en')} operations → ${file}`);
    generateRealisticJournal(await captureTemplates(), { file, total: BIG, perShift: 10_000 });
  }
  // A journal cached by an earlier build is migrated here, outside the timed starts: the one-time upgrade of a
  // 1M-operation journal (a backup by VACUUM INTO, then e.g. migration 0012's lines) is not what start-up measures.
  const backups = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-bench-startup-backup-'));
  openJournal(file, { backupDir: backups }).close();
  fs.rmSync(backups, { recursive: true, force: true });
  return dir;
}

/**
 * The floor of "browser included" in the same run: Chromium alone (no core, nothing else starting), started as the
 * kiosk starts it, loading the built page from a front door in this process and trading its launch code: spawn →
 * the page's WebSocket handshake, which is where the kiosk's page would make its first API request.
 */
async function chromiumAlone(browserProgram: string, profileDir: string): Promise<number> {
  const code = crypto.randomBytes(24).toString('base64url');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const door = await openFrontDoor({ rendererDir: path.join(root, 'dist', 'renderer'), port: 0, listen: true, launch: { code, expiresAt: Date.now() + 60_000 } });
  let upgradedAt = 0;
  const upgraded = new Promise<void>((resolve) => door.attach({
    hasDisplay: false,
    upgrade: (_req, socket) => {
      upgradedAt = performance.now();
      socket.destroy();
      resolve();
    },
    close: () => undefined,
  }));
  const t0 = performance.now();
  const child = spawn(browserProgram, [`--app=${door.origin}/#launch=${code}`, `--user-data-dir=${profileDir}`, '--no-first-run', '--disable-sync',
    '--disable-background-networking', '--disable-component-update', '--window-size=1024,768'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await Promise.race([upgraded, new Promise((_, reject) => setTimeout(() => reject(new Error('Chromium alone: no WebSocket in 15 s')), 15_000))]);
  child.kill();
  await exited;
  await door.close();
  return upgradedAt - t0;
}

ensureBuilt();
const emulator = await startKoshelekEmulator({});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-bench-startup-'));
const configFile = path.join(dir, 'paydesk.config.json');
writeConfig(configFile, emulator);
const big = await bigDataDir();
const BEFORE = process.env.BENCH_STARTUP_BEFORE;
const browser = headlessBrowserWrapper(dir);
const once = async (dataDir: string, options: KioskChildOptions = {}) => {
  const kiosk = await startKioskChild(dataDir, configFile, options);
  const firstApi = options.browser ? await kiosk.firstApiMs() : 0;
  await kiosk.stop();
  return { ...kiosk, firstApi };
};
await once(path.join(dir, 'warm-up')); // page cache for node and the bundle
await once(big);
const empty: number[] = [];
const emptyFresh: number[] = [];
const large: number[] = [];
const largeSelf: number[] = [];
const emptyBrowser: number[] = [];
const largeBrowser: number[] = [];
const emptyBrowserReady: number[] = [];
const largeBrowserReady: number[] = [];
const emptyBrowserBefore: number[] = [];
const floorBrowser: number[] = [];
const floorBrowserWarm: number[] = [];
await chromiumAlone(browser, path.join(dir, 'floor-warm')); // its profile, as a till's is after the first start
const emptyBefore: number[] = [];
const largeBefore: number[] = [];
await once(path.join(dir, 'warm-up'), { browser }); // page cache for Chromium
for (let i = 0; i < RUNS; i += 1) {
  const fresh = path.join(dir, `fresh-${i}`);
  emptyFresh.push((await once(fresh)).wallMs);
  empty.push((await once(fresh)).wallMs);
  const b = await once(big);
  large.push(b.wallMs);
  largeSelf.push(b.selfMs);
  const eb = await once(fresh, { browser });
  emptyBrowser.push(eb.firstApi);
  emptyBrowserReady.push(eb.wallMs);
  floorBrowser.push(await chromiumAlone(browser, path.join(dir, `floor-${i}`)));
  floorBrowserWarm.push(await chromiumAlone(browser, path.join(dir, 'floor-warm')));
  const lb = await once(big, { browser });
  largeBrowser.push(lb.firstApi);
  largeBrowserReady.push(lb.wallMs);
  if (BEFORE) {
    emptyBefore.push((await once(fresh, { bundle: BEFORE })).wallMs);
    largeBefore.push((await once(big, { bundle: BEFORE })).wallMs);
    emptyBrowserBefore.push((await once(fresh, { bundle: BEFORE, browser })).firstApi);
  }
}
await emulator.close();
fs.rmSync(dir, { recursive: true, force: true });
const ops = BIG.toLocaleString('en');
writeResults('startup', [
  summarize('spawn → ready, new data dir (DB created + migrated)', emptyFresh, { goal_ms: 700 }),
  summarize('spawn → ready, empty journal', empty, { goal_ms: 700 }),
  summarize(`spawn → ready, ${ops}-operation journal`, large, { goal_ms: 700, journal_bytes: fs.statSync(path.join(big, 'journal.db')).size }),
  summarize(`ready as measured inside the core process (from its entry module, the core chunk's load included), ${ops}-operation journal`, largeSelf, { goal_ms: 700 }),
  summarize('spawn → first API request from the page, browser included, empty journal', emptyBrowser, { goal_ms: 700, browser: 'Chromium headless (bench/lib/kiosk.ts headlessBrowserWrapper)' }),
  summarize(`spawn → first API request from the page, browser included, ${ops}-operation journal`, largeBrowser, { goal_ms: 700 }),
  summarize('floor, same run: Chromium alone (no core) spawn → its page\'s WebSocket handshake, new profile (as the empty-journal starts)', floorBrowser, { browser: 'Chromium headless, nothing else starting' }),
  summarize('floor, same run: Chromium alone (no core) spawn → its page\'s WebSocket handshake, profile used before (as the 1M-journal starts)', floorBrowserWarm),
  summarize('spawn → ready, browser included (starting beside the core), empty journal', emptyBrowserReady, { goal_ms: 700 }),
  summarize(`spawn → ready, browser included (starting beside the core), ${ops}-operation journal`, largeBrowserReady, { goal_ms: 700 }),
  ...(BEFORE ? [
    summarize('before (BENCH_STARTUP_BEFORE build): spawn → ready, empty journal', emptyBefore, { bundle: BEFORE }),
    summarize(`before (BENCH_STARTUP_BEFORE build): spawn → ready, ${ops}-operation journal`, largeBefore, { bundle: BEFORE }),
    summarize('before (BENCH_STARTUP_BEFORE build): spawn → first API request from the page, browser included, empty journal', emptyBrowserBefore, { bundle: BEFORE }),
  ] : []),
], {
  browser: 'excluded (--no-browser) unless the variant says included',
  load: `loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores (shared machine)`,
});
