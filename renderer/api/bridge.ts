// Picks the shell's bridge: window.paydesk (Electron preload, contextBridge) or a WebSocket to the
// kiosk shell. The screens see the same typed PaydeskApi either way.
import type { PaydeskApi, PaydeskBridge } from '../../main/contract/api';
import { createApiClient } from './client';
import { createWsBridge, exchangeLaunchCode, takeToken, type ConnectionState, type WsBridge } from './ws-bridge';

declare global {
  interface Window {
    paydesk?: PaydeskBridge;
  }
}

export interface Connection {
  api: PaydeskApi;
  state(): ConnectionState;
  onState(listener: (state: ConnectionState) => void): () => void;
}

export function connect(): Connection {
  if (window.paydesk) {
    return { api: createApiClient(window.paydesk), state: () => 'open', onState: () => () => undefined };
  }
  const bridge: WsBridge = createWsBridge(exchangeLaunchCode() ?? takeToken());
  return { api: createApiClient(bridge), state: bridge.state, onState: bridge.onState };
}
