// The core's composition root: config (hot-reloaded), journal (migrated), the Pay API connection
// (kept warm), the embedded emulator only when the config says environment "emulator", the checkout
// service with crash recovery, and the postback listener. Plain Node: the shells and the CLI start it.
// Fail-closed rules: docs/safety.md.
import fs from 'node:fs';
import path from 'node:path';
import { LiveConfig } from '../config/live';
import { ensureConfigFile } from '../config/load';
import type { PaydeskConfig } from '../config/schema';
import { CheckoutService, type ShiftPolicy } from '../checkout/service';
import { openJournal } from '../journal/database';
import { OperationStore } from '../journal/operations';
import { startCheckpointer } from '../journal/checkpoint';
import { prioritizeLoopThread } from './loop-priority';
import { createLogger, type Logger } from '../log/logger';
import { KoshelekClient, type ExchangeInfo, type TokenProvider } from '../payapi/koshelek/client';
import { startPostbackListener, type PostbackListener } from '../payapi/koshelek/postback';
import { lookupByProvider, type StatusLookup } from '../reports/reconcile';
import { ShiftService } from '../shifts/service';
import { monotonicNow } from '../checkout/runner';
import { PROVIDER as KOSHELEK } from '../payapi/koshelek/drivers';
import { composeProviders, type ProviderSet } from './providers';
import { WebhookListener } from '../webhooks/listener';
import { startFiscal, type FiscalWiring } from './fiscal';
import { bindingRefundHandlers, startSavedCards, type SavedCardsService } from './saved-cards';
import { clockDrift, createTotpVerifier, type TotpVerifier } from '../totp';
import { describeError, PaydeskError } from '../errors/catalogue';
import { planConnection } from './connection';
import { configExposed, ensurePrivateDir, ensurePrivateFile, privateJournalFiles } from './files';
import type { KoshelekEmulator } from '../../emulators/koshelek';
import { loadEmulators } from './emulators-door';
import { TillPeople, seedDemoPeople } from '../access/till';
import { OperationAudit } from '../audit/operations';
import { BalanceSync } from '../balances/orders';
import { loadOrCreateCardKey } from '../people/card-key';
import type { Core, CoreEvent, CoreOptions, EnvironmentView, HealthView } from './types';

export interface StartCoreOptions extends CoreOptions {
  logger?: Logger;
  /** Replace the shift policy (tests); default: the ShiftService with auto-open on the first sale. */
  shiftPolicy?: ShiftPolicy;
  /** Embedded emulator's customer confirmation delay (tests, demos). */
  emulatorConfirmDelayMs?: number;
  /** false: a new connection per request (the dispatch benchmark's cold baseline). */
  keepAlive?: boolean;
  /**
   * The shells' core processes: every other thread of this process yields the CPU to the thread that
   * runs the core (main/core/loop-priority.ts). Off by default: a test runner's threads are not ours.
   */
  loopPriority?: boolean;
}

export interface StartedCore extends Core {
  readonly checkout: CheckoutService;
  readonly shifts: ShiftService;
  readonly providers: ProviderSet;
  /** Every provider's status of an operation in the journal's outcome words (shift reconciliation). */
  readonly statusLookup: StatusLookup;
  /** Fiscal receipts: the outbox worker, the queue and its health (main/core/fiscal.ts). */
  readonly fiscal: FiscalWiring;
  /** Card binding and saved cards (docs/banks.md "Binding and saved cards"). */
  readonly savedCards: SavedCardsService;
  /** Who is signed in and what they may do (docs/people-and-audit.md). */
  readonly people: TillPeople;
  /** Who started / approved each operation; operation ends on the audit trail. */
  readonly operationAudit: OperationAudit;
  /** Customer balances from prepaid-service orders (off unless config balances.enabled). */
  readonly balances: BalanceSync;
  readonly emulator: KoshelekEmulator | null;
  readonly postback: PostbackListener | null;
  /** The shared bank webhook listener's base URL (`…/webhooks/`), null when `webhooks.enabled` is false. */
  readonly webhookUrl: string | null;
  /** Marks from process start (VS Code style) for the cold-start benchmark. */
  readonly marks: Record<string, number>;
  /** Resolves when the Pay API connection has been opened once (pre-warmed). */
  readonly warm: Promise<boolean>;
  /** A card was scanned or a sale starts: open the Pay API connection now if none is pooled (no request sent). */
  warmConnection(): void;
  /** Parse and verify a scanned barcode with the configured TOTP verifier (the same one that makes tokens). */
  verifyBarcode(raw: string): ReturnType<TotpVerifier['verifyBarcode']>;
}

