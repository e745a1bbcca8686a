// What a payment provider declares to the core: its name, config section, capabilities, the payment
// methods it offers the cashier and (when wired) a factory for its payment Driver. Provider-neutral:
// nothing here knows any provider. How to add one: docs/providers.md.
import type Database from 'better-sqlite3';
import type { TokenFormat } from '../barcode/tokens';
import type { z } from 'zod';
import type { PlannedLine } from '../checkout/basket';
import type { Driver } from '../checkout/runner';
import type { AvailabilityResult, CardOrigin, CustomerActionView } from '../contract/checkout';
import type { PaydeskError } from '../errors/catalogue';
import type { OperationEvent, OperationRow } from '../journal/operations';
import type { Logger } from '../log/logger';
import type { AnyJobHandler } from '../outbox/handler';
import type { StatusLookup } from '../reports/reconcile';
import type { WebhookVerifier } from '../webhooks/listener';

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
  /** A pre-payment check of which methods the customer can use. */
  'availability',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface PaymentMethodDescriptor {
  /** Stable id within the provider, stored with the tender (e.g. "card"). */
  id: string;
  /** The button text on the sale screen. */
  titleRu: string;
  /** Whether the cashier must scan a customer card first (Koshelek) or not (a card terminal). */
  needsCardScan: boolean;
  /** Offered first and larger: the way to pay the shop prefers (default false). */
  primary?: boolean;
  /** The cards it takes by the issuing bank's country; a till with both asks the customer (default: none). */
  cardOrigin?: CardOrigin;
  /** ISO 4217 currency it charges in (default RUB). */
  currency?: string;
}

/** The neutral signals checkout sends an operation, mapped onto the provider's own events. */
export interface RunSignals<E> {
  /** The cashier asks to cancel (null: this provider cannot cancel from the till). */
  cancel: E | null;
  /** The cashier parks the payment to serve the next customer (null: not supported). */
  park: E | null;
  /**
   * News the provider pushed (postback / webhook body, already authenticated by its listener) as an event
   * for the operation's own lane and reducer; null: not about this operation, ignored.
   */
  news(data: unknown): E | null;
}

/** A started or resumed operation: the actor's initial state, its driver, and what to dispatch first. */
export interface PaymentRun<S, E> {
  state: S;
  driver: Driver<S, E>;
  /** Resumed after a restart: the event to dispatch before anything else (null: just start()). */
  recoveryEvent: E | null;
  signals: RunSignals<E>;
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

/** For providers whose cancel and park happen elsewhere (on a terminal, by a link lapsing) and that push no news to the lane. */
export const NO_SIGNALS = { cancel: null, park: null, news: () => null } as const;

/**
 * Resume through a provider's parser that throws on a row it cannot read (zod `.parse`): the throw becomes
 * "held as unreadable" with a short reason, never a crash of the recovery loop and never a blind resume.
 */
export function resumeParsed(resume: () => { run: PackedRun; phase: string }): ResumeResult {
  try {
    return { ok: true, ...resume() };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message.slice(0, 200) : 'unreadable state' };
  }
}

/** The customer's scanned card, when the method needs one. */
export interface ScannedCard {
  loyaltyId: string;
  payToken: string | null;
}

export interface NewPayment {
  operationId: string;
  /** Our pass-through reference (operationExternalId): also the journal row's request_id. */
  operationExternalId: string;
  orderId: string;
  amountMinor: number;
  /** The basket (absent: an amount only, for providers that take no lines). */
  lines?: readonly PlannedLine[];
  shiftId: number | null;
  methodId: string;
  card?: ScannedCard | null;
  /** The connection the operation is bound to (recorded in its state; docs/safety.md). */
  connectionId?: string | null;
  /**
   * Card on file (providers with `savedCards`): a binding charge that asks the customer to save the card, or
   * a payment offering a card saved earlier (the provider's own card id, never shown to the renderer).
   */
  cardOnFile?: CardOnFile | null;
}

/** A binding (verification charge, refunded at once) or a payment by a saved card (docs/banks.md). */
export type CardOnFile = { kind: 'bind' } | { kind: 'saved'; providerCardId: string };

/**
 * Card binding and saved cards, a provider's optional capability (docs/banks.md "Binding and saved cards").
 * The customer is the scanned loyalty id; the cards live in the journal database (`saved_cards`).
 */
