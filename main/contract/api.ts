// The one API between the renderer and the core: method names → input/output schemas, plus the
// events the core pushes to the renderer. Both shells (Electron IPC, kiosk WebSocket) carry exactly
// this contract; the main side validates input and output (main/api/dispatcher.ts), the renderer
// validates what it sends and what it receives (renderer/api/client.ts). Pure zod, no Node.
import { z } from 'zod';
import {
  availabilityInputSchema, availabilityResultSchema, cashierErrorSchema, kopecks, operationQuerySchema,
  operationViewSchema, payInputSchema, paymentMethodViewSchema, refundInputSchema, saleCatalogueSchema, extraChargeInputSchema,
} from './checkout';
import { scanEventSchema, scannerStatusSchema, symbologySchema, wedgeConfigSchema } from './scan';
import type { ApiMethodName } from './api-names';
import {
  accessViewSchema, approvalInput, auditStatusSchema, balanceViewSchema, matrixViewSchema, newPersonInputSchema,
  paymentsQuerySchema, paymentsResultSchema, permissionIdSchema, personViewSchema, serviceInputSchema, serviceViewSchema,
  signInInputSchema, signInStateSchema, yandexPollSchema, yandexStartSchema,
} from './people';
import { displayBasketInputSchema } from './display';
import { SAVED_CARD_METHODS } from './saved-cards';
import { currencyCodeSchema } from './currency';

// ---- status (environment, connection health, config problems, scanner, clock) --------------------

export const environmentViewSchema = z.object({
  mode: z.enum(['emulator', 'test', 'production']),
  /** Base URL without credentials. */
  baseUrl: z.string(),
  storeId: z.string(),
  terminalId: z.string(),
  embeddedEmulator: z.boolean(),
  /** Sales through the main provider are blocked (red status, instruction for IT), or null. */
  blocked: cashierErrorSchema.nullable().default(null),
  /** Unfinished operations that need their original connection (shown to IT and in the journal). */
  heldOperations: z.number().int().nonnegative().default(0),
  /** Unfinished operations whose saved state does not parse (corrupted, another version): held for IT. */
  unreadableOperations: z.number().int().nonnegative().default(0),
});
export type EnvironmentViewDto = z.infer<typeof environmentViewSchema>;

export const healthViewSchema = z.object({
  payApi: z.enum(['ok', 'degraded', 'down', 'unknown']),
  lastCheckedAt: z.string().nullable(),
  lastError: z.string().nullable(),
  clockSkewMs: z.number().nullable(),
  /** unavailable: the till cannot write its journal; new sales are refused until it recovers. */
  journal: z.enum(['ok', 'unavailable']).default('ok'),
});
export type HealthViewDto = z.infer<typeof healthViewSchema>;

export const configProblemSchema = z.object({ file: z.string(), path: z.string(), reason: z.string() });

export const scannerStateSchema = z.object({
  /** The serial scanner's link, or null when none is configured (the keyboard wedge still works). */
  serial: scannerStatusSchema.nullable(),
  /** The renderer's wedge detector settings (from the config, hot-reloaded). */
  wedge: wedgeConfigSchema,
});
export type ScannerStateView = z.infer<typeof scannerStateSchema>;

/** Clock drift beyond this is shown: TOTP codes (30 s steps) start failing beyond about this much. */
export const CLOCK_WARN_MS = 10_000;

/** The shift as the status bar shows it: computed by the core (the 24-hour rule, warnBeforeMinutes). */
export const shiftStatusSchema = z.object({
  /** none: no open shift; expires_soon: inside warnBeforeMinutes; expired: past the 24 hours (sales refused). */
  state: z.enum(['none', 'open', 'expires_soon', 'expired']),
  id: z.number().int().positive().nullable(),
  openedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  /** Left open since an earlier business day. */
  forgotten: z.boolean(),
  /** Pay API environment recorded when the shift opened (null: none open, or not recorded). */
  environment: z.enum(['emulator', 'test', 'production']).nullable(),
  /** The config now points to another environment: sales wait for the close (docs/ui.md). */
  environmentChanged: z.boolean(),
});
export type ShiftStatusView = z.infer<typeof shiftStatusSchema>;

export const providerHealthSchema = z.enum(['unknown', 'ok', 'degraded', 'down']);

