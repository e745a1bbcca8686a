import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';

// Pure rules of the kiosk supervisor (main/shell/kiosk/main.ts): when to restart the core, how long to
// wait, when to give up, and what to tell IT when no window can be opened. Kept free of I/O so they are
// unit-tested (supervise.test.ts). kioskPaths is the one small I/O helper both processes share.

/** A core that ran this long before dying counts as a fresh failure streak (it was serving). */
export const HEALTHY_RUN_MS = 30_000;
/** Consecutive failures without ever becoming ready: the problem will not fix itself (config, disk). */
export const MAX_START_FAILURES = 5;
/** A browser that exits this soon after launch never showed a window (no display, root sandbox…). */
export const BROWSER_QUICK_EXIT_MS = 10_000;

export interface CoreExit {
  /** The core printed its READY line before dying. */
  wasReady: boolean;
  ranMs: number;
  /** Failures in a row so far, this one excluded. */
  streak: number;
}

export type RestartDecision = { restart: true; delayMs: number; streak: number } | { restart: false; streak: number };

export function decideRestart(exit: CoreExit): RestartDecision {
  const streak = exit.wasReady && exit.ranMs >= HEALTHY_RUN_MS ? 1 : exit.streak + 1;
  if (!exit.wasReady && streak >= MAX_START_FAILURES) return { restart: false, streak };
  return { restart: true, delayMs: Math.min(10_000, 250 * 2 ** (streak - 1)), streak };
}

/** Why no Chromium window can be opened here, or null when one can be tried. */
export function noDisplayReason(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null {
  if (platform !== 'linux') return null;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  return 'нет экрана (переменные DISPLAY и WAYLAND_DISPLAY не заданы)';
}

/** What to say when the browser died right after launch. */
export function browserQuickExitReason(code: number | null, signal: string | null, uid: number | null, stderrTail: string): string {
  const how = signal ? `сигнал ${signal}` : `код ${code ?? '?'}`;
  const hints: string[] = [];
  if (uid === 0 || /no-sandbox|as root/i.test(stderrTail)) hints.push('Chromium не запускается от root: запустите кассу от обычного пользователя');
  if (/Missing X server|cannot open display|ozone/i.test(stderrTail)) hints.push('нет доступа к экрану (X/Wayland)');
  // The browser starts through `nice` (main/shell/browser-priority.ts): a missing program is nice's exit 126 / 127.
  if ((code === 126 || code === 127) && /^nice: /m.test(stderrTail)) hints.push('программа браузера не найдена или не запускается (проверьте PAYDESK_BROWSER)');
  return `окно Chromium не открылось (${how})${hints.length ? `: ${hints.join('; ')}` : ''}`;
}

/** The supervisor → core message carrying the per-start port and token (IPC, never argv or env). */
/** `displayToken`: the customer display's own credential, fixed per start so its window survives a core restart. */
export interface StartMessage { type: 'start'; port: number; token: string; displayToken?: string }
export const isStartMessage = (m: unknown): m is StartMessage => typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'start'
  && typeof (m as { port?: unknown }).port === 'number' && typeof (m as { token?: unknown }).token === 'string'
  && ['string', 'undefined'].includes(typeof (m as { displayToken?: unknown }).displayToken);

/** data = --data or $PAYDESK_DATA or ~/.paydesk (created); config = --config or $PAYDESK_CONFIG or <data>/paydesk.config.json. */
export function kioskPaths(arg: (name: string) => string | undefined): { dataDir: string; configFile: string } {
  const dataDir = path.resolve(arg('data') ?? process.env.PAYDESK_DATA ?? path.join(os.homedir(), '.paydesk'));
  fs.mkdirSync(dataDir, { recursive: true });
  const configFile = path.resolve(arg('config') ?? process.env.PAYDESK_CONFIG ?? path.join(dataDir, 'paydesk.config.json'));
  return { dataDir, configFile };
}
