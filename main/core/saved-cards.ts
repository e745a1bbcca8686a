// Card binding and saved cards at the till, wired in the core (docs/banks.md "Binding and saved cards"):
// a binding is a journaled payment through the neutral checkout (crash recovery, one live payment per order,
// views all apply); when the journal writes it paid, the provider's port saves the card and queues the
// charge's refund IN THAT SAME transaction; the outbox worker runs the refund (reconcile before resend).
// Provider-neutral: everything goes through CheckoutProvider.savedCards. The customer is the scanned loyalty id.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { listSavedCards, unbindCard, type SavedCard } from '../acquiring/saved-cards';
import type { CheckoutService } from '../checkout/service';
import type { OperationView, PayInput } from '../contract/checkout';
import { PaydeskError } from '../errors/catalogue';
import type { OperationStore, OperationWrite } from '../journal/operations';
import type { Logger } from '../log/logger';
import { failpoint } from '../outbox/failpoints';
import type { AnyJobHandler } from '../outbox/handler';
import type { CheckoutProvider, SavedCardsPort } from '../providers/types';

/** A saved card as the till shows it: our own opaque id, never the bank's card id. */
export interface SavedCardEntry {
  id: string;
  provider: string;
  providerTitle: string;
  customerId: string;
  createdAt: string;
}

export interface BindingOffer {
  provider: string;
  providerTitle: string;
  amountMinor: number;
}

export interface SavedCardsService {
  /** The customer's cards not unbound, oldest first (cards of a provider no longer configured are left out). */
  list(customerId: string): SavedCardEntry[];
  /** Who takes a binding now and for how much (null: no configured provider offers binding). */
  offer(provider?: string): BindingOffer | null;
  /** Starts the binding charge: a payment of the offer's amount that asks the bank to save the card. */
  bind(input: { orderId: string; customerId: string; provider?: string | undefined }): Promise<OperationView>;
  /** A sale paid by a saved card: the bank's page is opened with that card. */
  pay(input: Omit<PayInput, 'paymentType' | 'provider'> & { savedCardId: string }): Promise<OperationView>;
  /** Unbinding is local (the banks document no delete API); refused when the card is not the customer's. */
  unbind(customerId: string, savedCardId: string): void;
  /** Settles paid bindings a failed hook left without their refund (start-up); how many. */
  catchUp(): number;
}

/** Our id of a saved card: stable, opaque, and not the bank's card id. */
export const savedCardId = (provider: string, providerCardId: string): string =>
  createHash('sha256').update(`${provider}:${providerCardId}`).digest('hex').slice(0, 16);

const idRowSchema = z.object({ id: z.string() });

/**
 * The outbox handlers of the binding refunds, one per provider that offers binding at start-up. Each delegates
 * to the provider as configured NOW (a hot-reloaded section keeps its jobs); a provider switched out of the
 * config leaves its jobs retrying, never failed.
 */
export function bindingRefundHandlers(providers: () => readonly CheckoutProvider[]): AnyJobHandler[] {
  return providers().flatMap((p) => {
    if (!p.savedCards) return [];
    const first = p.savedCards.refundJob();
    const name = p.name;
    const handler: AnyJobHandler = {
      kind: first.kind,
      payloadVersion: first.payloadVersion,
      backoff: first.backoff,
      parse(payload) {
        const port = providers().find((x) => x.name === name)?.savedCards;
        if (port) return port.refundJob().parse(payload);
        const gone = { type: 'retry', errorKey: 'saved_card.not_supported', message: `${name} is not configured: the binding refund waits` } as const;
        return { ok: true, run: () => Promise.resolve(gone), reconcile: () => Promise.resolve(gone) };
      },
      // The refund's journal row, in the job's done commit (main/acquiring/refund-job.ts recordBindingRefund).
      // It needs only the provider's name and the database, so the start-up port serves even after a reload.
      onDone(db, job, nowMs) {
        first.onDone?.(db, job, nowMs);
      },
    };
    return [handler];
  });
}