export const statusViewSchema = z.object({
  environment: environmentViewSchema,
  health: healthViewSchema,
  config: z.object({ problems: z.array(configProblemSchema), version: z.number().int(), loadedAt: z.string() }),
  scanner: scannerStateSchema,
  clock: z.object({ skewMs: z.number().nullable(), warn: z.boolean() }),
  till: z.object({ terminalId: z.string(), storeName: z.string(), language: z.enum(['ru', 'en']) }),
  /** Which shell serves the renderer. */
  shell: z.enum(['electron', 'kiosk']),
  shift: shiftStatusSchema,
  /** Parked payments: still unresolved, and ended paid after the customer left (last 24 h). */
  payments: z.object({ parked: z.number().int().nonnegative(), parkedPaid: z.number().int().nonnegative() }).default({ parked: 0, parkedPaid: 0 }),
  /** «Вызвать администратора» pressed and not yet marked answered. */
  adminCall: z.object({ id: z.number().int(), calledAt: z.string() }).nullable(),
  /**
   * Each configured payment provider, in config order: whether sales through it can start, and why not;
   * its connection health where the provider tracks one (unknown: not tracked or not asked yet) and, when
   * degraded or down, the cashier's instruction.
   */
  providers: z.array(z.object({
    provider: z.string(), title: z.string(), ready: z.boolean(), problem: cashierErrorSchema.nullable(),
    health: providerHealthSchema.default('unknown'),
    healthProblem: cashierErrorSchema.nullable().default(null),
  })).default([]),
});
export type StatusView = z.infer<typeof statusViewSchema>;

// ---- scanning --------------------------------------------------------------------------------------

/** A scan as the renderer sees it: the hub's event plus, when rejected, the cashier's instruction. */
export const scanResultSchema = z.object({
  scan: scanEventSchema,
  error: cashierErrorSchema.nullable(),
});
export type ScanResultView = z.infer<typeof scanResultSchema>;

/** Longest `scan.image` payload (base64 of a PNG file, ≈ 6 MB of bytes); the core decodes it. */
export const SCAN_IMAGE_MAX_BASE64 = 8 * 1024 * 1024;
/**
 * Largest PNG (as base64) the renderer sends to the core: the kiosk WebSocket takes frames up to 1 MiB.
 * Bigger files, and formats other than PNG, are decoded by the renderer itself (`scan.camera`).
 */
export const SCAN_IMAGE_INLINE_MAX_BASE64 = 900_000;
const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

// ---- shifts and X / Z reports (mirror main/reports/model.ts; main/api checks both stay equal) -------

const signedKop = z.number().int().min(-99_999_999_999).max(99_999_999_999);
const count = z.number().int().nonnegative();
const iso = z.string();

export const bucketSchema = z.object({ count, amountKop: kopecks });
export const kindTotalsSchema = z.object({
  all: bucketSchema,
  succeeded: bucketSchema,
  notSucceeded: bucketSchema,
  unresolved: bucketSchema,
  byOutcome: z.record(z.string(), bucketSchema),
});
export const operationKindSchema = z.enum(['payment', 'cancel', 'refund']);
export const paymentTypeTotalsSchema = z.object({
  paymentType: z.string(), provider: z.string(), payments: bucketSchema, refunds: bucketSchema, netKop: signedKop,
});
export const tenderTotalsSchema = z.object({ kind: z.string(), sales: bucketSchema, refunds: bucketSchema, netKop: signedKop });

/**
 * One operation of a report: every §7.2 field (orderId, paymentTransactionId, refundTransactionId, requestId, paymentType)
 * and the provider's own slip ids in `refs` (shown as the report's refColumns).
 */
export const reportLineSchema = z.object({
  id: z.string(),
  kind: operationKindSchema,
  provider: z.string(),
  createdAt: iso,
  finishedAt: iso.nullable(),
  status: z.string(),
  /** Minor units of `currency`. */
  amountKop: kopecks,
  currency: currencyCodeSchema,
  signedKop,
  orderId: z.string(),
  paymentTransactionId: z.string().nullable(),
  refundTransactionId: z.string().nullable(),
  requestId: z.string(),
  paymentType: z.string().nullable(),
  refs: z.record(z.string(), z.string()),
  errorCode: z.string().nullable(),
  parentId: z.string().nullable(),
  parentShiftId: z.number().int().nullable(),
  crossShift: z.boolean(),
});
export type ReportLineDto = z.infer<typeof reportLineSchema>;