export interface SavedCardsPort {
  /** The cashier's method the binding charge and saved-card payments go through. */
  readonly methodId: string;
  /** The verification charge, in minor units (refunded at once). */
  bindingAmountMinor(): number;
  /**
   * Inside the journal's write transaction of a payment row: a paid binding stores the card against the
   * row's customer and queues the charge's refund, together; idempotent (run again at start-up).
   */
  settle(db: Database.Database, row: OperationRow): 'bound' | 'no_card' | 'not_binding';
  /** Whether a payment row is a binding's verification charge (no sale: no fiscal receipt, docs/banks.md). */
  isBinding(row: OperationRow): boolean;
  /** The outbox handler that refunds the binding charge (one kind per provider, reconcile before resend). */
  refundJob(): AnyJobHandler;
}

export interface NewRefund {
  operationId: string;
  payment: OperationRow;
  amountMinor: number;
  lines: readonly PlannedLine[];
  shiftId: number | null;
  clientRequestKey: string | null;
  connectionId: string;
}

/** Reading a journal row back: the provider's versioned schema parses it, or says why it cannot. */
export type ResumeResult = { ok: true; run: PackedRun; phase: string } | { ok: false; reason: string };

/** A receipt sent to the provider: whether it was accepted, and the exchanges to journal on the payment. */
export interface ReceiptResult {
  accepted: boolean;
  events: OperationEvent[];
}

export interface Started {
  /** The intent row committed (insertIntent) before the first action. */
  row: OperationRow;
  event: OperationEvent;
  run: PackedRun;
}

export interface PaymentFactory {
  begin(input: NewPayment, now: number): Started;
  /** A journal row of this provider that is not final, read back at start-up (context parsed, never cast). */
  resume(row: OperationRow): ResumeResult;
}

export interface RefundFactory {
  /** Throws a PaydeskError when the payment's own state cannot back a refund (unreadable, other version). */
  begin(input: NewRefund, now: number): Started;
  resume(row: OperationRow): ResumeResult;
  /** The client key a refund row was started with (a double press is one refund), or why it cannot be read. */
  clientKey(row: OperationRow): { ok: true; key: string | null } | { ok: false; reason: string };
}

/**
 * An extra charge: a new payment of the same sale, linked to the paid original (parent), for a basket that
 * grew after payment. Its own journal order id (one live payment per order id): the original's + suffix.
 */
export interface NewExtraCharge {
  operationId: string;
  operationExternalId: string;
  payment: OperationRow;
  orderId: string;
  amountMinor: number;
  lines: readonly PlannedLine[];
  shiftId: number | null;
  clientRequestKey: string | null;
  connectionId: string;
}

/** Extra charges on paid payments (the rows are payments: resumed through the provider's `payments.resume`). */
export interface ExtraChargeFactory {
  begin(input: NewExtraCharge, now: number): Started;
  /** The client key an extra charge was started with (a double press is one charge), or why it cannot be read. */
  clientKey(row: OperationRow): { ok: true; key: string | null } | { ok: false; reason: string };
}

/** Labelled provider ids on slips (slips.refs_json) and report lines (docs/providers.md "refs"). */
export interface RefLabel {
  key: string;
  label: string;
  /** false: an internal id, left off the customer's receipt (default: printed). */
  receipt?: boolean;
}

/** How checkout shows this provider's operations: phase texts and which phases mean what. */
export interface ProviderView {
  phaseText: Readonly<Record<string, string>>;
  /** Non-final phases in which the till does not know yet whether the customer paid. */
  unknownPhases: ReadonlySet<string>;
  /** Phases in which the cashier may ask for a cancel. */
  cancellablePhases: ReadonlySet<string>;
  slipRefs: readonly RefLabel[];
  reportRefs: readonly RefLabel[];
  /** Numbers quoted in this provider's cashier texts (its configured limits). */
  limits(): { minutes: number; seconds: number };
  /** What the customer must do for an unfinished payment (a QR from its persisted state); absent: nothing. */
  customerAction?(row: OperationRow): CustomerActionView | null;
}

export interface AvailabilityRequest {
  orderId: string;
  amountMinor: number;
  lines: readonly PlannedLine[];
  card: ScannedCard | null;
}

/**
 * A provider as the running till has it: built by the composition root from the config (hot-reloaded),
 * with its own connection and health. Checkout drives payments only through this.
 */
