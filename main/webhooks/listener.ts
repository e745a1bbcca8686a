// The shared webhook listener (off by default): POST <pathPrefix><provider>. The raw body is stored first,
// then verified by the provider's registered verifier, de-duplicated, answered 200 at once, and only then
// handed to the callback — which must re-read the operation from the bank, never trust the push.
// Plain HTTP on a configured interface for running behind the store's TLS reverse proxy, or HTTPS with a
// certificate of its own (docs/banks.md, "Webhooks").
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { markHandled, pendingEvents, recordEvent, setVerdict, storeDelivery, type PendingEvent } from './store';

export const webhookConfigSchema = z.object({
  enabled: z.boolean().default(false),
  /** The interface to bind: loopback behind a reverse proxy, or the LAN address the proxy reaches. */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8443),
  pathPrefix: z.string().regex(/^\/[\w/-]*\/$/, 'must start and end with /').default('/webhooks/'),
  maxBodyBytes: z.number().int().min(1_024).max(1_048_576).default(65_536),
  /** Terminate TLS here (PEM files readable only by the till user); absent behind a TLS proxy. */
  tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
}).prefault({});
export type WebhookConfig = z.output<typeof webhookConfigSchema>;

export type Verification =
  | { ok: true; dedupeKey: string; subject: string; payload: unknown }
  | { ok: false; reason: string };

export interface WebhookVerifier {
  provider: string;
  verify(raw: Buffer, contentType: string | null): Verification;
}

export interface WebhookLog {
  warn(message: string, fields: Record<string, unknown>): void;
}

export type WebhookCallback = (event: PendingEvent) => Promise<void>;

export class WebhookListener {
  private server: http.Server | https.Server | null = null;
  private readonly verifierFor: (provider: string) => WebhookVerifier | null;
  private readonly inflight = new Set<Promise<void>>();

  /**
   * @param verifiers a fixed list, or a lookup asked on every delivery (the core's providers are rebuilt on
   *   config edits, so pinned keys and a switched-off bank take effect without a restart).
   */
  constructor(
    private readonly db: Database.Database,
    private readonly config: WebhookConfig,
    verifiers: readonly WebhookVerifier[] | ((provider: string) => WebhookVerifier | null),
    private readonly onEvent: WebhookCallback,
    private readonly log: WebhookLog = { warn: () => {} },
  ) {
    if (typeof verifiers === 'function') this.verifierFor = verifiers;
    else {
      const byName = new Map(verifiers.map((v) => [v.provider, v]));
      this.verifierFor = (provider) => byName.get(provider) ?? null;
    }
  }

  /** Starts listening when enabled (null when off), after replaying events the last run did not act on. */
  async start(): Promise<string | null> {
    for (const e of pendingEvents(this.db)) this.act(e);
    if (!this.config.enabled) return null;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    this.server = this.config.tls
      ? https.createServer({ cert: fs.readFileSync(this.config.tls.certFile), key: fs.readFileSync(this.config.tls.keyFile) }, handler)
      : http.createServer(handler);
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return `${this.config.tls ? 'https' : 'http'}://${this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host}:${port}${this.config.pathPrefix}`;
  }

  /** Stops accepting and waits for callbacks in flight. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await Promise.allSettled([...this.inflight]);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'POST' || !url.pathname.startsWith(this.config.pathPrefix)) return reply(res, 404);
    const provider = url.pathname.slice(this.config.pathPrefix.length);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > this.config.maxBodyBytes) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) {
        this.log.warn('webhook refused: body too large', { provider, size });
        return reply(res, 413);
      }
      this.receive(provider, Buffer.concat(chunks), req, res);
    });
  }

  private receive(provider: string, raw: Buffer, req: http.IncomingMessage, res: http.ServerResponse): void {
    let id: number;
    try {
      id = storeDelivery(this.db, { provider: provider.slice(0, 64), remoteAddr: req.socket.remoteAddress ?? null, contentType: req.headers['content-type'] ?? null, raw });
    } catch (error) {
      // Not stored → not acknowledged: the bank will deliver again.
      this.log.warn('webhook not stored', { provider, error: String(error) });
      return reply(res, 503);
    }
    const verifier = this.verifierFor(provider);
    const verdict: Verification = verifier ? verifier.verify(raw, req.headers['content-type'] ?? null) : { ok: false, reason: `no verifier for provider "${provider}"` };
    if (!verdict.ok) {
      setVerdict(this.db, id, 'rejected', verdict.reason, null);
      this.log.warn('webhook rejected', { provider, deliveryId: id, reason: verdict.reason });
      return reply(res, verifier ? 401 : 404);
    }
    const first = recordEvent(this.db, { provider, dedupeKey: verdict.dedupeKey, deliveryId: id, subject: verdict.subject, payload: verdict.payload });
    reply(res, 200);
    if (first) this.act({ provider, dedupeKey: verdict.dedupeKey, subject: verdict.subject, payload: verdict.payload });
  }

  private act(event: PendingEvent): void {
    const run = (async () => {
      try {
        await this.onEvent(event);
        markHandled(this.db, event.provider, event.dedupeKey);
      } catch (error) {
        // Left unhandled: replayed at the next start (the callback re-reads the bank, so repeating is safe).
        this.log.warn('webhook callback failed', { provider: event.provider, subject: event.subject, error: String(error) });
      }
    })();
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
  }
}

function reply(res: http.ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
  res.end();
}
