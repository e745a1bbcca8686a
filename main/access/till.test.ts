import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../journal/database';
import type { AccessConfig } from './config';
import { TillPeople } from './till';

let dir: string;
let journal: Journal;
let now: number;
let config: AccessConfig;
let till: TillPeople;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-till-people-'));
  journal = openJournal(path.join(dir, 'till.db'));
  now = Date.parse('2026-11-30T10:00:00Z');
  config = { signIn: true, autoLock: { idleSec: 60, warnSec: 10 }, demoPeople: false };
  till = new TillPeople({ sqlite: journal.sqlite, cardKey: Buffer.alloc(32, 7), tillId: () => 'POS-1', config: () => config, nowMs: () => now, pinCost: { N: 1024, r: 8, p: 1 } });
  await till.people.create({ id: 'anna', name: 'Анна', role: 'cashier', pin: '4821', card: 'CARD-ANNA' });
  await till.people.create({ id: 'boris', name: 'Борис', role: 'manager', pin: '5937' });
});
afterEach(() => {
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const kinds = (): string[] => (journal.sqlite.prepare('SELECT entry_json FROM audit_log ORDER BY seq').all() as { entry_json: string }[]).map((r) => (JSON.parse(r.entry_json) as { kind: string }).kind);

describe('the till\'s signed-in person', () => {
  it('auto-locks after the configured idle time (warning first); activity postpones it; only the owner unlocks', async () => {
    await till.signIn({ kind: 'card', code: 'CARD-ANNA' });
    expect(till.actor().id).toBe('anna');
    now += 45_000;
    expect(till.state()).toMatchObject({ locked: false, warn: false });
    till.touch(); // a key press at the till
    now += 55_000;
    expect(till.state()).toMatchObject({ locked: false, warn: true });
    now += 5_001;
    expect(() => till.actor()).toThrow(expect.objectContaining({ key: 'session.locked' }));
    expect(till.state()).toMatchObject({ locked: true, person: { id: 'anna' } });
    // Config change is live: auto-lock off keeps the next session open however long it idles.
    await till.signIn({ kind: 'pin', personId: 'anna', pin: '4821' });
    config = { ...config, autoLock: { idleSec: 0, warnSec: 0 } };
    now += 10 * 3600_000;
    expect(till.actor().id).toBe('anna');
  });

  it('another person signing in replaces the session (audited); sign-in off makes the till the actor', async () => {
    await till.signIn({ kind: 'pin', personId: 'anna', pin: '4821' });
    till.lock();
    await till.signIn({ kind: 'pin', personId: 'boris', pin: '5937' });
    expect(till.actor().id).toBe('boris');
    expect(kinds()).toEqual(['sign_in', 'lock', 'sign_out', 'sign_in']);
    config = { ...config, signIn: false };
    expect(till.actor()).toEqual({ id: null, name: null, role: null });
    expect(till.state().rights.refund).toBe('allow');
  });

  it('a deactivated person is signed out at their next action', async () => {
    await till.signIn({ kind: 'pin', personId: 'anna', pin: '4821' });
    till.people.setActive('anna', false);
    expect(() => till.actor()).toThrow(expect.objectContaining({ key: 'session.invalid' }));
    expect(till.state().person).toBeNull();
  });
});
