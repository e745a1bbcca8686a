// Yandex ID sign-in through the OAuth 2.0 device authorization grant (RFC 8628; Yandex: POST
// /device/code, then POST /token with grant_type=device_code). The till shows the user code and a QR
// of the verification URL, then polls at the server's interval (+5 s on slow_down) until approved,
// denied or expired. The access token is used once to read who signed in and then dropped.
import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { PaydeskError } from '../../errors/catalogue';
import type { YandexConfig } from './config';

const deviceCodeSchema = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1).max(32),
  verification_url: z.string().url(),
  interval: z.number().int().min(0).max(600).default(5),
  expires_in: z.number().int().min(1).max(3600),
});
const tokenSchema = z.object({ access_token: z.string().min(1), token_type: z.string().optional(), expires_in: z.number().optional() });
const errorSchema = z.object({ error: z.string(), error_description: z.string().optional() });
const userSchema = z.object({ id: z.string().min(1), login: z.string().min(1) });

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  /** Shown as text and as a QR code: the person opens it on a phone. */
  verificationUrl: string;
  intervalMs: number;
  expiresAtMs: number;
}

export type PollResult =
  | { state: 'pending' }
  | { state: 'slow_down' }
  | { state: 'denied' }
  | { state: 'expired' }
  | { state: 'approved'; accessToken: string };

export interface YandexUser {
  id: string;
  login: string;
}

export interface FlowClock {
  nowMs(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const REAL_CLOCK: FlowClock = {
  nowMs: () => Date.now(),
  sleep: (ms, signal) => new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); reject(new PaydeskError('yandex.denied', 'cancelled at the till')); }, { once: true });
  }),
};

/** RFC 8628 §3.5: on slow_down the interval grows by 5 seconds for the rest of the flow. */
export const SLOW_DOWN_STEP_MS = 5_000;

