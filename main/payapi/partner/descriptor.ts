// The partner (ECDSA-signed payments, docs/partner.md) as a registry entry and a live checkout provider:
//  - a sale by method `partner_card`: the customer presents their partner payment id (the scanned pay token)
//    and the till charges it (completeMerchantAcquiring);
//  - `extraCharges`: a basket that grew after payment, a new payment of the same sale linked to the first;
//  - `refunds`: the reversal (full or partial), signed with the reversal key.
// Every one is confirmed by the self-rescheduling outbox task `partner.confirm` (jobs.ts) in the provider's
// own outbox database; the on_payment_completed receiver only makes that task's status check due now.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PaydeskError } from '../../errors/catalogue';
import type Database from 'better-sqlite3';
import { openJournal, type Journal } from '../../journal/database';
import type { OperationRow } from '../../journal/operations';
import { registerHandler } from '../../outbox/handler';
import { enqueue, findJobByDedupeKey, retryJobNow, type JobRecord } from '../../outbox/store';
import { OutboxWorker } from '../../outbox/worker';
import type {
  CheckoutProvider, ExtraChargeFactory, LiveProvider, PaymentFactory, PaymentMethodDescriptor, ProviderContext, ProviderDescriptor, RefundFactory, RunSignals,
} from '../../providers/types';
import { packRun, resumeParsed } from '../../providers/types';
import { onPaymentCompleted } from './callback';
import { DEFAULT_SKEW_SECONDS } from './canonical';
import { PartnerClient } from './client';
import { partnerConfigSchema, type PartnerConfig } from './config';
import { CALLBACK_PATH } from './contract';
import { PARTNER_PROVIDER } from './driver';
import { PARTNER_CONFIRM_KIND, partnerConfirmHandler, partnerConfirmJob } from './jobs';
import { PartnerKeyStore, spkiSha256, KEY_PURPOSES } from './keys';
import { REPLAY_FILE, SqliteReplayStore } from './replay-store';
import { partnerCodeFormat } from './token';
import { CALLBACK_FAILPOINT, partnerFailpoint } from './failpoints';
import { PartnerTillDriver, parsePartnerTillState, partnerTillIntent, type PartnerJobs, type PartnerTillEvent, type PartnerTillState } from './till';

const TITLE = 'Партнёр (подписанные платежи)';
const METHODS: readonly PaymentMethodDescriptor[] = [{ id: 'partner_card', titleRu: 'Карта партнёра', needsCardScan: true }];

const signals: RunSignals<PartnerTillEvent> = {
  // A charge sent to the partner cannot be called back from the till: a reversal undoes it.
  cancel: null,
  park: null,
  news: (data) => (data === 'callback' ? { type: 'callback' } : null),
};

const dedupeKey = (operationId: string): string => `${PARTNER_CONFIRM_KIND}:${operationId}`;

/**
 * One outbox file per partner connection (base URL + merchant): a job is only ever run against the partner it
 * was made for. After IT points the till elsewhere, the old file's jobs wait (held) until the config points
 * back, exactly as unfinished operations do (docs/safety.md).
 */
export function partnerOutboxFile(dataDir: string, config: Pick<PartnerConfig, 'baseUrl' | 'merchantId'>): string {
  return path.join(dataDir, `outbox-${crypto.createHash('sha256').update(JSON.stringify([config.baseUrl, config.merchantId])).digest('hex').slice(0, 16)}.db`);
}

/**
 * One handle and at most one running worker per outbox file, shared by the builds of this provider: a config
 * edit builds a new provider while operations of the old build still wait on their jobs, which the new
 * build's worker finishes. The file closes when the last build using it closes; waiters then answer
 * 'waiting' and see the file again if a later build reopens it.
 */
interface SharedOutbox {
  journal: Journal;
  users: number;
  worker: OutboxWorker | null;
}
const outboxes = new Map<string, SharedOutbox>();
const finishedListeners = new Map<string, Set<(job: JobRecord) => void>>();

function acquireOutbox(file: string): SharedOutbox {
  const held = outboxes.get(file) ?? { journal: openJournal(file), users: 0, worker: null };
  held.users += 1;
  outboxes.set(file, held);
  return held;
}
function releaseOutbox(file: string): void {
  const held = outboxes.get(file);
  if (!held) return;
  held.users -= 1;
  if (held.users > 0) return;
  outboxes.delete(file);
  held.journal.close();
}
function jobFinished(file: string, job: JobRecord): void {
  for (const l of finishedListeners.get(file) ?? []) l(job);
}

