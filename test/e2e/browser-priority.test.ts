// The kiosk supervisor starts the till's browser below the core's scheduling priority (docs/ui.md, "Press →
// wire"): `node dist/main/kiosk.mjs` as IT runs it, with a stand-in browser (PAYDESK_BROWSER) that records the
// nice value of each of its threads, its argv and the core's nice value. The browser must be BROWSER_NICE
// above the supervisor, every thread of it (what Chromium's renderer / GPU processes inherit), the core not.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { BROWSER_NICE } from '../../main/shell/browser-priority';
import { ROOT, ensureRendererBuilt, waitFor, writeConfig } from './harness';

interface Seen { pid: number; nice: number; threads: number[]; argv: string[] }

let kiosk: ChildProcess | null = null;
let emulator: KoshelekEmulator | null = null;
const dirs: string[] = [];

afterEach(async () => {
  if (kiosk && kiosk.exitCode === null) {
    const exited = new Promise((r) => kiosk?.once('exit', r));
    kiosk.kill('SIGTERM');
    await exited;
  }
  kiosk = null;
  await emulator?.close().catch(() => undefined);
  emulator = null;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function launch(env: Record<string, string>): Promise<{ seen: Seen; coreNice: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-browser-nice-'));
  dirs.push(dir);
  const log = path.join(dir, 'seen.json');
  // The stand-in browser: a node program (several threads) that writes what the scheduler says about it.
  const fake = path.join(dir, 'fake-browser.cjs');
  fs.writeFileSync(fake, `#!${process.execPath}
const fs = require('node:fs');
const os = require('node:os');
const nice = (tid) => { const s = fs.readFileSync('/proc/' + process.pid + '/task/' + tid + '/stat', 'utf8'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[16]); };
setTimeout(() => {
  const threads = fs.readdirSync('/proc/' + process.pid + '/task').map(nice);
  fs.writeFileSync(${JSON.stringify(log)}, JSON.stringify({ pid: process.pid, nice: os.getPriority(), threads, argv: process.argv.slice(2) }));
}, 200);
setInterval(() => undefined, 1000);
`, { mode: 0o755 });
  emulator = await startKoshelekEmulator({});
  const configFile = path.join(dir, 'paydesk.config.json');
  writeConfig(configFile, emulator, null);
  const lines: string[] = [];
  kiosk = spawn(process.execPath, [path.join(ROOT, 'dist', 'main', 'kiosk.mjs'), '--config', configFile, '--data', path.join(dir, 'data')], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISPLAY: ':99', PAYDESK_BROWSER: fake, ...env },
  });
  readline.createInterface({ input: kiosk.stdout as NodeJS.ReadableStream }).on('line', (l) => lines.push(l));
  readline.createInterface({ input: kiosk.stderr as NodeJS.ReadableStream }).on('line', (l) => lines.push(l));
  await waitFor(() => fs.existsSync(log) && fs.statSync(log).size > 0, 20_000, 'the browser started');
  const seen = JSON.parse(fs.readFileSync(log, 'utf8')) as Seen;
  const coreLine = lines.find((l) => l.startsWith('PAYDESK_KIOSK_CORE ')) as string;
  const corePid = (JSON.parse(coreLine.slice('PAYDESK_KIOSK_CORE '.length)) as { pid: number }).pid;
  return { seen, coreNice: os.getPriority(corePid) };
}

describe.runIf(process.platform === 'linux')('kiosk browser priority', () => {
  it('starts the browser at a lower priority than the core, every thread of it; the core keeps the supervisor\'s', async () => {
    ensureRendererBuilt();
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--only=kiosk'], { cwd: ROOT, stdio: 'inherit' });
    expect(r.status).toBe(0);
    const own = os.getPriority();
    const { seen, coreNice } = await launch({});
    const expected = Math.min(19, own + BROWSER_NICE);
    expect(seen.nice).toBe(expected);
    expect(seen.threads.length).toBeGreaterThan(1);
    expect(new Set(seen.threads)).toEqual(new Set([expected]));
    expect(coreNice).toBe(own);
    // the browser got its own arguments, not the wrapper's
    expect(seen.argv.some((a) => a.startsWith('--app=http://127.0.0.1:'))).toBe(true);
    expect(seen.argv).not.toContain('-n');
  });

  it('PAYDESK_BROWSER_NICE=0 starts it at the core\'s priority (to compare)', async () => {
    const own = os.getPriority();
    const { seen, coreNice } = await launch({ PAYDESK_BROWSER_NICE: '0' });
    expect(seen.nice).toBe(own);
    expect(coreNice).toBe(own);
  });
});
