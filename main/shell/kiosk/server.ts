// The kiosk's API: the WebSocket at /api behind the front door (main/shell/kiosk/front-door.ts), which serves
// the built renderer, trades launch codes and checks each upgrade's token before anything here runs.
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_PROTOCOL, wsRequestSchema, type WsServerFrame } from '../../contract/api';
import { responseFrameJson } from '../../api/pre-serialized';
import type { ApiSession } from '../../api/session';
import type { Downloads } from './downloads';
import type { DisplayFrame } from '../../contract/display';
import { describeError } from '../../errors/catalogue';
import type { CustomerDisplayFeed } from '../../display/feed';
import { openFrontDoor, type AttachedApi, type FrontDoor } from './front-door';
import { installTraceProbes, schedstat, trace, TRACE } from './trace';

export { SESSION_PATH, tokenFromProtocols, tokensEqual } from './front-door';

export interface KioskApiOptions {
  session: ApiSession;
  /** Ticketed exported reports (main/shell/kiosk/downloads.ts). */
  downloads?: Pick<Downloads, 'handle'>;
  /**
   * The customer display's feed. Its page connects with its own token (never the cashier's): that
   * connection only receives display frames, and every request on it is refused (docs/ui.md "Customer display").
   */
  display?: Pick<CustomerDisplayFeed, 'current' | 'subscribe'>;
}

export interface KioskServerOptions extends KioskApiOptions {
  /** Folder with the built renderer (index.html + assets). */
  rendererDir: string;
  /** 0 = any free port. */
  port?: number;
  /** Fixed token for tests; random per start otherwise. */
  token?: string;
  /** The customer display's token (the supervisor keeps it across core restarts); random per start otherwise. */
  displayToken?: string;
}

export type KioskServer = FrontDoor;

/** The API as the front door takes it: the till's window gets the session, the display its read-only feed. */
export function kioskApi(options: KioskApiOptions): AttachedApi {
  installTraceProbes();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1 << 20,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const { display, downloads } = options;
  return {
    hasDisplay: display !== undefined,
    download: downloads ? (req, res) => downloads.handle(req, res) : undefined,
    upgrade(req, socket, head, role) {
      wss.handleUpgrade(req, socket, head, (ws) => (role === 'display' && display ? serveDisplay(ws, display) : serve(ws, options.session)));
    },
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

/** The customer display: what the feed publishes, and a refusal for anything it asks. */
function serveDisplay(ws: WebSocket, display: NonNullable<KioskApiOptions['display']>): void {
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

function serve(ws: WebSocket, session: ApiSession): void {
  const send = (frame: WsServerFrame): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const unsubscribe = session.subscribe((event) => send({ id: null, event }));
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
    session.dispatch(method, input).then((response) => {
      // Built as text: a pre-serialised result (the X report) is spliced in unparsed (main/api/pre-serialized.ts).
      if (ws.readyState === ws.OPEN) ws.send(responseFrameJson(id, response));
      trace('wsdone', `${String(method).slice(0, 64)} ${schedstat()}`);
    }).catch(() => undefined);
    trace('wssync', String(method).slice(0, 64)); // the handler's synchronous part is over
  });
  ws.on('close', unsubscribe);
  ws.on('error', unsubscribe);
}

/** The front door on its own port with the API attached at once (in-process shells and tests). */
export async function startKioskServer(options: KioskServerOptions): Promise<KioskServer> {
  const door = await openFrontDoor({ rendererDir: options.rendererDir, port: options.port ?? 0, listen: true, token: options.token, displayToken: options.displayToken });
  door.attach(kioskApi(options));
  return door;
}