/** The outbox side: one job per operation_id; waiting for its end through the worker's notifications. */
class Jobs implements PartnerJobs {
  private readonly waiters = new Map<string, Set<(job: JobRecord) => void>>();
  constructor(private readonly file: string) {
    const set = finishedListeners.get(file) ?? new Set();
    set.add((job) => this.finished(job));
    finishedListeners.set(file, set);
  }

  /** The open handle of this file (null while no build holds it: the till is stopping or points elsewhere). */
  private db(): Database.Database | null {
    const held = outboxes.get(this.file);
    return held?.journal.sqlite.open ? held.journal.sqlite : null;
  }

  ensure(payload: Parameters<PartnerJobs['ensure']>[0]): void {
    const db = this.db();
    if (!db) return; // resumed at the next start, or when the config points back
    // Read first: the actor looks again every few seconds and most looks find the job there already.
    if (!findJobByDedupeKey(db, dedupeKey(payload.operationId))) enqueue(db, partnerConfirmJob(payload));
    outboxes.get(this.file)?.worker?.kick();
  }

  private finished(job: JobRecord): void {
    for (const w of this.waiters.get(job.dedupeKey) ?? []) w(job);
  }

  async wait(operationId: string, maxWaitMs: number): Promise<PartnerTillEvent> {
    const key = dedupeKey(operationId);
    const asEvent = (job: JobRecord | null): PartnerTillEvent | null => {
      if (job?.state === 'done') return { type: 'job', state: 'done', errorKey: null, message: null };
      if (job?.state === 'failed') return { type: 'job', state: 'failed', errorKey: job.lastErrorKey, message: job.lastError };
      return null;
    };
    const read = (): JobRecord | null => {
      const db = this.db();
      return db ? findJobByDedupeKey(db, key) : null;
    };
    const now = asEvent(read());
    if (now) return now;
    return new Promise((resolve) => {
      const set = this.waiters.get(key) ?? new Set();
      this.waiters.set(key, set);
      const done = (event: PartnerTillEvent): void => {
        clearTimeout(timer);
        set.delete(onJob);
        if (set.size === 0) this.waiters.delete(key);
        resolve(event);
      };
      const onJob = (job: JobRecord): void => {
        const e = asEvent(job);
        if (e) done(e);
      };
      const timer = setTimeout(() => {
        const job = read();
        done(asEvent(job) ?? { type: 'job', state: 'waiting', errorKey: job?.lastErrorKey ?? null, message: job?.lastError ?? null });
      }, maxWaitMs);
      set.add(onJob);
    });
  }
}

interface Parts {
  config: PartnerConfig;
  jobs: PartnerJobs;
  callbackUrl: string;
  identity: string;
}

function resumeFactory(p: Parts): PaymentFactory['resume'] {
  return (row) => resumeParsed(() => {
    const state = parsePartnerTillState(row.context_json);
    return { phase: state.phase, run: packRun<PartnerTillState, PartnerTillEvent>({ state, driver: new PartnerTillDriver(row.id, row, p.jobs), recoveryEvent: { type: 'restarted' }, signals }) };
  });
}

function start(p: Parts, intent: Parameters<typeof partnerTillIntent>[0], now: number) {
  const { row, state, event } = partnerTillIntent(intent, now);
  const driver = new PartnerTillDriver(row.id, row, p.jobs);
  return { row, event, run: packRun<PartnerTillState, PartnerTillEvent>({ state, driver, recoveryEvent: null, signals }) };
}

const common = (p: Parts) => ({ currency: p.config.currency, callbackUrl: p.callbackUrl, recheckMs: p.config.timing.recheckMs, connectionId: p.identity });

function clientKey(row: OperationRow): { ok: true; key: string | null } | { ok: false; reason: string } {
  try {
    return { ok: true, key: parsePartnerTillState(row.context_json).ctx.clientRequestKey };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message.slice(0, 200) : 'unreadable state' };
  }
}

/** The partner payment id an operation acts on (the sale's: kept in its state). */
function paymentIdOf(row: OperationRow): string {
  return parsePartnerTillState(row.context_json).ctx.paymentId;
}

