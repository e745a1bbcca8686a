// The fiscal wiring of the core: receipts ride the journal's own transactions (a paid sale and its
// `fiscal.sell` job, a done refund and its `fiscal.refund` job commit together), one outbox worker sends
// them through the configured connector (rebuilt on config edits), and the neutral read side feeds the
// operation view, the queue screen, `paydesk doctor` and the shift close. Checkout knows none of this:
// it gets `receiptOf` / `checkSale` and a refresh when a receipt changes. docs/fiscal.md, docs/outbox.md.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { ReceiptView } from '../contract/checkout';
import type { PaydeskConfig } from '../config/schema';
import { describeError, isErrorKey, PaydeskError } from '../errors/catalogue';
import { createFiscalConnector, FiscalError, type CallOptions, type FiscalConnector } from '../fiscal';
import type { FiscalConfig } from '../fiscal/config';
import { enqueueFiscalReceipt, enqueueUnbuildableReceipt, fiscalDedupeKey, fiscalJobHandlers, FISCAL_REFUND, FISCAL_SELL } from '../fiscal/jobs';
import { checkSaleLines, mayNeedReceipt, paydeskFiscalizes, receiptForTransition, type SaleLineFacts } from '../fiscal/sale';
import type { FiscalReceipt } from '../fiscal/receipt';
import type { OperationRow, OperationStore, OperationWrite } from '../journal/operations';
import type { Logger } from '../log/logger';
import { failpoint } from '../outbox/failpoints';
import { failpoint as fiscalFailpoint } from '../fiscal/failpoints';
import { findJobByDedupeKey, getJob, type JobRecord } from '../outbox/store';
import { outboxHealth, queueView, type OutboxHealth, type QueueItem } from '../outbox/views';
import { enqueueProviderReceipt, providerReceiptHandler } from '../fiscal/provider-receipt';
import { receiptFactsSchema, type ReceiptFacts } from '../providers/receipt-facts';
import { OutboxWorker } from '../outbox/worker';
import type { AnyJobHandler } from '../outbox/handler';

export interface FiscalWiring {
  /** The receipt line of an operation's view (neutral port handed to CheckoutService). */
  receiptOf(row: OperationRow): ReceiptView | null;
  /** Throws PaydeskError when a basket could not be fiscalized: called before any money moves. */
  checkSale(sale: { provider: string; lines: readonly SaleLineFacts[] }): void;
  /** Unfinished outbox jobs for the queue screen. */
  queue(): QueueItem[];
  /** A manager's "retry now"; false when the job is not waiting or failed. */
  retryNow(jobId: number): boolean;
  health(): OutboxHealth;
  /** Receipts of operations of `shiftId` not yet done (queued, retrying or failed): the Z-close check. */
  pendingForShift(shiftId: number): { jobId: number; operationId: string; state: string }[];
  /**
   * Records a manager's decision to close a shift while its receipts have not gone out: a note on each
   * operation concerned (who, why, which shift), in one transaction, and a log line. The jobs keep running.
   */
  recordCloseDecision(shiftId: number, decision: { decidedBy: string; reason: string }, pending: readonly { jobId: number; operationId: string; state: string }[]): void;
  /** Wakes the worker (tests and the bench). */
  kick(): void;
  close(): Promise<void>;
}

export interface FiscalWiringOptions {
  sqlite: Database.Database;
  store: OperationStore;
  config: () => PaydeskConfig;
  logger: Logger;
  /** An operation's receipt changed (the worker finished an attempt): push its view again. */
  onReceiptChanged(operationId: string): void;
  /** Whether a payment provider takes receipts (CheckoutProvider.receipts), for the optional provider.receipt job. */
  providerTakesReceipts?: (provider: string) => boolean;
  /** Sends the facts to the payment's provider (CheckoutService.sendReceipt); late-bound. */
  sendProviderReceipt?: (operationId: string, facts: ReceiptFacts) => Promise<boolean>;
  /** A binding's verification charge (refunded at once, no sale): it gets no receipt (docs/banks.md). */
  isBinding?: (row: OperationRow) => boolean;
  /** Worker sleep cap (tests); default the worker's. */
  maxSleepMs?: number;
  /** Other job kinds the one outbox worker runs (the binding charge's refund: main/core/saved-cards.ts). */
  extraHandlers?: readonly AnyJobHandler[];
}

