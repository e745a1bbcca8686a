// Approvals on the spot: an action the person may not do alone is confirmed by a supervisor's PIN or
// staff card. The approver must be someone else whose own rights allow the whole action; the record
// names both people and is audited. Each approval is for one operation id.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { appendAudit } from '../audit/log';
import { PaydeskError } from '../errors/catalogue';
import type { Credential, SignInService } from '../people/signin';
import type { AuthorizeContext } from './compile';
import type { Permission } from './matrix';
import type { AccessService } from './service';

export interface ApprovalRecord {
  id: string;
  operationId: string;
  permission: Permission;
  permissions: Permission[];
  requesterId: string;
  approverId: string;
  method: 'pin' | 'card';
  amountMinor: number | null;
  at: string;
  auditSeq: number;
}

export interface ApprovalRequest {
  requesterId: string;
  permission: Permission;
  context: AuthorizeContext;
  /** The operation this approval is for (a refund's external id): one approval, one operation. */
  operationId: string;
  credential: Credential;
}

export async function approve(
  deps: { sqlite: Database.Database; access: AccessService; signIn: SignInService; now?: () => Date },
  request: ApprovalRequest,
): Promise<ApprovalRecord> {
  const now = deps.now ?? (() => new Date());
  const own = deps.access.authorize(request.requesterId, request.permission, request.context);
  if (own.decision === 'deny') throw new PaydeskError('access.denied', request.permission, { reason: own.reason });
  const verified = await deps.signIn.verify(request.credential);
  if (!verified.ok) {
    const minutes = verified.retryAfterMs !== undefined ? Math.ceil(verified.retryAfterMs / 60_000) : undefined;
    throw new PaydeskError(verified.key, 'approver credential', minutes !== undefined ? { minutes } : {});
  }
  const approver = verified.person;
  if (approver.id === request.requesterId) throw new PaydeskError('approval.same_person');
  // The approver is judged on the same action as if they did it themselves (a sale of someone else's
  // stays someone else's): every required right must be theirs outright.
  const theirs = deps.access.authorize(approver.id, request.permission, request.context);
  if (theirs.decision !== 'allow') throw new PaydeskError('approval.not_allowed', approver.id);
  const used = deps.sqlite
    .prepare("SELECT 1 FROM audit_log WHERE json_extract(entry_json, '$.kind') = 'approval' AND json_extract(entry_json, '$.data.operation') = ? LIMIT 1")
    .get(request.operationId);
  if (used) throw new PaydeskError('approval.not_allowed', `operation ${request.operationId} already approved`);
  const id = randomUUID();
  const amountMinor = request.context.amountMinor ?? null;
  const entry = appendAudit(
    deps.sqlite,
    {
      kind: 'approval',
      actor: request.requesterId,
      data: { approval: id, operation: request.operationId, permission: request.permission, permissions: own.permissions, approver: approver.id, method: verified.method, amountMinor },
    },
    now,
  );
  return { id, operationId: request.operationId, permission: request.permission, permissions: own.permissions, requesterId: request.requesterId, approverId: approver.id, method: verified.method, amountMinor, at: entry.entry.at, auditSeq: entry.seq };
}
