// The kiosk's front door: the built renderer and the launch-code exchange on 127.0.0.1, and the gate of the
// API's WebSocket. It needs no core, so the kiosk core opens it first and the window loads its page while the
// core is still starting (docs/architecture.md "Start-up"); the API is attached when the core is ready, and an
// authenticated WebSocket that came earlier waits for it. Kept to Node's own modules and two small helpers, so
// this stage costs the core's process next to nothing. Requests with a foreign Host or Origin are refused (DNS
// rebinding, other local web pages); the token is a WebSocket subprotocol (docs/security.md).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { DISPLAY_PAGE } from '../../contract/display-page';
import { WS_PATH, WS_TOKEN_PREFIX } from '../../contract/ws-names';
import { contentSecurityPolicy } from '../csp';
import { resolveStaticPath } from '../static-files';
import { trace } from './trace';

/** Where the page trades its one-time launch code for the token. */
export const SESSION_PATH = '/session';
/** Authenticated WebSockets waiting for the core to become ready; more are refused (a local flood). */
export const MAX_WAITING_UPGRADES = 64;

/** Who an authenticated WebSocket is: the till's window or the customer display (read-only). */
export type ApiRole = 'till' | 'display';

/** What the ready core plugs into the door (main/shell/kiosk/server.ts). */
export interface AttachedApi {
  /** Take over an authenticated upgrade. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, role: ApiRole): void;
  /** True when the request was a download and has been answered (main/shell/kiosk/downloads.ts). */
  download?(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** The display's token is accepted only when a display feed is attached. */
  hasDisplay: boolean;
  close(): void;
}

/** A launch code issued before this process (the supervisor's, for the window it started beside the core). */
export interface IssuedLaunch { code: string; expiresAt: number }

export interface FrontDoorOptions {
  /** Folder with the built renderer (index.html + assets). */
  rendererDir: string;
  /** The port the page's address names. `listen`: open it here (0 = any free port); otherwise sockets come through accept(). */
  port: number;
  listen: boolean;
  /** Fixed token (the supervisor's, or a test's); random per start otherwise. */
  token?: string;
  /** The customer display's token (the supervisor keeps it across core restarts); random per start otherwise. */
  displayToken?: string;
  /** A launch code the supervisor already put on Chromium's command line. */
  launch?: IssuedLaunch;
  /** Told when that code has been traded, so the supervisor stops handing it to later cores. */
  onLaunchUsed?: () => void;
  /**
   * Answer one request per connection (`Connection: close`): the supervisor's door, which serves only while no
   * core is ready, so the page's later connections go to the core once it is.
   */
  oneRequestPerConnection?: boolean;
}

/** An upgrade request parsed elsewhere (the supervisor's door), handed over with its socket. */
export interface ParsedUpgrade { method: string; url: string; headers: http.IncomingHttpHeaders; head: Buffer }

export interface FrontDoor {
  /** Page URL with the token in the fragment (never sent over HTTP, removed by the page at once). */
  url: string;
  /**
   * Page URL with a one-time launch code instead of the token, for Chromium's command line (readable by every
   * local user through /proc): the page trades it once for the token (POST /session); then it is worthless.
   */
  launchUrl(ttlMs?: number): string;
  /** The customer display page with a one-time launch code worth only the display's token. */
  displayLaunchUrl(ttlMs?: number): string;
  /** The customer display page with the display token in the fragment (tests). */
  displayUrl: string;
  origin: string;
  port: number;
  token: string;
  displayToken: string;
  /** Serve a connection accepted elsewhere (the supervisor owns the port and hands each socket over). */
  accept(socket: Socket): void;
  /** Take an upgrade the supervisor parsed: it is checked here again, as if it had come on a fresh connection. */
  acceptUpgrade(socket: Socket, upgrade: ParsedUpgrade): void;
  /** The supervisor's launch code was traded elsewhere: it is worth nothing here any more. */
  revokeLaunch(): void;
  /** Plug the ready core's API in; upgrades that were waiting are handed to it in order. */
  attach(api: AttachedApi): void;
  /** Unplug it (the supervisor's core died): upgrades wait again until the next attach. */
  detach(): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.woff2': 'font/woff2', '.json': 'application/json', '.map': 'application/json', '.wasm': 'application/wasm',
};

export function tokenFromProtocols(protocols: Iterable<string>): string | null {
  for (const p of protocols) if (p.startsWith(WS_TOKEN_PREFIX)) return p.slice(WS_TOKEN_PREFIX.length);
  return null;
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

const refuse = (socket: Duplex): void => {
  if (socket.writable) socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
  socket.destroy();
};

export async function openFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const token = options.token ?? crypto.randomBytes(32).toString('base64url');
  // The display's own credential: it opens the read-only display stream and nothing else.
  const displayToken = options.displayToken ?? crypto.randomBytes(32).toString('base64url');
  if (tokensEqual(displayToken, token)) throw new Error('the display token must differ from the till token');
  const root = path.resolve(options.rendererDir);
  let port = options.port;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = (): string[] => allowedHosts().map((h) => `http://${h}`);

  const launchCodes = new Map<string, { expires: number; token: string; onUsed?: () => void }>();
  if (options.launch) launchCodes.set(options.launch.code, { expires: options.launch.expiresAt, token, onUsed: options.onLaunchUsed });
  const issueLaunchCode = (ttlMs: number, forToken = token): string => {
    const code = crypto.randomBytes(24).toString('base64url');
    launchCodes.set(code, { expires: Date.now() + ttlMs, token: forToken });
    return code;
  };
  /** POST /session with X-Paydesk-Launch: the token, once per code, to the page's own origin only. */
  const exchangeLaunchCode = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const code = String(req.headers['x-paydesk-launch'] ?? '');
    const origin = req.headers.origin;
    const issued = launchCodes.get(code);
    req.resume();
    if (!origin || !allowedOrigins().includes(origin) || issued === undefined || issued.expires < Date.now()) {
      res.writeHead(401, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' }).end('unauthorized');
      return;
    }
    launchCodes.delete(code);
    issued.onUsed?.();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify({ token: issued.token }));
  };