/** A provider id column of X / Z, CSV and print (each provider registers its `reportRefs` in its folder). */
export const refColumnSchema = z.object({ key: z.string().min(1), label: z.string() });
export type RefColumnDto = z.infer<typeof refColumnSchema>;

export const tenderDirectionSchema = z.enum(['sale', 'refund']);
export const tenderRowSchema = z.object({
  id: z.number().int(), kind: z.string(), direction: tenderDirectionSchema, amountKop: kopecks, note: z.string(), cashier: z.string(), createdAt: iso,
});
export type TenderRowDto = z.infer<typeof tenderRowSchema>;

export const tenderVoidSchema = z.object({
  tenderId: z.number().int(), kind: z.string(), direction: tenderDirectionSchema, amountKop: kopecks,
  voidedBy: z.string(), reason: z.string(), voidedAt: iso,
});
export type TenderVoidDto = z.infer<typeof tenderVoidSchema>;

export const shiftInfoSchema = z.object({
  id: z.number().int().positive(), openedAt: iso, openedBy: z.string(), closedAt: iso.nullable(), closedBy: z.string().nullable(),
});

export const reconciliationItemSchema = z.object({
  operationId: z.string(),
  kind: operationKindSchema,
  orderId: z.string(),
  transactionId: z.string().nullable(),
  refTransactionId: z.string().nullable(),
  journal: z.string(),
  /** What the provider says (its own status words), or why it could not be asked. */
  provider: z.string(),
  problem: z.enum(['mismatch', 'unresolved', 'not_found', 'lookup_failed', 'amount']),
});
export const reconciliationSchema = z.object({
  checkedAt: iso, checked: count, matched: count, skipped: count, differences: z.array(reconciliationItemSchema),
});
export type ReconciliationDto = z.infer<typeof reconciliationSchema>;

/** The totals of one currency; every amount in minor units of `currency`. */
export const currencyTotalsSchema = z.object({
  currency: currencyCodeSchema,
  byKind: z.object({ payment: kindTotalsSchema, cancel: kindTotalsSchema, refund: kindTotalsSchema }),
  byPaymentType: z.array(paymentTypeTotalsSchema),
  crossShiftRefunds: bucketSchema,
  tenders: z.array(tenderTotalsSchema),
  totals: z.object({
    electronicInKop: kopecks, electronicOutKop: kopecks, electronicNetKop: signedKop, tendersNetKop: signedKop, tillNetKop: signedKop,
  }),
});
export type CurrencyTotalsDto = z.infer<typeof currencyTotalsSchema>;

export const shiftReportSchema = z.object({
  type: z.enum(['x', 'z']),
  zNumber: z.number().int().positive().nullable(),
  generatedAt: iso,
  shift: shiftInfoSchema,
  till: z.object({ terminalId: z.string(), storeId: z.string(), storeName: z.string() }),
  /** One section per currency, the till's first (docs/reports.md "Currencies"); amounts never mix currencies. */
  currencies: z.array(currencyTotalsSchema).min(1),
  unresolved: z.array(z.string()),
  operations: z.array(reportLineSchema),
  /** The columns X / Z print and CSV export for `refs`, in order. */
  refColumns: z.array(refColumnSchema),
  tenderEntries: z.array(tenderRowSchema),
  reconciliation: reconciliationSchema.nullable(),
  environment: z.enum(['emulator', 'test', 'production']).nullable(),
  tenderVoids: z.array(tenderVoidSchema),
});
export type ShiftReportDto = z.infer<typeof shiftReportSchema>;

export const shiftViewSchema = shiftInfoSchema.extend({
  zNumber: z.number().int().positive().nullable(),
  /** openedAt + maxHours. */
  expiresAt: iso,
  status: z.enum(['open', 'expired', 'closed']),
});
export type ShiftViewDto = z.infer<typeof shiftViewSchema>;

export const shiftWarningSchema = z.object({
  key: z.enum(['shift.expires_soon', 'shift.expired', 'shift.forgotten']),
  shiftId: z.number().int().positive(),
  openedAt: iso,
  expiresAt: iso,
  minutesLeft: z.number().int(),
  cashier: cashierErrorSchema,
});
export type ShiftWarningDto = z.infer<typeof shiftWarningSchema>;

