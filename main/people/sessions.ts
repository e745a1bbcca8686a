// Session tokens live in memory only: a restart signs everyone out, which is the safe default for a till.
import { randomBytes } from 'node:crypto';
import { autoLockState, type AutoLockConfig } from './autolock';

export interface Session {
  token: string;
  personId: string;
  role: string;
  method: 'pin' | 'card' | 'yandex';
  issuedAtMs: number;
  lastActivityMs: number;
  locked: boolean;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly autoLock: () => AutoLockConfig, private readonly nowMs: () => number = () => Date.now()) {}

  issue(personId: string, role: string, method: Session['method']): Session {
    const now = this.nowMs();
    const session: Session = { token: randomBytes(32).toString('base64url'), personId, role, method, issuedAtMs: now, lastActivityMs: now, locked: false };
    this.sessions.set(session.token, session);
    return session;
  }

  /** The live session for a token, locking it first if it has been idle too long. */
  get(token: string): Session | null {
    const session = this.sessions.get(token);
    if (!session) return null;
    if (!session.locked && autoLockState(session.lastActivityMs, this.nowMs(), this.autoLock()).state === 'locked') session.locked = true;
    return session;
  }

  /** Marks activity; a locked session stays locked until its owner signs in again. */
  touch(token: string): Session | null {
    const session = this.get(token);
    if (!session || session.locked) return session;
    session.lastActivityMs = this.nowMs();
    return session;
  }

  lock(token: string): void {
    const session = this.sessions.get(token);
    if (session) session.locked = true;
  }

  /** Unlocking is a fresh sign-in by the same person; it keeps the token so the screen state survives. */
  unlock(token: string, personId: string): Session | null {
    const session = this.sessions.get(token);
    if (!session || session.personId !== personId) return null;
    session.locked = false;
    session.lastActivityMs = this.nowMs();
    return session;
  }

  end(token: string): void {
    this.sessions.delete(token);
  }

  /** Ends every session of a person (deactivated, role changed). */
  endAllOf(personId: string): number {
    let n = 0;
    for (const [token, s] of this.sessions) if (s.personId === personId) { this.sessions.delete(token); n += 1; }
    return n;
  }
}