function client(config: YandexConfig, baseURL: string): AxiosInstance {
  return axios.create({ baseURL, timeout: config.timeoutMs, validateStatus: () => true, proxy: false, maxRedirects: 0 });
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function unavailable(error: unknown): PaydeskError {
  if (error instanceof PaydeskError) return error;
  // Never include request bodies: they carry the client secret.
  const code = axios.isAxiosError(error) ? error.code ?? 'network' : 'network';
  return new PaydeskError('yandex.unavailable', `Yandex ID: ${code}`);
}

export async function requestDeviceCode(config: YandexConfig, deviceId: string, clock: FlowClock = REAL_CLOCK): Promise<DeviceAuthorization> {
  if (!config.enabled) throw new PaydeskError('yandex.disabled');
  let res;
  try {
    res = await client(config, config.oauthUrl).post('/device/code', form({ client_id: config.clientId, device_id: deviceId, device_name: config.deviceName }), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
  } catch (error) {
    throw unavailable(error);
  }
  if (res.status >= 500) throw new PaydeskError('yandex.unavailable', `Yandex ID: HTTP ${res.status}`);
  const parsed = deviceCodeSchema.safeParse(res.data);
  if (res.status !== 200 || !parsed.success) throw new PaydeskError('yandex.bad_answer', `device/code: HTTP ${res.status}`);
  return {
    deviceCode: parsed.data.device_code,
    userCode: parsed.data.user_code,
    verificationUrl: parsed.data.verification_url,
    intervalMs: Math.max(1, parsed.data.interval) * 1000,
    expiresAtMs: clock.nowMs() + parsed.data.expires_in * 1000,
  };
}

export async function pollToken(config: YandexConfig, deviceCode: string): Promise<PollResult> {
  let res;
  try {
    res = await client(config, config.oauthUrl).post(
      '/token',
      form({ grant_type: 'device_code', code: deviceCode, client_id: config.clientId, client_secret: config.clientSecret }),
      { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
    );
  } catch (error) {
    throw unavailable(error);
  }
  if (res.status === 200) {
    const token = tokenSchema.safeParse(res.data);
    if (!token.success) throw new PaydeskError('yandex.bad_answer', 'token: no access_token');
    return { state: 'approved', accessToken: token.data.access_token };
  }
  if (res.status >= 500) throw new PaydeskError('yandex.unavailable', `Yandex ID: HTTP ${res.status}`);
  const error = errorSchema.safeParse(res.data);
  if (!error.success) throw new PaydeskError('yandex.bad_answer', `token: HTTP ${res.status}`);
  switch (error.data.error) {
    case 'authorization_pending':
      return { state: 'pending' };
    case 'slow_down':
      return { state: 'slow_down' };
    case 'access_denied':
      return { state: 'denied' };
    case 'expired_token':
    case 'bad_verification_code':
    case 'invalid_grant':
      return { state: 'expired' };
    default:
      // invalid_client and the like: the till's settings are wrong, not the person.
      throw new PaydeskError('yandex.bad_answer', `token: ${error.data.error}`);
  }
}

export interface WaitOptions {
  clock?: FlowClock;
  signal?: AbortSignal;
  /** Called after each poll (the screen shows time left). */
  onPoll?: (result: PollResult | { state: 'network_error' }, nextIntervalMs: number) => void;
}

/** Polls until the person approves; throws yandex.denied / yandex.expired / yandex.unavailable. */
export async function waitForApproval(config: YandexConfig, auth: DeviceAuthorization, options: WaitOptions = {}): Promise<string> {
  const clock = options.clock ?? REAL_CLOCK;
  let interval = auth.intervalMs;
  let networkFailures = 0;
  for (;;) {
    await clock.sleep(interval, options.signal);
    if (clock.nowMs() >= auth.expiresAtMs) throw new PaydeskError('yandex.expired');
    let result: PollResult;
    try {
      result = await pollToken(config, auth.deviceCode);
      networkFailures = 0;
    } catch (error) {
      if (!(error instanceof PaydeskError) || error.key !== 'yandex.unavailable') throw error;
      networkFailures += 1;
      options.onPoll?.({ state: 'network_error' }, interval);
      if (networkFailures >= config.maxNetworkFailures) throw error;
      continue;
    }
    if (result.state === 'slow_down') interval += SLOW_DOWN_STEP_MS;
    options.onPoll?.(result, interval);
    if (result.state === 'approved') return result.accessToken;
    if (result.state === 'denied') throw new PaydeskError('yandex.denied');
    if (result.state === 'expired') throw new PaydeskError('yandex.expired');
  }
}

export async function fetchYandexUser(config: YandexConfig, accessToken: string): Promise<YandexUser> {
  let res;
  try {
    res = await client(config, config.loginUrl).get('/info', { params: { format: 'json' }, headers: { Authorization: `OAuth ${accessToken}` } });
  } catch (error) {
    throw unavailable(error);
  }
  if (res.status >= 500) throw new PaydeskError('yandex.unavailable', `login: HTTP ${res.status}`);
  const user = userSchema.safeParse(res.data);
  if (res.status !== 200 || !user.success) throw new PaydeskError('yandex.bad_answer', `login/info: HTTP ${res.status}`);
  return user.data;
}

export type YandexRequirement = 'not_needed' | 'required' | 'offline_fallback' | 'refused';

/**
 * Whether a sign-in must go through Yandex (pure). When Yandex cannot be reached, a person whose rights
 * include `offline_admin_sign_in` may continue with the PIN alone (audited); others are refused the
 * elevated sign-in (docs/people-and-audit.md).
 */
export function yandexRequirement(input: { enabled: boolean; roleRequiresYandex: boolean; yandexReachable: boolean; offlineAllowed: boolean }): YandexRequirement {
  if (!input.enabled || !input.roleRequiresYandex) return 'not_needed';
  if (input.yandexReachable) return 'required';
  return input.offlineAllowed ? 'offline_fallback' : 'refused';
}
