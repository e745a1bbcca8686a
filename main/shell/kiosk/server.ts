// Headless kiosk shell: the built renderer and the API on 127.0.0.1 only. The API is a WebSocket at
// /api that needs the per-start token (sent as a subprotocol, see docs/security.md); requests with a
// foreign Host or Origin are refused (DNS rebinding, other local web pages).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX, wsRequestSchema, type WsServerFrame } from '../../contract/api';
import { responseFrameJson } from '../../api/pre-serialized';
import type { ApiSession } from '../../api/session';
import { contentSecurityPolicy } from '../csp';
import { resolveStaticPath } from '../static-files';
import type { Downloads } from './downloads';
import { DISPLAY_PAGE, type DisplayFrame } from '../../contract/display';
import { describeError } from '../../errors/catalogue';
import type { CustomerDisplayFeed } from '../../display/feed';
import { installTraceProbes, schedstat, trace, TRACE } from './trace';

/** Where the page trades its one-time launch code for the token. */
export const SESSION_PATH = '/session';

export interface KioskServerOptions {
  session: ApiSession;
  /** Folder with the built renderer (index.html + assets). */
  rendererDir: string;
  /** 0 = any free port. */
  port?: number;
  /** Fixed token for tests; random per start otherwise. */
  token?: string;
  /** The customer display's token (the supervisor keeps it across core restarts); random per start otherwise. */
  displayToken?: string;
  /** Ticketed exported reports (main/shell/kiosk/downloads.ts). */
  downloads?: Pick<Downloads, 'handle'>;
  /**
   * The customer display's feed. Its page connects with its own token (never the cashier's): that
   * connection only receives display frames, and every request on it is refused (docs/ui.md "Customer display").
   */
  display?: Pick<CustomerDisplayFeed, 'current' | 'subscribe'>;
}

export interface KioskServer {
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

export async function startKioskServer(options: KioskServerOptions): Promise<KioskServer> {
  const token = options.token ?? crypto.randomBytes(32).toString('base64url');
  // The display's own credential: it opens the read-only display stream and nothing else.
  const displayToken = options.displayToken ?? crypto.randomBytes(32).toString('base64url');
  if (tokensEqual(displayToken, token)) throw new Error('the display token must differ from the till token');
  const root = path.resolve(options.rendererDir);
  let port = 0;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = (): string[] => allowedHosts().map((h) => `http://${h}`);

  // Every request is fenced: a hostile request gets an error status, never an exception in the core's process.
  const launchCodes = new Map<string, { expires: number; token: string }>();
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
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify({ token: issued.token }));
  };

  const server = http.createServer((req, res) => {
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
    if (options.downloads?.handle(req, res)) return;
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

  installTraceProbes();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1 << 20,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  server.on('upgrade', (req, socket, head) => {
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
    const asDisplay = ok && options.display !== undefined && tokensEqual(presented, displayToken);
    if (!ok || (!asDisplay && !tokensEqual(presented, token))) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => (asDisplay && options.display ? serveDisplay(ws, options.display) : serve(ws)));
  });

  /** The customer display: what the feed publishes, and a refusal for anything it asks. */
  function serveDisplay(ws: WebSocket, display: NonNullable<KioskServerOptions['display']>): void {
    const send = (frame: DisplayFrame | { id: number | null; response: { ok: false; error: ReturnType<typeof describeError> } }): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    send({ display: display.current() });
    const unsubscribe = display.subscribe((view) => send({ display: view }));
    ws.on('message', (data) => {
      let id: number | null = null;
      try {
        const parsed = wsRequestSchema.safeParse(JSON.parse(String(data)));
        if (parsed.success) id = parsed.data.id;
      } catch {
        // not even JSON: refused all the same
      }
      send({ id, response: { ok: false, error: describeError('access.denied', 'customer display connection is read-only', { reason: 'экран покупателя только показывает' }) } });
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
  }

  function serve(ws: WebSocket): void {
    const send = (frame: WsServerFrame): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const unsubscribe = options.session.subscribe((event) => send({ id: null, event }));
    ws.on('message', (data) => {
      // Bench instrumentation: when the API request arrived (CLOCK_MONOTONIC, comparable across processes).
      const arrivedNs = TRACE ? process.hrtime.bigint() : 0n;
      const arrivedSched = TRACE ? schedstat() : '';
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return;
      }
      const request = wsRequestSchema.safeParse(parsed);
      if (!request.success) return;
      const { id, method, input } = request.data;
      if (TRACE) process.stderr.write(`PAYDESK_TRACE ws ${arrivedNs} ${String(method).slice(0, 64)} ${arrivedSched}\n`);
      // The dispatcher answers every failure itself; this fence keeps even a broken send off the core.
      options.session.dispatch(method, input).then((response) => {
        // Built as text: a pre-serialised result (the X report) is spliced in unparsed (main/api/pre-serialized.ts).
        if (ws.readyState === ws.OPEN) ws.send(responseFrameJson(id, response));
        trace('wsdone', `${String(method).slice(0, 64)} ${schedstat()}`);
      }).catch(() => undefined);
      trace('wssync', String(method).slice(0, 64)); // the handler's synchronous part is over
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    launchUrl: (ttlMs = 60_000) => `${origin}/#launch=${issueLaunchCode(ttlMs)}`,
    displayLaunchUrl: (ttlMs = 60_000) => `${origin}${DISPLAY_PAGE}#launch=${issueLaunchCode(ttlMs, displayToken)}`,
    displayUrl: `${origin}${DISPLAY_PAGE}#token=${displayToken}`,
    origin,
    port,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
