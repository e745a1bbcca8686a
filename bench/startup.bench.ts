// Cold start of the kiosk shell: spawn `node dist/main/kiosk.mjs` → its READY line (config loaded, DB
// migrated, recovery done, Pay API connection warm, HTTP server listening) with the browser excluded,
// and spawn → the page's first API request with the browser included (Chromium headless through
// headlessBrowserWrapper), on an empty journal and on a realistic 1,000,000-operation journal (cached
// like the reports bench's). Goal ≤ 700 ms: recovery reads only unfinished operations, through
// operations_unfinished; pdfkit and serialport load at first use. BENCH_STARTUP_BEFORE=<older kiosk.mjs>
// adds the same runs of another build, interleaved, for a before/after ratio within one run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKoshelekEmulator } from '../emulators/koshelek';
import { openJournal } from '../main/journal/database';
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
  emptyBrowser.push((await once(fresh, { browser })).firstApi);
  largeBrowser.push((await once(big, { browser })).firstApi);
  if (BEFORE) {
    emptyBefore.push((await once(fresh, { bundle: BEFORE })).wallMs);
    largeBefore.push((await once(big, { bundle: BEFORE })).wallMs);
  }
}
await emulator.close();
fs.rmSync(dir, { recursive: true, force: true });
const ops = BIG.toLocaleString('en');
writeResults('startup', [
  summarize('spawn → ready, new data dir (DB created + migrated)', emptyFresh, { goal_ms: 700 }),
  summarize('spawn → ready, empty journal', empty, { goal_ms: 700 }),
  summarize(`spawn → ready, ${ops}-operation journal`, large, { goal_ms: 700, journal_bytes: fs.statSync(path.join(big, 'journal.db')).size }),
  summarize(`ready as measured inside the process, ${ops}-operation journal`, largeSelf, { goal_ms: 700 }),
  summarize('spawn → first API request from the page, browser included, empty journal', emptyBrowser, { goal_ms: 700, browser: 'Chromium headless (bench/lib/kiosk.ts headlessBrowserWrapper)' }),
  summarize(`spawn → first API request from the page, browser included, ${ops}-operation journal`, largeBrowser, { goal_ms: 700 }),
  ...(BEFORE ? [
    summarize('before (BENCH_STARTUP_BEFORE build): spawn → ready, empty journal', emptyBefore, { bundle: BEFORE }),
    summarize(`before (BENCH_STARTUP_BEFORE build): spawn → ready, ${ops}-operation journal`, largeBefore, { bundle: BEFORE }),
  ] : []),
], {
  browser: 'excluded (--no-browser) unless the variant says included',
  load: `loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores (shared machine)`,
});
