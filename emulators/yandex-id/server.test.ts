import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startYandexIdEmulator, type YandexIdEmulator } from './server';

let emulator: YandexIdEmulator;
beforeEach(async () => {
  emulator = await startYandexIdEmulator({ clientId: 'c', clientSecret: 's', users: [{ id: '1', login: 'a' }], intervalSec: 0 });
});
afterEach(() => emulator.close());

const post = (path: string, body: string, type = 'application/x-www-form-urlencoded') => fetch(`${emulator.url}${path}`, { method: 'POST', body, headers: { 'Content-Type': type } });

describe('Yandex ID emulator', () => {
  it('speaks form-encoded OAuth with RFC 8628 errors and a control API', async () => {
    expect((await post('/device/code', 'client_id=other')).status).toBe(400);
    const code = (await (await post('/device/code', 'client_id=c&device_id=t1')).json()) as { device_code: string; user_code: string };
    expect(code.user_code).toMatch(/^[A-Z]{8}$/);
    const poll = async () => (await post('/token', `grant_type=device_code&code=${code.device_code}&client_id=c&client_secret=s`)).json() as Promise<Record<string, string>>;
    expect((await poll()).error).toBe('authorization_pending');
    expect((await post('/_control/approve', JSON.stringify({ user_code: code.user_code, login: 'nobody' }), 'application/json')).status).toBe(400);
    expect((await post('/_control/approve', JSON.stringify({ user_code: 'NOPE', login: 'a' }), 'application/json')).status).toBe(400);
    expect((await post('/_control/approve', JSON.stringify({ user_code: code.user_code, login: 'a' }), 'application/json')).status).toBe(200);
    const token = (await poll()).access_token as string;
    expect(token.length).toBeGreaterThan(10);
    expect((await poll()).error).toBe('bad_verification_code'); // a device code is good for one token
    const info = await fetch(`${emulator.url}/info?format=json`, { headers: { Authorization: `OAuth ${token}` } });
    expect(await info.json()).toMatchObject({ id: '1', login: 'a' });
    expect((await fetch(`${emulator.url}/info`, { headers: { Authorization: 'OAuth forged' } })).status).toBe(401);
    const codes = (await (await fetch(`${emulator.url}/_control/codes`)).json()) as Array<{ state: string; polls: number }>;
    expect(codes[0]).toMatchObject({ state: 'used', polls: 3 });
  });
});