export const shiftCurrentSchema = z.object({
  shift: shiftViewSchema.nullable(),
  warnings: z.array(shiftWarningSchema),
  /** Operations of the open shift that are not final yet (they block the close). */
  unresolved: z.array(z.string()),
  /** Config shift.tenderKinds: what the manager may record besides the payment providers (cash, …). */
  tenderKinds: z.array(z.string()),
  autoOpenOnSale: z.boolean(),
  warnBeforeMinutes: z.number().int().nonnegative(),
});
export type ShiftCurrentView = z.infer<typeof shiftCurrentSchema>;

export const zSummarySchema = z.object({
  zNumber: z.number().int().positive(),
  shiftId: z.number().int().positive(),
  openedAt: iso,
  openedBy: z.string(),
  closedAt: iso,
  closedBy: z.string(),
  operations: count,
  /** The till total of each currency, the till's first (never one sum across currencies). */
  tillNet: z.array(z.object({ currency: currencyCodeSchema, netKop: signedKop })).min(1),
  /** null when the Z was written without a reconciliation. */
  differences: count.nullable(),
});
export type ZSummaryView = z.infer<typeof zSummarySchema>;

export const reportTypeSchema = z.enum(['x', 'z']);
/** x: the shift `shiftId` (default the open one); z: Z number `number` (default the latest). */
export const reportRefSchema = z.object({
  type: reportTypeSchema,
  number: z.number().int().positive().optional(),
  shiftId: z.number().int().positive().optional(),
});
export const printResultSchema = z.object({
  /** Output history row: a failed print stays there and can be printed again (report.reprint). */
  outputId: z.number().int(),
  printed: z.boolean(),
  error: cashierErrorSchema.nullable(),
  reportType: reportTypeSchema,
  shiftId: z.number().int(),
  zNumber: z.number().int().nullable(),
});
export type PrintResultView = z.infer<typeof printResultSchema>;
export const exportFormatSchema = z.enum(['csv', 'pdf', 'txt']);
export const exportResultSchema = z.object({
  fileName: z.string(),
  /** Where the file was saved, for the manager to read (the renderer cannot open it). */
  path: z.string(),
  bytes: count,
});
export type ExportResultView = z.infer<typeof exportResultSchema>;
export const openResultSchema = exportResultSchema.extend({
  /** Kiosk: a short-lived download address of the file on this till's server; null in Electron. */
  url: z.string().nullable(),
  /** Electron: the file was handed to the OS viewer. */
  opened: z.boolean(),
});
export type OpenResultView = z.infer<typeof openResultSchema>;
export const adminCallSchema = z.object({
  id: z.number().int(), shiftId: z.number().int().nullable(), calledAt: iso, reason: z.string(), answeredAt: iso.nullable(),
});
export type AdminCallView = z.infer<typeof adminCallSchema>;
const cashierName = z.string().trim().min(1).max(64);

// ---- operation search (refund screen) ------------------------------------------------------------------