function factories(p: Parts): { payments: PaymentFactory; extraCharges: ExtraChargeFactory; refunds: RefundFactory } {
  const resume = resumeFactory(p);
  return {
    payments: {
      begin(input, now) {
        if (!METHODS.some((m) => m.id === input.methodId)) throw new PaydeskError('payment.method_unknown', input.methodId);
        const paymentId = input.card?.payToken;
        if (!paymentId) throw new PaydeskError('payment.no_card_session', 'partner_card needs the customer\'s partner payment id');
        return start(p, {
          ...common(p), kind: 'sale', operationId: input.operationId, operationExternalId: input.operationExternalId, paymentId, parentOperationId: null,
          orderId: input.orderId, amountMinor: input.amountMinor, shiftId: input.shiftId, clientRequestKey: null, method: input.methodId, payToken: paymentId,
          connectionId: input.connectionId ?? p.identity,
        }, now);
      },
      resume,
    },
    extraCharges: {
      begin(input, now) {
        return start(p, {
          ...common(p), kind: 'extra_charge', operationId: input.operationId, operationExternalId: input.operationExternalId, paymentId: paymentIdOf(input.payment),
          parentOperationId: input.payment.id, orderId: input.orderId, amountMinor: input.amountMinor, shiftId: input.shiftId,
          clientRequestKey: input.clientRequestKey, method: 'extra_charge', payToken: null, connectionId: input.connectionId,
        }, now);
      },
      clientKey,
    },
    refunds: {
      begin(input, now) {
        return start(p, {
          ...common(p), kind: 'reversal', operationId: input.operationId, operationExternalId: crypto.randomUUID(), paymentId: paymentIdOf(input.payment),
          parentOperationId: input.payment.id, orderId: input.payment.order_id, amountMinor: input.amountMinor, shiftId: input.shiftId,
          clientRequestKey: input.clientRequestKey, method: 'reversal', payToken: null, connectionId: input.connectionId,
        }, now);
      },
      resume,
      clientKey,
    },
  };
}

/** The partner's callback keys from PEM, by key id (the SPKI SHA-256 the partner signs with). */
export function partnerCallbackKeys(pems: readonly string[]): Map<string, crypto.KeyObject> {
  const keys = new Map<string, crypto.KeyObject>();
  for (const pem of pems) {
    const key = crypto.createPublicKey(pem);
    keys.set(spkiSha256(key), key);
  }
  return keys;
}

async function startCallbackReceiver(o: { host: string; port: number; deps: Parameters<typeof onPaymentCompleted>[1]; onResult: (status: number, detail: string) => void }): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 16_384) chunks.push(c);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let status = 404;
      let detail = 'not found';
      if (req.method === 'POST' && url.pathname === CALLBACK_PATH && size <= 16_384) {
        try {
          const r = onPaymentCompleted({ method: 'POST', path: (req.url ?? '/'), headers: req.headers, body: Buffer.concat(chunks) }, o.deps);
          if (r.status === 200) partnerFailpoint(CALLBACK_FAILPOINT);
          status = r.status;
          detail = r.status === 200 ? `${r.operationId} known=${r.known}` : r.reason;
        } catch (error) {
          // e.g. the replay file cannot be written: not accepted, so the partner sends it again later.
          status = 503;
          detail = error instanceof Error ? error.message.slice(0, 200) : 'callback failed';
        }
      } else if (size > 16_384) {
        status = 413;
      }
      o.onResult(status, detail);
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': 0 });
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}${CALLBACK_PATH}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * The partner for the running till. A till whose key folder or outbox cannot be opened still starts: the
 * provider is listed, blocked with the reason (IT fixes it), and nothing is sent.
 */
async function live(ctx: ProviderContext<PartnerConfig>): Promise<LiveProvider> {
  try {
    return await build(ctx);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 200) : String(error);
    ctx.logger.error({ err: reason }, 'partner provider could not start: partner operations blocked');
    const blocked = new PaydeskError('config.invalid', `partner: ${reason}`);
    const refuse = (): never => {
      throw blocked;
    };
    const checkout: CheckoutProvider = {
      name: PARTNER_PROVIDER, titleRu: TITLE, capabilities: partnerProvider.capabilities, methods: () => METHODS, connection: () => ({ blocked }),
      payments: { begin: refuse, resume: () => ({ ok: false, reason }) },
      refunds: null, extraCharges: null, availability: null, receipts: null, lookup: null, tokenFormats: [partnerCodeFormat],
      view: { phaseText: {}, unknownPhases: new Set(['confirming']), cancellablePhases: new Set(), slipRefs: [], reportRefs: [], limits: () => ({ minutes: 1, seconds: 0 }) },
    };
    return { checkout, close: async () => undefined };
  }
}

