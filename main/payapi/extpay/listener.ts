// The till's receiver for the external payments API's webhook: POST <path>, body capped, Bearer checked in
// constant time (verifyExtpayWebhook), then the news goes to the operation's own lane (the caller's
// `deliver`, i.e. ctx.deliverNews). It never settles anything itself: duplicates and out-of-order
// deliveries are absorbed by the one reducer (final states are sticky). Answers: 200 once verified (even
// for an operation the till no longer has open: polling covers it), 401 bad Bearer, 400 bad body,
// 413 too large, 404 elsewhere. 4xx stops the service's retries, so a forged or broken push costs nothing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyExtpayWebhook, type VerifiedWebhook } from './webhook';

export interface ExtpayListenerOptions {
  host: string;
  port: number;
  path: string;
  maxBodyBytes: number;
  /** The Bearer token we gave the service at create (auth_token). */
  token: string;
  deliver(webhook: VerifiedWebhook): boolean;
  /** Refusals, without the token or the body. */
  onRefused?(reason: string, status: number): void;
}

export interface ExtpayListener {
  /** The receiver's own URL (http://host:port/path). */
  url: string;
  close(): Promise<void>;
}

export async function startExtpayListener(o: ExtpayListenerOptions): Promise<ExtpayListener> {
  const server = http.createServer((req, res) => {
    const reply = (status: number): void => {
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': 0 });
      res.end();
    };
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'POST' || url.pathname !== o.path) {
      req.resume();
      return reply(404);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > o.maxBodyBytes) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) {
        o.onRefused?.('body too large', 413);
        return reply(413);
      }
      const verdict = verifyExtpayWebhook(req.headers, Buffer.concat(chunks), o.token);
      if (!verdict.ok) {
        o.onRefused?.(verdict.reason, verdict.status);
        return reply(verdict.status);
      }
      o.deliver(verdict.webhook);
      reply(200);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}${o.path}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