/**
 * Why receipts must not be sent with this config, or null. A production till (real money) never registers
 * its receipts with an emulator: a receipt that only an emulator saw is a sale without a receipt (docs/fiscal.md).
 */
export function fiscalSafetyProblem(config: Pick<PaydeskConfig, 'fiscal'> & { koshelek: { environment: string } }): string | null {
  const c = config.fiscal;
  if (config.koshelek.environment !== 'production' || c.connector === 'none') return null;
  const section = c.connector === 'atol' ? c.atol : c.yookassa;
  let loopback: boolean;
  try {
    const host = new URL(section.baseUrl).hostname;
    loopback = host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
  } catch {
    loopback = false;
  }
  if (section.emulator || loopback) return `environment production with the ${c.connector} emulator (${section.emulator ? 'emulator: true' : 'a loopback address'}): receipts are held until a real fiscal service is configured`;
  return null;
}

/** A connector that follows the live config: each call uses the connector the current `fiscal` section builds. */
function liveConnector(full: () => PaydeskConfig): FiscalConnector {
  const config = (): FiscalConfig => full().fiscal;
  let built: { key: string; connector: FiscalConnector | null } | null = null;
  const current = (): FiscalConnector => {
    const unsafe = fiscalSafetyProblem(full());
    // Held, not failed: the job sends as soon as IT configures the real service.
    if (unsafe) throw new FiscalError('fiscal.config', unsafe, true);
    const c = config();
    const key = JSON.stringify([c.connector, c.atol, c.yookassa]);
    if (built?.key !== key) built = { key, connector: createFiscalConnector(c) };
    // Jobs queued while a connector was configured wait (retrying) until one is configured again.
    if (!built.connector) throw new FiscalError('fiscal.config', 'no fiscal connector is configured (fiscal.connector = none)', true);
    return built.connector;
  };
  return {
    get name() {
      return current().name;
    },
    register: (receipt: FiscalReceipt, options?: CallOptions) => current().register(receipt, options),
    lookup: (receipt: FiscalReceipt, remoteId: string | null, options?: CallOptions) => current().lookup(receipt, remoteId, options),
  };
}

const pendingRowSchema = z.object({ id: z.number().int(), operation_external_id: z.string(), state: z.string() });

const RESULT_FIELDS = ['fiscalDocumentNumber', 'fiscalSign'] as const;

function resultFacts(json: string | null): { documentNumber?: string; fiscalSign?: string } {
  if (json === null) return {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed === null || typeof parsed !== 'object') return {};
    const [doc, sign] = RESULT_FIELDS.map((k) => (parsed as Record<string, unknown>)[k]);
    return { ...(typeof doc === 'string' || typeof doc === 'number' ? { documentNumber: String(doc) } : {}), ...(typeof sign === 'string' || typeof sign === 'number' ? { fiscalSign: String(sign) } : {}) };
  } catch {
    return {};
  }
}

/** The cashier's receipt line for a job (pure). */
export function receiptViewOfJob(job: JobRecord): ReceiptView {
  const error = job.lastErrorKey !== null && isErrorKey(job.lastErrorKey) ? describeError(job.lastErrorKey, job.lastError ?? undefined) : null;
  if (job.state === 'done') {
    const facts = resultFacts(job.resultJson);
    return { state: 'done', textRu: 'Чек пробит', ...facts, attempts: job.attempts, jobId: job.id, error: null, canFinish: false };
  }
  if (job.state === 'failed') {
    return { state: 'failed', textRu: `Чек не пробит: ${error?.ru ?? 'ошибка сервиса фискализации'}`, attempts: job.attempts, jobId: job.id, error, canFinish: true };
  }
  const retrying = job.attempts > 1 || (job.state === 'queued' && job.attempts > 0);
  if (!retrying) return { state: 'queued', textRu: 'Чек в очереди', attempts: job.attempts, jobId: job.id, error: null, canFinish: false };
  const next = job.state === 'queued' ? new Date(job.runAfterMs).toISOString() : undefined;
  return {
    state: 'retrying', textRu: 'Чек в очереди: касса повторит отправку сама. Повторно оплату не принимайте',
    ...(next ? { nextAttemptAt: next } : {}), attempts: job.attempts, jobId: job.id, error, canFinish: true,
  };
}

