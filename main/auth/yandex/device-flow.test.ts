import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startYandexIdEmulator, type YandexIdEmulator } from '../../../emulators/yandex-id/server';
import { openJournal, type Journal } from '../../journal/database';
import { PeopleStore } from '../../people/store';
import { yandexConfigSchema, type YandexConfig } from './config';
import { pollToken, requestDeviceCode, waitForApproval, yandexRequirement, type FlowClock } from './device-flow';
import { signInWithYandex } from './signin';

let t: number;
let emulator: YandexIdEmulator;
let config: YandexConfig;
let dir: string;
let journal: Journal;
let people: PeopleStore;
const intervals: number[] = [];
/** Virtual time shared by the till and the emulator: intervals and expiry without waiting. */
const clock: FlowClock = { nowMs: () => t, sleep: async (ms) => { t += ms; } };

beforeEach(async () => {
  t = Date.UTC(2026, 10, 30, 9);
  intervals.length = 0;
  emulator = await startYandexIdEmulator({ clientId: 'paydesk', clientSecret: 's3cret', users: [{ id: '1001', login: 'admin.shop' }, { id: '1002', login: 'stranger' }], intervalSec: 5, expiresInSec: 600, nowMs: () => t });
  config = yandexConfigSchema.parse({ enabled: true, clientId: 'paydesk', clientSecret: 's3cret', oauthUrl: emulator.url, loginUrl: emulator.url, timeoutMs: 2_000 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-yandex-'));
  journal = openJournal(path.join(dir, 'till.db'));
  people = new PeopleStore({ sqlite: journal.sqlite, cardKey: Buffer.alloc(32), pinCost: { N: 1024, r: 8, p: 1 } });
  await people.create({ id: 'admin', name: 'Админ', role: 'administrator', pin: '8402', yandexLogin: 'admin.shop' });
});
afterEach(async () => {
  await emulator.close();
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function control(action: string, body: object): Promise<number> {
  const res = await fetch(`${emulator.url}/_control/${action}`, { method: 'POST', body: JSON.stringify(body) });
  return res.status;
}

describe('Yandex ID device flow against its emulator', () => {
  it('shows a user code and URL, polls, and signs in the linked person once approved', async () => {
    let shown = '';
    const person = await signInWithYandex(config, people, 'till-1', (auth) => { shown = auth.userCode; expect(auth.verificationUrl).toMatch(/^https:\/\//); }, {
      clock,
      onPoll: (r, next) => {
        intervals.push(next);
        if (intervals.length === 3) void control('approve', { user_code: shown, login: 'admin.shop' });
      },
    });
    expect(person.id).toBe('admin');
    expect(intervals.every((i) => i === 5_000)).toBe(true);
    expect(emulator.codes()[0]).toMatchObject({ state: 'used' });
  });

  it('a denied code ends the flow with yandex.denied', async () => {
    const auth = await requestDeviceCode(config, 'till-1', clock);
    const wait = waitForApproval(config, auth, { clock, onPoll: () => emulator.deny(auth.userCode) });
    await expect(wait).rejects.toMatchObject({ key: 'yandex.denied' });
  });

  it('an expired code ends the flow with yandex.expired (by time, or as the server says)', async () => {
    const auth = await requestDeviceCode(config, 'till-1', clock);
    await expect(waitForApproval(config, auth, { clock })).rejects.toMatchObject({ key: 'yandex.expired' });
    expect(t - Date.UTC(2026, 10, 30, 9)).toBeGreaterThanOrEqual(600_000);
    const second = await requestDeviceCode(config, 'till-1', clock);
    expect(await control('expire', { user_code: second.userCode })).toBe(200);
    await expect(waitForApproval(config, { ...second, expiresAtMs: Number.MAX_SAFE_INTEGER }, { clock })).rejects.toMatchObject({ key: 'yandex.expired' });
  });

  it('slow_down adds five seconds to the interval for the rest of the flow', async () => {
    const auth = await requestDeviceCode(config, 'till-1', clock);
    expect(await pollToken(config, auth.deviceCode)).toEqual({ state: 'pending' });
    expect(await pollToken(config, auth.deviceCode)).toEqual({ state: 'slow_down' });
    // A till whose timer fires early (half the interval): the server slows it down, the client obeys.
    let calls = 0;
    const early: FlowClock = { nowMs: () => t, sleep: async (ms) => { calls += 1; t += calls === 1 ? ms / 2 : ms; } };
    const wait = waitForApproval(config, auth, { clock: early, onPoll: (r, next) => {
      intervals.push(next);
      if (intervals.length === 2) emulator.approve(auth.userCode, 'admin.shop');
    } });
    expect(typeof (await wait)).toBe('string');
    expect(intervals[0]).toBe(10_000);
    expect(intervals.at(-1)).toBe(10_000);
  });

  it('an unlinked Yandex account is refused', async () => {
    const run = signInWithYandex(config, people, 'till-1', (auth) => emulator.approve(auth.userCode, 'stranger'), { clock });
    await expect(run).rejects.toMatchObject({ key: 'yandex.not_linked' });
  });

  it('a wrong client secret, a garbage answer and a dead server are clear errors, never a sign-in', async () => {
    const auth = await requestDeviceCode(config, 'till-1', clock);
    await expect(pollToken({ ...config, clientSecret: 'wrong' }, auth.deviceCode)).rejects.toMatchObject({ key: 'yandex.bad_answer' });
    emulator.garbage(1);
    await expect(pollToken(config, auth.deviceCode)).rejects.toMatchObject({ key: 'yandex.bad_answer' });
    emulator.setDown(true);
    const polls: string[] = [];
    await expect(waitForApproval(config, auth, { clock, onPoll: (r) => polls.push(r.state) })).rejects.toMatchObject({ key: 'yandex.unavailable' });
    expect(polls).toEqual(['network_error', 'network_error', 'network_error']); // config.maxNetworkFailures, then the offline fallback may be offered
    await expect(requestDeviceCode(config, 'till-1', clock)).rejects.toMatchObject({ key: 'yandex.unavailable' });
  });

  it('is off by default; an enabled section needs credentials and https (http only to loopback)', async () => {
    const off = yandexConfigSchema.parse({});
    expect(off.enabled).toBe(false);
    await expect(requestDeviceCode(off, 'till-1')).rejects.toMatchObject({ key: 'yandex.disabled' });
    expect(yandexConfigSchema.safeParse({ enabled: true }).success).toBe(false);
    expect(yandexConfigSchema.safeParse({ enabled: true, clientId: 'a', clientSecret: 'b', oauthUrl: 'http://oauth.example.com' }).success).toBe(false);
    expect(yandexConfigSchema.safeParse({ enabled: true, clientId: 'a', clientSecret: 'b', oauthUrl: 'http://127.0.0.1:9' }).success).toBe(true);
  });
});

describe('cancelling at the till', () => {
  it('an abort stops the real-clock wait at once, without another poll', async () => {
    const auth = await requestDeviceCode(config, 'till-1', clock);
    const controller = new AbortController();
    const wait = waitForApproval(config, { ...auth, expiresAtMs: Date.now() + 600_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(wait).rejects.toMatchObject({ key: 'yandex.denied' });
    expect(emulator.codes()[0]?.polls).toBe(0);
  });
});

describe('offline fallback rule', () => {
  it('Yandex is required only when on and the role needs it; offline only with the matrix right', () => {
    const base = { enabled: true, roleRequiresYandex: true, yandexReachable: true, offlineAllowed: false };
    expect(yandexRequirement({ ...base, enabled: false })).toBe('not_needed');
    expect(yandexRequirement({ ...base, roleRequiresYandex: false })).toBe('not_needed');
    expect(yandexRequirement(base)).toBe('required');
    expect(yandexRequirement({ ...base, yandexReachable: false })).toBe('refused');
    expect(yandexRequirement({ ...base, yandexReachable: false, offlineAllowed: true })).toBe('offline_fallback');
  });
});
