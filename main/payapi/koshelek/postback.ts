// Postback listener (reference §2.8): Koshelek pushes the transaction/status object to our URL with
// Basic auth (partnerLogin / partnerPassword). It feeds the same idempotent machine input as polling;
// stale or duplicate notifications change nothing because final states are sticky.
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { postbackBodySchema, type StatusResponse } from './wire';

export interface PostbackListenerOptions {
  host: string;
  port: number;
  path: string;
  partnerLogin: string;
  partnerPassword: string;
  onStatus: (data: StatusResponse) => boolean;
  logger: Logger;
}

export interface PostbackListener {
  readonly url: string;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A status object is a few hundred bytes. */
export const MAX_POSTBACK_BYTES = 64 * 1024;

export function startPostbackListener(options: PostbackListenerOptions): Promise<PostbackListener> {
  // Without credentials anybody on the network could push: refuse to listen at all (docs/safety.md).
  if (options.partnerLogin === '' || options.partnerPassword === '') {
    return Promise.reject(new Error('postback listener needs koshelek.postback.partnerLogin and partnerPassword (or PAYDESK_POSTBACK_PASSWORD)'));
  }
  const expected = `Basic ${Buffer.from(`${options.partnerLogin}:${options.partnerPassword}`).toString('base64')}`;
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: object) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.on('error', () => undefined);
    if (req.method !== 'POST' || req.url?.split('?')[0] !== options.path) return reply(404, { error: 'not found' });
    if (!sameSecret(req.headers.authorization ?? '', expected)) return reply(401, { error: 'unauthorized' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_POSTBACK_BYTES) {
        reply(413, { error: 'too large' });
        req.destroy();
      }
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_POSTBACK_BYTES) return;
      let json: unknown;
      try {
        json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { error: 'invalid JSON' });
      }
      const parsed = postbackBodySchema.safeParse(json);
      if (!parsed.success) return reply(400, { error: parsed.error.issues[0]?.message ?? 'invalid body' });
      let taken = false;
      try {
        // Only a trigger: the operation asks transaction/status now (the machines never take it as final).
        taken = options.onStatus(parsed.data);
      } catch (error) {
        options.logger.error({ err: String(error) }, 'postback handler failed');
      }
      options.logger.info({ transactionId: parsed.data.transactionId, status: parsed.data.status, taken }, 'postback received');
      // 200 either way: an unknown or already-final transaction is not the sender's problem to retry.
      return reply(200, { received: true });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolve({
        url: `http://${options.host}:${port}${options.path}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
