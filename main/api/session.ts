// The API session both shells share: the handler map (contract method → core call) and the event
// stream (core events → contract events). A shell only moves envelopes; it never calls the core itself.
import {
  CLOCK_WARN_MS, statusViewSchema, type ApiEvent, type ScanResultView, type ScannerStateView, type StatusView,
} from '../contract/api';
import type { OperationView, Outcome, PaymentMethodView } from '../contract/checkout';
import type { Symbology } from '../contract/scan';
import { describeError, PaydeskError, type ErrorKey } from '../errors/catalogue';
import type { CheckoutProvider, ProviderHealth } from '../providers/types';
import { charsPerLine } from '../printing/config';
import { customerReceiptBlock, customerReceiptLines } from '../printing/customer-receipt';
import { ReportPrinter } from '../printing/service';
import type { PrinterConfig } from '../printing/config';
import type { PrinterTransport } from '../printing/transport';
import { createDispatcher, type ApiHandlers, type Dispatch } from './dispatcher';
import { createSavedCardsApi } from './saved-cards-api';
import type { OsPrinter } from './os-print';
import { searchOperations } from './search';
import { createShiftApi, exportDirFor, type FileOpener, type SessionCore } from './shift-api';
import { createPeopleApi, type PeopleCore } from './people-api';
import { Catalogue } from '../catalogue/catalogue';
import type { CustomerDisplayFeed } from '../display/feed';
import fs from 'node:fs';
import path from 'node:path';

export type { SessionCore } from './shift-api';

/** How often the session looks at time-driven state (shift nearing 24 h, expiry) to push a status. */
export const STATUS_TICK_MS = 15_000;

/** What the API needs from the scanning capability (adapter in main/api/scan-port.ts). */
export interface ScanPort {
  state(): ScannerStateView;
  /** `suspect`: the burst may be half a scan (split or unterminated): a misread asks to scan again. */
  submitWedge(code: string, interKeyMs?: number, suspect?: boolean): Promise<ScanResultView>;
  submitManual(code: string): Promise<ScanResultView>;
  /** A PNG file: decoded here (main side), then parsed and verified like any scan. */
  submitImage(png: Buffer): Promise<ScanResultView>;
  /** Text the renderer decoded from a camera frame or an image (ScanEvent source 'image'). */
  submitDecoded(code: string, symbology: Symbology): Promise<ScanResultView>;
  /** Runs a payment start with the busy gate closed from the call on (scans refused with scan.busy). */
  guardPayment<T extends OperationView>(start: () => Promise<T>): Promise<T>;
  onScan(listener: (scan: ScanResultView) => void): () => void;
  onState(listener: (state: ScannerStateView) => void): () => void;
  close(): Promise<void>;
}

export interface ApiSessionOptions {
  core: PeopleCore;
  scans: ScanPort;
  shell: StatusView['shell'];
  onError?: (method: string, error: unknown) => void;
  /** Replace the report printer's transport (tests). */
  printerTransport?: (config: PrinterConfig) => PrinterTransport;
  /** Replace the OS (A4) print service (tests). */
  osPrint?: OsPrinter;
  /** Period of the time-driven status check (default STATUS_TICK_MS; 0 = off). */
  statusTickMs?: number;
  /** How this shell opens an exported report (report.open). */
  openFile?: FileOpener;
  /** The customer display's feed (main/display/feed.ts): takes the cashier's basket total. */
  display?: Pick<CustomerDisplayFeed, 'setBasket' | 'enabled'>;
}

