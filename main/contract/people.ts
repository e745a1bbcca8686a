// Contract of sign-in, access, approvals, the Payments section, services and balances
// (docs/people-and-audit.md). Pure zod, no Node: the renderer validates with the same schemas.
import { z } from 'zod';
import { kopecks, operationViewSchema } from './checkout';

export const PERMISSION_IDS = [
  'sell', 'cancel', 'refund', 'refund_above_limit', 'refund_other_cashier', 'refund_completed_service',
  'report_x', 'report_z', 'payments_section', 'void_cash_tender', 'edit_config', 'manage_people', 'edit_matrix',
  'offline_admin_sign_in',
] as const;
export const permissionIdSchema = z.enum(PERMISSION_IDS);
export const ruleIdSchema = z.enum(['allow', 'approval', 'deny']);

/** A supervisor's PIN (with who they are) or staff card, for an approval on the spot. Never logged. */
export const approvalCredentialSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pin'), personId: z.string().min(1).max(64), pin: z.string().min(1).max(32) }),
  z.object({ kind: z.literal('card'), code: z.string().min(4).max(128) }),
]);
export type ApprovalCredential = z.infer<typeof approvalCredentialSchema>;
export const approvalInput = { approval: approvalCredentialSchema.optional() };

export const signInInputSchema = approvalCredentialSchema;

export const signInStateSchema = z.object({
  /** false: sign-in is off in the config; everything is allowed and recorded as done by the till. */
  enabled: z.boolean(),
  person: z.object({ id: z.string(), name: z.string(), role: z.string(), roleName: z.string() }).nullable(),
  locked: z.boolean(),
  lockInMs: z.number().nullable(),
  warn: z.boolean(),
  rights: z.record(permissionIdSchema, ruleIdSchema),
  /** Active people to choose from on the sign-in screen (names only). */
  people: z.array(z.object({ id: z.string(), name: z.string() })),
  yandex: z.object({ enabled: z.boolean() }),
});
export type SignInStateView = z.infer<typeof signInStateSchema>;

export const personViewSchema = z.object({
  id: z.string(), name: z.string(), role: z.string(), active: z.boolean(), hasCard: z.boolean(), yandexLogin: z.string().nullable(),
  /** Single rights granted / revoked on top of the role. */
  overrides: z.array(z.object({ permission: permissionIdSchema, effect: z.enum(['grant', 'revoke']) })),
});
export type PersonView = z.infer<typeof personViewSchema>;

export const matrixViewSchema = z.object({
  refundLimitMinor: z.number().int().min(0),
  roles: z.array(z.object({
    id: z.string(), name: z.string(), requiresYandex: z.boolean(),
    rules: z.partialRecord(permissionIdSchema, ruleIdSchema),
  })),
});
export const accessViewSchema = z.object({
  version: z.number().int().nonnegative(),
  matrix: matrixViewSchema,
  labels: z.record(permissionIdSchema, z.string()),
  people: z.array(personViewSchema),
  canEditMatrix: z.boolean(),
  canManagePeople: z.boolean(),
});
export type AccessView = z.infer<typeof accessViewSchema>;

export const newPersonInputSchema = z.object({
  name: z.string().trim().min(1).max(120),
  role: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/),
  pin: z.string().min(4).max(32),
  card: z.string().min(4).max(128).optional(),
  yandexLogin: z.string().min(1).max(120).optional(),
});

export const orderStatusSchema = z.enum(['not_paid', 'paid', 'partly_refunded', 'refunded']);
export const serviceStateIdSchema = z.enum(['scheduled', 'in_progress', 'completed', 'cancelled']);

export const paymentsQuerySchema = z.object({
  /** Order id, any transaction id, loyalty id or amount ("1000", "1 000,50"): any fragment. */
  text: z.string().trim().max(64).default(''),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  status: orderStatusSchema.optional(),
  method: z.string().max(36).optional(),
  personId: z.string().max(64).optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(100).default(20),
});
export type PaymentsQueryInput = z.input<typeof paymentsQuerySchema>;

export const paymentRowSchema = z.object({
  operation: operationViewSchema,
  orderStatus: orderStatusSchema,
  orderStatusText: z.string(),
  paidKop: kopecks,
  refundedKop: kopecks,
  refundableKop: kopecks,
  person: z.object({ id: z.string(), name: z.string() }).nullable(),
  approver: z.object({ id: z.string(), name: z.string() }).nullable(),
  service: z.object({ state: serviceStateIdSchema, stateText: z.string(), date: z.string().nullable() }).nullable(),
  /** What the Refund button does for the signed-in person. */
  refund: z.object({ decision: z.enum(['allow', 'needs_approval', 'deny']), reason: z.string() }),
  balanceKop: z.number().int().nullable(),
});
export type PaymentRowView = z.infer<typeof paymentRowSchema>;
export const paymentsResultSchema = z.object({ items: z.array(paymentRowSchema), total: z.number().int().nonnegative(), truncated: z.boolean() });
export type PaymentsResultView = z.infer<typeof paymentsResultSchema>;

export const serviceInputSchema = z.object({
  orderId: z.string().min(1).max(64),
  state: serviceStateIdSchema,
  /** yyyy-mm-dd or an ISO date-time; kept as given. */
  date: z.string().min(10).max(40).optional(),
});
export const serviceViewSchema = z.object({ orderId: z.string(), state: serviceStateIdSchema, date: z.string().nullable() });

export const balanceViewSchema = z.object({
  enabled: z.boolean(),
  loyaltyId: z.string(),
  balanceKop: z.number().int(),
  entries: z.array(z.object({ kind: z.enum(['topup', 'debit', 'refund']), amountKop: z.number().int(), operationRef: z.string(), createdAt: z.string() })),
});

export const auditStatusSchema = z.object({
  ok: z.boolean(),
  count: z.number().int().nonnegative(),
  headSeq: z.number().int().nonnegative().nullable(),
  firstBroken: z.object({ seq: z.number().int(), reason: z.string(), detail: z.string() }).nullable(),
});

export const yandexStartSchema = z.object({
  attempt: z.string(), userCode: z.string(), verificationUrl: z.string(), expiresInSec: z.number().int(),
});
export const yandexPollSchema = z.object({
  state: z.enum(['pending', 'signed_in']),
  person: z.object({ id: z.string(), name: z.string() }).nullable(),
});
