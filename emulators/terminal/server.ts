// Transports of the terminal emulator: one-shot (a launched program: request on stdin, answer on
// stdout), a local TCP line server and a local HTTP server. All serve the same contract.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';
import { MAX_ANSWER_BYTES } from '../../main/payapi/terminal/contract';
import { handleRequest, type TerminalOptions } from './terminal';

export interface RunningTerminal {
  port: number;
  close(): Promise<void>;
}

/** The bytes on the wire: UTF-8 unless the emulated vendor app writes CP1251 (as Windows terminal software often does). */
const encodingOf = (opts: TerminalOptions): string => opts.encoding ?? 'utf-8';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Launched mode: read one request from stdin, answer on stdout, exit. */
export async function runOnce(opts: TerminalOptions): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  const text = iconv.decode(Buffer.concat(chunks), encodingOf(opts)).split('\n')[0] ?? '';
  await new Promise<void>((resolve) => {
    void handleRequest(parseJson(text), opts, {
      line: (l) => process.stdout.write(iconv.encode(`${l}\n`, encodingOf(opts))),
      end: () => resolve(),
      die: () => process.exit(137),
    });
  });
}

export function serveTcp(opts: TerminalOptions, port: number, host = '127.0.0.1'): Promise<RunningTerminal> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      if (started) return;
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > MAX_ANSWER_BYTES) return socket.destroy();
      const nl = buffer.indexOf(10);
      if (nl < 0) return;
      started = true;
      void handleRequest(parseJson(iconv.decode(buffer.subarray(0, nl), encodingOf(opts))), opts, {
        line: (l) => socket.write(iconv.encode(`${l}\n`, encodingOf(opts))),
        end: () => socket.end(),
        die: () => socket.destroy(),
      });
    });
  });
  return listen(server, port, host, sockets);
}

export function serveHttp(opts: TerminalOptions, port: number, host = '127.0.0.1'): Promise<RunningTerminal> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      let body = '';
      void handleRequest(parseJson(iconv.decode(Buffer.concat(chunks), encodingOf(opts))), opts, {
        line: (l) => {
          body += `${l}\n`;
        },
        end: () => {
          res.writeHead(200, { 'content-type': `application/x-ndjson; charset=${encodingOf(opts)}` });
          res.end(iconv.encode(body, encodingOf(opts)));
        },
        die: () => res.socket?.destroy(),
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return listen(server, port, host, sockets);
}

function listen(server: net.Server | http.Server, port: number, host: string, sockets: Set<net.Socket>): Promise<RunningTerminal> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
