import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../audit/log';
import { openJournal, type Journal } from '../journal/database';
import { autoLockState } from './autolock';
import { checkPinStrength, DEFAULT_PIN_COST, hashPin, needsRehash, normalizePin, verifyPin } from './pin';
import { SessionStore } from './sessions';
import { SignInService } from './signin';
import { PeopleStore } from './store';
import { afterFailure, PERSON_THROTTLE } from './throttle';

const CHEAP = { N: 1024, r: 8, p: 1 };
const cardKey = Buffer.alloc(32, 7);
let dir: string;
let journal: Journal;
let now: number;

function services(j: Journal, cost = CHEAP) {
  const people = new PeopleStore({ sqlite: j.sqlite, cardKey, pinCost: cost });
  const sessions = new SessionStore(() => ({ idleSec: 60, warnSec: 10 }), () => now);
  const signIn = new SignInService({ sqlite: j.sqlite, people, sessions, tillId: 'till-1', nowMs: () => now });
  return { people, sessions, signIn };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-people-'));
  journal = openJournal(path.join(dir, 'till.db'));
  now = Date.UTC(2026, 10, 30, 9);
});
afterEach(() => {
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('PINs', () => {
  it('hash with a per-person salt and the configured cost; the PIN is not in the hash', async () => {
    const a = await hashPin('4821', CHEAP);
    const b = await hashPin('4821', CHEAP);
    expect(a).not.toBe(b);
    expect(a).not.toContain('4821');
    expect(a.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPin('4821', a)).toBe(true);
    expect(await verifyPin('4822', a)).toBe(false);
    expect(await verifyPin('4821', 'garbage')).toBe(false);
    expect(needsRehash(a, DEFAULT_PIN_COST)).toBe(true);
    expect(needsRehash(a, CHEAP)).toBe(false);
  });

  it('the default cost verifies too (tuned, not a toy)', async () => {
    const h = await hashPin('5937');
    expect(h.startsWith(`scrypt$${DEFAULT_PIN_COST.N}$`)).toBe(true);
    expect(await verifyPin('5937', h)).toBe(true);
  });

  it('digits from other keyboards and scripts are the same PIN', () => {
    expect(normalizePin('４８２１')).toBe('4821'); // full-width (IME)
    expect(normalizePin('٤٨٢١')).toBe('4821'); // Arabic-Indic
    expect(normalizePin(' 4821\n')).toBe('4821');
    expect(normalizePin('48й1')).toBe('48й1'); // a layout slip stays wrong, not silently fixed
  });

  it('refuses weak or malformed PINs', () => {
    for (const pin of ['1111', '1234', '9876', '123', '123456789', '12a4', '']) expect(checkPinStrength(pin), pin).not.toBeNull();
    for (const pin of ['4821', '0192', '135790']) expect(checkPinStrength(pin), pin).toBeNull();
  });
});

describe('throttle rules', () => {
  it('free failures, then doubling lockouts up to the cap; old failures are forgotten', () => {
    let s = undefined as ReturnType<typeof afterFailure> | undefined;
    const locks: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      s = afterFailure(s, 0, PERSON_THROTTLE);
      locks.push(s.lockedUntilMs);
    }
    expect(locks.slice(0, 4)).toEqual([0, 0, 0, 30_000]);
    expect(locks[4]).toBe(60_000);
    expect(locks[5]).toBe(120_000);
    expect(locks[11]).toBe(PERSON_THROTTLE.maxLockMs);
    expect(afterFailure(s, PERSON_THROTTLE.forgetAfterMs + 1, PERSON_THROTTLE).failures).toBe(1);
  });
});

describe('sign-in', () => {
  it('signs in by PIN and by staff card; the card number is not stored', async () => {
    const { people, signIn } = services(journal);
    await people.create({ id: 'anna', name: 'Анна', role: 'cashier', pin: '4821', card: 'STAFF-000123' });
    const byPin = await signIn.signIn({ kind: 'pin', personId: 'anna', pin: '4821' });
    expect(byPin.ok && byPin.session.personId).toBe('anna');
    const byCard = await signIn.signIn({ kind: 'card', code: 'STAFF-000123' });
    expect(byCard.ok && byCard.session.method).toBe('card');
    const raw = fs.readFileSync(journal.file).toString('latin1') + (fs.existsSync(`${journal.file}-wal`) ? fs.readFileSync(`${journal.file}-wal`).toString('latin1') : '');
    expect(raw).not.toContain('STAFF-000123');
    expect(await signIn.signIn({ kind: 'card', code: 'STAFF-999' })).toEqual({ ok: false, key: 'signin.unknown_card' });
    // Every attempt is in the audit trail, without the PIN or the card number.
    const entries = journal.sqlite.prepare('SELECT entry_json FROM audit_log ORDER BY seq').all() as Array<{ entry_json: string }>;
    expect(entries.map((e) => (JSON.parse(e.entry_json) as { kind: string }).kind)).toEqual(['sign_in', 'sign_in', 'sign_in_failed']);
    expect(entries.map((e) => e.entry_json).join('')).not.toMatch(/4821|STAFF-/);
    expect(verifyChain(journal.sqlite).ok).toBe(true);
  });

  it('locks a person after repeated wrong PINs, even across a restart, and the right PIN does not bypass it', async () => {
    let s = services(journal);
    await s.people.create({ id: 'anna', name: 'Анна', role: 'cashier', pin: '4821' });
    for (let i = 0; i < 3; i += 1) expect(await s.signIn.signIn({ kind: 'pin', personId: 'anna', pin: '0000' })).toMatchObject({ ok: false, key: 'signin.wrong_pin' });
    expect(await s.signIn.signIn({ kind: 'pin', personId: 'anna', pin: '0000' })).toMatchObject({ ok: false, key: 'signin.wrong_pin' });
    // Fourth failure armed a 30 s lock.
    expect(await s.signIn.signIn({ kind: 'pin', personId: 'anna', pin: '4821' })).toMatchObject({ ok: false, key: 'signin.locked', retryAfterMs: 30_000 });

    journal.close();
    journal = openJournal(path.join(dir, 'till.db'));
    s = services(journal);
    now += 10_000;
    expect(await s.signIn.signIn({ kind: 'pin', personId: 'anna', pin: '4821' })).toMatchObject({ ok: false, key: 'signin.locked', retryAfterMs: 20_000 });
    now += 20_000;
    expect(await s.signIn.signIn({ kind: 'pin', personId: 'anna', pin: '0000' })).toMatchObject({ key: 'signin.wrong_pin' });
    expect(await s.signIn.signIn({ kind: 'pin', personId: 'anna', pin: '4821' })).toMatchObject({ ok: false, key: 'signin.locked', retryAfterMs: 60_000 });
    now += 60_000;
    expect((await s.signIn.signIn({ kind: 'pin', personId: 'anna', pin: '4821' })).ok).toBe(true);
    expect(s.signIn.readThrottle('person:anna')).toBeUndefined();
  });

  it('parallel guesses are serialized: no more than the free failures get through before the lock', async () => {
    const { people, signIn } = services(journal);
    await people.create({ id: 'anna', name: 'Анна', role: 'cashier', pin: '4821' });
    const guesses = ['0001', '0002', '0003', '0004', '0005', '0006', '0007', '0008', '4821'];
    const results = await Promise.all(guesses.map((pin) => signIn.signIn({ kind: 'pin', personId: 'anna', pin })));
    expect(results.filter((r) => !r.ok && r.key === 'signin.wrong_pin')).toHaveLength(4);
    expect(results.at(-1)).toMatchObject({ ok: false, key: 'signin.locked' });
  });

  it('locks the whole till after many failures spread over people and unknown cards', async () => {
    const { people, signIn } = services(journal);
    await people.create({ id: 'anna', name: 'Анна', role: 'cashier', pin: '4821' });
    await people.create({ id: 'boris', name: 'Борис', role: 'manager', pin: '5937' });
    // Never three failures on one person, so no person lock is armed: only the till counter grows.
    for (let i = 0; i < 11; i += 1) {
      if (i % 2) await signIn.signIn({ kind: 'card', code: `X${i}` });
      else await signIn.signIn({ kind: 'pin', personId: i % 4 ? 'anna' : `ghost-${i}`, pin: '0000' });
      if (i === 4) await signIn.signIn({ kind: 'pin', personId: 'anna', pin: '4821' }); // resets anna, not the till
    }
    expect(await signIn.signIn({ kind: 'pin', personId: 'boris', pin: '5937' })).toMatchObject({ ok: false, key: 'signin.locked' });
  });

  it('an inactive person cannot sign in; a weak PIN is refused at creation', async () => {
    const { people, signIn } = services(journal);
    await people.create({ id: 'anna', name: 'Анна', role: 'cashier', pin: '4821' });
    people.setActive('anna', false);
    expect(await signIn.signIn({ kind: 'pin', personId: 'anna', pin: '4821' })).toEqual({ ok: false, key: 'signin.inactive' });
    await expect(people.create({ name: 'Вера', role: 'cashier', pin: '1234' })).rejects.toMatchObject({ key: 'signin.pin_weak' });
  });

  it('rehashes a cheap PIN hash to the configured cost after a good sign-in', async () => {
    const cheap = services(journal);
    await cheap.people.create({ id: 'anna', name: 'Анна', role: 'cashier', pin: '4821' });
    const stronger = services(journal, { N: 2048, r: 8, p: 1 });
    expect((await stronger.signIn.signIn({ kind: 'pin', personId: 'anna', pin: '4821' })).ok).toBe(true);
    expect(stronger.people.secretsOf('anna')?.pinHash.startsWith('scrypt$2048$')).toBe(true);
  });
});

describe('auto-lock and sessions', () => {
  it('is a pure function of idle time', () => {
    const c = { idleSec: 60, warnSec: 10 };
    expect(autoLockState(0, 30_000, c)).toEqual({ state: 'active', lockInMs: 30_000 });
    expect(autoLockState(0, 55_000, c)).toEqual({ state: 'warn', lockInMs: 5_000 });
    expect(autoLockState(0, 60_000, c)).toEqual({ state: 'locked' });
    expect(autoLockState(100_000, 0, c)).toEqual({ state: 'active', lockInMs: 60_000 }); // clock stepped back
    expect(autoLockState(0, 10 ** 9, { idleSec: 0, warnSec: 0 })).toEqual({ state: 'active', lockInMs: null });
  });

  it('an idle session locks; activity does not unlock it; only its owner unlocks', async () => {
    const { people, signIn, sessions } = services(journal);
    await people.create({ id: 'anna', name: 'Анна', role: 'cashier', pin: '4821' });
    const r = await signIn.signIn({ kind: 'pin', personId: 'anna', pin: '4821' });
    if (!r.ok) throw new Error('sign-in failed');
    now += 59_000;
    expect(sessions.touch(r.session.token)?.locked).toBe(false);
    now += 61_000;
    expect(sessions.get(r.session.token)?.locked).toBe(true);
    expect(sessions.touch(r.session.token)?.locked).toBe(true);
    expect(sessions.unlock(r.session.token, 'boris')).toBeNull();
    expect(sessions.unlock(r.session.token, 'anna')?.locked).toBe(false);
    expect(sessions.get('forged')).toBeNull();
    // A role change or deactivation ends every session of that person.
    const second = await signIn.signIn({ kind: 'pin', personId: 'anna', pin: '4821' });
    expect(sessions.endAllOf('anna')).toBe(2);
    expect(second.ok && sessions.get(second.session.token)).toBeNull();
  });
});
