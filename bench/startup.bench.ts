// Cold start of the kiosk shell (browser excluded): spawn `node dist/main/kiosk.mjs` → its READY line
// (config loaded, DB migrated, recovery done, Pay API connection warm, HTTP server listening), on an
// empty journal and on a realistic 1,000,000-operation journal (cached like the reports bench's).
// Goal ≤ 700 ms on both: recovery reads only unfinished operations, through operations_unfinished.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKoshelekEmulator } from '../emulators/koshelek';
import { ensureBuilt, startKioskChild, writeConfig } from './lib/kiosk';
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
  return dir;
}

ensureBuilt();
const emulator = await startKoshelekEmulator({});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-bench-startup-'));
const configFile = path.join(dir, 'paydesk.config.json');
writeConfig(configFile, emulator);
const big = await bigDataDir();
const once = async (dataDir: string) => {
  const kiosk = await startKioskChild(dataDir, configFile);
  await kiosk.stop();
  return kiosk;
};
await once(path.join(dir, 'warm-up')); // page cache for node and the bundle
await once(big);
const empty: number[] = [];
const emptyFresh: number[] = [];
const large: number[] = [];
const largeSelf: number[] = [];
for (let i = 0; i < RUNS; i += 1) {
  const fresh = path.join(dir, `fresh-${i}`);
  emptyFresh.push((await once(fresh)).wallMs);
  empty.push((await once(fresh)).wallMs);
  const b = await once(big);
  large.push(b.wallMs);
  largeSelf.push(b.selfMs);
}
await emulator.close();
fs.rmSync(dir, { recursive: true, force: true });
const ops = BIG.toLocaleString('en');
writeResults('startup', [
  summarize('spawn → ready, new data dir (DB created + migrated)', emptyFresh, { goal_ms: 700 }),
  summarize('spawn → ready, empty journal', empty, { goal_ms: 700 }),
  summarize(`spawn → ready, ${ops}-operation journal`, large, { goal_ms: 700, journal_bytes: fs.statSync(path.join(big, 'journal.db')).size }),
  summarize(`ready as measured inside the process, ${ops}-operation journal`, largeSelf, { goal_ms: 700 }),
], {
  browser: 'excluded (--no-browser)',
  load: `loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores (shared machine)`,
});
