// The one API between the renderer and the core: method names → input/output schemas, plus the
// events the core pushes to the renderer. Both shells (Electron IPC, kiosk WebSocket) carry exactly
// this contract; the main side validates input and output (main/api/dispatcher.ts), the renderer
// validates what it sends and what it receives (renderer/api/client.ts). Pure zod, no Node.
import { z } from 'zod';
import {
  availabilityInputSchema, availabilityResultSchema, cashierErrorSchema, operationQuerySchema,
  operationViewSchema, payInputSchema, refundInputSchema,
} from './checkout';
import { scanEventSchema, scannerStatusSchema, wedgeConfigSchema } from './scan';
import type { ApiMethodName } from './api-names';

// ---- status (environment, connection health, config problems, scanner, clock) --------------------

export const environmentViewSchema = z.object({
  mode: z.enum(['emulator', 'test', 'production']),
  /** Base URL without credentials. */
  baseUrl: z.string(),
  storeId: z.string(),
  terminalId: z.string(),
  embeddedEmulator: z.boolean(),
});
export type EnvironmentViewDto = z.infer<typeof environmentViewSchema>;

export const healthViewSchema = z.object({
  payApi: z.enum(['ok', 'degraded', 'down', 'unknown']),
  lastCheckedAt: z.string().nullable(),
  lastError: z.string().nullable(),
  clockSkewMs: z.number().nullable(),
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

export const statusViewSchema = z.object({
  environment: environmentViewSchema,
  health: healthViewSchema,
  config: z.object({ problems: z.array(configProblemSchema), version: z.number().int(), loadedAt: z.string() }),
  scanner: scannerStateSchema,
  clock: z.object({ skewMs: z.number().nullable(), warn: z.boolean() }),
  till: z.object({ terminalId: z.string(), storeName: z.string(), language: z.enum(['ru', 'en']) }),
  /** Which shell serves the renderer. */
  shell: z.enum(['electron', 'kiosk']),
});
export type StatusView = z.infer<typeof statusViewSchema>;

// ---- scanning --------------------------------------------------------------------------------------

/** A scan as the renderer sees it: the hub's event plus, when rejected, the cashier's instruction. */
export const scanResultSchema = z.object({
  scan: scanEventSchema,
  error: cashierErrorSchema.nullable(),
});
export type ScanResultView = z.infer<typeof scanResultSchema>;

// ---- methods -----------------------------------------------------------------------------------------

const empty = z.object({}).strict();

export const API_METHODS = {
  'status.get': { input: empty, output: statusViewSchema },
  'sale.availability': { input: availabilityInputSchema, output: availabilityResultSchema },
  'sale.pay': { input: payInputSchema, output: operationViewSchema },
  'sale.cancel': { input: z.object({ operationId: z.string().min(1) }), output: operationViewSchema },
  'refund.start': { input: refundInputSchema, output: operationViewSchema },
  'operation.get': { input: z.object({ operationId: z.string().min(1) }), output: operationViewSchema.nullable() },
  'operation.query': { input: operationQuerySchema, output: z.array(operationViewSchema) },
  /** A code typed by a keyboard-wedge scanner (the renderer's detector decided it was a scan). */
  'scan.wedge': { input: z.object({ code: z.string().min(1).max(4096), interKeyMs: z.number().nonnegative().optional() }), output: scanResultSchema },
  /** A code entered by hand (damaged barcode): same checks as a scan. */
  'scan.manual': { input: z.object({ code: z.string().min(1).max(4096) }), output: scanResultSchema },
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

/** WebSocket subprotocols: the fixed one plus `paydesk.token.<per-start token>`. */
export const WS_PROTOCOL = 'paydesk.v1';
export const WS_TOKEN_PREFIX = 'paydesk.token.';
export const WS_PATH = '/api';

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
