// The access service: loads the matrix, people and single-right overrides from the journal, keeps the
// compiled table in memory and recompiles it on every change. Changes are checked against the actor's
// own rights (nobody grants what they do not hold) and audited in the same transaction.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { appendAudit } from '../audit/log';
import { PaydeskError } from '../errors/catalogue';
import { compileAccess, type AuthorizeContext, type CompiledAccess, type Decision, type RightOverride } from './compile';
import { DEFAULT_MATRIX, matrixSchema, permissionSchema, type AccessMatrix, type Permission } from './matrix';

const matrixRowSchema = z.object({ version: z.number().int(), matrix_json: z.string() });
const personRowSchema = z.object({ id: z.string(), role: z.string(), active: z.union([z.literal(0), z.literal(1)]) });
const overrideRowSchema = z.object({ person_id: z.string(), permission: z.string(), effect: z.enum(['grant', 'revoke']) });

export class AccessService {
  private compiled!: CompiledAccess;
  private matrix!: AccessMatrix;

  constructor(private readonly sqlite: Database.Database, private readonly now: () => Date = () => new Date()) {
    this.reload();
  }

  /** Re-reads everything; call after people change (PeopleStore's onChange). */
  reload(): void {
    const row = this.sqlite.prepare('SELECT version, matrix_json FROM access_matrix WHERE id = 1').get();
    let version = 0;
    let matrix = DEFAULT_MATRIX;
    if (row) {
      const r = matrixRowSchema.parse(row);
      // A stored matrix that does not parse is refused, never replaced by the (possibly wider) defaults.
      const parsed = matrixSchema.safeParse(JSON.parse(r.matrix_json));
      if (!parsed.success) throw new PaydeskError('access.matrix_invalid', parsed.error.message.slice(0, 300));
      matrix = parsed.data;
      version = r.version;
    }
    const people = this.sqlite.prepare('SELECT id, role, active FROM people').all().map((p) => {
      const r = personRowSchema.parse(p);
      return { id: r.id, role: r.role, active: r.active === 1 };
    });
    const overrides: RightOverride[] = [];
    for (const o of this.sqlite.prepare('SELECT person_id, permission, effect FROM person_rights').all()) {
      const r = overrideRowSchema.parse(o);
      const permission = permissionSchema.safeParse(r.permission);
      // A right this build does not know (written by a newer Paydesk) is ignored, which only ever narrows access.
      if (permission.success) overrides.push({ personId: r.person_id, permission: permission.data, effect: r.effect });
    }
    this.matrix = matrix;
    this.compiled = compileAccess(matrix, people, overrides, version);
  }

  get table(): CompiledAccess {
    return this.compiled;
  }

  currentMatrix(): { version: number; matrix: AccessMatrix } {
    return { version: this.compiled.matrixVersion, matrix: this.matrix };
  }

  authorize(personId: string, permission: Permission, context: AuthorizeContext = {}): Decision {
    return this.compiled.authorize(personId, permission, context);
  }

  /** Throws access.denied / access.needs_approval unless the person may act alone. */
  require(personId: string, permission: Permission, context: AuthorizeContext = {}): void {
    const d = this.authorize(personId, permission, context);
    if (d.decision === 'deny') throw new PaydeskError('access.denied', permission, { reason: d.reason });
    if (d.decision === 'needs_approval') throw new PaydeskError('access.needs_approval', permission, { reason: d.reason });
  }

  /** Replaces the matrix. `expectedVersion` stops two editors from overwriting each other. */
  setMatrix(actorId: string, input: unknown, expectedVersion: number): number {
    this.require(actorId, 'edit_matrix');
    const parsed = matrixSchema.safeParse(input);
    if (!parsed.success) throw new PaydeskError('access.matrix_invalid', parsed.error.message.slice(0, 300));
    const next = this.sqlite.transaction(() => {
      const row = this.sqlite.prepare('SELECT version FROM access_matrix WHERE id = 1').get() as { version: number } | undefined;
      const current = row?.version ?? 0;
      if (current !== expectedVersion) throw new PaydeskError('access.matrix_invalid', `edited meanwhile (version ${current}, expected ${expectedVersion})`);
      const version = current + 1;
      const at = this.now().toISOString();
      this.sqlite
        .prepare('INSERT INTO access_matrix (id, version, matrix_json, updated_by, updated_at) VALUES (1, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET version = excluded.version, matrix_json = excluded.matrix_json, updated_by = excluded.updated_by, updated_at = excluded.updated_at')
        .run(version, JSON.stringify(parsed.data), actorId, at);
      appendAudit(this.sqlite, { kind: 'permission_change', actor: actorId, data: { change: 'matrix', version } }, this.now);
      return version;
    }).immediate();
    this.reload();
    return next;
  }

  /** Grants or revokes one right for one person, or (effect null) returns them to their role's rule. */
  setRight(actorId: string, personId: string, permission: Permission, effect: 'grant' | 'revoke' | null): void {
    this.require(actorId, 'manage_people');
    if (actorId === personId) throw new PaydeskError('access.escalation', 'own rights');
    // No escalation: only a right the actor holds outright can be handed on.
    if (effect === 'grant' && this.compiled.rule(actorId, permission) !== 'allow') throw new PaydeskError('access.escalation', permission);
    this.sqlite.transaction(() => {
      if (!this.sqlite.prepare('SELECT 1 FROM people WHERE id = ?').get(personId)) throw new PaydeskError('people.not_found', personId);
      if (effect === null) this.sqlite.prepare('DELETE FROM person_rights WHERE person_id = ? AND permission = ?').run(personId, permission);
      else
        this.sqlite
          .prepare('INSERT INTO person_rights (person_id, permission, effect, changed_by, changed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(person_id, permission) DO UPDATE SET effect = excluded.effect, changed_by = excluded.changed_by, changed_at = excluded.changed_at')
          .run(personId, permission, effect, actorId, this.now().toISOString());
      appendAudit(this.sqlite, { kind: 'permission_change', actor: actorId, data: { change: 'right', person: personId, permission, effect } }, this.now);
    }).immediate();
    this.reload();
  }
}
