// Sign-in with a PIN or a staff card, throttled per person and per till. The lockout lives in
// signin_throttle, so restarting the till does not reset it; attempts on one scope are serialized, so
// parallel guesses cannot all slip past the lock check while scrypt runs.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { appendAudit } from '../audit/log';
import type { ErrorKey } from '../errors/catalogue';
import { burnPinCheck, hashPin, needsRehash, normalizePin, verifyPin } from './pin';
import type { Person, PeopleStore } from './store';
import type { Session, SessionStore } from './sessions';
import { afterFailure, lockRemainingMs, PERSON_THROTTLE, TILL_THROTTLE, type ThrottlePolicy, type ThrottleState } from './throttle';

export type Credential = { kind: 'pin'; personId: string; pin: string } | { kind: 'card'; code: string };

export type VerifyResult =
  | { ok: true; person: Person; method: 'pin' | 'card' }
  | { ok: false; key: ErrorKey; retryAfterMs?: number };

export type SignInResult = { ok: true; person: Person; session: Session } | { ok: false; key: ErrorKey; retryAfterMs?: number };

const throttleRowSchema = z.object({ failures: z.number().int(), last_failure_ms: z.number().int(), locked_until_ms: z.number().int() });

export interface SignInOptions {
  sqlite: Database.Database;
  people: PeopleStore;
  sessions: SessionStore;
  tillId: string;
  personPolicy?: ThrottlePolicy;
  tillPolicy?: ThrottlePolicy;
  nowMs?: () => number;
  /** Append sign-ins, failures and lockouts to the audit trail (default on). */
  audit?: boolean;
}

export class SignInService {
  private readonly personPolicy: ThrottlePolicy;
  private readonly tillPolicy: ThrottlePolicy;
  private readonly nowMs: () => number;
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly options: SignInOptions) {
    this.personPolicy = options.personPolicy ?? PERSON_THROTTLE;
    this.tillPolicy = options.tillPolicy ?? TILL_THROTTLE;
    this.nowMs = options.nowMs ?? (() => Date.now());
  }

  private get tillScope(): string {
    return `till:${this.options.tillId}`;
  }

  readThrottle(scope: string): ThrottleState | undefined {
    const row = this.options.sqlite.prepare('SELECT failures, last_failure_ms, locked_until_ms FROM signin_throttle WHERE scope = ?').get(scope);
    if (!row) return undefined;
    const r = throttleRowSchema.parse(row);
    return { failures: r.failures, lastFailureMs: r.last_failure_ms, lockedUntilMs: r.locked_until_ms };
  }

  private recordFailure(scopes: Array<[string, ThrottlePolicy]>): void {
    const now = this.nowMs();
    const upsert = this.options.sqlite.prepare(
      'INSERT INTO signin_throttle (scope, failures, last_failure_ms, locked_until_ms) VALUES (?, ?, ?, ?) ON CONFLICT(scope) DO UPDATE SET failures = excluded.failures, last_failure_ms = excluded.last_failure_ms, locked_until_ms = excluded.locked_until_ms',
    );
    this.options.sqlite.transaction(() => {
      for (const [scope, policy] of scopes) {
        const next = afterFailure(this.readThrottle(scope), now, policy);
        upsert.run(scope, next.failures, next.lastFailureMs, next.lockedUntilMs);
      }
    }).immediate();
  }

  private clear(scope: string): void {
    this.options.sqlite.prepare('DELETE FROM signin_throttle WHERE scope = ?').run(scope);
  }

  /** Runs attempts on the same scope one after another. */
  private serial<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }

  private locked(scopes: string[]): VerifyResult | null {
    const now = this.nowMs();
    const wait = Math.max(...scopes.map((s) => lockRemainingMs(this.readThrottle(s), now)));
    return wait > 0 ? { ok: false, key: 'signin.locked', retryAfterMs: wait } : null;
  }

  /** Checks a credential with throttling; used by sign-in and by supervisor approvals. */
  verify(credential: Credential): Promise<VerifyResult> {
    // One queue per till: the till scope is shared by every attempt anyway.
    return this.serial(this.tillScope, async () => (credential.kind === 'pin' ? this.verifyPinCredential(credential.personId, credential.pin) : this.verifyCard(credential.code)));
  }

  private async verifyPinCredential(personId: string, pin: string): Promise<VerifyResult> {
    const personScope = `person:${personId}`;
    const lock = this.locked([this.tillScope, personScope]);
    if (lock) return lock;
    const secrets = this.options.people.secretsOf(personId);
    const normalized = normalizePin(pin);
    if (!secrets) {
      await burnPinCheck(this.options.people.pinCost);
      this.recordFailure([[this.tillScope, this.tillPolicy]]);
      return { ok: false, key: 'signin.wrong_pin' };
    }
    const good = await verifyPin(normalized, secrets.pinHash);
    if (!good) {
      this.recordFailure([[personScope, this.personPolicy], [this.tillScope, this.tillPolicy]]);
      return { ok: false, key: 'signin.wrong_pin' };
    }
    if (!secrets.person.active) return { ok: false, key: 'signin.inactive' };
    this.clear(personScope);
    if (needsRehash(secrets.pinHash, this.options.people.pinCost)) {
      this.options.people.replacePinHash(personId, await hashPin(normalized, this.options.people.pinCost));
    }
    return { ok: true, person: secrets.person, method: 'pin' };
  }

  private verifyCard(code: string): VerifyResult {
    const lock = this.locked([this.tillScope]);
    if (lock) return lock;
    const person = this.options.people.findByCard(code);
    if (!person) {
      this.recordFailure([[this.tillScope, this.tillPolicy]]);
      return { ok: false, key: 'signin.unknown_card' };
    }
    if (!person.active) return { ok: false, key: 'signin.inactive' };
    const personLock = this.locked([`person:${person.id}`]);
    if (personLock) return personLock;
    return { ok: true, person, method: 'card' };
  }

  async signIn(credential: Credential): Promise<SignInResult> {
    const result = await this.verify(credential);
    // The attempted person for a PIN; never the PIN or the card number.
    const attempted = credential.kind === 'pin' ? credential.personId : null;
    if (!result.ok) {
      this.audit('sign_in_failed', attempted, { method: credential.kind, reason: result.key, till: this.options.tillId });
      return result;
    }
    this.audit('sign_in', result.person.id, { method: result.method, role: result.person.role, till: this.options.tillId });
    return { ok: true, person: result.person, session: this.options.sessions.issue(result.person.id, result.person.role, result.method) };
  }

  private audit(kind: 'sign_in' | 'sign_in_failed', actor: string | null, data: Record<string, string>): void {
    if (this.options.audit === false) return;
    appendAudit(this.options.sqlite, { kind, actor, data }, () => new Date(this.nowMs()));
  }
}
