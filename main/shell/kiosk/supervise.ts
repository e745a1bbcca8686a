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
/** `launch`: the one-time code on the window's command line, until a core reports it traded (docs/security.md). */
export interface StartMessage { type: 'start'; port: number; token: string; displayToken?: string; launch?: { code: string; expiresAt: number } }
const isRecord = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null;
const isLaunch = (l: unknown): boolean => l === undefined || (isRecord(l) && typeof l.code === 'string' && /^[\w-]{16,128}$/.test(l.code) && Number.isSafeInteger(l.expiresAt));
export const isStartMessage = (m: unknown): m is StartMessage => isRecord(m) && m.type === 'start'
  && typeof m.port === 'number' && Number.isInteger(m.port) && m.port > 0 && m.port < 65536 && typeof m.token === 'string'
  && ['string', 'undefined'].includes(typeof m.displayToken) && isLaunch(m.launch);

/** Supervisor → core, with a socket as the handle: a connection to the till's port, accepted paused. */
export interface ConnectionMessage { type: 'connection' }
export const isConnectionMessage = (m: unknown): m is ConnectionMessage => isRecord(m) && m.type === 'connection';

/** The longest upgrade request the supervisor hands over (headers of a WebSocket handshake are far shorter). */
export const MAX_UPGRADE_BYTES = 16_384;
/**
 * Supervisor → core, with the socket: a WebSocket handshake the supervisor's door parsed while no core was
 * ready (`head`: the bytes after it, base64). The core checks it again before answering.
 */
export interface UpgradeMessage { type: 'upgrade'; method: string; url: string; headers: Record<string, string | string[]>; head: string }
const isHeaderValue = (v: unknown): boolean => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
export const isUpgradeMessage = (m: unknown): m is UpgradeMessage => isRecord(m) && m.type === 'upgrade'
  && typeof m.method === 'string' && typeof m.url === 'string' && typeof m.head === 'string'
  && isRecord(m.headers) && !Array.isArray(m.headers) && Object.values(m.headers).every(isHeaderValue)
  && JSON.stringify(m).length <= MAX_UPGRADE_BYTES * 2;

/** Supervisor → core: the window's launch code was traded at the supervisor's door; forget it. */
export interface LaunchRevokedMessage { type: 'launch-revoked' }
export const isLaunchRevokedMessage = (m: unknown): m is LaunchRevokedMessage => isRecord(m) && m.type === 'launch-revoked';

/** Core → supervisor: the window's launch code was traded at the core's door. */
export interface CoreMessage { type: 'launch-used' }
export const isCoreMessage = (m: unknown): m is CoreMessage => isRecord(m) && m.type === 'launch-used';

/** The built renderer: --renderer, else next to the bundle (dist/renderer), else the repository's dist/renderer. */
export function findRendererDir(bundleDir: string, explicit?: string): string {
  const candidates = [explicit, path.join(bundleDir, '..', 'renderer'), path.join(bundleDir, '..', '..', '..', 'dist', 'renderer')].filter((c): c is string => !!c);
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'index.html')));
  if (!found) throw new Error(`built renderer not found (tried ${candidates.join(', ')}); run npm run build`);
  return found;
}

/** data = --data or $PAYDESK_DATA or ~/.paydesk (created); config = --config or $PAYDESK_CONFIG or <data>/paydesk.config.json. */
export function kioskPaths(arg: (name: string) => string | undefined): { dataDir: string; configFile: string } {
  const dataDir = path.resolve(arg('data') ?? process.env.PAYDESK_DATA ?? path.join(os.homedir(), '.paydesk'));
  fs.mkdirSync(dataDir, { recursive: true });
  const configFile = path.resolve(arg('config') ?? process.env.PAYDESK_CONFIG ?? path.join(dataDir, 'paydesk.config.json'));
  return { dataDir, configFile };
}
