// Who is at the till, and what they may do: the people store, the compiled access table, the throttled
// sign-in and the till's one current session, composed once by the core (main/core/core.ts). The API
// session asks `guard()` before every money and report action, so a call that bypasses the renderer is
// refused the same way (docs/people-and-audit.md "Enforcement").
import type Database from 'better-sqlite3';
import { appendAudit, type AuditEvent } from '../audit/log';
import { PaydeskError } from '../errors/catalogue';
import { autoLockState } from '../people/autolock';
import { SessionStore, type Session } from '../people/sessions';
import { SignInService, type Credential } from '../people/signin';
import { PeopleStore, type Person } from '../people/store';
import { approve, type ApprovalRecord } from './approvals';
import type { AuthorizeContext, Decision } from './compile';
import type { AccessConfig } from './config';
import { PERMISSIONS, type Permission } from './matrix';
import { AccessService } from './service';

export interface TillPeopleOptions {
  sqlite: Database.Database;
  cardKey: Buffer;
  tillId: () => string;
  config: () => AccessConfig;
  nowMs?: () => number;
  pinCost?: ConstructorParameters<typeof PeopleStore>[0]['pinCost'];
}

/** The person an action is recorded under; `id` null: sign-in is off and the till itself acts. */
export interface Actor {
  id: string | null;
  name: string | null;
  role: string | null;
}

export interface Guarded {
  actor: Actor;
  approval: ApprovalRecord | null;
}

export interface TillSignInState {
  enabled: boolean;
  person: { id: string; name: string; role: string; roleName: string } | null;
  locked: boolean;
  /** Milliseconds until auto-lock (null: auto-lock off or nobody signed in). */
  lockInMs: number | null;
  warn: boolean;
  /** Every permission of the signed-in person: 'allow' | 'approval' | 'deny' (all allow when sign-in is off). */
  rights: Record<Permission, 'allow' | 'approval' | 'deny'>;
}

/** Decides whether a verified person may sign in this way: throws when Yandex ID is required. */
export type SignInGate = (person: Person) => 'ok' | 'offline_fallback';

const TILL_ACTOR: Actor = { id: null, name: null, role: null };

export class TillPeople {
  readonly access: AccessService;
  readonly people: PeopleStore;
  readonly sessions: SessionStore;
  readonly signInService: SignInService;
  private token: string | null = null;
  private readonly nowMs: () => number;

  constructor(private readonly options: TillPeopleOptions) {
    this.nowMs = options.nowMs ?? (() => Date.now());
    const now = () => new Date(this.nowMs());
    this.access = new AccessService(options.sqlite, now);
    this.people = new PeopleStore({ sqlite: options.sqlite, cardKey: options.cardKey, now, onChange: () => this.access.reload(), ...(options.pinCost ? { pinCost: options.pinCost } : {}) });
    this.sessions = new SessionStore(() => options.config().autoLock, this.nowMs);
    this.signInService = new SignInService({ sqlite: options.sqlite, people: this.people, sessions: this.sessions, tillId: options.tillId(), nowMs: this.nowMs });
  }

  enabled(): boolean {
    return this.options.config().signIn;
  }

  private session(): Session | null {
    return this.token ? this.sessions.get(this.token) : null;
  }

  state(): TillSignInState {
    const enabled = this.enabled();
    const session = enabled ? this.session() : null;
    const person = session ? this.people.get(session.personId) : null;
    const rights = Object.fromEntries(PERMISSIONS.map((p) => [p, !enabled ? 'allow' : person ? this.access.table.rule(person.id, p) : 'deny'])) as TillSignInState['rights'];
    let lockInMs: number | null = null;
    let warn = false;
    if (session && !session.locked) {
      const s = autoLockState(session.lastActivityMs, this.nowMs(), this.options.config().autoLock);
      if (s.state !== 'locked') {
        lockInMs = s.lockInMs;
        warn = s.state === 'warn';
      }
    }
    return {
      enabled,
      person: person ? { id: person.id, name: person.name, role: person.role, roleName: this.access.table.roleName(person.role) ?? person.role } : null,
      locked: session?.locked ?? false,
      lockInMs,
      warn,
      rights,
    };
  }

  /**
   * Signs a person in. The same person unlocks their locked session; anyone else replaces it (the
   * previous person is signed out and that is audited).
   */
  async signIn(credential: Credential, gate?: SignInGate): Promise<Person> {
    const result = await this.signInService.verify(credential);
    const attempted = credential.kind === 'pin' ? credential.personId : null;
    if (!result.ok) {
      this.audit({ kind: 'sign_in_failed', actor: attempted, data: { method: credential.kind, reason: result.key, till: this.options.tillId() } });
      const minutes = result.retryAfterMs !== undefined ? Math.ceil(result.retryAfterMs / 60_000) : undefined;
      throw new PaydeskError(result.key, undefined, minutes !== undefined ? { minutes } : {});
    }
    const person = result.person;
    // Roles that must confirm through Yandex ID: refused here unless the offline fallback applies.
    const passage = gate ? gate(person) : 'ok';
    this.begin(person, result.method, passage === 'offline_fallback');
    return person;
  }

