// The matrix, the people and their single-right grants compiled into one in-memory table, so a check
// is two Map lookups and an array read, never a query. Recompiled whenever any of the three changes.
import { PERMISSIONS, PERMISSION_LABELS, type AccessMatrix, type Permission, type Rule } from './matrix';

const RULE_CODE: Record<Rule, number> = { allow: 0, approval: 1, deny: 2 };
const CODE_RULE: Rule[] = ['allow', 'approval', 'deny'];
const INDEX = new Map<Permission, number>(PERMISSIONS.map((p, i) => [p, i]));

export interface PersonAccessInput {
  id: string;
  role: string;
  active: boolean;
}

export interface RightOverride {
  personId: string;
  permission: Permission;
  effect: 'grant' | 'revoke';
}

export interface AuthorizeContext {
  /** Refund amount in kopecks: above the matrix limit also needs `refund_above_limit`. */
  amountMinor?: number;
  /** Who made the sale being refunded or cancelled: someone else's also needs `refund_other_cashier`. */
  saleCashierId?: string;
}

export type Decision =
  | { decision: 'allow'; permissions: Permission[] }
  | { decision: 'needs_approval'; permissions: Permission[]; approverRoles: string[]; reason: string }
  | { decision: 'deny'; permissions: Permission[]; reason: string };

export interface CompiledAccess {
  readonly matrixVersion: number;
  readonly refundLimitMinor: number;
  rule(personId: string, permission: Permission): Rule;
  roleRule(roleId: string, permission: Permission): Rule;
  /** Every permission the action needs, given its context. */
  required(permission: Permission, context: AuthorizeContext, actorId: string): Permission[];
  authorize(personId: string, permission: Permission, context?: AuthorizeContext): Decision;
  roleName(roleId: string): string | null;
  requiresYandex(roleId: string): boolean;
}

export function compileAccess(matrix: AccessMatrix, people: PersonAccessInput[], overrides: RightOverride[], matrixVersion = 0): CompiledAccess {
  const roleTable = new Map<string, Uint8Array>();
  const roleNames = new Map<string, string>();
  const yandexRoles = new Set<string>();
  for (const role of matrix.roles) {
    roleTable.set(role.id, Uint8Array.from(PERMISSIONS, (p) => RULE_CODE[role.rules[p] ?? 'deny']));
    roleNames.set(role.id, role.name);
    if (role.requiresYandex) yandexRoles.add(role.id);
  }
  const denyAll = new Uint8Array(PERMISSIONS.length).fill(RULE_CODE.deny);
  const personTable = new Map<string, Uint8Array>();
  for (const person of people) {
    // An inactive person or an unknown role gets nothing.
    const base = person.active ? roleTable.get(person.role) ?? denyAll : denyAll;
    personTable.set(person.id, base);
  }
  for (const o of overrides) {
    const current = personTable.get(o.personId);
    if (!current || current === denyAll) continue;
    const own = Uint8Array.from(current);
    own[INDEX.get(o.permission) as number] = o.effect === 'grant' ? RULE_CODE.allow : RULE_CODE.deny;
    personTable.set(o.personId, own);
  }
  // Approver roles per permission set are few and reused: cache them by key.
  const approverCache = new Map<string, string[]>();
  const approversFor = (perms: Permission[]): string[] => {
    const key = perms.join(',');
    let found = approverCache.get(key);
    if (!found) {
      found = matrix.roles.filter((r) => perms.every((p) => r.rules[p] === 'allow')).map((r) => r.id);
      approverCache.set(key, found);
    }
    return found;
  };

  const ruleOf = (personId: string, permission: Permission): Rule => {
    const row = personTable.get(personId);
    return row ? (CODE_RULE[row[INDEX.get(permission) as number] as number] as Rule) : 'deny';
  };

  const compiled: CompiledAccess = {
    matrixVersion,
    refundLimitMinor: matrix.refundLimitMinor,
    rule: ruleOf,
    roleRule(roleId, permission) {
      const row = roleTable.get(roleId);
      return row ? (CODE_RULE[row[INDEX.get(permission) as number] as number] as Rule) : 'deny';
    },
    required(permission, context, actorId) {
      const perms: Permission[] = [permission];
      const isRefund = permission === 'refund' || permission === 'refund_completed_service';
      if (isRefund && context.amountMinor !== undefined && context.amountMinor > matrix.refundLimitMinor) perms.push('refund_above_limit');
      if ((isRefund || permission === 'cancel') && context.saleCashierId !== undefined && context.saleCashierId !== actorId) perms.push('refund_other_cashier');
      return perms;
    },
    authorize(personId, permission, context = {}) {
      const permissions = compiled.required(permission, context, personId);
      let worst = 0;
      const blocking: Permission[] = [];
      for (const p of permissions) {
        const code = RULE_CODE[ruleOf(personId, p)];
        if (code > 0) blocking.push(p);
        worst = Math.max(worst, code);
      }
      const reason = blocking.map((p) => PERMISSION_LABELS[p]).join(', ');
      if (worst === 0) return { decision: 'allow', permissions };
      if (worst === 2) return { decision: 'deny', permissions, reason };
      const approverRoles = approversFor(permissions);
      if (approverRoles.length === 0) return { decision: 'deny', permissions, reason: `${reason} (некому подтвердить)` };
      return { decision: 'needs_approval', permissions, approverRoles, reason };
    },
    roleName: (roleId) => roleNames.get(roleId) ?? null,
    requiresYandex: (roleId) => yandexRoles.has(roleId),
  };
  return compiled;
}