  let api: AttachedApi | null = null;
  const waiting: { req: http.IncomingMessage; socket: Duplex; head: Buffer; role: ApiRole }[] = [];

  // Every request is fenced: a hostile request gets an error status, never an exception in the core's process.
  const server = http.createServer((req, res) => {
    trace('page', `${req.method ?? '?'} ${(req.url ?? '').split(/[?#]/)[0]?.slice(0, 64) ?? ''}`);
    if (options.oneRequestPerConnection) res.setHeader('Connection', 'close');
    try {
      if (req.method === 'POST' && (req.url ?? '').split('?')[0] === SESSION_PATH && allowedHosts().includes(req.headers.host ?? '')) {
        exchangeLaunchCode(req, res);
        return;
      }
      serveStatic(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(400);
      res.end();
    }
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  function serveStatic(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      res.writeHead(421).end('misdirected');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (api?.download?.(req, res)) return;
    const raw = req.url ?? '/';
    const q = raw.search(/[?#]/);
    const file = resolveStaticPath(root, q >= 0 ? raw.slice(0, q) : raw, true);
    if (file === null) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad path');
      return;
    }
    const isIndex = file === path.join(root, 'index.html');
    fs.readFile(file, (error, body) => {
      if (error) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': contentSecurityPolicy(`ws://127.0.0.1:${port} ws://localhost:${port}`),
        'X-Content-Type-Options': 'nosniff',
        'X-Frame-Options': 'DENY',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': isIndex ? 'no-store' : 'max-age=31536000, immutable',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  }

  server.on('upgrade', (req, socket, head) => {
    trace('upgrade', api ? 'attached' : 'waiting');
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      socket.destroy();
      return;
    }
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const presented = tokenFromProtocols(protocols);
    const ok = url.pathname === WS_PATH
      && allowedHosts().includes(req.headers.host ?? '')
      && (req.headers.origin === undefined || allowedOrigins().includes(req.headers.origin))
      && presented !== null;
    const role: ApiRole | null = !ok ? null : tokensEqual(presented, token) ? 'till' : tokensEqual(presented, displayToken) ? 'display' : null;
    if (role === null) {
      refuse(socket);
      return;
    }
    if (api) {
      hand(api, { req, socket, head, role });
      return;
    }
    // The core is still starting: the window's WebSocket waits for it instead of failing and retrying.
    if (waiting.length >= MAX_WAITING_UPGRADES) {
      refuse(socket);
      return;
    }
    const entry = { req, socket, head, role };
    waiting.push(entry);
    socket.once('close', () => {
      const i = waiting.indexOf(entry);
      if (i >= 0) waiting.splice(i, 1);
    });
  });

  function hand(to: AttachedApi, entry: { req: http.IncomingMessage; socket: Duplex; head: Buffer; role: ApiRole }): void {
    if (entry.role === 'display' && !to.hasDisplay) {
      refuse(entry.socket);
      return;
    }
    to.upgrade(entry.req, entry.socket, entry.head, entry.role);
  }

  if (options.listen) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  }
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    launchUrl: (ttlMs = 60_000) => `${origin}/#launch=${issueLaunchCode(ttlMs)}`,
    displayLaunchUrl: (ttlMs = 60_000) => `${origin}${DISPLAY_PAGE}#launch=${issueLaunchCode(ttlMs, displayToken)}`,
    displayUrl: `${origin}${DISPLAY_PAGE}#token=${displayToken}`,
    origin,
    port,
    token,
    displayToken,
    accept(socket) {
      server.emit('connection', socket);
      // The supervisor accepted it paused (pauseOnConnect), so no byte was read before it came here.
      socket.resume();
    },
    acceptUpgrade(socket, upgrade) {
      const req = new http.IncomingMessage(socket);
      req.method = upgrade.method;
      req.url = upgrade.url;
      req.headers = upgrade.headers;
      server.emit('upgrade', req, socket, upgrade.head);
    },
    revokeLaunch() {
      if (options.launch) launchCodes.delete(options.launch.code);
    },
    attach(attached) {
      if (api) throw new Error('the API is already attached');
      api = attached;
      for (const entry of waiting.splice(0)) if (!entry.socket.destroyed) hand(attached, entry);
    },
    detach() {
      api = null;
    },
    async close() {
      for (const entry of waiting.splice(0)) entry.socket.destroy();
      api?.close();
      server.closeAllConnections();
      if (options.listen) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