  /** A person confirmed by Yandex ID (main/api/yandex-signin.ts). */
  signInConfirmed(person: Person): void {
    this.begin(person, 'yandex', false);
  }

  private begin(person: Person, method: Session['method'], offlineFallback: boolean): void {
    const current = this.session();
    if (current && current.personId === person.id) {
      this.sessions.unlock(current.token, person.id);
    } else {
      if (current) this.signOut('replaced');
      this.token = this.sessions.issue(person.id, person.role, method).token;
    }
    this.audit({ kind: 'sign_in', actor: person.id, data: { method, role: person.role, till: this.options.tillId(), offlineFallback } });
  }

  signOut(reason: 'sign_out' | 'replaced' = 'sign_out'): void {
    const session = this.session();
    if (!session) return;
    this.sessions.end(session.token);
    this.token = null;
    this.audit({ kind: 'sign_out', actor: session.personId, data: { reason } });
  }

  lock(): void {
    const session = this.session();
    if (!session || session.locked) return;
    this.sessions.lock(session.token);
    this.audit({ kind: 'lock', actor: session.personId, data: { reason: 'manual' } });
  }

  /** Activity at the till: postpones auto-lock (a locked session stays locked). */
  touch(): void {
    if (this.token) this.sessions.touch(this.token);
  }

  /** Who is signed in now (locked or not), without touching the session; null when nobody or sign-in is off. */
  currentPersonId(): string | null {
    return this.enabled() ? this.session()?.personId ?? null : null;
  }

  /** The signed-in, unlocked person (touching the session), or the till itself when sign-in is off. */
  actor(): Actor {
    if (!this.enabled()) return TILL_ACTOR;
    const session = this.session();
    if (!session) throw new PaydeskError('session.invalid');
    if (session.locked) throw new PaydeskError('session.locked');
    this.sessions.touch(session.token);
    const person = this.people.get(session.personId);
    if (!person || !person.active) {
      this.signOut();
      throw new PaydeskError('session.invalid');
    }
    return { id: person.id, name: person.name, role: person.role };
  }

  /** The actor's decision for an action (allow when sign-in is off). */
  decide(permission: Permission, context: AuthorizeContext = {}): { actor: Actor; decision: Decision } {
    const actor = this.actor();
    if (actor.id === null) return { actor, decision: { decision: 'allow', permissions: [permission] } };
    return { actor, decision: this.access.authorize(actor.id, permission, context) };
  }

  /**
   * Allows the action or throws (access.denied / access.needs_approval). With an approval credential an
   * action that needs approval goes ahead once another person with the right confirms it (audited with
   * both people); `operationRef` makes the approval single-use.
   */
  async guard(permission: Permission, context: AuthorizeContext = {}, approval?: { credential: Credential; operationRef: string }): Promise<Guarded> {
    const { actor, decision } = this.decide(permission, context);
    if (decision.decision === 'allow') return { actor, approval: null };
    if (decision.decision === 'deny') throw new PaydeskError('access.denied', permission, { reason: decision.reason });
    if (!approval || actor.id === null) throw new PaydeskError('access.needs_approval', decision.approverRoles.join(','), { reason: decision.reason });
    const record = await approve(
      { sqlite: this.options.sqlite, access: this.access, signIn: this.signInService, now: () => new Date(this.nowMs()) },
      { requesterId: actor.id, permission, context, operationId: approval.operationRef, credential: approval.credential },
    );
    return { actor, approval: record };
  }

  audit(event: AuditEvent): void {
    appendAudit(this.options.sqlite, event, () => new Date(this.nowMs()));
  }
}

/** The demo people of the emulator environment (docs/people-and-audit.md); PINs are public on purpose. */
export const DEMO_PEOPLE = [
  { id: 'demo-cashier', name: 'Кассир (демо)', role: 'cashier', pin: '4821', card: 'STAFF-DEMO-CASHIER' },
  { id: 'demo-senior', name: 'Старший кассир (демо)', role: 'senior_cashier', pin: '2604', card: 'STAFF-DEMO-SENIOR' },
  { id: 'demo-manager', name: 'Менеджер (демо)', role: 'manager', pin: '5937', card: 'STAFF-DEMO-MANAGER' },
  { id: 'demo-admin', name: 'Администратор (демо)', role: 'administrator', pin: '8402', card: 'STAFF-DEMO-ADMIN' },
  { id: 'demo-root', name: 'Супер-администратор (демо)', role: 'super_administrator', pin: '7315', card: 'STAFF-DEMO-ROOT' },
] as const;

export async function seedDemoPeople(people: PeopleStore): Promise<number> {
  if (people.list().length > 0) return 0;
  for (const p of DEMO_PEOPLE) await people.create({ ...p });
  return DEMO_PEOPLE.length;
}
