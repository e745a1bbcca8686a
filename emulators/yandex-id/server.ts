// Yandex ID emulator (loopback): the device authorization grant as Yandex OAuth serves it — POST
// /device/code, POST /token (grant_type=device_code, form-encoded, client id + secret), GET /info on
// the login host (one server plays both) — plus a control API to approve, deny or expire a code.
// Its clock is injectable so tests can walk through intervals and expiry without waiting.
import { randomBytes } from 'node:crypto';
import { startJsonServer, type JsonAnswer, type LoopbackServer } from '../fiscal-kit/http';

export interface YandexIdEmulatorOptions {
  clientId: string;
  clientSecret: string;
  /** Accounts that can approve codes. */
  users: Array<{ id: string; login: string }>;
  intervalSec?: number;
  expiresInSec?: number;
  nowMs?: () => number;
  port?: number;
}

type CodeState = 'pending' | 'approved' | 'denied' | 'used';

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  state: CodeState;
  login: string | null;
  expiresAtMs: number;
  intervalMs: number;
  lastPollMs: number | null;
}

export interface YandexIdEmulator {
  readonly url: string;
  approve(userCode: string, login: string): void;
  deny(userCode: string): void;
  expire(userCode: string): void;
  codes(): Array<{ userCode: string; state: CodeState; polls: number }>;
  setDown(down: boolean): void;
  /** The next N /token answers are an HTML error page (a hostile proxy). */
  garbage(n: number): void;
  close(): Promise<void>;
}

const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

function userCode(): string {
  return [...randomBytes(8)].map((b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]).join('');
}

export async function startYandexIdEmulator(options: YandexIdEmulatorOptions): Promise<YandexIdEmulator> {
  const now = options.nowMs ?? (() => Date.now());
  const interval = options.intervalSec ?? 5;
  const expiresIn = options.expiresInSec ?? 600;
  const byDevice = new Map<string, DeviceCode>();
  const byUser = new Map<string, DeviceCode>();
  const tokens = new Map<string, { id: string; login: string }>();
  const polls = new Map<string, number>();
  let garbageLeft = 0;

  const json = (status: number, body: unknown): JsonAnswer => ({ status, body });
  const oauthError = (status: number, error: string, description: string): JsonAnswer => json(status, { error, error_description: description });

  function find(code: string): DeviceCode {
    const found = byUser.get(code);
    if (!found) throw new Error(`no such user code ${code}`);
    return found;
  }

  const server: LoopbackServer = await startJsonServer((req) => {
    const formBody = new URLSearchParams(req.rawBody);
    if (req.method === 'POST' && req.path === '/device/code') {
      const clientId = formBody.get('client_id') ?? '';
      if (clientId !== options.clientId) return oauthError(400, 'invalid_client', 'Client not found');
      const code: DeviceCode = {
        deviceCode: randomBytes(24).toString('hex'), userCode: userCode(), clientId, state: 'pending', login: null,
        expiresAtMs: now() + expiresIn * 1000, intervalMs: interval * 1000, lastPollMs: null,
      };
      byDevice.set(code.deviceCode, code);
      byUser.set(code.userCode, code);
      return json(200, { device_code: code.deviceCode, user_code: code.userCode, verification_url: 'https://ya.ru/device', interval, expires_in: expiresIn });
    }
    if (req.method === 'POST' && req.path === '/token') {
      if (garbageLeft > 0) {
        garbageLeft -= 1;
        return { status: 200, body: null, raw: '<html><body>502 Bad Gateway</body></html>' };
      }
      if (formBody.get('grant_type') !== 'device_code') return oauthError(400, 'unsupported_grant_type', 'grant_type');
      if (formBody.get('client_id') !== options.clientId || formBody.get('client_secret') !== options.clientSecret) return oauthError(401, 'invalid_client', 'Client authentication failed');
      const code = byDevice.get(formBody.get('code') ?? '');
      if (!code) return oauthError(400, 'bad_verification_code', 'Invalid code');
      polls.set(code.userCode, (polls.get(code.userCode) ?? 0) + 1);
      const t = now();
      if (t >= code.expiresAtMs) return oauthError(400, 'expired_token', 'Code has expired');
      if (code.state === 'denied') return oauthError(400, 'access_denied', 'User denied access');
      if (code.state === 'used') return oauthError(400, 'bad_verification_code', 'Code already used');
      const tooFast = code.lastPollMs !== null && t - code.lastPollMs < code.intervalMs;
      code.lastPollMs = t;
      // The announced interval stays the bar: a client that adds 5 s per slow_down (RFC 8628 §3.5) always clears it.
      if (tooFast) {
        return oauthError(400, 'slow_down', 'Polling too often');
      }
      if (code.state === 'pending') return oauthError(400, 'authorization_pending', 'User has not yet authorized');
      code.state = 'used';
      const token = randomBytes(24).toString('base64url');
      const user = options.users.find((u) => u.login === code.login);
      if (user) tokens.set(token, user);
      return json(200, { token_type: 'bearer', access_token: token, expires_in: 31_536_000, refresh_token: randomBytes(24).toString('base64url') });
    }
    if (req.method === 'GET' && req.path === '/info') {
      const auth = String(req.headers.authorization ?? '');
      const user = tokens.get(auth.replace(/^OAuth /, ''));
      if (!auth.startsWith('OAuth ') || !user) return json(401, { error: 'invalid token' });
      return json(200, { id: user.id, login: user.login, client_id: options.clientId, default_email: `${user.login}@yandex.ru` });
    }
    // Control API (loopback only, like the server itself).
    if (req.method === 'POST' && req.path.startsWith('/_control/')) {
      const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as { user_code?: string; login?: string };
      try {
        if (req.path === '/_control/approve') api.approve(body.user_code ?? '', body.login ?? '');
        else if (req.path === '/_control/deny') api.deny(body.user_code ?? '');
        else if (req.path === '/_control/expire') api.expire(body.user_code ?? '');
        else return json(404, { error: 'unknown control' });
      } catch (error) {
        return json(400, { error: error instanceof Error ? error.message : String(error) });
      }
      return json(200, { ok: true });
    }
    if (req.method === 'GET' && req.path === '/_control/codes') return json(200, api.codes());
    return json(404, { error: 'not found' });
  }, options.port ?? 0);

  const api: YandexIdEmulator = {
    url: server.url,
    approve(code, login) {
      if (!options.users.some((u) => u.login === login)) throw new Error(`no such account ${login}`);
      const c = find(code);
      if (c.state !== 'pending') throw new Error(`code ${code} is ${c.state}`);
      c.state = 'approved';
      c.login = login;
    },
    deny(code) {
      find(code).state = 'denied';
    },
    expire(code) {
      find(code).expiresAtMs = now();
    },
    codes: () => [...byUser.values()].map((c) => ({ userCode: c.userCode, state: c.state, polls: polls.get(c.userCode) ?? 0 })),
    setDown: (down) => server.setDown(down),
    garbage(n) {
      garbageLeft = n;
    },
    close: () => server.close(),
  };
  return api;
}
