// The core in its own process (Electron's utilityProcess, or a plain Node child for tests), so SQL, HTTP and
// scanning never run on Electron's browser main thread (as Signal keeps SQL off it). The parent only moves
// envelopes: invoke → response, core events → event. Plain Node: no Electron import.
//   parent → host: { type: 'invoke', id, method, input } | { type: 'opened', id, error } | { type: 'shutdown' }
//   host → parent: { type: 'ready' } | { type: 'response', id, response } | { type: 'responseText', id, text } | { type: 'event', event } | { type: 'closed' } | { type: 'fatal', message }
//                  | { type: 'open', id, file }   (an exported report for the OS viewer: only Electron's main process can open it)
//                  | { type: 'display', view, window }  (the customer display's frame, and whether / where its window belongs)
import { z } from 'zod';
import { createApiSession, type ApiSession } from '../api/session';
import { createScanPort } from '../api/scan-port';
import { PreSerialized, responseJson } from '../api/pre-serialized';
import type { ApiEvent, ApiResponse } from '../contract/api';
import { startCore } from '../core/core';
import type { CustomerDisplayView } from '../contract/display';
import { createCustomerDisplayFeed } from '../display/feed';

export const hostInboundSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('invoke'), id: z.number().int().nonnegative(), method: z.unknown(), input: z.unknown() }),
  z.object({ type: z.literal('opened'), id: z.number().int().nonnegative(), error: z.string().max(2_000).nullable() }),
  z.object({ type: z.literal('shutdown') }),
]);
export type HostInbound = z.infer<typeof hostInboundSchema>;

export type HostOutbound =
  | { type: 'ready' }
  | { type: 'response'; id: number; response: ApiResponse }
  /** The same, as JSON text: a pre-serialised result spliced in unparsed (main/api/pre-serialized.ts). */
  | { type: 'responseText'; id: number; text: string }
  | { type: 'event'; event: ApiEvent }
  | { type: 'open'; id: number; file: string }
  | { type: 'display'; view: CustomerDisplayView; window: DisplayWindow }
  | { type: 'closed' }
  | { type: 'fatal'; message: string };

/** Whether the customer display's window should be open, and on which monitor (config customerDisplay). */
export interface DisplayWindow { enabled: boolean; screen: number }

/** The two channels a host can have: Electron's parentPort, or Node's IPC (process.send). */
interface Port {
  post(message: HostOutbound): void;
  onMessage(listener: (message: unknown) => void): void;
}

function parentPort(): Port {
  const electronPort = (process as NodeJS.Process & { parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (m: { data: unknown }) => void): void } }).parentPort;
  if (electronPort) {
    return { post: (m) => electronPort.postMessage(m), onMessage: (l) => electronPort.on('message', (e) => l(e.data)) };
  }
  if (process.send) {
    const send = process.send.bind(process);
    return { post: (m) => { send(m); }, onMessage: (l) => process.on('message', l) };
  }
  throw new Error('core host started without a parent channel');
}

export async function runCoreHost(): Promise<void> {
  const port = parentPort();
  const dataDir = process.env.PAYDESK_DATA;
  const configFile = process.env.PAYDESK_CONFIG;
  if (!dataDir || !configFile) throw new Error('PAYDESK_DATA and PAYDESK_CONFIG must be set for the core host');
  // No loopPriority here: in Electron's utility process the parent's messages arrive through Chromium's IO
  // thread, which SCHED_IDLE would put behind everything; unmeasured without the Electron binary (docs/architecture.md).
  const core = await startCore({ configFile, dataDir });
  const scans = await createScanPort(core);
  // The OS viewer lives in Electron's main process, which re-checks that the file is an export (open-file.ts).
  let nextOpen = 0;
  const opening = new Map<number, (error: string | null) => void>();
  const openFile = (file: string): Promise<{ url: string | null; opened: boolean }> => new Promise((resolve, reject) => {
    const id = nextOpen++;
    opening.set(id, (error) => (error === null ? resolve({ url: null, opened: true }) : reject(new Error(error))));
    port.post({ type: 'open', id, file });
  });
  const display = createCustomerDisplayFeed(core);
  const session: ApiSession = createApiSession({ core, scans, shell: 'electron', onError: (method, error) => console.error(`[api] ${method}:`, error), openFile, display });
  const postDisplay = (view = display.current()): void => {
    const { enabled, screen } = core.config.current().customerDisplay;
    port.post({ type: 'display', view, window: { enabled, screen } });
  };
  display.subscribe(postDisplay);
  core.config.onChange(() => postDisplay());
  session.subscribe((event) => port.post({ type: 'event', event }));
  let closing: Promise<void> | null = null;
  const shutdown = (): Promise<void> => {
    closing ??= (async () => {
      display.close();
      await session.close();
      await scans.close();
      await core.close(); // journal checkpointed and closed before the process ends
      port.post({ type: 'closed' });
    })();
    return closing;
  };
  port.onMessage((raw) => {
    const parsed = hostInboundSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'opened') {
      const answer = opening.get(message.id);
      opening.delete(message.id);
      answer?.(message.error);
      return;
    }
    if (message.type === 'shutdown') {
      void shutdown().then(() => process.exit(0));
      return;
    }
    session.dispatch(message.method, message.input)
      .then((response) => port.post(response.ok && response.data instanceof PreSerialized
        ? { type: 'responseText', id: message.id, text: responseJson(response) }
        : { type: 'response', id: message.id, response }))
      .catch((error: unknown) => console.error('[core-host] dispatch failed', error));
  });
  process.on('SIGTERM', () => void shutdown().then(() => process.exit(0)));
  port.post({ type: 'ready' });
  postDisplay();
}

// Entry point when run as a process (dist/main/core-host.cjs, or tsx in tests).
if (process.env.PAYDESK_CORE_HOST === '1') {
  runCoreHost().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    try {
      parentPort().post({ type: 'fatal', message });
    } catch {
      // no parent to tell
    }
    console.error(message);
    process.exit(1);
  });
}
