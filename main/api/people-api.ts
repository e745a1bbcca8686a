// Sign-in, access and the Payments section on the API, and the guard every other method passes
// through (docs/people-and-audit.md "Enforcement"). The renderer only hides what this refuses: a call
// made straight to the kiosk socket meets the same checks.
import { randomUUID } from 'node:crypto';
import type { ApiParsedInput } from '../contract/api';
import type { ApiMethod } from '../contract/api';
import type { OperationView } from '../contract/checkout';
import type { ApprovalCredential, PaymentRowView, PersonView, SignInStateView } from '../contract/people';
import { PERMISSION_LABELS, type Permission } from '../access/matrix';
import type { Guarded, TillPeople } from '../access/till';
import { verifyChain } from '../audit/log';
import { firstMissingZHead, recordZHead } from '../audit/z-heads';
import type { OperationAudit } from '../audit/operations';
import { BalanceLedger } from '../balances/ledger';
import type { BalanceSync } from '../balances/orders';
import { matchesSearch, parseSearchText } from '../checkout/views';
import { describeError, PaydeskError } from '../errors/catalogue';
import { canMoveService, orderMoney, ORDER_STATUS_LABELS, SERVICE_STATE_LABELS, serviceRefundRule, serviceStateSchema, type ServiceState } from '../orders/status';
import { refundDecision } from '../orders/refund-policy';
import type { ApiHandlers } from './dispatcher';
import { PreSerialized } from './pre-serialized';
import type { SessionCore } from './shift-api';
import { createYandexSignIn } from './yandex-signin';

export type PeopleMethod =
  | 'people.state' | 'people.signIn' | 'people.signOut' | 'people.lock' | 'people.touch' | 'people.create' | 'people.yandexStart' | 'people.yandexPoll'
  | 'access.get' | 'access.setMatrix' | 'access.setRight' | 'payments.search' | 'order.service' | 'balance.get' | 'audit.verify';

/** Methods that need nobody signed in: what a locked till must still answer, and sign-in itself. */
const OPEN_METHODS: ReadonlySet<ApiMethod> = new Set<ApiMethod>([
  'status.get', 'people.state', 'people.signIn', 'people.yandexStart', 'people.yandexPoll', 'admin.call',
  'sale.methods', 'sale.catalogue',
  // A staff card read by a wedge scanner on the sign-in screen reaches the screen as a scan event.
  'scan.wedge', 'scan.manual',
]);

/** The right each method needs on its own (beyond being signed in); refunds, cancels, Z and voids are decided in their handlers. */
const METHOD_RIGHT: Partial<Record<ApiMethod, Permission>> = {
  'sale.availability': 'sell',
  'sale.pay': 'sell',
  'sale.extraCharge': 'sell',
  'sale.park': 'sell',
  // The receipt queue: anyone at the till sees it and reprints; "retry now" is the manager's (docs/outbox.md).
  'queue.list': 'sell',
  'receipt.block': 'sell',
  'receipt.print': 'sell',
  'display.basket': 'sell',
  'queue.retry': 'payments_section',
  'shift.open': 'sell',
  'shift.claim': 'sell',
  'shift.tender': 'sell',
  'report.x': 'report_x',
  'report.z': 'report_x',
  'report.list': 'report_x',
  'report.print': 'report_x',
  'report.printOs': 'report_x',
  'report.reprint': 'report_x',
  'report.export': 'report_x',
  'report.open': 'report_x',
  'payments.search': 'payments_section',
  'order.service': 'sell',
  'balance.get': 'sell',
  'people.create': 'manage_people',
  'audit.verify': 'payments_section',
  'savedCards.list': 'sell',
  'savedCards.bind': 'sell',
  'savedCards.pay': 'sell',
  // Unbinding a customer's card is the manager's (the Payments section's right).
  'savedCards.unbind': 'payments_section',
};

export interface PeopleApi {
  handlers: Pick<ApiHandlers, PeopleMethod>;
  /** Wraps the other handlers with the sign-in and rights checks and records who did what. */
  guard(handlers: ApiHandlers): ApiHandlers;
}

export interface PeopleCore extends SessionCore {
  readonly people: TillPeople;
  readonly operationAudit: OperationAudit;
  readonly balances: BalanceSync;
}