export function startSavedCards(o: {
  sqlite: Database.Database;
  store: OperationStore;
  providers: () => readonly CheckoutProvider[];
  checkout: CheckoutService;
  logger: Logger;
  /** Wakes the outbox worker once a refund job is committed. */
  kick: () => void;
}): SavedCardsService & { close(): void } {
  const port = (name: string): SavedCardsPort | null => o.providers().find((p) => p.name === name)?.savedCards ?? null;
  const title = (name: string): string => o.providers().find((p) => p.name === name)?.titleRu ?? name;

  let queued = false;
  const settle = (rowId: string, provider: string, write: () => ReturnType<SavedCardsPort['settle']>): void => {
    try {
      const r = write();
      if (r !== 'not_binding') {
        queued = true;
        o.logger.info({ operationId: rowId, provider, result: r }, 'card binding settled: refund of the verification charge queued');
      }
    } catch (error) {
      // Never undo the paid write: the start-up catch-up settles it later (settle is idempotent).
      o.logger.error({ operationId: rowId, provider, err: String(error) }, 'card binding could not be settled now: retried at start-up');
    }
  };
  const inTransaction = (writes: readonly OperationWrite[]): void => {
    for (const w of writes) {
      const row = w.row;
      if (row.kind !== 'payment' || row.outcome !== 'paid') continue;
      const p = port(row.provider);
      if (p) settle(row.id, row.provider, () => p.settle(o.sqlite, row));
    }
  };
  const committed = (): void => {
    if (!queued) return;
    queued = false;
    // The crash tests' instant: paid, card and refund job committed together, the worker not woken yet.
    failpoint('outbox.after_enqueue');
    o.kick();
  };
  const offTx = o.store.onWriteInTransaction(inTransaction);
  const offCommitted = o.store.onWriteCommitted(committed);

  const entry = (c: SavedCard): SavedCardEntry => ({ id: savedCardId(c.provider, c.consumer_id), provider: c.provider, providerTitle: title(c.provider), customerId: c.customer_id, createdAt: c.created_at });
  const cardsOf = (customerId: string): SavedCard[] => listSavedCards(o.sqlite, customerId).filter((c) => port(c.provider) !== null);
  const find = (customerId: string, id: string): SavedCard => {
    const card = cardsOf(customerId).find((c) => savedCardId(c.provider, c.consumer_id) === id);
    if (!card) throw new PaydeskError('saved_card.not_found', `saved card ${id}`);
    return card;
  };
  const offer = (provider?: string): BindingOffer | null => {
    const p = o.providers().find((x) => x.savedCards && (provider === undefined || x.name === provider) && x.methods().some((m) => m.id === x.savedCards?.methodId));
    return p?.savedCards ? { provider: p.name, providerTitle: p.titleRu, amountMinor: p.savedCards.bindingAmountMinor() } : null;
  };

  return {
    list: (customerId) => cardsOf(customerId).map(entry),
    offer,
    async bind(input) {
      const chosen = offer(input.provider);
      const p = chosen ? port(chosen.provider) : null;
      if (!chosen || !p) throw new PaydeskError('saved_card.not_supported', input.provider ?? 'no provider offers binding');
      return o.checkout.pay(
        { orderId: input.orderId, amountKop: chosen.amountMinor, paymentType: p.methodId, provider: chosen.provider, card: { loyaltyId: input.customerId } },
        { cardOnFile: { kind: 'bind' } },
      );
    },
    async pay(input) {
      const { savedCardId: id, ...sale } = input;
      if (!sale.card) throw new PaydeskError('saved_card.customer_required');
      const card = find(sale.card.loyaltyId, id);
      const p = port(card.provider);
      if (!p) throw new PaydeskError('saved_card.not_found', `provider ${card.provider} is not configured`);
      return o.checkout.pay({ ...sale, paymentType: p.methodId, provider: card.provider }, { cardOnFile: { kind: 'saved', providerCardId: card.consumer_id } });
    },
    unbind(customerId, id) {
      const card = find(customerId, id);
      unbindCard(o.sqlite, card.provider, card.consumer_id);
      o.logger.info({ provider: card.provider, savedCard: id }, 'saved card unbound');
    },
    catchUp() {
      // Paid payments of the last 30 days with a customer and no job yet: settle decides whether each is a binding.
      const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
      const binders = o.providers().filter((p) => p.savedCards);
      const kinds = binders.flatMap((p) => (p.savedCards ? [p.savedCards.refundJob().kind] : []));
      if (kinds.length === 0) return 0;
      // Only the binding providers' rows: every other paid sale with a loyalty id (most of a wallet's) would be
      // read and parsed at each start-up for nothing.
      const rows = o.sqlite.prepare(`SELECT o.id FROM operations o WHERE o.kind = 'payment' AND o.outcome = 'paid' AND o.loyalty_id IS NOT NULL
        AND o.created_at >= ? AND o.provider IN (SELECT value FROM json_each(?))
        AND NOT EXISTS (SELECT 1 FROM outbox_jobs j WHERE j.operation_external_id = o.id AND j.kind IN (SELECT value FROM json_each(?)))`)
        .all(since, JSON.stringify(binders.map((p) => p.name)), JSON.stringify(kinds));
      let settled = 0;
      for (const raw of rows) {
        const row = o.store.get(idRowSchema.parse(raw).id);
        const p = row ? port(row.provider) : null;
        if (!row || !p) continue;
        o.sqlite.transaction(() => settle(row.id, row.provider, () => {
          const r = p.settle(o.sqlite, row);
          if (r !== 'not_binding') settled += 1;
          return r;
        }))();
      }
      committed();
      return settled;
    },
    close() {
      offTx();
      offCommitted();
    },
  };
}