export const SEARCH_PAGE_MAX = 50;
export const operationSearchSchema = z.object({
  /** Any fragment of an order / transaction / card id, an amount ("1000", "1 000,50") or a time ("14:05"). */
  text: z.string().trim().max(64).default(''),
  /** yyyy-mm-dd, local date of the till; absent = any day (newest first). */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  kind: z.enum(['payment', 'cancel', 'refund']).default('payment'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(SEARCH_PAGE_MAX).default(8),
});
export type OperationSearchInput = z.input<typeof operationSearchSchema>;
export const operationSearchResultSchema = z.object({
  items: z.array(operationViewSchema),
  /** How many match in all (the screen pages through them). */
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  /** True when more operations were scanned than the search looks at (narrow by date). */
  truncated: z.boolean(),
});
export type OperationSearchResult = z.infer<typeof operationSearchResultSchema>;

// ---- outbox queue (fiscal receipts and other background jobs) -----------------------------------------

/** One unfinished background job as the manager's queue screen lists it (docs/outbox.md). */
export const queueItemSchema = z.object({
  id: z.number().int().positive(),
  kind: z.string(),
  /** Russian name of the job kind («Чек прихода», «Чек возврата»). */
  kindRu: z.string(),
  /** The operation the job belongs to (its local id). */
  operationId: z.string(),
  orderId: z.string().nullable(),
  amountKop: z.number().int().nullable(),
  /** pending: not tried yet; retrying: waits for nextAttemptAt; running: being sent; failed: stopped, needs the manager. */
  status: z.enum(['pending', 'retrying', 'running', 'failed']),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.string().nullable(),
  error: cashierErrorSchema.nullable(),
  createdAt: z.string(),
});
export type QueueItemView = z.infer<typeof queueItemSchema>;

// ---- methods -----------------------------------------------------------------------------------------

const empty = z.object({}).strict();

export const API_METHODS = {
  'status.get': { input: empty, output: statusViewSchema },
  'sale.methods': { input: empty, output: z.array(paymentMethodViewSchema) },
  'sale.catalogue': { input: empty, output: saleCatalogueSchema },
  'sale.availability': { input: availabilityInputSchema, output: availabilityResultSchema },
  'sale.pay': { input: payInputSchema, output: operationViewSchema },
  'sale.cancel': { input: z.object({ operationId: z.string().min(1), ...approvalInput }), output: operationViewSchema },
  'sale.park': { input: z.object({ operationId: z.string().min(1).max(64) }), output: operationViewSchema },
  /** `approval`: a supervisor's PIN or card when the refund is above the signed-in person's rights. */
  'refund.start': { input: refundInputSchema.extend(approvalInput), output: operationViewSchema },
  /** An extra charge on a paid payment whose basket grew: a new payment of the same sale, linked to it. */
  'sale.extraCharge': { input: extraChargeInputSchema, output: operationViewSchema },
  'operation.get': { input: z.object({ operationId: z.string().min(1) }), output: operationViewSchema.nullable() },
  'operation.query': { input: operationQuerySchema, output: z.array(operationViewSchema) },
  /** Find operations of a day by any fragment of an id, the card, an amount or a time; paged. */
  'operation.search': { input: operationSearchSchema, output: operationSearchResultSchema },
  /** A code typed by a keyboard-wedge scanner (the renderer's detector decided it was a scan). */
  'scan.wedge': { input: z.object({ code: z.string().min(1).max(4096), interKeyMs: z.number().nonnegative().optional(), suspect: z.boolean().optional() }), output: scanResultSchema },
  /** A code entered by hand (damaged barcode): same checks as a scan. */
  'scan.manual': { input: z.object({ code: z.string().min(1).max(4096) }), output: scanResultSchema },
  /** An image file dropped on the till (PNG, base64): decoded by the core (zxing), then the same checks as a scan. */
  'scan.image': {
    input: z.object({
      pngBase64: z.string().min(4).max(SCAN_IMAGE_MAX_BASE64).refine((s) => s.length % 4 === 0 && base64.test(s), 'not base64'),
    }),
    output: scanResultSchema,
  },
  /** A code the renderer decoded itself (a webcam frame, or an image that is not a small PNG): same checks as a scan. */
  'scan.camera': { input: z.object({ code: z.string().min(1).max(4096), symbology: symbologySchema }), output: scanResultSchema },
  /** The open shift (or none), its 24-hour warnings, what blocks the close, the tender kinds. */
  'shift.current': { input: empty, output: shiftCurrentSchema },
  'shift.open': { input: z.object({ cashier: cashierName }), output: shiftViewSchema },
  /** Name the person working a shift the till opened by itself at the first sale. */
  'shift.claim': { input: z.object({ cashier: cashierName }), output: shiftViewSchema },
  /** Reconciles with the payment providers, closes the shift and returns its Z report (refused while operations are unresolved). */
  'shift.close': {
    input: z.object({
      cashier: cashierName,
      /** Receipts of the shift not sent yet (queued, retrying, failed) refuse the close unless a manager decides so: who and why, recorded. */
      pendingReceipts: z.object({ decidedBy: cashierName, reason: z.string().trim().min(3).max(200) }).optional(),
      ...approvalInput,
    }),
    output: shiftReportSchema,
  },
  /** A tender taken outside the till's providers (cash, the bank's card terminal…) in the open shift. */
  'shift.tender': {
    input: z.object({ kind: z.string().min(1).max(40), amountKop: kopecks.positive(), direction: tenderDirectionSchema, note: z.string().max(200).optional(), cashier: z.string().max(64).optional() }),
    output: tenderRowSchema,
  },
  'report.x': { input: z.object({ shiftId: z.number().int().positive().optional() }), output: shiftReportSchema },
  'report.z': { input: z.object({ number: z.number().int().positive() }), output: shiftReportSchema },
  /** The most recent Z reports, newest first. */
  'report.list': { input: z.object({ limit: z.number().int().min(1).max(100).optional() }), output: z.array(zSummarySchema) },
  /** Prints on the receipt printer; never fails for printer trouble: the result says what happened. */
  'report.print': { input: reportRefSchema, output: printResultSchema },
  /** The report as PDF (saved like report.export) sent to the computer's ordinary printer (CUPS lp / Windows). */
  'report.printOs': { input: reportRefSchema, output: printResultSchema },
  'report.reprint': { input: z.object({ outputId: z.number().int().positive() }), output: printResultSchema },
  /** Writes the report under the data folder's exports/ and says where. */
  'report.export': { input: reportRefSchema.extend({ format: exportFormatSchema }), output: exportResultSchema },
  /** Exports like report.export, then opens it: Electron hands it to the OS viewer, the kiosk gives a download address. */
  'report.open': { input: reportRefSchema.extend({ format: exportFormatSchema }), output: openResultSchema },
  /** Voids a wrongly entered tender of the open shift (who, why); X / Z leave it out and list the void. */
  'shift.voidTender': {
    input: z.object({ tenderId: z.number().int().positive(), voidedBy: cashierName, reason: z.string().trim().min(3).max(200), ...approvalInput }),
    output: tenderVoidSchema,
  },
  /** «Вызвать администратора»: recorded with its time; the status bar shows it until answered. */
  'admin.call': { input: z.object({ reason: z.string().max(200).optional() }), output: adminCallSchema },
  /** The administrator came: every open call is marked answered. */
  'admin.answer': { input: empty, output: z.object({ answered: count }) },
  /** A product by PLU or barcode from the local catalogue (config catalogue.file); item null when unknown. */
  'catalogue.lookup': {
    input: z.object({ code: z.string().trim().min(1).max(32) }),
    output: z.object({
      item: z.object({ code: z.string(), name: z.string(), priceKop: kopecks.positive(), measure: z.string(), tax: z.string() }).nullable(),
      /** false: no catalogue configured (the till never looks codes up). */
      configured: z.boolean(),
    }),
  },
  /** Calls since a moment (ISO), newest first: the journal screen lists them. */
  'admin.calls': { input: z.object({ since: z.string().min(10).max(40) }), output: z.array(adminCallSchema) },
  /** Unfinished background jobs (receipts waiting, retrying, failed), oldest first. */
  'queue.list': { input: empty, output: z.array(queueItemSchema) },
  /** The manager's «Повторить сейчас»: a waiting or failed job is tried again at once (the same job, never a second one). */
  'queue.retry': { input: z.object({ jobId: z.number().int().positive() }), output: z.object({ retried: z.boolean() }) },
  /** The customer's receipt block of an operation as the printer would print it (null: nothing to print). */
  'receipt.block': {
    input: z.object({ operationId: z.string().min(1).max(64) }),
    output: z.object({ title: z.string(), rows: z.array(z.object({ label: z.string(), parameter: z.string(), value: z.string() })) }).nullable(),
  },
  /**
   * The customer's receipt block of a paid sale / done refund (provider ids, fiscal number once registered):
   * on the receipt printer (escpos) or as a PDF under exports/ — the till's «Повторить печать».
   */
  'receipt.print': {
    input: z.object({ operationId: z.string().min(1).max(64), format: z.enum(['escpos', 'pdf']).default('escpos') }),
    output: z.object({ printed: z.boolean(), error: cashierErrorSchema.nullable(), path: z.string().nullable(), url: z.string().nullable() }),
  },
  /** The basket's running total for the customer display (a no-op when none is configured). */
  'display.basket': { input: displayBasketInputSchema, output: z.object({ shown: z.boolean() }) },
  // ---- people, access, Payments section (docs/people-and-audit.md) ----
  /** Who is signed in, locked or not, their rights; works while locked. */
  'people.state': { input: empty, output: signInStateSchema },
  /** PIN (person + PIN) or staff card; throttled; the same person unlocks, another replaces. */
  'people.signIn': { input: signInInputSchema, output: signInStateSchema },
  'people.signOut': { input: empty, output: signInStateSchema },
  'people.lock': { input: empty, output: signInStateSchema },
  /** Activity at the till (keys, touches): postpones auto-lock; refused while locked. */
  'people.touch': { input: empty, output: signInStateSchema },
  'people.create': { input: newPersonInputSchema, output: personViewSchema },
  /** Yandex ID device flow (Administrator / Super-administrator): the code and address to show. */
  'people.yandexStart': { input: empty, output: yandexStartSchema },
  /** Polls the attempt once; signed_in when the person confirmed it on their phone. */
  'people.yandexPoll': { input: z.object({ attempt: z.string().min(1).max(64) }), output: yandexPollSchema },
  'access.get': { input: empty, output: accessViewSchema },
  'access.setMatrix': { input: z.object({ matrix: matrixViewSchema, expectedVersion: z.number().int().nonnegative() }), output: z.object({ version: z.number().int() }) },
  /** One right for one person: grant, revoke, or null (back to the role's rule). */
  'access.setRight': { input: z.object({ personId: z.string().min(1).max(64), permission: permissionIdSchema, effect: z.enum(['grant', 'revoke']).nullable() }), output: personViewSchema },
  /** The Payments section: every operation across shifts and providers, with order status and refund rule. */
  'payments.search': { input: paymentsQuerySchema, output: paymentsResultSchema },
  /** Sets an order's service state / date (a sale of a service). */
  'order.service': { input: serviceInputSchema, output: serviceViewSchema },
  /** A customer's balance (sum of ledger entries) and its entries. */
  'balance.get': { input: z.object({ loyaltyId: z.string().trim().min(1).max(64) }), output: balanceViewSchema },
  /** Verifies the audit chain (and every Z's stored head). */
  'audit.verify': { input: empty, output: auditStatusSchema },
  ...SAVED_CARD_METHODS,
} as const;

export type ApiMethod = keyof typeof API_METHODS;
// API_METHOD_LIST (zod-free, for the preload) must name exactly the methods above.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const methodListMatches: Same<ApiMethod, ApiMethodName> = true;
void methodListMatches;
export const API_METHOD_NAMES = Object.keys(API_METHODS) as ApiMethod[];
export type ApiInput<M extends ApiMethod> = z.input<(typeof API_METHODS)[M]['input']>;
export type ApiParsedInput<M extends ApiMethod> = z.output<(typeof API_METHODS)[M]['input']>;
export type ApiOutput<M extends ApiMethod> = z.output<(typeof API_METHODS)[M]['output']>;

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(API_METHODS, name);
}

