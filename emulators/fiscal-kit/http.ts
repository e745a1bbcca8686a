// Small HTTP plumbing shared by the fiscal emulators (ATOL Online, ЮKassa): a loopback server that can
// be "down" (every connection reset), JSON in/out, and the fault modes both contracts need. The
// Koshelek emulator keeps its own richer machinery; this is deliberately minimal.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FiscalFaults {
  /** The next N document sends answer 500 without processing them. */
  failFirst: number;
  /** Every connection is reset at once (service down). */
  down: boolean;
  /** The next N document sends are processed, then answered after `slowMs` (longer than the till waits). */
  slowCount: number;
  slowMs: number;
  /** The next N document sends are processed, then answered 200 with an HTML page (a hostile proxy). */
  garbageCount: number;
}

export const NO_FAULTS: FiscalFaults = { failFirst: 0, down: false, slowCount: 0, slowMs: 0, garbageCount: 0 };

export const GARBAGE: JsonAnswer = { status: 200, body: null, raw: '<html><body>502 Bad Gateway</body></html>' };

export interface JsonAnswer {
  status: number;
  body: unknown;
  /** Wait this long before answering (the work is already done). */
  delayMs?: number;
  /** Sent as-is as text/html instead of the JSON body. */
  raw?: string;
}

export type JsonHandler = (req: { method: string; path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders; body: unknown; rawBody: string }) => JsonAnswer | Promise<JsonAnswer>;

export interface LoopbackServer {
  readonly url: string;
  readonly port: number;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export async function startJsonServer(handler: JsonHandler, port = 0): Promise<LoopbackServer> {
  let down = false;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody === '' ? undefined : JSON.parse(rawBody);
      } catch {
        body = Symbol.for('invalid-json');
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      void Promise.resolve(handler({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, rawBody }))
        .then(async (answer) => {
          if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
          if (res.destroyed) return;
          if (answer.raw !== undefined) {
            res.writeHead(answer.status, { 'Content-Type': 'text/html; charset=utf-8' });
            res.end(answer.raw);
            return;
          }
          res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify(answer.body));
        })
        .catch((error: unknown) => {
          if (res.destroyed) return;
          res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: String(error) }));
        });
    });
  });
  server.on('connection', (socket) => {
    if (down) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    setDown(value) {
      down = value;
      if (value) for (const s of sockets) s.destroy();
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Consumes one unit of a counted fault; true when it applies to this request. */
export function take<F extends FiscalFaults, K extends { [P in keyof F]: F[P] extends number ? P : never }[keyof F]>(faults: F, field: K): boolean {
  const left = faults[field] as number;
  if (left > 0) {
    (faults[field] as number) = left - 1;
    return true;
  }
  return false;
}
