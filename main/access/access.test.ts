import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../audit/log';
import { openJournal, type Journal } from '../journal/database';
import { SessionStore } from '../people/sessions';
import { SignInService } from '../people/signin';
import { PeopleStore } from '../people/store';
import { approve } from './approvals';
import { compileAccess } from './compile';
import { DEFAULT_MATRIX, PERMISSIONS, type AccessMatrix } from './matrix';
import { AccessService } from './service';

let dir: string;
let journal: Journal;
let access: AccessService;
let people: PeopleStore;
let signIn: SignInService;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-access-'));
  journal = openJournal(path.join(dir, 'till.db'));
  access = new AccessService(journal.sqlite);
  people = new PeopleStore({ sqlite: journal.sqlite, cardKey: Buffer.alloc(32, 1), pinCost: { N: 1024, r: 8, p: 1 }, onChange: () => access.reload() });
  signIn = new SignInService({ sqlite: journal.sqlite, people, sessions: new SessionStore(() => ({ idleSec: 300, warnSec: 30 })), tillId: 't1' });
  await people.create({ id: 'anna', name: 'Анна', role: 'cashier', pin: '4821' });
  await people.create({ id: 'vera', name: 'Вера', role: 'cashier', pin: '6150' });
  await people.create({ id: 'boris', name: 'Борис', role: 'manager', pin: '5937', card: 'MGR-77' });
  await people.create({ id: 'sofia', name: 'София', role: 'senior_cashier', pin: '2604' });
  await people.create({ id: 'admin', name: 'Админ', role: 'administrator', pin: '8402' });
  await people.create({ id: 'root', name: 'Супер', role: 'super_administrator', pin: '7315' });
});
afterEach(() => {
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('access matrix', () => {
  it('default roles decide allow / needs approval (naming who approves) / deny with a Russian reason', () => {
    expect(access.authorize('anna', 'sell').decision).toBe('allow');
    const refund = access.authorize('anna', 'refund', { amountMinor: 10_000, saleCashierId: 'anna' });
    expect(refund).toMatchObject({ decision: 'needs_approval', reason: 'возврат' });
    if (refund.decision === 'needs_approval') expect(refund.approverRoles).toEqual(['senior_cashier', 'manager', 'administrator', 'super_administrator']);
    expect(access.authorize('anna', 'payments_section')).toMatchObject({ decision: 'deny', reason: 'раздел «Платежи»' });
    expect(access.authorize('ghost', 'sell').decision).toBe('deny');
  });

  it('a refund above the limit or of another cashier\'s sale needs the extra rights', () => {
    expect(access.authorize('sofia', 'refund', { amountMinor: 500_000, saleCashierId: 'sofia' }).decision).toBe('allow');
    const big = access.authorize('sofia', 'refund', { amountMinor: 500_001, saleCashierId: 'sofia' });
    expect(big).toMatchObject({ decision: 'needs_approval', reason: 'возврат сверх лимита', permissions: ['refund', 'refund_above_limit'] });
    if (big.decision === 'needs_approval') expect(big.approverRoles).not.toContain('senior_cashier');
    expect(access.authorize('anna', 'refund', { amountMinor: 100, saleCashierId: 'vera' })).toMatchObject({ permissions: ['refund', 'refund_other_cashier'] });
  });

  it('a single right granted to one cashier applies to her only, and can be revoked', () => {
    access.setRight('admin', 'anna', 'refund', 'grant');
    expect(access.authorize('anna', 'refund', { amountMinor: 100, saleCashierId: 'anna' }).decision).toBe('allow');
    expect(access.authorize('vera', 'refund', { amountMinor: 100, saleCashierId: 'vera' }).decision).toBe('needs_approval');
    access.setRight('admin', 'anna', 'sell', 'revoke');
    expect(access.authorize('anna', 'sell').decision).toBe('deny');
    access.setRight('admin', 'anna', 'sell', null);
    expect(access.authorize('anna', 'sell').decision).toBe('allow');
    // Survives a restart (it is data, not memory).
    expect(new AccessService(journal.sqlite).authorize('anna', 'refund', { saleCashierId: 'anna' }).decision).toBe('allow');
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: true, count: 3 });
  });

  it('nobody grants what they do not hold, changes their own rights, or manages people without the right', () => {
    expect(() => access.setRight('admin', 'anna', 'edit_matrix', 'grant')).toThrow(expect.objectContaining({ key: 'access.escalation' }));
    expect(() => access.setRight('admin', 'admin', 'edit_matrix', 'grant')).toThrow(expect.objectContaining({ key: 'access.escalation' }));
    expect(() => access.setRight('boris', 'anna', 'refund', 'grant')).toThrow(expect.objectContaining({ key: 'access.denied' }));
  });

  it('the matrix is edited live, versioned, and a broken or stale edit is refused', () => {
    const edited: AccessMatrix = structuredClone(DEFAULT_MATRIX);
    const cashier = edited.roles.find((r) => r.id === 'cashier');
    if (!cashier) throw new Error('no cashier role');
    cashier.rules.refund = 'allow';
    edited.refundLimitMinor = 1_000;
    expect(() => access.setMatrix('admin', edited, 0)).toThrow(expect.objectContaining({ key: 'access.denied' }));
    expect(access.setMatrix('root', edited, 0)).toBe(1);
    expect(access.authorize('anna', 'refund', { amountMinor: 900, saleCashierId: 'anna' }).decision).toBe('allow');
    expect(access.authorize('anna', 'refund', { amountMinor: 1_001, saleCashierId: 'anna' }).decision).toBe('needs_approval');
    expect(() => access.setMatrix('root', edited, 0)).toThrow(expect.objectContaining({ key: 'access.matrix_invalid' }));
    const lockout = structuredClone(edited);
    for (const r of lockout.roles) r.rules.edit_matrix = 'deny';
    expect(() => access.setMatrix('root', lockout, 1)).toThrow(expect.objectContaining({ key: 'access.matrix_invalid' }));
    expect(() => access.setMatrix('root', { version: 1, refundLimitMinor: -1, roles: [] }, 1)).toThrow(expect.objectContaining({ key: 'access.matrix_invalid' }));
    expect(access.currentMatrix().version).toBe(1);
  });

  it('a role change or deactivation takes effect at once (table rebuilt on change)', () => {
    people.setRole('anna', 'manager');
    expect(access.authorize('anna', 'payments_section').decision).toBe('allow');
    people.setActive('anna', false);
    expect(access.authorize('anna', 'sell').decision).toBe('deny');
  });

  it('checks never touch the database (a compiled table, not a query per call)', () => {
    const prepare = journal.sqlite.prepare.bind(journal.sqlite);
    let queries = 0;
    journal.sqlite.prepare = ((sql: string) => { queries += 1; return prepare(sql); }) as typeof journal.sqlite.prepare;
    try {
      for (let i = 0; i < 1000; i += 1) access.authorize(i % 2 ? 'anna' : 'boris', PERMISSIONS[i % PERMISSIONS.length] ?? 'sell', { amountMinor: i * 1000, saleCashierId: 'vera' });
      expect(queries).toBe(0);
      access.setRight('admin', 'anna', 'refund', 'grant');
      expect(queries).toBeGreaterThan(0); // a change writes and recompiles
    } finally {
      journal.sqlite.prepare = prepare;
    }
  });

  it('compiled decisions equal a naive reading of the matrix for any matrix and overrides (property)', () => {
    const rule = fc.constantFrom('allow' as const, 'approval' as const, 'deny' as const);
    const perm = fc.constantFrom(...PERMISSIONS);
    fc.assert(fc.property(
      fc.array(fc.dictionary(perm, rule), { minLength: 1, maxLength: 4 }),
      fc.array(fc.record({ person: fc.integer({ min: 0, max: 5 }), permission: perm, effect: fc.constantFrom('grant' as const, 'revoke' as const) }), { maxLength: 10 }),
      perm,
      (ruleSets, overrides, asked) => {
        const matrix: AccessMatrix = { version: 1, refundLimitMinor: 0, roles: ruleSets.map((rules, i) => ({ id: `r${i}`, name: `R${i}`, rules, requiresYandex: false })) };
        const persons = Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, role: `r${i % (ruleSets.length + 1)}`, active: i !== 5 }));
        const ov = overrides.map((o) => ({ personId: `p${o.person}`, permission: o.permission, effect: o.effect }));
        const table = compileAccess(matrix, persons, ov);
        for (const p of persons) {
          const last = [...ov].reverse().find((o) => o.personId === p.id && o.permission === asked);
          const role = matrix.roles.find((r) => r.id === p.role);
          const expected = !p.active || !role ? 'deny' : last ? (last.effect === 'grant' ? 'allow' : 'deny') : role.rules[asked] ?? 'deny';
          expect(table.rule(p.id, asked)).toBe(expected);
        }
      },
    ));
  });
});

