// The kiosk shell as the till runs it, for benchmarks: the bundle (built on demand), a config pointing
// at an emulator, and a child process reporting its READY line.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KoshelekEmulator } from '../../emulators/koshelek';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function ensureBuilt(): void {
  if (fs.existsSync(path.join(root, 'dist', 'main', 'kiosk.mjs')) && fs.existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) return;
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--only=kiosk,renderer'], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) throw new Error('build failed');
}

export function writeConfig(file: string, emulator: KoshelekEmulator): void {
  fs.writeFileSync(file, JSON.stringify({
    till: { terminalId: 'POS-BENCH', storeId: 'bench-store', language: 'ru' },
    koshelek: { login: 'emulator', password: 'emulator', environment: 'emulator', baseUrls: { emulator: emulator.baseUrl }, timing: { firstPollMs: 250, pollIntervalMs: 250 } },
    logging: { level: 'warn' },
  }, null, 2));
}

/** One stamp of the core's bench trace (main/shell/kiosk/trace.ts): kind, CLOCK_MONOTONIC ns, detail. */
export interface TraceStamp { kind: string; ns: bigint; detail: string }

export interface KioskChild {
  url: string;
  /** hrtime (ns) of each API request the shell received (PAYDESK_TRACE_WS=1). */
  wsArrivals: bigint[];
  /** Every trace stamp of the core (ws, wsdone, http, gc, lag), in arrival order. */
  trace: TraceStamp[];
  stop(): Promise<void>;
}

/** The kiosk shell as the till runs it: its own process (bundle), so the emulator here never shares its event loop. */
/**
 * A browser the kiosk can start on a machine without a display: Chromium headless, loading the page the
 * shell passes as --app=URL (headless ignores --app). For the "browser included" start-up variant.
 */
export function headlessBrowserWrapper(dir: string): string {
  const file = path.join(dir, 'headless-chromium.sh');
  fs.writeFileSync(file, [
    '#!/bin/sh',
    'url=""',
    'for a in "$@"; do case "$a" in --app=*) url="${a#--app=}";; esac; done',
    'exec /usr/bin/chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "$@" "$url"',
    '',
  ].join('\n'), { mode: 0o755 });
  return file;
}

export interface KioskChildOptions {
  /** Start the browser too (PAYDESK_BROWSER = this executable); firstApiMs is then spawn → the page's first API request. */
  browser?: string;
  /** Another kiosk bundle (a before/after contrast in the same run). */
  bundle?: string;
}

export async function startKioskChild(dataDir: string, configFile: string, options: KioskChildOptions = {}): Promise<KioskChild & { wallMs: number; selfMs: number; warm: boolean; firstApiMs: () => Promise<number> }> {
  const t0 = performance.now();
  const spawnedAt = process.hrtime.bigint();
  const bundle = options.bundle ?? path.join(root, 'dist', 'main', 'kiosk.mjs');
  const env = { ...process.env, PAYDESK_TRACE_WS: '1', ...(options.browser ? { PAYDESK_BROWSER: options.browser, DISPLAY: process.env.DISPLAY ?? ':headless' } : {}) };
  // (the shell starts a browser only with a display set; the headless wrapper needs none)
  const child = spawn(process.execPath, [bundle, '--data', dataDir, '--config', configFile, ...(options.browser ? [] : ['--no-browser'])], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const wsArrivals: bigint[] = [];
  const trace: TraceStamp[] = [];
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let partial = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no READY in 10 s: ${err}`)); }, 10_000);
    child.stderr.on('data', (d: Buffer) => {
      const lines = (partial + String(d)).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^PAYDESK_TRACE (\w+) (\d+)(?: (.*))?$/.exec(line);
        if (!m) {
          err += `${line}\n`;
          continue;
        }
        const stamp = { kind: m[1] as string, ns: BigInt(m[2] as string), detail: m[3] ?? '' };
        trace.push(stamp);
        if (stamp.kind === 'ws') wsArrivals.push(stamp.ns);
      }
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
        url: info.url, wsArrivals, trace, wallMs, selfMs: info.ms, warm: info.marks.warmOk === 1,
        // hrtime is CLOCK_MONOTONIC, the same clock in the child: its arrival stamp minus our spawn stamp.
        firstApiMs: async () => {
          for (let i = 0; i < 300 && wsArrivals.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
          const first = wsArrivals[0];
          if (first === undefined) throw new Error(`the page made no API request within 15 s: ${err}`);
          return Number(first - spawnedAt) / 1e6;
        },
        stop: () => new Promise((done) => { child.once('exit', () => done()); child.kill('SIGTERM'); }),
      });
    });
    child.on('error', reject);
  });
}

