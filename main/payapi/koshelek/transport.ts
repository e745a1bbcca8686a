// HTTP transport to the Pay API: one kept-alive agent per base URL, pre-warmed so a payment never
// pays a TCP+TLS handshake, and every failure classified by what it tells us about delivery.
// It never retries: retry policy belongs to the state machines (same requestId, status path).
import http from 'node:http';
import type { Socket } from 'node:net';
import https from 'node:https';
import axios, { AxiosError, type AxiosInstance } from 'axios';

/** Largest Pay API response body the till reads. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export type NetworkFault = 'timeout' | 'reset' | 'refused' | 'dns' | 'tls' | 'other';

export type TransportResult =
  | { kind: 'response'; status: number; body: unknown; dateHeader: string | null; reusedSocket: boolean }
  | {
    kind: 'fault';
    fault: NetworkFault;
    /** The request may have reached the server (it was written, or we cannot tell). */
    maybeDelivered: boolean;
    reusedSocket: boolean;
    message: string;
  };

export interface TransportOptions {
  baseUrl: string;
  login: string;
  password: string;
  /** Extra CA PEM to trust (the embedded emulator's self-signed cert, a corporate proxy…). */
  ca?: string | null;
  /** Default true. false opens a new connection per request (the benchmark's baseline). */
  keepAlive?: boolean;
  /** Told the result of every warm-up probe: the connection's health while the till is idle. */
  onProbe?: (result: TransportResult) => void;
}

export interface SendOptions {
  method: 'GET' | 'POST' | 'HEAD';
  path: string;
  body?: unknown;
  token?: string;
  timeoutMs: number;
}

export class PayApiTransport {
  private readonly client: AxiosInstance;
  private readonly agent: http.Agent | https.Agent;
  private readonly authorization: string;
  private warming: Promise<boolean> | null = null;
  private warmOnDemand = false;