/** What decides the connection: a change here means a new client for new operations. */
function connectionKey(config: PaydeskConfig, configFile: string): string {
  const k = config.koshelek;
  return JSON.stringify([planConnection(config, process.env, { configExposed: configExposed(configFile) }), k.caFile, k.timing.requestTimeoutMs, k.timing.statusTimeoutMs, config.totp]);
}

async function loadEmulatorTls(dataDir: string, makeCert: () => Promise<{ key: string; cert: string }>): Promise<{ key: string; cert: string }> {
  const dir = path.join(dataDir, 'emulator-tls');
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  if (fs.existsSync(keyFile) && fs.existsSync(certFile)) {
    return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
  }
  const pems = await makeCert();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyFile, pems.key, { mode: 0o600 });
  fs.writeFileSync(certFile, pems.cert);
  return pems;
}

export async function startCore(options: StartCoreOptions): Promise<StartedCore> {
  const t0 = performance.now();
  const marks: Record<string, number> = {};
  const mark = (name: string) => { marks[name] = Math.round((performance.now() - t0) * 100) / 100; };

  ensurePrivateDir(options.dataDir);
  ensureConfigFile(options.configFile);
  const live = LiveConfig.open(options.configFile);
  if (options.watchConfig !== false) live.watch();
  mark('config');

  const logFile = path.join(options.dataDir, 'logs', 'paydesk.log');
  if (!options.logger) ensurePrivateFile(logFile);
  const logger = options.logger ?? createLogger({ file: logFile, level: live.current().logging.level });
  const journalFile = path.join(options.dataDir, 'journal.db');
  privateJournalFiles(journalFile);
  const journal = openJournal(journalFile);
  privateJournalFiles(journalFile);
  const store = new OperationStore(journal.sqlite);
  if (journal.migration.applied.length > 0) logger.info({ migration: journal.migration }, 'journal migrated');
  mark('journal');

  const listeners = new Set<(event: CoreEvent) => void>();
  // Observers (shells, the API session) are isolated: one that throws never reaches the core's own work.
  const emit = (event: CoreEvent) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (error) {
        logger.error({ err: String(error), event: event.type }, 'a core event listener failed');
      }
    }
  };

  let emulator: KoshelekEmulator | null = null;
  const health: HealthView = { payApi: 'unknown', lastCheckedAt: null, lastError: null, clockSkewMs: null, clockDriftExceedsStep: false, journal: 'ok' };
  const totpPeriodSec = () => live.current().totp.cards[0]?.periodSec ?? 30;

  const setHealth = (state: HealthView['payApi'], error: string | null) => {
    const changed = state !== health.payApi;
    health.payApi = state;
    health.lastCheckedAt = new Date().toISOString();
    health.lastError = error;
    if (changed) emit({ type: 'health', health: { ...health } });
  };

  const onExchange = (info: ExchangeInfo) => {
    const o = info.outcome;
    const state: HealthView['payApi'] = o.kind === 'no_answer' ? 'down' : o.kind === 'http_error' && o.status >= 500 ? 'degraded' : o.kind === 'invalid_response' ? 'degraded' : 'ok';
    const changed = state !== health.payApi;
    health.payApi = state;
    health.lastCheckedAt = new Date().toISOString();
    health.lastError = o.kind === 'no_answer' ? `${o.fault}: ${o.message}` : o.kind === 'http_error' ? `HTTP ${o.status}` : o.kind === 'invalid_response' ? o.problem : null;
    let driftChanged = false;
    if (info.dateHeader) {
      // The Date header has 1 s resolution: compare its middle with the middle of the exchange.
      const drift = clockDrift(new Date(Date.parse(info.dateHeader) + 500), info.startedAt + info.durationMs / 2, totpPeriodSec());
      if (drift) {
        health.clockSkewMs = Math.round(drift.driftMs);
        driftChanged = drift.exceedsStep !== health.clockDriftExceedsStep;
        health.clockDriftExceedsStep = drift.exceedsStep;
      }
    }
    if (changed || driftChanged) emit({ type: 'health', health: { ...health } });
  };

  interface Connection {
    key: string;
    /** Null while sales are blocked (no client at all: nothing can be sent anywhere). */
    client: KoshelekClient | null;
    identity: string | null;
    blocked: PaydeskError | null;
    env: EnvironmentView;
    verifier: TotpVerifier;
  }
  let current: Connection | null = null;
  const retired: { client: KoshelekClient | null; verifier: TotpVerifier }[] = [];

  const buildConnection = async (config: PaydeskConfig): Promise<Connection> => {
    const exposed = configExposed(options.configFile);
    if (exposed) logger.warn({ file: options.configFile }, 'the config file is readable by group/others: chmod 600 it (refused in production)');
    const plan = planConnection(config, process.env, { configExposed: exposed });
    const verifier = await createTotpVerifier(config.totp, { fingerprint: { terminalId: config.till.terminalId } });
    const key = connectionKey(config, options.configFile);
    const envBase = { storeId: config.till.storeId, terminalId: config.till.terminalId };
    if (plan.kind === 'blocked') {
      // Never an emulator instead: a test/production till without its credentials sells nothing (docs/safety.md).
      logger.error({ mode: plan.mode, reason: plan.reason }, 'Koshelek Pay sales blocked by the config');
      const blocked = new PaydeskError(plan.reason, plan.details);
      const env: EnvironmentView = { mode: plan.mode, baseUrl: plan.baseUrl, ...envBase, embeddedEmulator: false, blocked: describeError(plan.reason, plan.details) };
      return { key, client: null, identity: null, blocked, env, verifier };
    }
    const embedded = plan.kind === 'embedded_emulator';
    const shipped = embedded ? await loadEmulators() : null;
    if (embedded && !shipped) {
      // A production build carries no emulator: "emulator" is then a misconfiguration, never a fallback.
      logger.error('environment "emulator" in a build without emulators: sales blocked');
      const blocked = new PaydeskError('config.invalid', 'this build has no emulators: set koshelek.environment to "test" or "production" with credentials');
      const env: EnvironmentView = { mode: plan.mode, baseUrl: '', ...envBase, embeddedEmulator: false, blocked: describeError(blocked.key, blocked.details) };
      return { key, client: null, identity: null, blocked, env, verifier };
    }
    if (embedded && shipped && !emulator) {
      const tls = await loadEmulatorTls(options.dataDir, shipped.makeCert);
      emulator = await shipped.koshelek({ tls, confirmDelayMs: options.emulatorConfirmDelayMs ?? 2_000 });
      logger.warn({ baseUrl: emulator.baseUrl }, 'environment "emulator": running against the embedded emulator');
    }
    const k = config.koshelek;
    const baseUrl = plan.kind === 'remote' ? plan.baseUrl : (emulator as KoshelekEmulator | null)?.baseUrl ?? '';
    const tokenProvider: TokenProvider = verifier;
    const client = new KoshelekClient({
      baseUrl,
      login: plan.kind === 'remote' ? plan.login : 'emulator',
      password: plan.kind === 'remote' ? plan.password : 'emulator',
      ca: embedded && emulator ? emulator.ca : k.caFile ? fs.readFileSync(k.caFile, 'utf8') : null,
      tokenProvider,
      keepAlive: options.keepAlive ?? true,
      // Any HTTP answer to the idle probe means the service is reachable; a fault means it is not.
      onProbe: (result) => setHealth(result.kind === 'response' ? (result.status >= 500 ? 'degraded' : 'ok') : 'down', result.kind === 'fault' ? `${result.fault}: ${result.message}` : null),
      requestTimeoutMs: k.timing.requestTimeoutMs,
      statusTimeoutMs: k.timing.statusTimeoutMs,
      onExchange,
    });
    const env: EnvironmentView = { mode: plan.mode, baseUrl, ...envBase, embeddedEmulator: embedded, blocked: null };
    return { key, client, identity: plan.identity, blocked: null, env, verifier };
  };

  current = await buildConnection(live.current());
  current.client?.transport.keepWarm(live.current().koshelek.timing.keepAliveRefreshMs);
  if (current.blocked) setHealth('down', current.blocked.message);
  const warm = current.client && live.current().koshelek.timing.keepAliveRefreshMs > 0 ? current.client.transport.warm() : Promise.resolve(false);
  mark('connection');

  let providerSet: ProviderSet | null = null;
  const shifts = new ShiftService(journal, () => live.current().shift, {
    till: () => ({ terminalId: live.current().till.terminalId, storeId: live.current().till.storeId, storeName: live.current().till.storeName }),
    environment: () => (current as { env: EnvironmentView }).env.mode,
    // The configured providers' report columns (qrcId, kzo for Koshelek…), read when a report is made.
    refColumns: () => providerSet?.reportRefs() ?? [],
  });
  const shiftPolicy: ShiftPolicy = options.shiftPolicy ?? {
    assignForOperation(kind) {
      if (!shifts.current() && kind !== 'cancel' && live.current().shift.autoOpenOnSale) {
        const opened = shifts.open('auto');
        logger.info({ shiftId: opened.id }, 'shift opened automatically at the first sale');
      }
      return shifts.assignForOperation(kind);
    },
  };

  let checkoutRef: CheckoutService | null = null;
  const providers = await composeProviders({
    config: () => live.current(),
    koshelek: {
      config: () => live.current(),
      connection: () => {
        const c = current as Connection;
        return c.client && c.identity ? { identity: c.identity, client: c.client } : { blocked: c.blocked ?? new PaydeskError('config.credentials_missing') };
      },
      now: monotonicNow,
      logger,
    },
    dataDir: options.dataDir,
    logger,
    deliverNews: (provider, ids, data) => checkoutRef?.deliverNews(provider, ids, data) ?? false,
  });
  mark('providers');
  providerSet = providers;

  // People and access: the staff-card key lives in the data folder, never in the database.
  const people = new TillPeople({ sqlite: journal.sqlite, cardKey: loadOrCreateCardKey(options.dataDir), tillId: () => live.current().till.terminalId, config: () => live.current().access });
  const accessConfig = live.current().access;
  if (accessConfig.signIn && accessConfig.demoPeople && current.env.mode === 'emulator') {
    const seeded = await seedDemoPeople(people.people);
    if (seeded > 0) logger.warn({ seeded }, 'environment "emulator": demo people with public PINs created (docs/people-and-audit.md)');
  }
  const operationAudit = new OperationAudit(journal.sqlite);
  mark('people');


  // Registered before checkout resumes anything: a payment recovered to `paid` enqueues its receipt too.
  const fiscal = startFiscal({
    sqlite: journal.sqlite, store, config: () => live.current(), logger: logger.child({ capability: 'fiscal' }),
    onReceiptChanged: (operationId) => checkoutRef?.refresh(operationId),
    providerTakesReceipts: (name) => providers.list().some((p) => p.name === name && p.receipts !== null),
    isBinding: (row) => providers.list().some((p) => p.name === row.provider && (p.savedCards?.isBinding(row) ?? false)),
    sendProviderReceipt: (operationId, facts) => {
      if (!checkoutRef) throw new PaydeskError('journal.unavailable', 'checkout not started yet');
      return checkoutRef.sendReceipt(operationId, facts);
    },
    // The binding charge's refund runs on the same worker (one loop per database).
    extraHandlers: bindingRefundHandlers(() => providers.list()),
  });
  mark('fiscal');

  const checkout = new CheckoutService({
    store, providers: () => providers.list(), logger, shiftPolicy,
    receiptOf: (row) => fiscal.receiptOf(row),
    checkSale: (sale) => fiscal.checkSale(sale),
  });
  checkoutRef = checkout;
  // Before anything resumes: a binding recovered to paid saves its card and queues its refund in that write.
  const savedCards = startSavedCards({ sqlite: journal.sqlite, store, providers: () => providers.list(), checkout, logger: logger.child({ capability: 'saved_cards' }), kick: () => fiscal.kick() });
  const caughtUp = savedCards.catchUp();
  if (caughtUp > 0) logger.warn({ caughtUp }, 'card bindings settled at start-up: their refunds are queued');
  const balances = new BalanceSync({
    sqlite: journal.sqlite,
    storeId: () => live.current().till.storeId,
    config: () => live.current().balances,
    operationsOf: (orderId) => checkout.query({ orderId, limit: 1000 }),
    onProblem: (orderId, error) => logger.warn({ orderId, err: String(error) }, 'customer balance entry refused'),
  });
  checkout.onUpdate((operation) => {
    if (!operation.isFinal) return;
    try {
      balances.sync(operation.orderId);
    } catch (error) {
      logger.error({ err: String(error), operation: operation.id }, 'customer balance could not be updated');
    }
  });
  checkout.onUpdate((operation) => {
    // The audit trail never stops a payment: a failed append is logged loudly and the doctor will see the gap.
    try {
      operationAudit.observe(operation, () => people.currentPersonId());
    } catch (error) {
      logger.error({ err: String(error), operation: operation.id }, 'operation could not be recorded on the audit trail');
    }
  });
  checkout.onUpdate((operation) => emit({ type: 'operation', operation }));
  checkout.onJournalHealth((unavailable, error) => {
    health.journal = unavailable ? 'unavailable' : 'ok';
    if (unavailable) logger.error({ err: error }, 'journal unavailable: new sales refused until it recovers');
    else logger.info('journal writable again');
    emit({ type: 'health', health: { ...health } });
  });

  // Operation ends a kill -9 kept off the audit trail are appended before anything new happens.
  try {
    const caught = operationAudit.catchUp((id) => checkout.get(id));
    if (caught > 0) logger.warn({ caught }, 'operation ends appended to the audit trail after a restart');
  } catch (error) {
    logger.error({ err: String(error) }, 'audit trail catch-up failed');
  }

  // Config edits: new operations get the new connection; operations in flight keep theirs.
  let rebuilding = Promise.resolve();
  live.onChange((config) => {
    rebuilding = rebuilding.then(async () => {
      try {
        await providers.apply(config);
      } catch (error) {
        logger.error({ err: String(error) }, 'config edit could not be applied to a payment provider');
      }
      if (!current || connectionKey(config, options.configFile) === current.key) return;
      try {
        const next = await buildConnection(config);
        const previous = current;
        current = next;
        next.client?.transport.keepWarm(config.koshelek.timing.keepAliveRefreshMs);
        previous.client?.transport.stopWarm();
        retired.push({ client: previous.client, verifier: previous.verifier }); // operations in flight may still need both
        logger.info({ mode: next.env.mode, baseUrl: next.env.baseUrl, blocked: next.blocked?.key ?? null }, 'Pay API connection switched by config edit');
        if (next.blocked) setHealth('down', next.blocked.message);
        emit({ type: 'environment', environment: next.env });
        // Operations held for their original connection resume once it is back (never on another one).
        const resumed = checkout.resumeOpen();
        if (resumed > 0) logger.info({ resumed }, 'resumed operations held for this connection');
      } catch (error) {
        logger.error({ err: String(error) }, 'config edit could not be applied to the Pay API connection');
      }
    });
  });
  live.onStatus((status) => {
    if (status.problems.length > 0) logger.warn({ problems: status.problems }, 'config edit rejected; last good config stays live');
    else if (status.changes.length > 0) {
      logger.info({ changes: status.changes }, 'config edit accepted'); // secrets masked (config/live.ts)
      try {
        // The file has no author: the actor is whoever is signed in at the till (null: nobody).
        people.audit({ kind: 'config_change', actor: people.currentPersonId(), data: { version: status.version, changes: status.changes.map((c) => c.slice(0, 200)) } });
      } catch (error) {
        logger.error({ err: String(error) }, 'config change could not be recorded on the audit trail');
      }
    }
    emit({ type: 'config', problems: status.problems, version: status.version });
  });

  let postback: PostbackListener | null = null;
  const pb = live.current().koshelek.postback;
  if (pb.enabled) {
    const partnerPassword = pb.partnerPassword !== '' ? pb.partnerPassword : process.env.PAYDESK_POSTBACK_PASSWORD ?? '';
    try {
      postback = await startPostbackListener({ ...pb, partnerPassword, onStatus: (data) => checkout.deliverNews(KOSHELEK, { transactionId: data.transactionId, refTransactionId: data.refTransactionId }, data), logger });
    } catch (error) {
      // Not fatal for sales (polling decides anyway); IT sees it in the log.
      logger.error({ err: String(error) }, 'postback listener not started');
    }
  }

  // The shared webhook listener: raw body stored first, verified by the provider's current verifier,
  // de-duplicated, answered 200, then handed to the provider (which nudges the operation's lane to re-read the
  // bank). Started after recovery below so replayed events find their operations' actors.
  const webhooks = new WebhookListener(
    journal.sqlite,
    live.current().webhooks,
    (provider) => providers.webhook(provider)?.verifier ?? null,
    async (event) => {
      const receiver = providers.webhook(event.provider);
      const taken = receiver ? receiver.apply(event.subject, event.payload) : false;
      logger.info({ provider: event.provider, subject: event.subject, taken }, 'webhook applied');
    },
    { warn: (message, fields) => logger.warn(fields, message) },
  );

  const checkpointer = startCheckpointer(journal.sqlite, { file: journal.file, busy: () => checkout.inFlight() > 0 });

  const resumed = checkout.resumeOpen();
  if (resumed > 0) logger.warn({ resumed }, 'resumed unfinished operations after restart');
  const held = checkout.held();
  if (held.length > 0) logger.error({ held }, 'unfinished operations need their original Pay API connection: left untouched');
  const unreadable = checkout.unreadable();
  if (unreadable.length > 0) logger.error({ unreadable }, 'unfinished operations with an unreadable saved state: left untouched, IT must look');
  let webhookUrl: string | null = null;
  try {
    webhookUrl = await webhooks.start();
    if (webhookUrl) logger.info({ url: webhookUrl }, 'webhook listener started');
  } catch (error) {
    // Not fatal for sales (polling decides anyway); IT sees it in the log.
    logger.error({ err: String(error) }, 'webhook listener not started');
  }
  mark('ready');
  const loopPriority = options.loopPriority
    ? prioritizeLoopThread({ onError: (error) => logger.warn({ err: error }, 'helper threads keep their priority (chrt unavailable)') })
    : null;

  return {
    config: live,
    journal,
    checkout,
    providers,
    fiscal,
    savedCards,
    people,
    operationAudit,
    balances,
    saleCatalogue: () => ({ taxes: [...live.current().koshelek.enums.taxes], measures: [...live.current().koshelek.enums.measures] }),
    shifts,
    // Each configured provider that can answer looks up its own operations; the others are skipped.
    statusLookup: (op) => lookupByProvider(Object.fromEntries(providers.list().flatMap((p) => (p.lookup ? [[p.name, p.lookup]] : []))))(op),
    emulator,
    postback,
    webhookUrl,
    marks,
    warm,
    environment: () => ({ ...(current as Connection).env, heldOperations: checkout.held().length, unreadableOperations: checkout.unreadable().length }),
    health: () => ({ ...health }),
    verifyBarcode: (raw) => (current as { verifier: TotpVerifier }).verifier.verifyBarcode(raw),
    warmConnection: () => (current as Connection).client?.transport.warmIfEnabled(),
    verifier: () => (current as { verifier: TotpVerifier }).verifier,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      live.close();
      await webhooks.stop();
      checkout.close();
      savedCards.close();
      await fiscal.close();
      await rebuilding;
      current?.client?.close();
      await current?.verifier.close();
      for (const r of retired) {
        r.client?.close();
        await r.verifier.close();
      }
      await postback?.close();
      await (emulator as KoshelekEmulator | null)?.close();
      await providers.close();
      loopPriority?.stop();
      checkpointer.stop();
      checkpointer.runNow();
      journal.close();
      logger.flush();
    },
  };
}
