// UI benchmarks (seed 003 §3.1: ≤ 0.5 s from the cashier's press to the data leaving for Koshelek;
// our goal p99 ≤ 15 ms), run as `node --import tsx bench/ui.bench.ts` (or `npm run bench -- ui`).
//
//  click-to-wire: Chromium (playwright-core, Debian /usr/bin/chromium) clicks a button of the real
//    renderer served by the kiosk shell; we measure from just before the CDP mouse click is sent
//    (process.hrtime in this process) to the arrival of the request headers at the emulator
//    (ReceivedRequest.arrivalNs, same process clock). It therefore also counts the CDP dispatch, so it
//    is an upper bound of the real click → wire time.
//      - method-click→checkout: the cashier picks SBP (scenario CH) → the checkout request.
//      - pay-click→availability: F9/Pay → the availability-info request.
//      - pay-click→checkout (auto-start): Pay → availability round trip → checkout (scenario OK).
//  cold-start: spawn `node dist/main/kiosk.mjs` → its READY line (config loaded, DB migrated, Pay API
//    connection warm, server listening), fresh data dir (migrations run) and existing data dir.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startKoshelekEmulator, testCardBarcode, type KoshelekEmulator, type ReceivedRequest } from '../emulators/koshelek';
import { summarize, writeResults, type VariantResult } from './lib/results';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ITER = Number(process.env.UI_BENCH_ITER ?? 60);
const COLD = Number(process.env.UI_BENCH_COLD ?? 10);
const CHROMIUM = process.env.PAYDESK_CHROMIUM ?? '/usr/bin/chromium';

function ensureBuilt(): void {
  if (fs.existsSync(path.join(root, 'dist', 'main', 'kiosk.mjs')) && fs.existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) return;
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--only=kiosk,renderer'], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) throw new Error('build failed');
}

function writeConfig(file: string, emulator: KoshelekEmulator): void {
  fs.writeFileSync(file, JSON.stringify({
    till: { terminalId: 'POS-BENCH', storeId: 'bench-store', language: 'ru' },
    koshelek: { login: 'emulator', password: 'emulator', environment: 'emulator', baseUrls: { emulator: emulator.baseUrl }, timing: { firstPollMs: 250, pollIntervalMs: 250 } },
    logging: { level: 'warn' },
  }, null, 2));
}

const sessionOf = (barcode: string): string => barcode.slice(15, 21);

async function waitArrival(emulator: KoshelekEmulator, endpoint: ReceivedRequest['endpoint'], session: string, timeoutMs = 5000): Promise<bigint> {
  const t0 = Date.now();
  for (;;) {
    const hit = emulator.received.find((r) => r.endpoint === endpoint && (r.body as { cardSession?: string } | undefined)?.cardSession === session);
    if (hit) return hit.arrivalNs;
    if (Date.now() - t0 > timeoutMs) throw new Error(`no ${endpoint} for ${session}`);
    await new Promise((r) => setImmediate(r));
  }
}

interface KioskChild {
  url: string;
  /** hrtime (ns) of each API request the shell received (PAYDESK_TRACE_WS=1). */
  wsArrivals: bigint[];
  stop(): Promise<void>;
}