  constructor(readonly options: TransportOptions) {
    const isHttps = options.baseUrl.startsWith('https:');
    const agentOptions = { keepAlive: options.keepAlive ?? true, keepAliveMsecs: 1_000, scheduling: 'lifo' as const, maxFreeSockets: 4 };
    this.agent = isHttps
      ? new https.Agent({ ...agentOptions, ...(options.ca ? { ca: options.ca } : {}), minVersion: 'TLSv1.2' })
      : new http.Agent(agentOptions);
    this.authorization = `Basic ${Buffer.from(`${options.login}:${options.password}`, 'utf8').toString('base64')}`;
    this.client = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      httpAgent: isHttps ? undefined : this.agent,
      httpsAgent: isHttps ? this.agent : undefined,
      proxy: false,
      // We read every status ourselves: 422 is a contract answer, not an exception.
      validateStatus: () => true,
      maxRedirects: 0,
      // A Pay API answer is a few hundred bytes; a larger one is refused, never buffered (docs/safety.md).
      maxContentLength: MAX_RESPONSE_BYTES,
      maxBodyLength: MAX_RESPONSE_BYTES,
      transitional: { clarifyTimeoutError: true },
      // Keep the raw text: a body that is not JSON must become a clear "invalid response", not a throw.
      responseType: 'text',
      // Bodies are serialised here (send) and read in send: axios's default transforms (content sniffing,
      // form-data checks, JSON re-parse) only cost time on the press path. Set once, not per request.
      transformRequest: [identity],
      transformResponse: [identity],
    });
  }

  async send(options: SendOptions): Promise<TransportResult> {
    const headers: Record<string, string> = { Authorization: this.authorization, Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    if (options.token !== undefined) headers.token = options.token;
    try {
      const response = await this.client.request({
        method: options.method,
        url: options.path,
        data: options.body === undefined ? undefined : JSON.stringify(options.body),
        headers,
        timeout: options.timeoutMs,
      });
      const reusedSocket = Boolean((response.request as { reusedSocket?: boolean } | undefined)?.reusedSocket);
      const text = typeof response.data === 'string' ? response.data : '';
      let body: unknown = null;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          body = { __invalidJson: text.slice(0, 200) };
        }
      }
      const date = response.headers.date;
      return { kind: 'response', status: response.status, body, dateHeader: typeof date === 'string' ? date : null, reusedSocket };
    } catch (error) {
      return classifyFault(error);
    }
  }

  /**
   * Make sure one pooled connection is open, without any HTTP request: no credentials sent, no path touched
   * (the old HEAD on the base URL hit a non-endpoint every 3 s). A TCP (+TLS) connection is opened and handed
   * to the agent's free pool, where the next request — the sale's checkout — picks it up. Called on demand
   * (start, a card scanned, a sale started), never on an idle timer. Resolves whether a connection is ready.
   */
  async warm(timeoutMs = 2_000): Promise<boolean> {
    if (this.options.keepAlive === false) return false;
    const url = new URL(this.options.baseUrl);
    const isHttps = url.protocol === 'https:';
    const connectOptions = {
      host: url.hostname,
      port: Number(url.port || (isHttps ? 443 : 80)),
      servername: isHttps && !/^[\d.:]+$/.test(url.hostname) ? url.hostname : undefined,
    };
    // Node's agent opens pooled sockets through createSocket (long-standing, undocumented); going through it
    // installs the agent's own listeners, so the socket is returned, reused and cleaned up like any other.
    const agent = this.agent as http.Agent & {
      createSocket(req: { getHeader(name: string): string | undefined }, options: object, cb: (error: Error | null, socket?: Socket) => void): void;
      freeSockets: Record<string, Socket[] | undefined>;
      getName(options: object): string;
      options: object;
    };
    const name = agent.getName({ ...connectOptions, ...agent.options });
    if ((agent.freeSockets[name]?.length ?? 0) > 0) return true;
    this.warming ??= new Promise<boolean>((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const done = (ok: boolean, socket: Socket | null, error?: Error): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        this.warming = null;
        if (ok && socket) {
          // Hand it back to the agent as "free after a kept-alive request": it joins the pool.
          (socket as Socket & { _httpMessage: unknown })._httpMessage = { shouldKeepAlive: true };
          socket.emit('free');
          this.options.onProbe?.({ kind: 'response', status: 200, body: null, dateHeader: null, reusedSocket: false });
        } else {
          socket?.destroy();
          this.options.onProbe?.(classifyFault(error ?? new Error('connect timeout ETIMEDOUT')));
        }
        resolve(ok);
      };
      const host = url.host;
      try {
        agent.createSocket({ getHeader: (h) => (h.toLowerCase() === 'host' ? host : undefined) }, { ...connectOptions }, (error, socket) => {
          if (error || !socket) {
            done(false, socket ?? null, error ?? new Error('no socket'));
            return;
          }
          timer = setTimeout(() => done(false, socket), timeoutMs);
          const ready = isHttps ? (socket as Socket & { encrypted?: boolean; authorized?: boolean }).encrypted === true && !socket.connecting && (socket as { _secureEstablished?: boolean })._secureEstablished === true : !socket.connecting;
          if (ready) done(true, socket);
          else socket.once(isHttps ? 'secureConnect' : 'connect', () => done(true, socket));
          socket.once('error', (e: Error) => done(false, socket, e));
        });
      } catch (error) {
        done(false, null, error instanceof Error ? error : new Error(String(error)));
      }
    });
    return this.warming;
  }

  /**
   * `koshelek.timing.keepAliveRefreshMs` > 0 turns on-demand warming on (0 = off). No idle timer any more: no
   * constant stream to Koshelek; the connection is opened now and again when a card is scanned or a sale starts.
   */
  keepWarm(refreshMs: number): void {
    this.warmOnDemand = refreshMs > 0;
    if (this.warmOnDemand) void this.warm();
  }

  /** A card was scanned or a sale started: have a connection ready for the checkout that follows. */
  warmIfEnabled(): void {
    if (this.warmOnDemand) void this.warm();
  }

  stopWarm(): void {
    this.warmOnDemand = false;
  }

  close(): void {
    this.stopWarm();
    this.agent.destroy();
  }
}

function identity(data: unknown): unknown {
  return data;
}

function classifyFault(error: unknown): TransportResult & { kind: 'fault' } {
  const axiosError = error instanceof AxiosError ? error : null;
  const code = axiosError?.code ?? (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const cause = (axiosError?.cause as NodeJS.ErrnoException | undefined)?.code ?? '';
  const request = axiosError?.request as { reusedSocket?: boolean } | undefined;
  const reusedSocket = Boolean(request?.reusedSocket);
  const message = axiosError?.message ?? (error instanceof Error ? error.message : String(error));
  const all = `${code} ${cause} ${message}`;
  const fault = (f: NetworkFault, maybeDelivered: boolean) => ({ kind: 'fault' as const, fault: f, maybeDelivered, reusedSocket, message });
  if (/ECONNREFUSED/.test(all)) return fault('refused', false);
  if (/ENOTFOUND|EAI_AGAIN/.test(all)) return fault('dns', false);
  if (/CERT|SSL|TLS|self.signed|UNABLE_TO_VERIFY/i.test(all)) return fault('tls', false);
  if (/ETIMEDOUT|ECONNABORTED|timeout/i.test(all)) return fault('timeout', true);
  if (/ECONNRESET|socket hang up|EPIPE|ERR_STREAM_PREMATURE_CLOSE/i.test(all)) return fault('reset', true);
  return fault('other', true);
}
