// A bank (Tochka, Halyk, …) as the running till's CheckoutProvider: the payment-link factory, refunds as
// journaled operations, the link shown to the customer as a QR, phase texts, slip/report refs, and the
// bank account's own connection identity and health. Each bank folder supplies only its adapters and
// texts; everything here is bank-neutral (docs/banks.md).
import { createHash } from 'node:crypto';
import { PaydeskError } from '../errors/catalogue';
import type { Logger } from '../log/logger';
import type { OperationRow } from '../journal/operations';
import type { Capability, CheckoutProvider, PaymentFactory, PaymentMethodDescriptor, ProviderHealth, RefundFactory, SavedCardsPort } from '../providers/types';
import type { BankAdapter, CreateOutcome, LookupOutcome, RefundOutcome } from './bank';
import { linkStateSchema } from './machine';
import { BANK_SLIP_REFS } from './slip';

/** Phase texts of the payment-link machine and the bank refund machine (shared by every bank). */
export const BANK_PHASE_TEXT: Readonly<Record<string, string>> = {
  creating: 'Касса создаёт ссылку на оплату в банке…',
  resolving: 'Банк не ответил вовремя: касса выясняет результат. Не принимайте оплату повторно.',
  awaiting: 'Покажите покупателю QR-код: он оплачивает на своём телефоне',
  canceling: 'Отмена: касса ждёт, пока ссылка перестанет действовать',
  declined: 'Банк отклонил оплату',
  expired: 'Время на оплату по ссылке истекло: деньги не списаны',
  canceled: 'Оплата отменена: деньги не списаны',
  mismatch: 'Банк провёл другую сумму: не выдавайте товар',
  baseline: 'Касса сверяет возвраты по оплате в банке…',
  sending: 'Касса отправляет возврат в банк…',
  checking: 'Банк не ответил на возврат вовремя: касса выясняет результат',
  rejected: 'Возврат отклонён банком',
};

const UNKNOWN_PHASES: ReadonlySet<string> = new Set(['creating', 'resolving', 'awaiting', 'canceling']);
const CANCELLABLE_PHASES: ReadonlySet<string> = new Set(['creating', 'resolving', 'awaiting']);

/** A stable, secret-free id of a bank account connection: where it points and whose credentials (hashed). */
export function bankIdentity(provider: string, parts: readonly (string | null | undefined)[]): string {
  return `${provider}:${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16)}`;
}

/** What the customer sees for an unfinished link payment: the link as a QR, once the bank returned it. */
export function linkCustomerAction(row: OperationRow): { kind: 'qr'; payload: string; hintRu: string } | null {
  let json: unknown;
  try {
    json = JSON.parse(row.context_json);
  } catch {
    return null;
  }
  const parsed = linkStateSchema.safeParse(json);
  if (!parsed.success) return null;
  const { phase, ctx } = parsed.data;
  if (ctx.link === null || (phase !== 'awaiting' && phase !== 'canceling')) return null;
  const sbpOnly = ctx.methods.length === 1 && ctx.methods[0] === 'sbp';
  const cardOnly = ctx.methods.length === 1 && ctx.methods[0] === 'card';
  const hintRu = sbpOnly
    ? 'Отсканируйте QR-код камерой телефона или в приложении банка и подтвердите оплату через СБП'
    : cardOnly ? 'Отсканируйте QR-код телефоном и оплатите картой на странице банка' : 'Отсканируйте QR-код телефоном: оплата через СБП или картой';
  return { kind: 'qr', payload: ctx.link, hintRu };
}

/**
 * Watches a bank adapter's answers: the account's health (ok / degraded / down, the last problem), logged
 * when it changes. Secrets never appear in details (the adapters put none there).
 */
export class BankHealthWatch {
  private current: ProviderHealth = { state: 'unknown', lastError: null, checkedAt: null };

  constructor(private readonly provider: string, private readonly logger: Logger) {}

  health(): ProviderHealth {
    return { ...this.current };
  }

  watch(adapter: BankAdapter): BankAdapter {
    const note = <T extends CreateOutcome | LookupOutcome | RefundOutcome>(o: T): T => {
      const problem = o.kind === 'unknown' || o.kind === 'rejected' ? `${o.errorKey}${o.code ? ` (${o.code})` : ''}` : null;
      // A certain refusal because the bank could not be reached (connection refused, 5xx before anything
      // was created) is the connection down too, not a healthy answer.
      const state: ProviderHealth['state'] = o.kind === 'unknown' ? (o.errorKey === 'bank.response_invalid' ? 'degraded' : 'down')
        : o.kind === 'rejected' && (/forbidden|acquiring_off|auth/.test(o.errorKey) || o.errorKey === 'bank.unavailable') ? 'down' : 'ok';
      const changed = state !== this.current.state;
      this.current = { state, lastError: state === 'ok' ? null : problem, checkedAt: new Date().toISOString() };
      if (changed) this.logger.warn({ provider: this.provider, health: state, problem }, 'bank connection health changed');
      return o;
    };
    const wrapped: BankAdapter = {
      provider: adapter.provider,
      currency: adapter.currency,
      create: async (r) => note(await adapter.create(r)),
      findByReference: async (ref, at) => note(await adapter.findByReference(ref, at)),
      read: async (ref) => note(await adapter.read(ref)),
      refund: async (id, amount) => note(await adapter.refund(id, amount)),
      ...(adapter.revoke ? { revoke: adapter.revoke.bind(adapter) } : {}),
    };
    return wrapped;
  }
}

export interface BankProviderParts {
  name: string;
  titleRu: string;
  capabilities: ReadonlySet<Capability>;
  methods: readonly PaymentMethodDescriptor[];
  /** The account's identity, or why sales through this bank are blocked (switched off, emulator outside "emulator"). */
  connection: { identity: string } | { blocked: PaydeskError };
  payments: PaymentFactory;
  refunds: RefundFactory | null;
  health: BankHealthWatch;
  limits: { minutes: number; seconds: number };
  /** Card binding and saved cards (absent: the bank's page offers no cards). */
  savedCards?: SavedCardsPort | null;
}

export function bankCheckoutProvider(p: BankProviderParts): CheckoutProvider {
  return {
    name: p.name,
    titleRu: p.titleRu,
    capabilities: p.capabilities,
    methods: () => p.methods,
    connection: () => p.connection,
    payments: p.payments,
    refunds: p.refunds,
    availability: null,
    // The bank's own settlement statement reconciles card and SBP money; the till's Z counts these as skipped.
    lookup: null,
    receipts: null,
    health: () => p.health.health(),
    ...(p.savedCards ? { savedCards: p.savedCards } : {}),
    view: {
      phaseText: BANK_PHASE_TEXT,
      unknownPhases: UNKNOWN_PHASES,
      cancellablePhases: CANCELLABLE_PHASES,
      slipRefs: BANK_SLIP_REFS,
      reportRefs: [BANK_SLIP_REFS[0] ?? { key: 'operationId', label: 'Операция банка' }],
      limits: () => p.limits,
      customerAction: linkCustomerAction,
    },
  };
}

export const bankDisabled = (name: string): PaydeskError => new PaydeskError('bank.disabled', `${name}.enabled is false`);