/** The kiosk shell as the till runs it: its own process (bundle), so the emulator here never shares its event loop. */
async function startKioskChild(dataDir: string, configFile: string): Promise<KioskChild & { wallMs: number; selfMs: number; warm: boolean }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'dist', 'main', 'kiosk.mjs'), '--data', dataDir, '--config', configFile, '--no-browser'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PAYDESK_TRACE_WS: '1' } });
  const wsArrivals: bigint[] = [];
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no READY in 10 s: ${err}`)); }, 10_000);
    child.stderr.on('data', (d: Buffer) => {
      const text = String(d);
      for (const m of text.matchAll(/PAYDESK_TRACE ws (\d+)/g)) wsArrivals.push(BigInt(m[1] as string));
      err += text.replace(/PAYDESK_TRACE ws \d+\n/g, '');
    });
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.startsWith('PAYDESK_KIOSK_READY '));
      if (!line) return;
      const wallMs = performance.now() - t0;
      clearTimeout(timer);
      const info = JSON.parse(line.slice('PAYDESK_KIOSK_READY '.length)) as { url: string; ms: number; marks: { warmOk: number } };
      out = '';
      resolve({
        url: info.url, wsArrivals, wallMs, selfMs: info.ms, warm: info.marks.warmOk === 1,
        stop: () => new Promise((done) => { child.once('exit', () => done()); child.kill('SIGTERM'); }),
      });
    });
    child.on('error', reject);
  });
}

async function clickToWire(): Promise<VariantResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-bench-ui-'));
  const emulator = await startKoshelekEmulator({ confirmDelayMs: 30 });
  const configFile = path.join(dir, 'paydesk.config.json');
  writeConfig(configFile, emulator);
  const kiosk = await startKioskChild(path.join(dir, 'data'), configFile);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  await page.goto(kiosk.url);
  await page.getByTestId('status-env').waitFor();
  // In-page click time (epoch ms, sub-ms): the moment the renderer sees the click, before React runs.
  await page.evaluate(() => {
    const w = window as unknown as { __clickAt: number };
    document.addEventListener('click', () => { w.__clickAt = performance.timeOrigin + performance.now(); }, { capture: true });
  });
  const clickAt = (): Promise<number> => page.evaluate(() => (window as unknown as { __clickAt: number }).__clickAt);
  // hrtime (CLOCK_MONOTONIC, the emulator's clock) → epoch ms, calibrated once.
  const calNs = process.hrtime.bigint();
  const calEpoch = performance.timeOrigin + performance.now();
  const epochOf = (ns: bigint): number => calEpoch + Number(ns - calNs) / 1e6;
  const inPage: number[] = [];
  const toShell: number[] = [];
  const shellToWire: number[] = [];

  const method: number[] = [];
  const payAvail: number[] = [];
  const payCheckout: number[] = [];

  const prepare = async (scenario: string): Promise<string> => {
    await page.keyboard.press('F10');
    await page.getByTestId('amount').fill('321,00');
    const barcode = testCardBarcode(scenario);
    await page.getByTestId('manual-code').fill(barcode);
    await page.getByTestId('manual-code').press('Enter');
    await page.getByTestId('card-kp').waitFor();
    return sessionOf(barcode);
  };
  const center = async (testId: string): Promise<{ x: number; y: number }> => {
    const box = await page.getByTestId(testId).boundingBox();
    if (!box) throw new Error(`${testId} not visible`);
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  };
  const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

  for (let i = 0; i < ITER + 5; i += 1) {
    const warmup = i < 5;
    // (a) the cashier picks the method → checkout
    let session = await prepare('CH');
    await page.getByTestId('pay').click();
    await page.getByTestId('methods').waitFor();
    let at = await center('method-SBP');
    kiosk.wsArrivals.length = 0;
    let t0 = process.hrtime.bigint();
    await page.mouse.click(at.x, at.y);
    const checkoutNs = await waitArrival(emulator, 'checkout', session);
    const wsNs = kiosk.wsArrivals[0];
    if (!warmup && wsNs !== undefined) {
      toShell.push(ms(t0, wsNs));
      shellToWire.push(ms(wsNs, checkoutNs));
    }
    if (!warmup) {
      method.push(ms(t0, checkoutNs));
      inPage.push(epochOf(checkoutNs) - await clickAt());
    }
    await page.getByTestId('result').waitFor();

    // (b) Pay with auto-start → availability, then checkout
    session = await prepare('OK');
    at = await center('pay');
    t0 = process.hrtime.bigint();
    await page.mouse.click(at.x, at.y);
    const availNs = await waitArrival(emulator, 'availability', session);
    const autoNs = await waitArrival(emulator, 'checkout', session);
    if (!warmup) {
      payAvail.push(ms(t0, availNs));
      payCheckout.push(ms(t0, autoNs));
    }
    await page.getByTestId('result').waitFor();
  }

  await browser.close();
  await kiosk.stop();
  await emulator.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return [
    summarize('click-to-wire: method click (CDP send) → checkout at emulator', method, { goal_p99_ms: 15 }),
    summarize('click-to-wire: method click (in-page click event) → checkout at emulator', inPage, { goal_p99_ms: 15 }),
    summarize('  split: click (CDP send) → API request at the kiosk shell', toShell),
    summarize('  split: API request at the kiosk shell → checkout at emulator (core: journal + Pay API client)', shellToWire),
    summarize('click-to-wire: Pay click → availability', payAvail, { goal_p99_ms: 15 }),
    summarize('click-to-wire: Pay click → checkout (auto-start, incl. availability round trip)', payCheckout, { budget_ms: 500 }),
  ];
}

async function coldStartOnce(dataDir: string, configFile: string): Promise<{ wallMs: number; selfMs: number }> {
  const kiosk = await startKioskChild(dataDir, configFile);
  if (!kiosk.warm) console.warn('cold start: connection not warm at READY');
  await kiosk.stop();
  return { wallMs: kiosk.wallMs, selfMs: kiosk.selfMs };
}

async function coldStart(): Promise<VariantResult[]> {
  const emulator = await startKoshelekEmulator({});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-bench-cold-'));
  const configFile = path.join(dir, 'paydesk.config.json');
  writeConfig(configFile, emulator);
  const fresh: number[] = [];
  const existing: number[] = [];
  const inProcess: number[] = [];
  await coldStartOnce(path.join(dir, 'warmup'), configFile); // page cache for node + the bundle
  for (let i = 0; i < COLD; i += 1) {
    const data = path.join(dir, `fresh-${i}`);
    const a = await coldStartOnce(data, configFile);
    fresh.push(a.wallMs);
    const b = await coldStartOnce(data, configFile);
    existing.push(b.wallMs);
    inProcess.push(b.selfMs);
  }
  await emulator.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return [
    summarize('cold start → ready (fresh data dir: DB created + migrated)', fresh, { goal_ms: 1000 }),
    summarize('cold start → ready (existing data dir)', existing, { goal_ms: 1000 }),
    summarize('cold start → ready, measured inside the process (existing data dir)', inProcess, { goal_ms: 1000 }),
  ];
}

ensureBuilt();
const variants = [...await clickToWire(), ...await coldStart()];
writeResults('ui', variants, {
  notes: 'click-to-wire is measured from before the CDP click is sent to request-header arrival at the emulator (upper bound). cold start = spawn of node dist/main/kiosk.mjs to its READY line (config, DB, warm Pay API connection, HTTP server).',
});
