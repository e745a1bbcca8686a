// Both shells (kiosk: main/shell/kiosk/main.ts; Electron: main/shell/electron/main.ts).
// The till's browser runs at a lower scheduling priority than the core (docs/ui.md, "Press → wire"):
// right after a press Chromium's renderer, GPU / compositor and browser threads render the new screen at the
// very moment the core builds and sends the payment request, on the same few cores. Raising a process's nice
// value needs no privilege (lowering it again does), so a till that runs as an ordinary user can do this; it
// cannot raise the core's priority instead. Kept free of I/O except `lowerThreads` (unit-tested).
import fs from 'node:fs';
import os from 'node:os';

/** Nice value the browser is started with (0 = normal, 19 = lowest): below the core, still well above batch work. */
export const BROWSER_NICE = 10;

/** PAYDESK_BROWSER_NICE (0–19; 0 = the browser at the core's priority, e.g. to compare), else BROWSER_NICE. */
export function browserNice(env: NodeJS.ProcessEnv): number {
  const raw = env.PAYDESK_BROWSER_NICE;
  if (raw === undefined || !/^\d{1,2}$/.test(raw) || Number(raw) > 19) return BROWSER_NICE;
  return Number(raw);
}

export interface BrowserCommand { command: string; args: string[] }

/**
 * How to start `browser` with `args` at nice `nice`: through coreutils `nice` (it execs the browser, so the pid
 * is the browser's and every process and thread Chromium starts inherits the value from the first instruction).
 * Without a `nice` program the browser is started plainly and the caller lowers it with `lowerThreads`.
 */
export function browserCommand(browser: string, args: readonly string[], nice: number, niceProgram: string | null): BrowserCommand & { lowered: boolean } {
  if (nice <= 0 || !niceProgram) return { command: browser, args: [...args], lowered: false };
  return { command: niceProgram, args: ['-n', String(nice), '--', browser, ...args], lowered: true };
}

/** coreutils `nice`, where Debian and most Linux systems keep it; null elsewhere (Windows, macOS use no wrapper). */
export function findNiceProgram(platform: NodeJS.Platform = process.platform, exists: (file: string) => boolean = fs.existsSync): string | null {
  if (platform !== 'linux') return null;
  return ['/usr/bin/nice', '/bin/nice'].find(exists) ?? null;
}

/**
 * Raises the nice value of every thread of `pid` to at least `nice` (Linux keeps the value per thread, and
 * setpriority on a pid reaches only its main thread). For a process already running (the Electron shell's
 * renderer and GPU processes). Threads and children started later inherit it from the thread that starts them.
 * Returns how many threads were lowered; errors (a thread that just ended, no /proc) are skipped.
 */
export function lowerThreads(pid: number, nice: number): number {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    tids = [String(pid)];
  }
  let lowered = 0;
  for (const tid of tids) {
    try {
      if (os.getPriority(Number(tid)) >= nice) continue;
      os.setPriority(Number(tid), nice);
      lowered += 1;
    } catch {
      // the thread ended meanwhile, or it is not ours
    }
  }
  return lowered;
}

/** What Electron's app.getAppMetrics() says of one process (the fields used here). */
export interface ProcessMetricLike { pid: number; type: string }

/**
 * The Electron shell's processes to lower once its window has loaded: the window's renderer ('Tab'), the GPU
 * process and the zygote (later renderers fork from it, so they start lowered). Never the main process
 * ('Browser': it moves every API envelope between the window and the core, so it is on the press path) nor a
 * 'Utility' process (the core itself runs in one).
 */
export function electronPidsToLower(metrics: readonly ProcessMetricLike[], self: number): number[] {
  return metrics.filter((m) => (m.type === 'Tab' || m.type === 'GPU' || m.type === 'Zygote') && m.pid !== self).map((m) => m.pid);
}
