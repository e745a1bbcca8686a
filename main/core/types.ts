// The core's facade, as the shells (Electron, headless kiosk), the CLI and tests see it.
// Implemented by main/core/core.ts (startCore). Plain Node: no Electron, no renderer.
import type { ProviderTokenFormat } from '../barcode/tokens';
import type { LiveConfig } from '../config/live';
import type { Journal } from '../journal/database';
import type { TotpVerifier } from '../totp';
import type { CashierError } from '../errors/catalogue';
import type {
  AvailabilityInput, AvailabilityResult, OperationQuery, OperationView, PayInput, RefundInput, ExtraChargeInput,
  PaymentMethodView, SaleCatalogueView,
} from '../contract/checkout';

export interface CoreOptions {
  /** paydesk.config.json; created with defaults when missing. */
  configFile: string;
  /** Folder for the journal database, backups, logs and the embedded emulator's TLS material. */
  dataDir: string;
  /** Watch the config file for edits (default true). */
  watchConfig?: boolean;
}

export type EnvironmentMode = 'emulator' | 'test' | 'production';

export interface EnvironmentView {
  mode: EnvironmentMode;
  /** Base URL in use (no credentials in it). */
  baseUrl: string;
  storeId: string;
  terminalId: string;
  /** True in environment "emulator" without an external emulator URL: the embedded emulator answers. */
  embeddedEmulator: boolean;
  /** Why Koshelek Pay sales are blocked (missing credentials, public TOTP key…), or null. docs/safety.md */
  blocked: CashierError | null;
  /** Unfinished operations left untouched because they were started on another connection. */
  heldOperations?: number;
  /** Unfinished operations whose saved state does not parse: held, never resumed blindly (docs/safety.md). */
  unreadableOperations?: number;
}

export interface HealthView {
  payApi: 'ok' | 'degraded' | 'down' | 'unknown';
  lastCheckedAt: string | null;
  lastError: string | null;
  /** Server clock minus till clock, from the last response's Date header. */
  clockSkewMs: number | null;
  /** The skew is larger than one TOTP step: scanned codes may be refused; fix the till's clock. */
  clockDriftExceedsStep: boolean;
  /** 'unavailable': a journal write failed; new sales are refused until a write succeeds again. */
  journal?: 'ok' | 'unavailable';
}

export interface CheckoutApi {
  /** The payment methods of the configured providers, in config order, with whether each can start now. */
  methods(): PaymentMethodView[];
  availability(input: AvailabilityInput): Promise<AvailabilityResult>;
  /** Journals the intent, sends checkout, and resolves once the request has left (not when final). */
  pay(input: PayInput): Promise<OperationView>;
  /** Requests a cancel; queued until the payment can be cancelled (it is never lost while the till runs). */
  cancel(paymentOperationId: string): Promise<OperationView>;
  /** Parks an unresolved payment: it goes on in the background, visible in the status bar and journal. */
  park(paymentOperationId: string): Promise<OperationView>;
  /** Parked payments still unresolved, and parked ones that ended paid in the last 24 h (manager: refund or contact). */
  parkedSummary(): { open: number; endedPaid: number };
  refund(input: RefundInput): Promise<OperationView>;
  /** An extra charge on a paid payment (a new payment of the same sale, linked to it), when its provider offers it. */
  extraCharge(input: ExtraChargeInput): Promise<OperationView>;
  /** The pay-token barcode formats of the configured providers (read per scan: a config edit applies at once). */
  tokenFormats?(): ProviderTokenFormat[];
  get(operationId: string): OperationView | null;
  query(query: OperationQuery): OperationView[];
  /** Resolves when the operation reaches a final state (or the timeout passes: returns its current view). */
  waitFinal(operationId: string, timeoutMs?: number): Promise<OperationView>;
  onUpdate(listener: (operation: OperationView) => void): () => void;
}

export type CoreEvent =
  | { type: 'operation'; operation: OperationView }
  | { type: 'config'; problems: { file: string; path: string; reason: string }[]; version: number }
  | { type: 'health'; health: HealthView }
  | { type: 'environment'; environment: EnvironmentView };

export interface Core {
  readonly config: LiveConfig;
  readonly journal: Journal;
  readonly checkout: CheckoutApi;
  /** Taxes and measures the sale screen offers (the config's enums). */
  saleCatalogue(): SaleCatalogueView;
  environment(): EnvironmentView;
  health(): HealthView;
  onEvent(listener: (event: CoreEvent) => void): () => void;
  /** The TOTP verifier of the live config: the one that also makes the `token` header (one vendor library instance). */
  verifier(): TotpVerifier;
  close(): Promise<void>;
}
