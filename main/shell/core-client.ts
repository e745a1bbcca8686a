// The parent side of main/shell/core-host.ts: invoke API methods in the core process and receive its events.
// If the core process dies, every pending call is answered with an error at once (never a hang), and later
// calls are refused until a new host is started. Plain Node: no Electron import (Electron wraps its
// utilityProcess into the `HostChannel` below).
import { apiResponseSchema, type ApiEvent, type ApiResponse } from '../contract/api';
import { describeError } from '../errors/catalogue';
import type { CustomerDisplayView } from '../contract/display';
import type { DisplayWindow, HostInbound, HostOutbound } from './core-host';

export interface HostChannel {
  post(message: HostInbound): void;
  onMessage(listener: (message: HostOutbound) => void): void;
  onExit(listener: (code: number | null) => void): void;
}

export interface CoreClient {
  /** Resolves once the core is started (config, journal, connection), or rejects with its start error. */
  ready: Promise<void>;
  invoke(method: unknown, input: unknown): Promise<ApiResponse>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
  /** The customer display's frames (for its window only) and where that window belongs. */
  onDisplay(listener: (view: CustomerDisplayView, window: DisplayWindow) => void): () => void;
  /** Asks the core to close (journal closed, connections ended) and waits for it, at most `timeoutMs`. */
  shutdown(timeoutMs?: number): Promise<boolean>;
}

/** Opens an exported report in the OS viewer (Electron's main process); rejects with the reason. */
export type ExportOpener = (file: string) => Promise<void>;

export function connectCoreHost(channel: HostChannel, openExport?: ExportOpener): CoreClient {
  let nextId = 0;
  let alive = true;
  const pending = new Map<number, (response: ApiResponse) => void>();
  const listeners = new Set<(event: ApiEvent) => void>();
  const displayListeners = new Set<(view: CustomerDisplayView, window: DisplayWindow) => void>();
  let closed: (() => void) | null = null;
  const closedPromise = new Promise<void>((resolve) => { closed = resolve; });
  let readyResolve: () => void = () => undefined;
  let readyReject: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => { readyResolve = resolve; readyReject = reject; });
  ready.catch(() => undefined);

  const failAll = (why: string): void => {
    for (const [id, answer] of pending) {
      pending.delete(id);
      answer({ ok: false, error: describeError('internal.unexpected', why) });
    }
  };

  channel.onMessage((message) => {
    switch (message.type) {
      case 'ready': readyResolve(); break;
      case 'fatal': readyReject(new Error(message.message)); break;
      case 'response': {
        const answer = pending.get(message.id);
        pending.delete(message.id);
        answer?.(message.response);
        break;
      }
      case 'responseText': {
        // Parsed here, in the shell's process, not on the core's thread (main/api/pre-serialized.ts).
        const answer = pending.get(message.id);
        pending.delete(message.id);
        if (!answer) break;
        let response: ApiResponse;
        try {
          response = apiResponseSchema.parse(JSON.parse(message.text));
        } catch (error) {
          response = { ok: false, error: describeError('internal.unexpected', `core response unreadable: ${error instanceof Error ? error.message : String(error)}`) };
        }
        answer(response);
        break;
      }
      case 'event':
        for (const l of listeners) {
          try {
            l(message.event);
          } catch {
            // a broken window must not stop the others
          }
        }
        break;
      case 'open': {
        const { id, file } = message;
        const done = (error: string | null): void => channel.post({ type: 'opened', id, error });
        if (!openExport) done('opening files is not available in this shell');
        else openExport(file).then(() => done(null), (error: unknown) => done(error instanceof Error ? error.message : String(error)));
        break;
      }
      case 'display':
        for (const l of displayListeners) {
          try {
            l(message.view, message.window);
          } catch {
            // a broken display window must not stop the till's
          }
        }
        break;
      case 'closed': closed?.(); break;
      default: break;
    }
  });
  channel.onExit((code) => {
    alive = false;
    readyReject(new Error(`core process exited (${String(code)})`));
    failAll(`core process exited (${String(code)})`);
    closed?.();
  });

  return {
    ready,
    invoke(method, input) {
      if (!alive) return Promise.resolve({ ok: false, error: describeError('internal.unexpected', 'core process is not running') });
      const id = nextId++;
      return new Promise<ApiResponse>((resolve) => {
        pending.set(id, resolve);
        channel.post({ type: 'invoke', id, method, input });
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onDisplay(listener) {
      displayListeners.add(listener);
      return () => displayListeners.delete(listener);
    },
    async shutdown(timeoutMs = 10_000) {
      if (!alive) return true;
      channel.post({ type: 'shutdown' });
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([closedPromise.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), timeoutMs); })]);
      if (timer) clearTimeout(timer);
      return done;
    },
  };
}
