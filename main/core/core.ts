// The core's composition root: config (hot-reloaded), journal (migrated), the Pay API connection
// (kept warm), the embedded emulator when no credentials are configured, the checkout service with
// crash recovery, and the postback listener. Plain Node: the shells and the CLI start it.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LiveConfig } from '../config/live';
import { ensureConfigFile } from '../config/load';
import type { PaydeskConfig } from '../config/schema';
import { CheckoutService, type ShiftPolicy } from '../checkout/service';
import { openJournal } from '../journal/database';
import { OperationStore } from '../journal/operations';
import { startCheckpointer } from '../journal/checkpoint';
import { createLogger, type Logger } from '../log/logger';
import { KoshelekClient, type ExchangeInfo, type TokenProvider } from '../payapi/koshelek/client';
import { startPostbackListener, type PostbackListener } from '../payapi/koshelek/postback';
import { ShiftService } from '../shifts/service';
import { clockDrift, createTotpVerifier, type TotpVerifier } from '../totp';
import { makeCert, startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import type { Core, CoreEvent, CoreOptions, EnvironmentView, HealthView } from './types';

export interface StartCoreOptions extends CoreOptions {
  logger?: Logger;
  /** Replace the shift policy (tests); default: the ShiftService with auto-open on the first sale. */
  shiftPolicy?: ShiftPolicy;
  /** Embedded emulator's customer confirmation delay (tests, demos). */
  emulatorConfirmDelayMs?: number;
  /** false: a new connection per request (the dispatch benchmark's cold baseline). */
  keepAlive?: boolean;
}

export interface StartedCore extends Core {
  readonly checkout: CheckoutService;
  readonly shifts: ShiftService;
  /** Koshelek's view of a transaction, for the shift reconciliation. */
  lookupStatus(transactionId: string, refTransactionId?: string): Promise<{ status: string; refStatus?: string; amountKop?: number } | null>;
  readonly emulator: KoshelekEmulator | null;
  readonly postback: PostbackListener | null;
  /** Marks from process start (VS Code style) for the cold-start benchmark. */
  readonly marks: Record<string, number>;
  /** Resolves when the Pay API connection has been opened once (pre-warmed). */
  readonly warm: Promise<boolean>;
  /** Parse and verify a scanned barcode with the configured TOTP verifier (the same one that makes tokens). */
  verifyBarcode(raw: string): ReturnType<TotpVerifier['verifyBarcode']>;
}

/**
 * The Pay API password: the config's, or — so it need not sit in the JSON file — the one the Electron shell
 * decrypts from its safeStorage vault (or a service manager sets) into PAYDESK_KOSHELEK_PASSWORD.
 */
function koshelekPassword(config: PaydeskConfig): string {
  return config.koshelek.password !== '' ? config.koshelek.password : process.env.PAYDESK_KOSHELEK_PASSWORD ?? '';
}

function hasCredentials(config: PaydeskConfig): boolean {
  return config.koshelek.environment !== 'emulator' && config.koshelek.login !== '' && koshelekPassword(config) !== '';
}

/** What decides the connection: a change here means a new client for new operations. */
function connectionKey(config: PaydeskConfig): string {
  const k = config.koshelek;
  return JSON.stringify([hasCredentials(config), k.environment, k.baseUrls, k.login, k.password, k.caFile, k.timing.requestTimeoutMs, k.timing.statusTimeoutMs, config.totp]);
}

async function loadEmulatorTls(dataDir: string): Promise<{ key: string; cert: string }> {
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

  fs.mkdirSync(options.dataDir, { recursive: true });
  ensureConfigFile(options.configFile);
  const live = LiveConfig.open(options.configFile);
  if (options.watchConfig !== false) live.watch();
  mark('config');

  const logger = options.logger ?? createLogger({ file: path.join(options.dataDir, 'logs', 'paydesk.log'), level: live.current().logging.level });
  const journal = openJournal(path.join(options.dataDir, 'journal.db'));
  const store = new OperationStore(journal.sqlite);
  if (journal.migration.applied.length > 0) logger.info({ migration: journal.migration }, 'journal migrated');
  mark('journal');

  const listeners = new Set<(event: CoreEvent) => void>();
  const emit = (event: CoreEvent) => { for (const l of listeners) l(event); };

  let emulator: KoshelekEmulator | null = null;
  const health: HealthView = { payApi: 'unknown', lastCheckedAt: null, lastError: null, clockSkewMs: null, clockDriftExceedsStep: false };
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

  let current: { key: string; client: KoshelekClient; env: EnvironmentView; verifier: TotpVerifier } | null = null;
  const retired: { client: KoshelekClient; verifier: TotpVerifier }[] = [];

  const buildConnection = async (config: PaydeskConfig) => {
    const embedded = !hasCredentials(config);
    if (embedded && !emulator) {
      const tls = await loadEmulatorTls(options.dataDir);
      emulator = await startKoshelekEmulator({ tls, confirmDelayMs: options.emulatorConfirmDelayMs ?? 2_000 });
      logger.warn({ baseUrl: emulator.baseUrl }, 'no Koshelek credentials configured: running against the embedded emulator');
    }
    const k = config.koshelek;
    const baseUrl = embedded && emulator ? emulator.baseUrl : k.environment === 'production' ? k.baseUrls.production : k.baseUrls.test;
    const verifier = await createTotpVerifier(config.totp, { fingerprint: { terminalId: config.till.terminalId } });
    const tokenProvider: TokenProvider = verifier;
    const client = new KoshelekClient({
      baseUrl,
      login: embedded ? 'emulator' : k.login,
      password: embedded ? 'emulator' : koshelekPassword(config),
      ca: embedded && emulator ? emulator.ca : k.caFile ? fs.readFileSync(k.caFile, 'utf8') : null,
      tokenProvider,
      keepAlive: options.keepAlive ?? true,
      // Any HTTP answer to the idle probe means the service is reachable; a fault means it is not.
      onProbe: (result) => setHealth(result.kind === 'response' ? (result.status >= 500 ? 'degraded' : 'ok') : 'down', result.kind === 'fault' ? `${result.fault}: ${result.message}` : null),
      requestTimeoutMs: k.timing.requestTimeoutMs,
      statusTimeoutMs: k.timing.statusTimeoutMs,
      onExchange,
    });
    const env: EnvironmentView = {
      mode: embedded ? 'emulator' : k.environment === 'production' ? 'production' : 'test',
      baseUrl,
      storeId: config.till.storeId,
      terminalId: config.till.terminalId,
      embeddedEmulator: embedded,
    };
    return { key: connectionKey(config), client, env, verifier };
  };

  current = await buildConnection(live.current());
  current.client.transport.keepWarm(live.current().koshelek.timing.keepAliveRefreshMs);
  const warm = current.client.transport.warm();
  mark('connection');

  const shifts = new ShiftService(journal, () => live.current().shift, {
    till: () => ({ terminalId: live.current().till.terminalId, storeId: live.current().till.storeId, storeName: live.current().till.storeName }),
    environment: () => (current as { env: EnvironmentView }).env.mode,
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

  const checkout = new CheckoutService({
    store,
    config: () => live.current(),
    client: () => (current as { client: KoshelekClient }).client,
    logger,
    shiftPolicy,
  });
  checkout.onUpdate((operation) => emit({ type: 'operation', operation }));

  // Config edits: new operations get the new connection; operations in flight keep theirs.
  let rebuilding = Promise.resolve();
  live.onChange((config) => {
    rebuilding = rebuilding.then(async () => {
      if (!current || connectionKey(config) === current.key) return;
      try {
        const next = await buildConnection(config);
        const previous = current;
        current = next;
        next.client.transport.keepWarm(config.koshelek.timing.keepAliveRefreshMs);
        previous.client.transport.stopWarm();
        retired.push({ client: previous.client, verifier: previous.verifier }); // operations in flight may still need both
        logger.info({ mode: next.env.mode, baseUrl: next.env.baseUrl }, 'Pay API connection switched by config edit');
        emit({ type: 'environment', environment: next.env });
      } catch (error) {
        logger.error({ err: String(error) }, 'config edit could not be applied to the Pay API connection');
      }
    });
  });
  live.onStatus((status) => {
    if (status.problems.length > 0) logger.warn({ problems: status.problems }, 'config edit rejected; last good config stays live');
    else if (status.changes.length > 0) logger.info({ changes: status.changes }, 'config edit accepted'); // secrets masked (config/live.ts)
    emit({ type: 'config', problems: status.problems, version: status.version });
  });

  let postback: PostbackListener | null = null;
  const pb = live.current().koshelek.postback;
  if (pb.enabled) {
    const partnerPassword = pb.partnerPassword !== '' ? pb.partnerPassword : process.env.PAYDESK_POSTBACK_PASSWORD ?? '';
    postback = await startPostbackListener({ ...pb, partnerPassword, onStatus: (data) => checkout.handlePostback(data), logger });
  }

  const checkpointer = startCheckpointer(journal.sqlite, { file: journal.file, busy: () => checkout.inFlight() > 0 });

  const resumed = checkout.resumeOpen();
  if (resumed > 0) logger.warn({ resumed }, 'resumed unfinished operations after restart');
  mark('ready');

  return {
    config: live,
    journal,
    checkout,
    shifts,
    async lookupStatus(transactionId, refTransactionId) {
      const outcome = await (current as { client: KoshelekClient }).client.status({ requestId: randomUUID(), transactionId, ...(refTransactionId ? { refTransactionId } : {}) });
      if (outcome.kind !== 'ok') return null;
      const { status, refStatus, slip } = outcome.data;
      return { status, ...(refStatus ? { refStatus } : {}), ...(slip?.totalAmount !== undefined ? { amountKop: slip.totalAmount } : {}) };
    },
    emulator,
    postback,
    marks,
    warm,
    environment: () => (current as { env: EnvironmentView }).env,
    health: () => ({ ...health }),
    verifyBarcode: (raw) => (current as { verifier: TotpVerifier }).verifier.verifyBarcode(raw),
    verifier: () => (current as { verifier: TotpVerifier }).verifier,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      live.close();
      checkout.close();
      await rebuilding;
      current?.client.close();
      await current?.verifier.close();
      for (const r of retired) {
        r.client.close();
        await r.verifier.close();
      }
      await postback?.close();
      await (emulator as KoshelekEmulator | null)?.close();
      checkpointer.stop();
      checkpointer.runNow();
      journal.close();
      logger.flush();
    },
  };
}