export function startFiscal(o: FiscalWiringOptions): FiscalWiring {
  const { sqlite, store, logger } = o;
  const fiscal = (): FiscalConfig => o.config().fiscal;

  // In the journal's transaction: a paid sale / done refund and its receipt job commit together. Never throws
  // for data: an unbuildable receipt is recorded as a failed job (for the manager), the payment stays paid.
  let enqueued = false;
  const inTransaction = (writes: readonly OperationWrite[]): void => {
    // Fiscalization off: the money path's commit does not even read (the listener costs one comparison).
    if (fiscal().connector === 'none') return;
    for (const w of writes) {
      const row = w.row;
      if (!mayNeedReceipt(row)) continue;
      if (row.kind === 'payment' && (o.isBinding?.(row) ?? false)) continue;
      const parent = row.kind === 'refund' && row.parent_id ? store.get(row.parent_id) : null;
      const decision = receiptForTransition({
        row, items: store.items(row.id), slip: w.slip ?? store.slip(row.id), parentProvider: parent?.provider ?? null,
      }, fiscal());
      if (decision.type === 'none') continue;
      if (decision.type === 'receipt') {
        if (enqueueFiscalReceipt(sqlite, decision.receipt).created) {
          enqueued = true;
          fiscalFailpoint('fiscal.inside_paid_commit');
        }
        // The provider's own copy, queued behind the fiscal receipt (same queue key: runs once that is done).
        if (row.kind === 'payment' && fiscal().providerReceipt.enabled && (o.providerTakesReceipts?.(row.provider) ?? false)) enqueueProviderReceipt(sqlite, row.id);
      } else {
        if (enqueueUnbuildableReceipt(sqlite, decision).created) {
          enqueued = true;
          logger.error({ operationId: row.id, errorKey: decision.errorKey, reason: decision.message }, 'receipt cannot be built: recorded as failed for the manager');
        }
      }
    }
  };
  const committed = (): void => {
    if (!enqueued) return;
    enqueued = false;
    failpoint('outbox.after_enqueue');
    worker.kick();
  };
  const offTx = store.onWriteInTransaction(inTransaction);
  const offCommitted = store.onWriteCommitted(committed);

  const handlers = [
    ...fiscalJobHandlers(liveConnector(o.config), fiscal().backoff),
    providerReceiptHandler({ facts: (id) => receiptFacts(id), send: (id, facts) => o.sendProviderReceipt ? o.sendProviderReceipt(id, facts) : Promise.resolve(false) }, fiscal().backoff),
    ...(o.extraHandlers ?? []),
  ];
  const receiptFacts = (operationId: string): { ok: true; facts: ReceiptFacts } | { ok: false; retry: boolean; message: string } => {
    const row = store.get(operationId);
    if (!row) return { ok: false, retry: false, message: `operation ${operationId} not found` };
    const job = findJobByDedupeKey(sqlite, fiscalDedupeKey('sell', operationId));
    if (job?.state !== 'done') return { ok: false, retry: true, message: 'the fiscal receipt is not registered yet' };
    const seller = fiscal().providerReceipt;
    const parsed = receiptFactsSchema.safeParse({
      kind: 'fiscal_receipt_facts', receiptType: 'debit', receiptId: row.id, dateTime: row.finished_at ?? row.updated_at, shift: String(row.shift_id ?? 0),
      cashier: 'Кассир', seller: { name: seller.merchantName, address: seller.merchantAddress, inn: seller.inn }, totalAmountKop: row.amount_kop,
      lines: store.items(row.id).map((i) => ({ name: i.name, article: i.article, priceKop: i.price_kop, quantity: i.quantity, measure: i.measure, totalKop: i.total_kop, discountKop: i.discount_kop, subtotalKop: i.subtotal_kop, tax: i.tax })),
      fiscal: resultFacts(job.resultJson),
    });
    return parsed.success ? { ok: true, facts: parsed.data } : { ok: false, retry: false, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  };
  const worker = new OutboxWorker(sqlite, handlers, {
    ...(o.maxSleepMs !== undefined ? { maxSleepMs: o.maxSleepMs } : {}),
    onJobFinished: (job, outcome) => {
      if (outcome.type === 'failed') logger.error({ jobId: job.id, kind: job.kind, operationId: job.operationExternalId, errorKey: outcome.errorKey, reason: outcome.message }, 'receipt failed: the manager must decide');
      else if (outcome.type === 'retry') logger.warn({ jobId: job.id, kind: job.kind, operationId: job.operationExternalId, errorKey: outcome.errorKey, attempts: job.attempts }, 'receipt not sent yet: will retry');
      else logger.info({ jobId: job.id, kind: job.kind, operationId: job.operationExternalId, remoteRef: job.remoteRef }, 'receipt registered');
      o.onReceiptChanged(job.operationExternalId);
    },
  });
  const recovered = worker.start();
  if (recovered.length > 0) logger.warn({ jobs: recovered }, 'receipt jobs interrupted by a stop: each asks the fiscal service before any resend');

  const jobOf = (row: OperationRow): JobRecord | null => {
    if (row.kind === 'payment') return findJobByDedupeKey(sqlite, fiscalDedupeKey('sell', row.id));
    if (row.kind === 'refund') return findJobByDedupeKey(sqlite, fiscalDedupeKey('sell_refund', row.id));
    return null;
  };

  return {
    receiptOf(row) {
      if (!mayNeedReceipt(row)) return null;
      const job = jobOf(row);
      if (job) return receiptViewOfJob(job);
      const provider = row.kind === 'refund' && row.parent_id ? store.get(row.parent_id)?.provider ?? row.provider : row.provider;
      const config = fiscal();
      if (config.providerFiscalizes.includes(provider)) return { state: 'none', textRu: 'Чек пробивает платёжный сервис', attempts: 0, jobId: null, error: null, canFinish: false };
      if (!paydeskFiscalizes(config, provider)) return { state: 'none', textRu: 'Фискализация в кассе не настроена: чек не отправляется', attempts: 0, jobId: null, error: null, canFinish: false };
      // Paid before fiscalization was switched on: nothing was queued for it.
      return { state: 'none', textRu: 'Чек не отправлялся: оплата прошла до включения фискализации', attempts: 0, jobId: null, error: null, canFinish: false };
    },
    checkSale(sale) {
      try {
        checkSaleLines(fiscal(), sale.provider, sale.lines);
      } catch (error) {
        if (error instanceof PaydeskError) throw error;
        throw new PaydeskError('fiscal.rejected', error instanceof Error ? error.message.slice(0, 300) : String(error));
      }
    },
    queue: () => queueView(sqlite),
    retryNow(jobId) {
      const job = getJob(sqlite, jobId);
      const ok = worker.retryNow(jobId);
      if (ok && job) {
        logger.warn({ jobId, kind: job.kind, operationId: job.operationExternalId, attempts: job.attempts }, 'receipt retried now by the manager');
        o.onReceiptChanged(job.operationExternalId);
      }
      return ok;
    },
    health: () => outboxHealth(sqlite),
    pendingForShift(shiftId) {
      const rows = sqlite.prepare(`SELECT j.id, j.operation_external_id, j.state FROM outbox_jobs j JOIN operations o ON o.id = j.operation_external_id
        WHERE j.kind IN (?, ?) AND j.state <> 'done' AND o.shift_id = ? ORDER BY j.id`).all(FISCAL_SELL, FISCAL_REFUND, shiftId);
      return rows.map((raw) => {
        const r = pendingRowSchema.parse(raw);
        return { jobId: r.id, operationId: r.operation_external_id, state: r.state };
      });
    },
    recordCloseDecision(shiftId, decision, pending) {
      const at = new Date().toISOString();
      sqlite.transaction(() => {
        for (const p of pending) {
          store.appendEvents(p.operationId, [{ type: 'note', body: { zCloseWithPendingReceipt: { shiftId, jobId: p.jobId, jobState: p.state, decidedBy: decision.decidedBy, reason: decision.reason, at } } }]);
        }
      })();
      logger.warn({ shiftId, decidedBy: decision.decidedBy, reason: decision.reason, jobs: pending.map((p) => p.jobId) }, 'shift closed with receipts not yet sent: manager decision recorded');
    },
    kick: () => worker.kick(),
    async close() {
      offTx();
      offCommitted();
      await worker.stop();
    },
  };
}
