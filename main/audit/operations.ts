// Sales, cancels and refunds on the audit trail, without touching checkout: the composition root
// feeds every operation update here (a checkout listener), the API session records who started the
// operation and who approved it. Each operation's end is appended once (operation_people.final_seq).
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { OperationView } from '../contract/checkout';
import { stmt } from '../reports/load';
import { appendAudit } from './log';

const rowSchema = z.object({
  operation_id: z.string(),
  person_id: z.string().nullable(),
  approver_id: z.string().nullable(),
  approval_id: z.string().nullable(),
  final_seq: z.number().int().nullable(),
});

export interface Attribution {
  personId: string | null;
  approverId: string | null;
  approvalId: string | null;
}

/** Ends owed to the trail, oldest first; the table holds only the last few moments' ends. */
export const PENDING_ENDS_SQL = `SELECT a.operation_id FROM audit_pending_ends a LEFT JOIN operations o ON o.id = a.operation_id
  ORDER BY o.created_at, a.operation_id`;

const KIND = { payment: 'sale', cancel: 'cancel', refund: 'refund' } as const;

/** PAYDESK_FAILPOINT for the crash tests (unset in production: one comparison). */
const ARMED = process.env.PAYDESK_FAILPOINT ?? '';

export class OperationAudit {
  /** Operations created before this start are not attributed to whoever is signed in now. */
  private readonly startedAt: string;

  constructor(private readonly sqlite: Database.Database, private readonly now: () => Date = () => new Date()) {
    this.startedAt = now().toISOString();
  }

  attribution(operationId: string): Attribution | null {
    const row = this.sqlite.prepare('SELECT * FROM operation_people WHERE operation_id = ?').get(operationId);
    if (!row) return null;
    const r = rowSchema.parse(row);
    return { personId: r.person_id, approverId: r.approver_id, approvalId: r.approval_id };
  }

  /** Many operations' people at once (the Payments section). */
  attributions(operationIds: readonly string[]): Map<string, Attribution> {
    const out = new Map<string, Attribution>();
    const stmt = this.sqlite.prepare('SELECT * FROM operation_people WHERE operation_id = ?');
    for (const id of operationIds) {
      const row = stmt.get(id);
      if (!row) continue;
      const r = rowSchema.parse(row);
      out.set(id, { personId: r.person_id, approverId: r.approver_id, approvalId: r.approval_id });
    }
    return out;
  }

  /** Operation ids a person started (search by person). */
  operationsOf(personId: string): Set<string> {
    return new Set(this.sqlite.prepare('SELECT operation_id FROM operation_people WHERE person_id = ?').pluck().all(personId).map(String));
  }

  /**
   * Records who started an operation (the API session, right after the core returned it). An approver
   * is added to a row the listener created first; the person is never overwritten.
   */
  attribute(operation: OperationView, who: Attribution): void {
    stmt(this.sqlite, `INSERT INTO operation_people (operation_id, person_id, approver_id, approval_id, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(operation_id) DO UPDATE SET person_id = COALESCE(operation_people.person_id, excluded.person_id),
          approver_id = COALESCE(operation_people.approver_id, excluded.approver_id), approval_id = COALESCE(operation_people.approval_id, excluded.approval_id)`)
      .run(operation.id, who.personId, who.approverId, who.approvalId, this.now().toISOString());
    this.observe(operation);
  }

  /**
   * At start: operations that ended while the till was stopping or killed before their end reached the
   * trail are appended now. The journal keeps them in audit_pending_ends (a trigger in the statement that
   * makes an operation final; migration 0013), so this reads that short list, never the journal.
   * Returns how many were appended.
   */
  catchUp(get: (operationId: string) => OperationView | null): number {
    const ids = this.sqlite.prepare(PENDING_ENDS_SQL).pluck().all().map(String);
    let n = 0;
    for (const id of ids) {
      const view = get(id);
      if (!view?.isFinal) {
        // Gone, or made unfinished again by hand: nothing to append; the trigger adds it back if it ends.
        stmt(this.sqlite, 'DELETE FROM audit_pending_ends WHERE operation_id = ?').run(id);
        continue;
      }
      if (this.observe(view)) n += 1;
    }
    return n;
  }

  /**
   * Every operation update (composition root). A new operation seen before the API session recorded
   * it is attributed to `currentPerson` (the till has one person at a time); when final, its end is
   * appended to the trail once, in the same transaction as the mark.
   */
  observe(operation: OperationView, currentPerson?: () => string | null): boolean {
    // Every operation update passes here (prepared once per connection).
    const known = stmt(this.sqlite, 'SELECT * FROM operation_people WHERE operation_id = ?').get(operation.id);
    if (!known) {
      // An operation from before this start (recovered) is not attributed to whoever is signed in now.
      const person = operation.createdAt >= this.startedAt && currentPerson ? currentPerson() : null;
      stmt(this.sqlite, 'INSERT OR IGNORE INTO operation_people (operation_id, person_id, created_at) VALUES (?, ?, ?)').run(operation.id, person, this.now().toISOString());
    }
    if (!operation.isFinal) return false;
    // Crash tests: the operation's end is in the journal, its audit entry not yet (docs/people-and-audit.md).
    if (ARMED === 'audit.before_operation_end') process.kill(process.pid, 'SIGKILL');
    const run = this.sqlite.transaction((): boolean => {
      const row = rowSchema.parse(this.sqlite.prepare('SELECT * FROM operation_people WHERE operation_id = ?').get(operation.id));
      stmt(this.sqlite, 'DELETE FROM audit_pending_ends WHERE operation_id = ?').run(operation.id);
      if (row.final_seq !== null) return false;
      const entry = appendAudit(this.sqlite, {
        kind: KIND[operation.kind],
        actor: row.person_id,
        data: {
          operation: operation.id,
          order: operation.orderId,
          parent: operation.parentId,
          provider: operation.provider,
          method: operation.paymentType,
          amountMinor: operation.amountKop,
          outcome: operation.outcome,
          transaction: operation.transactionId,
          approver: row.approver_id,
          approval: row.approval_id,
        },
      }, this.now);
      this.sqlite.prepare('UPDATE operation_people SET final_seq = ? WHERE operation_id = ?').run(entry.seq, operation.id);
      return true;
    });
    return this.sqlite.inTransaction ? run() : run.immediate();
  }
}