// ---- events (core → renderer) -------------------------------------------------------------------------

export const API_EVENTS = {
  operation: operationViewSchema,
  status: statusViewSchema,
  scan: scanResultSchema,
} as const;
export type ApiEventName = keyof typeof API_EVENTS;
export type ApiEventPayload<E extends ApiEventName> = z.output<(typeof API_EVENTS)[E]>;

export const apiEventSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('operation'), payload: operationViewSchema }),
  z.object({ event: z.literal('status'), payload: statusViewSchema }),
  z.object({ event: z.literal('scan'), payload: scanResultSchema }),
]);
export type ApiEvent = z.infer<typeof apiEventSchema>;

// ---- wire envelopes (identical over IPC and WebSocket) ----------------------------------------------

export const apiResponseSchema = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: cashierErrorSchema }),
]);
export type ApiResponse = z.infer<typeof apiResponseSchema>;

/** Kiosk WebSocket frames. */
export const wsRequestSchema = z.object({ id: z.number().int().nonnegative(), method: z.string(), input: z.unknown() });
export type WsRequest = z.infer<typeof wsRequestSchema>;
export const wsServerFrameSchema = z.union([
  z.object({ id: z.number().int().nonnegative(), response: apiResponseSchema }),
  z.object({ id: z.null(), event: apiEventSchema }),
]);
export type WsServerFrame = z.infer<typeof wsServerFrameSchema>;

export { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX } from './ws-names';

/**
 * The raw bridge each shell provides to the renderer: window.paydesk in Electron (preload), a
 * WebSocket client in a browser. Untyped on purpose: the typed client on top validates both ways.
 */
export interface PaydeskBridge {
  invoke(method: string, input: unknown): Promise<unknown>;
  subscribe(listener: (event: unknown) => void): () => void;
}

/** The typed API the screens use, the same in both shells. */
export interface PaydeskApi {
  call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>>;
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void;
}

export { IPC_EVENT, IPC_INVOKE } from './api-names';
