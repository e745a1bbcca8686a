// Yandex ID sign-in through the till's API (docs/people-and-audit.md "Yandex ID"), against the Yandex ID
// emulator on loopback: an administrator's PIN alone is refused while Yandex is on; the device code is
// approved, denied or expires; with Yandex unreachable only a person whose rights allow the offline
// fallback gets in with the PIN, and that is on the audit trail.
import { afterEach, describe, expect, it } from 'vitest';
import { startYandexIdEmulator, type YandexIdEmulator } from '../../emulators/yandex-id/server';
import { startApiHarness, type ApiHarness } from '../support/api-session';

let h: ApiHarness | null = null;
let yandex: YandexIdEmulator | null = null;
let t = Date.now();
afterEach(async () => {
  await h?.close();
  await yandex?.close();
  h = null;
  yandex = null;
});

async function start(): Promise<ApiHarness> {
  // The emulator's own clock: moved on before each poll so the till never polls "too fast".
  yandex = await startYandexIdEmulator({ clientId: 'paydesk', clientSecret: 's3cret-yandex', users: [{ id: '1001', login: 'admin.shop' }, { id: '1002', login: 'nobody.here' }], intervalSec: 5, nowMs: () => t });
  h = await startApiHarness({
    extra: {
      access: { signIn: true, autoLock: { idleSec: 0, warnSec: 0 } },
      yandexId: { enabled: true, clientId: 'paydesk', clientSecret: 's3cret-yandex', oauthUrl: yandex.url, loginUrl: yandex.url, timeoutMs: 2_000, maxNetworkFailures: 2 },
    },
  });
  h.till.core.people.people.setYandexLogin('demo-admin', 'admin.shop');
  return h;
}

const poll = async (harness: ApiHarness, attempt: string) => {
  t += 6_000;
  return harness.session.dispatch('people.yandexPoll', { attempt });
};

function auditKinds(harness: ApiHarness): { kind: string; actor: string | null; data: Record<string, unknown> }[] {
  return (harness.till.core.journal.sqlite.prepare('SELECT entry_json FROM audit_log ORDER BY seq').all() as { entry_json: string }[]).map((r) => JSON.parse(r.entry_json) as { kind: string; actor: string | null; data: Record<string, unknown> });
}

describe('Yandex ID sign-in through the API', () => {
  it('PIN alone refused for the administrator; the code approved on the phone signs them in', async () => {
    const api = await start();
    expect((await api.fail('people.signIn', { kind: 'pin', personId: 'demo-admin', pin: '8402' })).key).toBe('signin.yandex_required');
    // A cashier is not affected.
    expect((await api.call('people.signIn', { kind: 'pin', personId: 'demo-cashier', pin: '4821' })).person?.id).toBe('demo-cashier');
    const code = await api.call('people.yandexStart', {});
    expect(code.userCode).toMatch(/^[A-Z]{8}$/);
    expect(JSON.stringify(code)).not.toContain('s3cret');
    expect(await poll(api, code.attempt)).toMatchObject({ ok: true, data: { state: 'pending' } });
    yandex?.approve(code.userCode, 'admin.shop');
    expect(await poll(api, code.attempt)).toMatchObject({ ok: true, data: { state: 'signed_in', person: { id: 'demo-admin' } } });
    expect((await api.call('people.state', {})).person?.id).toBe('demo-admin');
    expect(auditKinds(api).filter((e) => e.kind === 'sign_in').at(-1)).toMatchObject({ actor: 'demo-admin', data: { method: 'yandex' } });
    // The attempt is used up.
    expect((await api.fail('people.yandexPoll', { attempt: code.attempt })).key).toBe('yandex.expired');
  }, 30_000);

  it('a denied code and an expired code are refused with their own instruction; an unlinked login too', async () => {
    const api = await start();
    const denied = await api.call('people.yandexStart', {});
    yandex?.deny(denied.userCode);
    expect(await poll(api, denied.attempt)).toMatchObject({ ok: false, error: { key: 'yandex.denied' } });
    const expired = await api.call('people.yandexStart', {});
    yandex?.expire(expired.userCode);
    expect(await poll(api, expired.attempt)).toMatchObject({ ok: false, error: { key: 'yandex.expired' } });
    const stranger = await api.call('people.yandexStart', {});
    yandex?.approve(stranger.userCode, 'nobody.here');
    expect(await poll(api, stranger.attempt)).toMatchObject({ ok: false, error: { key: 'yandex.not_linked' } });
    expect((await api.call('people.state', {})).person).toBeNull();
    expect(auditKinds(api).some((e) => e.kind === 'sign_in_failed' && e.data.method === 'yandex')).toBe(true);
  }, 30_000);

  it('Yandex unreachable: the super-administrator may use the PIN (offline fallback, audited), the administrator may not', async () => {
    const api = await start();
    yandex?.setDown(true);
    for (let i = 0; i < 2; i += 1) expect((await api.fail('people.yandexStart', {})).key).toBe('yandex.unavailable');
    expect((await api.fail('people.signIn', { kind: 'pin', personId: 'demo-admin', pin: '8402' })).key).toBe('yandex.unavailable');
    expect((await api.call('people.signIn', { kind: 'pin', personId: 'demo-root', pin: '7315' })).person?.id).toBe('demo-root');
    expect(auditKinds(api).filter((e) => e.kind === 'sign_in').at(-1)).toMatchObject({ actor: 'demo-root', data: { method: 'pin', offlineFallback: true } });
  }, 30_000);
});
