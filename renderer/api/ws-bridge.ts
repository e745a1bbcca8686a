// The kiosk shell's bridge: a WebSocket to 127.0.0.1 carrying the same envelopes as Electron IPC.
// The per-start token arrives in the URL fragment (#token=…), is kept in sessionStorage so a reload
// works, and is removed from the address bar at once.
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX, wsServerFrameSchema, type PaydeskBridge } from '../../main/contract/api';
import { localError } from './client';

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

export interface WsBridge extends PaydeskBridge {
  state(): ConnectionState;
  onState(listener: (state: ConnectionState) => void): () => void;
}

/** `storageKey`: where the page keeps its token across reloads (the customer display keeps its own). */
export function takeToken(storageKey = 'paydesk.token'): string | null {
  const match = /(?:^#|&)token=([\w-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(storageKey, match[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return match[1];
  }
  return sessionStorage.getItem(storageKey);
}

/**
 * The kiosk shell starts Chromium with a one-time launch code (#launch=…) instead of the token, because a
 * command line is readable by every local user. The page trades it once for the token (POST /session).
 */
export function exchangeLaunchCode(storageKey = 'paydesk.token'): Promise<string | null> | null {
  const match = /(?:^#|&)launch=([\w-]+)/.exec(window.location.hash);
  if (!match?.[1]) return null;
  const code = match[1];
  history.replaceState(null, '', window.location.pathname + window.location.search);
  return fetch('/session', { method: 'POST', headers: { 'X-Paydesk-Launch': code } })
    .then(async (res) => (res.ok ? ((await res.json()) as { token?: unknown }).token : null))
    .then((token) => {
      if (typeof token !== 'string') return sessionStorage.getItem(storageKey);
      sessionStorage.setItem(storageKey, token);
      return token;
    })
    .catch(() => sessionStorage.getItem(storageKey));
}

export function createWsBridge(tokenOrPromise: string | null | Promise<string | null>, url = `ws://${window.location.host}${WS_PATH}`): WsBridge {
  let token: string | null = typeof tokenOrPromise === 'string' || tokenOrPromise === null ? tokenOrPromise : null;
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  let everOpened = false;
  const pending = new Map<number, (response: unknown) => void>();
  const eventListeners = new Set<(event: unknown) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const queue: string[] = [];

  const setState = (next: ConnectionState): void => {
    state = next;
    for (const l of stateListeners) l(next);
  };

  const connect = (): void => {
    if (!token) {
      setState('unauthorized');
      return;
    }
    const ws = new WebSocket(url, [WS_PROTOCOL, WS_TOKEN_PREFIX + token]);
    socket = ws;
    ws.onopen = () => {
      everOpened = true;
      setState('open');
      for (const frame of queue.splice(0)) ws.send(frame);
    };
    ws.onmessage = (message) => {
      let raw: unknown;
      try {
        raw = JSON.parse(String(message.data));
      } catch {
        return;
      }
      const frame = wsServerFrameSchema.safeParse(raw);
      if (!frame.success) return;
      if ('response' in frame.data && frame.data.id !== null) {
        const resolve = pending.get(frame.data.id);
        pending.delete(frame.data.id);
        resolve?.(frame.data.response);
      } else if ('event' in frame.data) {
        for (const l of eventListeners) l(frame.data.event);
      }
    };
    ws.onclose = () => {
      socket = null;
      // A request in flight may still complete in the core: tell the cashier to look, not to repeat.
      for (const [id, resolve] of pending) {
        pending.delete(id);
        resolve({ ok: false, error: localError('shell.disconnected', 'Связь с ядром кассы прервалась. Проверьте результат в журнале, не принимайте оплату повторно.', 'Lost the connection to the till core. Check the journal before taking payment again.', 'check_status') });
      }
      setState(everOpened ? 'closed' : 'unauthorized');
      setTimeout(connect, 500);
    };
  };
  if (tokenOrPromise instanceof Promise) {
    void tokenOrPromise.then((t) => {
      token = t;
      connect();
    });
  } else connect();

  return {
    invoke(method, input) {
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        const frame = JSON.stringify({ id, method, input });
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(frame);
        else queue.push(frame);
      });
    },
    subscribe(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
  };
}
