// What a payment provider declares to the core: its name, config section, capabilities, the payment
// methods it offers the cashier and (when wired) a factory for its payment Driver. Provider-neutral:
// nothing here knows any provider. How to add one: docs/providers.md.
import type { z } from 'zod';
import type { Driver } from '../checkout/runner';
import type { OperationEvent, OperationRow } from '../journal/operations';

export const CAPABILITIES = [
  'pay',
  'cancel',
  'refund',
  'partial_refund',
  /** The provider answers "what happened to the operation with OUR id" — the resolver of every unknown. */
  'status_by_own_reference',
  /** The provider returns slip / receipt data to print and keep. */
  'receipts',
  /** The provider pushes status news to us (webhooks, postbacks). */
  'webhooks',
  'saved_cards',
  /** QR payments (the provider shows or reads a payment QR). */
  'qr',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface PaymentMethodDescriptor {
  /** Stable id within the provider, stored with the tender (e.g. "card"). */
  id: string;
  /** The button text on the sale screen. */
  titleRu: string;
  /** Whether the cashier must scan a customer card first (Koshelek) or not (a card terminal). */
  needsCardScan: boolean;
}

/** A started or resumed payment: the actor's initial state, its driver, and what to dispatch first. */
export interface PaymentRun<S, E> {
  state: S;
  driver: Driver<S, E>;
  /** Resumed after a restart: the event to dispatch before anything else (null: just start()). */
  recoveryEvent: E | null;
}

/**
 * A run whose state and event types belong to its provider. The caller works with it inside `use`,
 * typed, without ever knowing (or casting to) the provider's types.
 */
export interface PackedRun {
  use<R>(f: <S, E>(run: PaymentRun<S, E>) => R): R;
}

export function packRun<S, E>(run: PaymentRun<S, E>): PackedRun {
  return { use: (f) => f(run) };
}

export interface NewPayment {
  operationId: string;
  /** Our pass-through reference (operationExternalId): also the journal row's request_id. */
  operationExternalId: string;
  orderId: string;
  amountMinor: number;
  shiftId: number | null;
  methodId: string;
}

export interface PaymentFactory {
  /** The intent to commit (insertIntent) before the first action, and the run to start after it. */
  begin(input: NewPayment, now: number): { row: OperationRow; event: OperationEvent; run: PackedRun };
  /** A journal row of this provider that is not final, read back at start-up (context parsed, never cast). */
  resume(row: OperationRow): PackedRun;
}

export interface ProviderDescriptor<C> {
  /** The journal's operations.provider value, the config section's key, the registry key. */
  name: string;
  titleRu: string;
  configSchema: z.ZodType<C>;
  capabilities: ReadonlySet<Capability>;
  methods: readonly PaymentMethodDescriptor[];
  /** Absent while the provider is described but not yet wired through this interface. */
  payments?: (config: C) => PaymentFactory;
  /** Honest notes where a capability is partial (shown to IT, kept in docs). */
  notes?: string;
}

/** A registry entry with its config type hidden the same way (validate, then build). */
export interface RegisteredProvider {
  name: string;
  titleRu: string;
  capabilities: ReadonlySet<Capability>;
  methods: readonly PaymentMethodDescriptor[];
  notes: string | null;
  /** Validates the provider's config section; the factory is built from the parsed value only. */
  configure(section: unknown): { ok: true; payments: PaymentFactory | null } | { ok: false; problem: string };
}

export function register<C>(d: ProviderDescriptor<C>): RegisteredProvider {
  return {
    name: d.name,
    titleRu: d.titleRu,
    capabilities: d.capabilities,
    methods: d.methods,
    notes: d.notes ?? null,
    configure(section) {
      const parsed = d.configSchema.safeParse(section ?? {});
      if (!parsed.success) return { ok: false, problem: parsed.error.issues.map((i) => `${d.name}.${i.path.join('.')}: ${i.message}`).join('; ') };
      return { ok: true, payments: d.payments ? d.payments(parsed.data) : null };
    },
  };
}
