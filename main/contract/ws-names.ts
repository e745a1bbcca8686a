// The kiosk API's WebSocket names on their own, free of schemas: the kiosk core's first stage checks them
// before the validators are loaded (docs/architecture.md "Start-up").

/** WebSocket subprotocols: the fixed one plus `paydesk.token.<per-start token>`. */
export const WS_PROTOCOL = 'paydesk.v1';
export const WS_TOKEN_PREFIX = 'paydesk.token.';
export const WS_PATH = '/api';