describe('approvals', () => {
  it('a cashier\'s refund is refused alone, then approved by a manager\'s PIN; both are recorded', async () => {
    expect(() => access.require('anna', 'refund', { amountMinor: 25_000, saleCashierId: 'anna' })).toThrow(expect.objectContaining({ key: 'access.needs_approval' }));
    const record = await approve({ sqlite: journal.sqlite, access, signIn }, {
      requesterId: 'anna', permission: 'refund', context: { amountMinor: 25_000, saleCashierId: 'anna' }, operationId: 'refund-1',
      credential: { kind: 'pin', personId: 'boris', pin: '5937' },
    });
    expect(record).toMatchObject({ requesterId: 'anna', approverId: 'boris', method: 'pin', amountMinor: 25_000, operationId: 'refund-1' });
    const row = journal.sqlite.prepare('SELECT entry_json FROM audit_log WHERE seq = ?').get(record.auditSeq) as { entry_json: string };
    expect(JSON.parse(row.entry_json)).toMatchObject({ kind: 'approval', actor: 'anna', data: { approver: 'boris', operation: 'refund-1' } });
    // One approval, one operation.
    await expect(approve({ sqlite: journal.sqlite, access, signIn }, {
      requesterId: 'anna', permission: 'refund', context: { amountMinor: 25_000, saleCashierId: 'anna' }, operationId: 'refund-1',
      credential: { kind: 'card', code: 'MGR-77' },
    })).rejects.toMatchObject({ key: 'approval.not_allowed' });
  });

  it('refuses the requester approving themselves, an approver without the rights, a wrong PIN, and a denied action', async () => {
    const base = { requesterId: 'anna', permission: 'refund' as const, context: { amountMinor: 900_000, saleCashierId: 'vera' }, operationId: 'r-2' };
    const deps = { sqlite: journal.sqlite, access, signIn };
    await expect(approve(deps, { ...base, credential: { kind: 'pin', personId: 'anna', pin: '4821' } })).rejects.toMatchObject({ key: 'approval.same_person' });
    // Senior cashier may refund, but not above the limit.
    await expect(approve(deps, { ...base, credential: { kind: 'pin', personId: 'sofia', pin: '2604' } })).rejects.toMatchObject({ key: 'approval.not_allowed' });
    await expect(approve(deps, { ...base, credential: { kind: 'pin', personId: 'boris', pin: '0000' } })).rejects.toMatchObject({ key: 'signin.wrong_pin' });
    await expect(approve(deps, { ...base, permission: 'edit_config', credential: { kind: 'pin', personId: 'admin', pin: '8402' } })).rejects.toMatchObject({ key: 'access.denied' });
    expect((await approve(deps, { ...base, credential: { kind: 'card', code: 'MGR-77' } })).approverId).toBe('boris');
  });
});
