// The customer display's link to the till: receive-only. Electron: the display window's own preload
// (window.paydeskDisplay, a subscribe and nothing else). Kiosk: a WebSocket with the display's token — a
// credential the kiosk server accepts only for the display stream (main/shell/kiosk/server.ts). Every frame
// is parsed with the contract's strict schema; anything else is dropped.
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX } from '../../main/contract/api';
import { displayFrameSchema, type CustomerDisplayView } from '../../main/contract/display';
import { exchangeLaunchCode, takeToken } from '../api/ws-bridge';

export interface DisplayBridge {
  subscribe(listener: (frame: unknown) => void): () => void;
}

declare global {
  interface Window {
    paydeskDisplay?: DisplayBridge;
  }
}

export type DisplayLink = 'connecting' | 'open' | 'closed';

/** Kept apart from the cashier page's token key: the two pages never share a credential. */
const TOKEN_KEY = 'paydesk.displayToken';

export function connectDisplay(onView: (view: CustomerDisplayView) => void, onLink: (link: DisplayLink) => void): () => void {
  const take = (frame: unknown): void => {
    const parsed = displayFrameSchema.safeParse(frame);
    if (parsed.success) onView(parsed.data.display);
  };
  if (window.paydeskDisplay) {
    onLink('open');
    return window.paydeskDisplay.subscribe(take);
  }
  let stopped = false;
  let socket: WebSocket | null = null;
  const open = (token: string | null): void => {
    if (stopped) return;
    if (!token) {
      onLink('closed');
      return;
    }
    const ws = new WebSocket(`ws://${window.location.host}${WS_PATH}`, [WS_PROTOCOL, WS_TOKEN_PREFIX + token]);
    socket = ws;
    ws.onopen = () => onLink('open');
    ws.onmessage = (message) => {
      try {
        take(JSON.parse(String(message.data)));
      } catch {
        // not JSON: ignored
      }
    };
    ws.onclose = () => {
      socket = null;
      if (stopped) return;
      onLink('closed');
      setTimeout(() => open(token), 1000);
    };
  };
  const launched = exchangeLaunchCode(TOKEN_KEY);
  if (launched) void launched.then(open);
  else open(takeToken(TOKEN_KEY));
  return () => {
    stopped = true;
    socket?.close();
  };
}