export interface CheckoutProvider {
  readonly name: string;
  readonly titleRu: string;
  readonly capabilities: ReadonlySet<Capability>;
  /** The methods the cashier may choose now (Koshelek's follow its config enums). */
  methods(): readonly PaymentMethodDescriptor[];
  /** The connection new work goes to, or why sales through this provider are blocked. */
  connection(): { identity: string } | { blocked: PaydeskError };
  /**
   * Why a NEW sale cannot start now although the connection is configured (the terminal's payment
   * application is missing, …), or null; checked for the method list and before a sale is journaled.
   * Unfinished operations still resume on the connection (their lookups report their own faults).
   */
  startProblem?(): PaydeskError | null;
  readonly payments: PaymentFactory;
  readonly refunds: RefundFactory | null;
  /** Extra charges on a paid payment whose basket grew (absent or null: not offered by this provider). */
  readonly extraCharges?: ExtraChargeFactory | null;
  /**
   * Pay tokens this provider takes when presented as their own barcode (not on a loyalty card): the scanner
   * asks these before the card templates and hands the screen `{ provider, payToken }` (main/barcode/tokens.ts).
   */
  readonly tokenFormats?: readonly TokenFormat[];
  /** Optional pre-payment check ("which methods can this customer use"): no money moves. */
  readonly availability: ((request: AvailabilityRequest) => Promise<AvailabilityResult>) | null;
  /** Shift reconciliation: what the provider says about an operation, in neutral outcomes (null: cannot look up). */
  readonly lookup: StatusLookup | null;
  /** Sends a paid payment's fiscal receipt to the provider (harmless to repeat); whether it was accepted. */
  readonly receipts: ((payment: OperationRow, invoice: unknown) => Promise<ReceiptResult>) | null;
  readonly view: ProviderView;
  /** The provider's own connection health (each bank account its own), for IT; absent: not tracked. */
  health?(): ProviderHealth;
  /** Card binding and payments by saved cards (absent: not offered). */
  readonly savedCards?: SavedCardsPort;
}

export interface ProviderHealth {
  state: 'unknown' | 'ok' | 'degraded' | 'down';
  /** The last problem (an error catalogue key and code; never a secret). */
  lastError: string | null;
  checkedAt: string | null;
}

/** What the composition root hands a provider when it builds it for the running till. */
export interface ProviderContext<C> {
  /** The provider's own config section, parsed with its schema. */
  section: C;
  /** The till's environment: an emulator may be used only in "emulator" (docs/safety.md). */
  environment: 'emulator' | 'test' | 'production';
  /** The provider's private folder for its own state (embedded emulator ledgers, keys). */
  dataDir: string;
  logger: Logger;
  /**
   * Starts the provider's embedded emulator (demos): non-null only in environment "emulator" when one ships.
   * Emulators are imported by the composition root alone, never by a provider folder.
   */
  startEmulator: (() => Promise<EmbeddedEmulator>) | null;
  /** News the provider received (webhook, callback) about its transaction ids, into the operation's lane. */
  deliverNews(ids: { transactionId?: string | undefined; refTransactionId?: string | undefined }, data: unknown): boolean;
}

/** A provider's emulator running inside the till (demo installs only). */
export interface EmbeddedEmulator {
  baseUrl: string;
  close(): Promise<void>;
}

/** A provider built for the running till. */
export interface LiveProvider {
  checkout: CheckoutProvider;
  /**
   * Webhooks this provider receives through the shared listener (main/webhooks): its verifier, and how a
   * verified event's subject (the provider's transaction id) reaches the operation's lane (ctx.deliverNews).
   */
  webhook?: { verifier: WebhookVerifier; apply(subject: string, payload: unknown): boolean };
  /** Stops what it started (listeners, an embedded emulator). */
  close(): Promise<void>;
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
  /** Builds the provider for the running till from its section (absent: described only, never offered). */
  live?: (context: ProviderContext<C>) => Promise<LiveProvider>;
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
  /** Builds the live provider from a raw section (validated here); null when the provider is described only. */
  start: ((section: unknown, context: Omit<ProviderContext<unknown>, 'section'>) => Promise<LiveProvider>) | null;
}

export function register<C>(d: ProviderDescriptor<C>): RegisteredProvider {
  const live = d.live;
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
    start: live
      ? async (section, context) => {
        const parsed = d.configSchema.safeParse(section ?? {});
        // The config loader validated the whole file already; a section that fails here is a programming error.
        if (!parsed.success) throw new Error(`${d.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        return live({ ...context, section: parsed.data });
      }
      : null,
  };
}
