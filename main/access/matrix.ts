// Roles and the access matrix as data (docs/people-and-audit.md). Each role maps every permission to
// allow / approval (a supervisor must confirm on the spot) / deny. The defaults below are what a fresh
// till uses until someone allowed edits the matrix.
import { z } from 'zod';

export const PERMISSIONS = [
  'sell',
  'cancel',
  'refund',
  'refund_above_limit',
  'refund_other_cashier',
  'refund_completed_service',
  'report_x',
  'report_z',
  'payments_section',
  'void_cash_tender',
  'edit_config',
  'manage_people',
  'edit_matrix',
  'offline_admin_sign_in',
] as const;
export const permissionSchema = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof permissionSchema>;

/** Russian names for reasons and the matrix editor. */
export const PERMISSION_LABELS: Record<Permission, string> = {
  sell: 'продажа',
  cancel: 'отмена покупки',
  refund: 'возврат',
  refund_above_limit: 'возврат сверх лимита',
  refund_other_cashier: 'возврат чужой продажи',
  refund_completed_service: 'возврат за оказанную услугу',
  report_x: 'X-отчёт',
  report_z: 'Z-отчёт (закрытие смены)',
  payments_section: 'раздел «Платежи»',
  void_cash_tender: 'аннулирование оплаты наличными',
  edit_config: 'изменение настроек',
  manage_people: 'управление сотрудниками и их правами',
  edit_matrix: 'изменение матрицы прав',
  offline_admin_sign_in: 'вход администратора без Яндекса (офлайн)',
};

export const ruleSchema = z.enum(['allow', 'approval', 'deny']);
export type Rule = z.infer<typeof ruleSchema>;

export const roleSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/),
  name: z.string().min(1).max(60),
  /** Missing permissions are denied: a permission added later is closed by default. */
  rules: z.partialRecord(permissionSchema, ruleSchema),
  /** Sign-in must be confirmed through Yandex ID when the yandex section is on. */
  requiresYandex: z.boolean().default(false),
});
export type Role = z.infer<typeof roleSchema>;

export const matrixSchema = z.object({
  version: z.literal(1),
  /** A refund larger than this (kopecks) also needs `refund_above_limit`. */
  refundLimitMinor: z.number().int().min(0),
  roles: z.array(roleSchema).min(1),
}).superRefine((m, ctx) => {
  const ids = new Set<string>();
  for (const [i, role] of m.roles.entries()) {
    if (ids.has(role.id)) ctx.addIssue({ code: 'custom', path: ['roles', i, 'id'], message: `duplicate role ${role.id}` });
    ids.add(role.id);
  }
  // Someone must always be able to edit the matrix and manage people, or the till locks itself out.
  for (const p of ['edit_matrix', 'manage_people'] as const) {
    if (!m.roles.some((r) => r.rules[p] === 'allow')) ctx.addIssue({ code: 'custom', path: ['roles'], message: `no role is allowed ${p}` });
  }
});
export type AccessMatrix = z.infer<typeof matrixSchema>;

const all = (rule: Rule): Record<Permission, Rule> => Object.fromEntries(PERMISSIONS.map((p) => [p, rule])) as Record<Permission, Rule>;

export const DEFAULT_MATRIX: AccessMatrix = matrixSchema.parse({
  version: 1,
  refundLimitMinor: 500_000,
  roles: [
    {
      id: 'cashier',
      name: 'Кассир',
      rules: { sell: 'allow', cancel: 'allow', refund: 'approval', refund_above_limit: 'approval', refund_other_cashier: 'approval', report_x: 'allow', report_z: 'approval', void_cash_tender: 'approval' },
    },
    {
      id: 'senior_cashier',
      name: 'Старший кассир',
      rules: { sell: 'allow', cancel: 'allow', refund: 'allow', refund_above_limit: 'approval', refund_other_cashier: 'allow', report_x: 'allow', report_z: 'allow', void_cash_tender: 'allow' },
    },
    {
      id: 'manager',
      name: 'Менеджер',
      rules: { ...all('allow'), refund_completed_service: 'approval', edit_config: 'deny', manage_people: 'deny', edit_matrix: 'deny', offline_admin_sign_in: 'deny' },
    },
    { id: 'administrator', name: 'Администратор', rules: { ...all('allow'), edit_matrix: 'deny', offline_admin_sign_in: 'deny' }, requiresYandex: true },
    { id: 'super_administrator', name: 'Супер-администратор', rules: all('allow'), requiresYandex: true },
  ],
});