export interface ApiSession {
  dispatch: Dispatch;
  status(): StatusView;
  /** Subscribe to the events for one renderer; returns the unsubscribe. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
  close(): Promise<void>;
}

/** The queue screen's names of job kinds. */
const JOB_KIND_RU: Readonly<Record<string, string>> = { 'fiscal.sell': 'Чек прихода', 'fiscal.refund': 'Чек возврата прихода', 'provider.receipt': 'Чек в приложение покупателя' };
/** A bank's `<provider>.refund` job: the binding charge's automatic refund (docs/banks.md). */
const BINDING_REFUND_RU = 'Возврат проверочного списания (привязка карты)';

/** Final outcomes the core reports without an error still get the catalogue's cashier line. */
const OUTCOME_ERROR: Partial<Record<Outcome, ErrorKey>> = { canceled: 'payment.canceled' };

/**
 * The answer to a money call waits one turn of the event loop: the provider request the core just started
 * is created and written in the microtasks and ticks that follow, and it must leave before the answer's
 * bookkeeping (the view, the audit row with its own commit, the output check, the send to the window),
 * which otherwise runs first and, on a loaded till, sat between the press and the wire. docs/ui.md.
 */
export async function wireFirst<T>(started: Promise<T>): Promise<T> {
  const value = await started;
  await new Promise<void>((resolve) => setImmediate(resolve));
  return value;
}

export function withCashierError(operation: OperationView): OperationView {
  const key = operation.outcome ? OUTCOME_ERROR[operation.outcome] : undefined;
  if (!operation.isFinal || operation.error !== null || !key) return operation;
  return { ...operation, error: describeError(key) };
}

export function buildStatus(core: SessionCore, scans: ScanPort, shell: StatusView['shell'], shift: StatusView['shift'], adminCall: StatusView['adminCall'] = null): StatusView {
  const config = core.config.current();
  const configStatus = core.config.getStatus();
  const health = core.health();
  const skew = health.clockSkewMs;
  return statusViewSchema.parse({
    shift,
    environment: core.environment(),
    health,
    config: { problems: configStatus.problems, version: configStatus.version, loadedAt: configStatus.loadedAt },
    scanner: scans.state(),
    clock: { skewMs: skew, warn: skew !== null && (Math.abs(skew) >= CLOCK_WARN_MS || health.clockDriftExceedsStep) },
    till: { terminalId: config.till.terminalId, storeName: config.till.storeName, language: config.till.language },
    shell,
    payments: (() => {
      const p = core.checkout.parkedSummary();
      return { parked: p.open, parkedPaid: p.endedPaid };
    })(),
    adminCall,
    providers: providerStates(core.checkout.methods(), core.providers?.list() ?? []),
  });
}

/** A provider's health for the status bar: degraded / down carry the cashier's instruction (the last problem as details). */
export function providerHealthView(health: ProviderHealth | null): Pick<StatusView['providers'][number], 'health' | 'healthProblem'> {
  if (!health) return { health: 'unknown', healthProblem: null };
  const problem = health.state === 'down' ? describeError('provider.down', health.lastError ?? undefined)
    : health.state === 'degraded' ? describeError('provider.degraded', health.lastError ?? undefined) : null;
  return { health: health.state, healthProblem: problem };
}

/** One line per provider from its methods (they share the provider's connection and its problem), with its health. */
function providerStates(methods: readonly PaymentMethodView[], providers: readonly CheckoutProvider[]): StatusView['providers'] {
  const seen = new Map<string, StatusView['providers'][number]>();
  for (const m of methods) {
    if (seen.has(m.provider)) continue;
    const health = providers.find((p) => p.name === m.provider)?.health?.() ?? null;
    seen.set(m.provider, { provider: m.provider, title: m.providerTitle, ready: m.ready, problem: m.problem, ...providerHealthView(health) });
  }
  return [...seen.values()];
}

export function createApiSession(options: ApiSessionOptions): ApiSession {
  const { core, scans, shell } = options;
  const checkout = core.checkout;
  const shiftApi = createShiftApi({ core, onChange: () => pushStatusIfChanged(true), printerTransport: options.printerTransport, osPrint: options.osPrint, openFile: options.openFile });
  const adminCall = (): StatusView['adminCall'] => {
    const call = core.shifts.pendingAdminCall();
    return call ? { id: call.id, calledAt: call.calledAt } : null;
  };
  const status = (): StatusView => buildStatus(core, scans, shell, shiftApi.status(), adminCall());
  // The catalogue follows the live config and its own file: checked (one stat) at each lookup.
  const catalogue = new Catalogue((problems, file) => options.onError?.('catalogue', new Error(`catalogue ${file} refused, last good list kept: ${problems.join(' | ')}`)));
  const catalogueFile = (): string | null => {
    const file = core.config.current().catalogue.file;
    return file === '' ? null : path.resolve(path.dirname(core.config.file), file);
  };
  const receiptPrinter = new ReportPrinter(core.journal, () => core.config.current().printer, options.printerTransport ? { transport: options.printerTransport } : {});
  const peopleApi = createPeopleApi(core, () => pushStatus());
  const handlers: ApiHandlers = {
    ...peopleApi.handlers,
    'status.get': () => status(),
    'sale.methods': () => checkout.methods(),
    'sale.catalogue': () => core.saleCatalogue(),
    'sale.availability': (input) => {
      core.warmConnection?.();
      return checkout.availability(input);
    },
    'sale.pay': async (input) => withCashierError(await scans.guardPayment(() => wireFirst(checkout.pay(input)))),
    ...createSavedCardsApi(core.savedCards, async (start) => withCashierError(await scans.guardPayment(() => wireFirst(start())))),
    'sale.cancel': async (input) => withCashierError(await wireFirst(checkout.cancel(input.operationId))),
    'sale.park': async (input) => withCashierError(await checkout.park(input.operationId)),
    'refund.start': async (input) => withCashierError(await wireFirst(checkout.refund(input))),
    'sale.extraCharge': async (input) => withCashierError(await wireFirst(checkout.extraCharge(input))),
    'operation.get': (input) => {
      const operation = checkout.get(input.operationId);
      return operation ? withCashierError(operation) : null;
    },
    'operation.query': (input) => checkout.query(input).map(withCashierError),
    'operation.search': (input) => {
      const found = searchOperations((q) => checkout.query(q), input);
      return { ...found, items: found.items.map(withCashierError) };
    },
    'scan.wedge': (input) => scans.submitWedge(input.code, input.interKeyMs, input.suspect),
    'scan.manual': (input) => scans.submitManual(input.code),
    'scan.image': (input) => scans.submitImage(Buffer.from(input.pngBase64, 'base64')),
    'scan.camera': (input) => scans.submitDecoded(input.code, input.symbology),
    ...shiftApi.handlers,
    'queue.list': () => (core.fiscal?.queue() ?? []).map((item) => {
      const operation = checkout.get(item.operationExternalId);
      return {
        id: item.id, kind: item.kind, kindRu: JOB_KIND_RU[item.kind] ?? (item.kind.endsWith('.refund') ? BINDING_REFUND_RU : item.kind), operationId: item.operationExternalId,
        orderId: operation?.orderId ?? null, amountKop: operation?.amountKop ?? null, status: item.status, attempts: item.attempts,
        nextAttemptAt: item.nextAttemptAt, error: item.error, createdAt: item.createdAt,
      };
    }),
    'queue.retry': (input) => ({ retried: core.fiscal?.retryNow(input.jobId) ?? false }),
    'receipt.block': (input) => {
      const operation = checkout.get(input.operationId);
      return operation ? customerReceiptBlock(operation) : null;
    },
    'receipt.print': async (input) => {
      const operation = checkout.get(input.operationId);
      if (!operation) throw new PaydeskError('refund.payment_not_found', input.operationId);
      const config = core.config.current().printer;
      const lines = customerReceiptLines(operation, input.format === 'pdf' ? 60 : charsPerLine(config));
      if (!lines) throw new PaydeskError('refund.not_paid', `operation ${operation.id} is ${operation.outcome ?? operation.phase}`);
      if (input.format === 'pdf') {
        const { renderLinesPdf } = await import('../reports/pdf');
        const bytes = await renderLinesPdf(lines, { title: `Чек ${operation.orderId}` });
        const dir = exportDirFor(core);
        const file = path.join(dir, `receipt-${operation.id}.pdf`);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(`${file}.${process.pid}.tmp`, bytes);
        fs.renameSync(`${file}.${process.pid}.tmp`, file);
        const how = options.openFile ? await options.openFile(file) : { url: null, opened: false };
        return { printed: true, error: null, path: file, url: how.url };
      }
      try {
        await receiptPrinter.printLines(lines);
        return { printed: true, error: null, path: null, url: null };
      } catch (error) {
        // Printer trouble is an answer, not a failure: the cashier sees it and reprints (the sale stays paid).
        return { printed: false, error: error instanceof PaydeskError ? error.toCashier() : describeError('print.failed', String(error)), path: null, url: null };
      }
    },
    'display.basket': (input) => {
      options.display?.setBasket(input.totalKop);
      return { shown: options.display?.enabled() ?? false };
    },
    'catalogue.lookup': (input) => {
      const file = catalogueFile();
      catalogue.refresh(file, core.config.current().koshelek.enums);
      const item = catalogue.lookup(input.code);
      return { item: item ? { code: item.code, name: item.name, priceKop: item.priceKop, measure: item.measure, tax: item.tax } : null, configured: file !== null };
    },
  };
  // Every method but sign-in and the status passes the sign-in and rights checks (main/api/people-api.ts).
  const dispatch = createDispatcher(peopleApi.guard(handlers), options.onError);

  const listeners = new Set<(event: ApiEvent) => void>();
  const emit = (event: ApiEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // one broken renderer connection must not starve the others
      }
    }
  };
  // What the status bar shows that can change without a core event: the shift (auto-opened by a
  // sale, nearing or past its 24 hours) and the clock warning.
  let lastKey = '';
  const keyOf = (s: StatusView): string => JSON.stringify([s.shift, s.payments, s.adminCall, s.providers.map((p) => [p.provider, p.ready]), s.clock.warn, s.clock.skewMs === null ? null : Math.round(s.clock.skewMs / 1000)]);
  const pushStatus = (): void => {
    if (listeners.size === 0) return;
    const payload = status();
    lastKey = keyOf(payload);
    emit({ event: 'status', payload });
  };
  const pushStatusIfChanged = (force = false): void => {
    if (listeners.size === 0) return;
    const payload = status();
    const key = keyOf(payload);
    if (!force && key === lastKey) return;
    lastKey = key;
    emit({ event: 'status', payload });
  };
  const tickMs = options.statusTickMs ?? STATUS_TICK_MS;
  const timer = tickMs > 0 ? setInterval(() => {
    try {
      pushStatusIfChanged();
    } catch (error) {
      options.onError?.('status.tick', error);
    }
  }, tickMs) : null;
  timer?.unref();
  const unsubscribers = [
    core.onEvent((event) => {
      if (event.type === 'operation') {
        emit({ event: 'operation', payload: withCashierError(event.operation) });
        pushStatusIfChanged(); // the first sale may have opened the shift
      } else pushStatus();
    }),
    core.config.onStatus(() => pushStatus()),
    scans.onScan((scan) => {
      core.warmConnection?.(); // the checkout follows a scan: have the connection open (no request sent)
      emit({ event: 'scan', payload: scan });
    }),
    scans.onState(() => pushStatus()),
  ];

  return {
    dispatch,
    status,
    subscribe(listener) {
      if (listeners.size === 0) lastKey = '';
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (timer) clearInterval(timer);
      for (const off of unsubscribers) off();
      listeners.clear();
    },
  };
}