async function build(ctx: ProviderContext<PartnerConfig>): Promise<LiveProvider> {
  const config = ctx.section;
  fs.mkdirSync(ctx.dataDir, { recursive: true, mode: 0o700 });
  // The till's key pairs (payment, reversal): generated once; the public halves are shown for onboarding.
  const keys = new PartnerKeyStore(ctx.dataDir);
  for (const purpose of KEY_PURPOSES) if (keys.live(purpose).length === 0) keys.generate(purpose);
  const client = new PartnerClient({ baseUrl: config.baseUrl, merchantId: config.merchantId, keys, timeoutMs: config.timing.requestTimeoutMs });
  // The provider's own outbox database: the durable confirmation tasks (docs/partner.md).
  const outboxFile = partnerOutboxFile(ctx.dataDir, config);
  const shared = acquireOutbox(outboxFile);
  const outbox = shared.journal;
  const jobs = new Jobs(outboxFile);
  const backoff = { baseMs: config.timing.retryMs, factor: 2, capMs: Math.max(config.timing.retryMs, 300_000), jitter: 0.2, maxAttempts: null };
  const worker = new OutboxWorker(outbox.sqlite, [registerHandler(partnerConfirmHandler(client, backoff))], {
    maxSleepMs: Math.min(1_000, config.timing.recheckMs),
    onJobFinished: (job) => jobFinished(outboxFile, job),
  });
  // The newest build's worker runs the file's jobs; the previous one stops when its build closes.
  const previousWorker = shared.worker;
  shared.worker = worker;
  if (previousWorker) await previousWorker.stop();
  worker.start();
  let receiver: { url: string; close(): Promise<void> } | null = null;
  let replay: SqliteReplayStore | null = null;
  if (config.enabled && config.callbackListener.enabled) {
    try {
      // Persistent (docs/partner.md): a callback replayed after a restart is refused too. Kept for twice the
      // skew window, as at the partner: any older callback fails the skew check on its own.
      replay = new SqliteReplayStore(path.join(ctx.dataDir, REPLAY_FILE), 2 * DEFAULT_SKEW_SECONDS);
      const store = replay;
      receiver = await startCallbackReceiver({
        host: config.callbackListener.host,
        port: config.callbackListener.port,
        deps: {
          partnerKeys: partnerCallbackKeys(config.partnerKeys),
          replay: store,
          nowSeconds: () => Math.floor(Date.now() / 1000),
          // Only a status check made due now: the task reads the partner, never the callback's body.
          checkNow: (operationId) => {
            const job = findJobByDedupeKey(outbox.sqlite, dedupeKey(operationId));
            if (!job) return false;
            retryJobNow(outbox.sqlite, job.id, Date.now());
            worker.kick();
            return true;
          },
        },
        onResult: (status, detail) => (status === 200 ? ctx.logger.info({ detail }, 'partner callback: status check due now') : ctx.logger.warn({ status, detail }, 'partner callback refused')),
      });
    } catch (error) {
      replay?.close();
      replay = null;
      ctx.logger.error({ err: String(error) }, 'partner callback receiver not started (the task re-checks on its own schedule)');
    }
  }
  const callbackUrl = config.callbackUrl ?? receiver?.url ?? 'http://127.0.0.1:9/v1/on_payment_completed';
  const identity = `partner:${config.baseUrl}:${config.merchantId}`;
  const f = factories({ config, jobs, callbackUrl, identity });
  const checkout: CheckoutProvider = {
    name: PARTNER_PROVIDER,
    titleRu: TITLE,
    capabilities: partnerProvider.capabilities,
    methods: () => METHODS,
    connection: () => (config.enabled ? { identity } : { blocked: new PaydeskError('config.invalid', 'partner.enabled is false') }),
    payments: f.payments,
    refunds: f.refunds,
    extraCharges: f.extraCharges,
    // The customer's partner payment id, scanned from the code their app shows (token.ts).
    tokenFormats: [partnerCodeFormat],
    availability: null,
    receipts: null,
    // The confirming task already asks paymentStatus for every operation; the Z counts partner rows as skipped.
    lookup: null,
    view: {
      phaseText: {
        confirming: 'Касса подтверждает операцию у партнёра…',
        succeeded: 'Операция подтверждена партнёром',
        failed: 'Партнёр не провёл операцию',
      },
      unknownPhases: new Set(['confirming']),
      cancellablePhases: new Set(),
      slipRefs: [{ key: 'partnerPaymentId', label: 'Платёж партнёра' }],
      reportRefs: [],
      limits: () => ({ minutes: Math.max(1, Math.round(config.timing.recheckMs / 60_000)), seconds: 0 }),
    },
  };
  return {
    checkout,
    async close() {
      await receiver?.close();
      replay?.close();
      await worker.stop();
      if (shared.worker === worker) shared.worker = null;
      releaseOutbox(outboxFile);
    },
  };
}

export const partnerProvider: ProviderDescriptor<PartnerConfig> = {
  name: PARTNER_PROVIDER,
  titleRu: TITLE,
  configSchema: partnerConfigSchema,
  capabilities: new Set(['pay', 'refund', 'partial_refund', 'status_by_own_reference', 'webhooks']),
  methods: METHODS,
  live,
  notes: 'A sale charges the customer\'s partner payment; extra charges and reversals act on it. Confirmed by the outbox task partner.confirm (status first, re-send only on NOT_FOUND with the same operation_id).',
};