export function createPeopleApi(core: PeopleCore, onChange: () => void): PeopleApi {
  const till = core.people;
  const audit = core.operationAudit;
  const sqlite = core.journal.sqlite;
  const yandex = createYandexSignIn(core);

  const state = (): SignInStateView => ({
    ...till.state(),
    people: till.people.list().filter((p) => p.active).map((p) => ({ id: p.id, name: p.name })),
    yandex: { enabled: core.config.current().yandexId.enabled },
  });

  const personView = (id: string): PersonView => {
    const person = till.people.get(id);
    if (!person) throw new PaydeskError('people.not_found', id);
    return { ...person, overrides: overridesOf(id) };
  };
  const overridesOf = (id: string): PersonView['overrides'] =>
    (sqlite.prepare('SELECT permission, effect FROM person_rights WHERE person_id = ? ORDER BY permission').all(id) as { permission: string; effect: 'grant' | 'revoke' }[])
      .filter((o): o is { permission: Permission; effect: 'grant' | 'revoke' } => o.permission in PERMISSION_LABELS);

  const nameOf = (id: string | null): { id: string; name: string } | null => {
    if (id === null) return null;
    const p = till.people.get(id);
    return { id, name: p?.name ?? id };
  };

  const serviceOf = (orderId: string): { state: ServiceState; date: string | null } | null => {
    const row = sqlite.prepare('SELECT state, service_date FROM order_services WHERE order_id = ?').get(orderId) as { state: string; service_date: string | null } | undefined;
    if (!row) return null;
    const parsed = serviceStateSchema.safeParse(row.state);
    // A state this build does not know is treated as not finished: no refund until someone looks.
    return { state: parsed.success ? parsed.data : 'in_progress', date: row.service_date };
  };

  const balances = (): BalanceLedger => new BalanceLedger(sqlite, core.config.current().till.storeId, { config: () => core.config.current().balances });

  /** The refund's amount for the rights check: lines are priced from the sale (never below what is asked). */
  const refundAmount = (payment: OperationView, input: { amountKop?: number | undefined; lines?: { lineNo: number; quantity: number }[] | undefined }): number => {
    if (input.amountKop !== undefined) return input.amountKop;
    if (input.lines) {
      let sum = 0;
      for (const l of input.lines) {
        const line = payment.lines.find((x) => x.lineNo === l.lineNo);
        sum += line ? Math.round(line.priceKop * l.quantity) : payment.amountKop;
      }
      return sum;
    }
    return payment.refundableKop ?? payment.amountKop;
  };

  const withApproval = (credential: ApprovalCredential | undefined, ref: string) => (credential ? { credential, operationRef: ref } : undefined);

  const attribute = (op: OperationView, g: Guarded): OperationView => {
    audit.attribute(op, { personId: g.actor.id, approverId: g.approval?.approverId ?? null, approvalId: g.approval?.id ?? null });
    return op;
  };

  const handlers: PeopleApi['handlers'] = {
    'people.state': () => state(),
    'people.signIn': async (input) => {
      await till.signIn(input, yandex.requirementFor);
      onChange();
      return state();
    },
    'people.signOut': () => {
      till.signOut();
      onChange();
      return state();
    },
    'people.lock': () => {
      till.lock();
      onChange();
      return state();
    },
    'people.touch': () => {
      till.actor(); // touches; refused while locked or signed out
      return state();
    },
    'people.create': async (input) => {
      const actor = till.actor();
      const person = await till.people.create({ name: input.name, role: input.role, pin: input.pin, ...(input.card ? { card: input.card } : {}), ...(input.yandexLogin ? { yandexLogin: input.yandexLogin } : {}) });
      till.audit({ kind: 'person_change', actor: actor.id, data: { change: 'create', person: person.id, role: person.role, card: person.hasCard } });
      return personView(person.id);
    },
    'people.yandexStart': () => yandex.start(),
    'people.yandexPoll': async (input) => {
      const result = await yandex.poll(input.attempt);
      if (result.state === 'signed_in') onChange();
      return result;
    },
    'access.get': () => {
      const actor = till.actor();
      const rule = (p: Permission) => (actor.id === null ? 'allow' : till.access.table.rule(actor.id, p));
      const canEditMatrix = rule('edit_matrix') === 'allow';
      const canManagePeople = rule('manage_people') === 'allow';
      if (!canEditMatrix && !canManagePeople) throw new PaydeskError('access.denied', 'access.get', { reason: PERMISSION_LABELS.manage_people });
      const { version, matrix } = till.access.currentMatrix();
      return {
        version,
        matrix: { refundLimitMinor: matrix.refundLimitMinor, roles: matrix.roles.map((r) => ({ id: r.id, name: r.name, requiresYandex: r.requiresYandex, rules: r.rules })) },
        labels: PERMISSION_LABELS,
        people: till.people.list().map((p) => ({ ...p, overrides: overridesOf(p.id) })),
        canEditMatrix,
        canManagePeople,
      };
    },
    'access.setMatrix': (input) => {
      const actor = till.actor();
      // Sign-in off: nobody can be held to account for a matrix edit, so the till refuses it.
      if (actor.id === null) throw new PaydeskError('access.denied', 'sign-in off', { reason: PERMISSION_LABELS.edit_matrix });
      const version = till.access.setMatrix(actor.id, { version: 1, ...input.matrix }, input.expectedVersion);
      onChange();
      return { version };
    },
    'access.setRight': (input) => {
      const actor = till.actor();
      if (actor.id === null) throw new PaydeskError('access.denied', 'sign-in off', { reason: PERMISSION_LABELS.manage_people });
      till.access.setRight(actor.id, input.personId, input.permission, input.effect);
      onChange();
      return personView(input.personId);
    },
    'payments.search': (input) => {
      const SCAN = 1000;
      // One day asked for: the journal's indexed day filter (a range is filtered below, within the scan).
      const payments = core.checkout.query({ kind: 'payment', limit: SCAN, ...(input.from && input.from === input.to ? { date: input.from } : {}) });
      const refunds = core.checkout.query({ kind: 'refund', limit: SCAN });
      const byParent = new Map<string, OperationView[]>();
      for (const r of refunds) if (r.parentId) byParent.set(r.parentId, [...(byParent.get(r.parentId) ?? []), r]);
      const term = parseSearchText(input.text);
      const people = input.personId ? audit.operationsOf(input.personId) : null;
      const localDate = (iso: string): string => {
        const d = new Date(iso);
        return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      };
      const actorId = till.currentPersonId();
      const enabled = till.enabled();
      const rows: PaymentRowView[] = [];
      for (const op of payments) {
        const own = byParent.get(op.id) ?? [];
        // Search by any transaction id: a refund's ids lead to its payment too.
        if (!matchesSearch(op, term) && !own.some((r) => matchesSearch(r, term))) continue;
        const day = localDate(op.createdAt);
        if ((input.from && day < input.from) || (input.to && day > input.to)) continue;
        if (input.method && op.paymentType !== input.method) continue;
        if (people && !people.has(op.id)) continue;
        const money = orderMoney([op, ...own].map((o) => ({ kind: o.kind, amountMinor: o.amountKop, outcome: o.isFinal ? o.outcome : null })));
        if (input.status && money.status !== input.status) continue;
        const who = audit.attribution(op.id);
        const service = serviceOf(op.orderId);
        let refund: PaymentRowView['refund'];
        if (!enabled) {
          const rule = serviceRefundRule(service?.state ?? null);
          refund = !rule.refundable ? { decision: 'deny', reason: describeError(rule.key).ru } : money.refundableMinor > 0 ? { decision: 'allow', reason: '' } : { decision: 'deny', reason: 'нечего возвращать' };
        } else if (actorId === null) {
          refund = { decision: 'deny', reason: 'войдите в кассу' };
        } else {
          const d = refundDecision({
            actorId, service: service?.state ?? null, amountMinor: Math.max(1, money.refundableMinor), saleCashierId: who?.personId ?? '',
            operations: [op, ...own].map((o) => ({ kind: o.kind, amountMinor: o.amountKop, outcome: o.isFinal ? o.outcome : null })),
          }, till.access.table);
          refund = d.decision === 'deny' ? { decision: 'deny', reason: d.reason ?? describeError(d.key).ru } : { decision: d.decision, reason: d.decision === 'needs_approval' ? d.reason : '' };
        }
        const ledger = core.config.current().balances.enabled && op.loyaltyId ? balances().balance(op.loyaltyId) : null;
        rows.push({
          operation: op, orderStatus: money.status, orderStatusText: ORDER_STATUS_LABELS[money.status],
          paidKop: money.paidMinor, refundedKop: money.refundedMinor, refundableKop: money.refundableMinor,
          person: nameOf(who?.personId ?? null), approver: nameOf(who?.approverId ?? null),
          service: service ? { state: service.state, stateText: SERVICE_STATE_LABELS[service.state], date: service.date } : null,
          refund, balanceKop: ledger,
        });
      }
      return { items: rows.slice(input.offset, input.offset + input.limit), total: rows.length, truncated: payments.length >= SCAN };
    },
    'order.service': (input) => {
      const actor = till.actor();
      const current = serviceOf(input.orderId);
      if (current && current.state !== input.state && !canMoveService(current.state, input.state)) {
        throw new PaydeskError('access.denied', `service ${current.state} → ${input.state}`, { reason: `услуга уже «${SERVICE_STATE_LABELS[current.state]}»` });
      }
      const date = input.date ?? current?.date ?? null;
      sqlite.transaction(() => {
        sqlite.prepare('INSERT INTO order_services (order_id, service_date, state, updated_by, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(order_id) DO UPDATE SET service_date = excluded.service_date, state = excluded.state, updated_by = excluded.updated_by, updated_at = excluded.updated_at')
          .run(input.orderId, date, input.state, actor.id, new Date().toISOString());
        till.audit({ kind: 'service_change', actor: actor.id, data: { order: input.orderId, from: current?.state ?? null, to: input.state, date } });
      }).immediate();
      // A prepaid service: paid money is on the customer's balance; completing it debits the balance.
      core.balances.sync(input.orderId, actor.id);
      return { orderId: input.orderId, state: input.state, date };
    },
    'balance.get': (input) => {
      const enabled = core.config.current().balances.enabled;
      const ledger = balances();
      return {
        enabled,
        loyaltyId: input.loyaltyId,
        balanceKop: ledger.balance(input.loyaltyId),
        entries: ledger.entries(input.loyaltyId).map((e) => ({ kind: e.kind, amountKop: e.amountMinor, operationRef: e.operationRef, createdAt: e.createdAt })),
      };
    },
    'audit.verify': () => {
      const result = verifyChain(sqlite);
      if (!result.ok) return { ok: false, count: result.count, headSeq: null, firstBroken: result.firstBroken };
      const cut = firstMissingZHead(sqlite);
      if (cut) return { ok: false, count: result.count, headSeq: result.head.seq, firstBroken: { seq: cut.seq, reason: 'z_head', detail: `Z of shift ${cut.shiftId}: ${cut.detail}` } };
      return { ok: true, count: result.count, headSeq: result.head.seq, firstBroken: null };
    },
  };

  function guard(all: ApiHandlers): ApiHandlers {
    const out = { ...all } as Record<ApiMethod, (input: never) => unknown>;
    const wrap = <M extends ApiMethod>(method: M, fn: (input: ApiParsedInput<M>) => unknown): void => {
      out[method] = fn as (input: never) => unknown;
    };
    for (const method of Object.keys(all) as ApiMethod[]) {
      if (OPEN_METHODS.has(method)) continue;
      const inner = all[method] as (input: unknown) => unknown;
      const right = METHOD_RIGHT[method];
      wrap(method, async (input: unknown) => {
        if (right) await till.guard(right);
        else till.actor(); // signed in and unlocked
        return inner(input);
      });
    }

    // The person, not the typed name, is who opened / closed a shift when sign-in is on.
    const named = <T extends object>(input: T, field: keyof T): T => {
      const actor = till.actor();
      return actor.name === null ? input : { ...input, [field]: actor.name };
    };

    wrap('sale.pay', async (input) => {
      const g = await till.guard('sell');
      return attribute(await (all['sale.pay'](input) as Promise<OperationView>), g);
    });
    wrap('sale.cancel', async (input) => {
      const payment = core.checkout.get(input.operationId);
      const saleCashier = payment ? audit.attribution(payment.id)?.personId ?? undefined : undefined;
      const g = await till.guard('cancel', saleCashier ? { saleCashierId: saleCashier } : {}, withApproval(input.approval, `cancel:${input.operationId}`));
      return attribute(await (all['sale.cancel']({ operationId: input.operationId }) as Promise<OperationView>), g);
    });
    wrap('refund.start', async (input) => {
      const { approval, ...refund } = input;
      const payment = core.checkout.get(refund.paymentOperationId);
      if (!payment) return all['refund.start'](refund); // the checkout names what is wrong
      const service = serviceOf(payment.orderId);
      const rule = serviceRefundRule(service?.state ?? null);
      if (!rule.refundable) {
        till.actor();
        throw new PaydeskError(rule.key, payment.orderId);
      }
      // The approval is bound to this refund: a key the caller chose, or one made here and sent on.
      const key = refund.clientRequestKey ?? randomUUID();
      const saleCashier = audit.attribution(payment.id)?.personId ?? undefined;
      const g = await till.guard(rule.permission, { amountMinor: refundAmount(payment, refund), ...(saleCashier ? { saleCashierId: saleCashier } : {}) }, withApproval(approval, `refund:${payment.id}:${key}`));
      return attribute(await (all['refund.start']({ ...refund, clientRequestKey: key }) as Promise<OperationView>), g);
    });
    wrap('shift.open', async (input) => {
      const g = await till.guard('sell');
      const shift = await all['shift.open'](named(input, 'cashier'));
      till.audit({ kind: 'shift_open', actor: g.actor.id, data: { shift: shift.id } });
      return shift;
    });
    wrap('shift.claim', async (input) => {
      await till.guard('sell');
      return all['shift.claim'](named(input, 'cashier'));
    });
    wrap('shift.close', async (input) => {
      const open = core.shifts.current();
      const g = await till.guard('report_z', {}, withApproval(input.approval, `z:${open?.id ?? 'none'}`));
      // A manager's decision about receipts still pending travels with the close (docs/outbox.md).
      const report = await all['shift.close'](named({ cashier: input.cashier, ...(input.pendingReceipts ? { pendingReceipts: input.pendingReceipts } : {}) }, 'cashier'));
      // Read back in the report worker, the Z comes as text; its head as the closing transaction made it.
      const z = report instanceof PreSerialized ? report.known : report;
      if (!z) throw new Error('shift.close answered without the closed Z');
      // The Z's entry, then its head: a trail cut back later no longer holds this hash (doctor, audit.verify).
      recordZHead(sqlite, z.shift.id, z.zNumber, { kind: 'report_z', actor: g.actor.id, data: { shift: z.shift.id, zNumber: z.zNumber, approver: g.approval?.approverId ?? null, tillNet: z.currencies.map((c) => ({ currency: c.currency, netKop: c.totals.tillNetKop })) } });
      return report;
    });
    wrap('shift.tender', async (input) => {
      const g = await till.guard('sell');
      const row = await all['shift.tender'](g.actor.name ? { ...input, cashier: g.actor.name } : input);
      till.audit({ kind: 'tender', actor: g.actor.id, data: { tender: row.id, kind: row.kind, direction: row.direction, amountMinor: row.amountKop } });
      return row;
    });
    wrap('shift.voidTender', async (input) => {
      const g = await till.guard('void_cash_tender', {}, withApproval(input.approval, `void:${input.tenderId}`));
      const row = await all['shift.voidTender'](named({ tenderId: input.tenderId, voidedBy: input.voidedBy, reason: input.reason }, 'voidedBy'));
      till.audit({ kind: 'tender_void', actor: g.actor.id, data: { tender: row.tenderId, amountMinor: row.amountKop, reason: row.reason, approver: g.approval?.approverId ?? null } });
      return row;
    });
    for (const method of ['report.x', 'report.z', 'report.print', 'report.printOs', 'report.export', 'report.open'] as const) {
      const inner = out[method] as (input: never) => unknown;
      wrap(method, async (input: ApiParsedInput<typeof method>) => {
        const result = await (inner as (i: typeof input) => Promise<unknown>)(input);
        const ref = input as { type?: string; shiftId?: number; number?: number; format?: string };
        till.audit({ kind: 'report_view', actor: till.currentPersonId(), data: { method, type: ref.type ?? (method === 'report.x' ? 'x' : 'z'), shift: ref.shiftId ?? null, number: ref.number ?? null, format: ref.format ?? null } });
        return result;
      });
    }
    return out as ApiHandlers;
  }

  return { handlers, guard };
}
