// The typed API on top of a shell's raw bridge. Validates what goes out (so a screen bug is caught
// before it reaches the core) and what comes back (so a core bug never renders garbage).
import {
  API_EVENTS, API_METHODS, apiEventSchema, apiResponseSchema,
  type ApiEvent, type ApiEventName, type ApiEventPayload, type ApiInput, type ApiMethod, type ApiOutput,
  type PaydeskApi, type PaydeskBridge,
} from '../../main/contract/api';
import type { CashierErrorView } from '../../main/contract/checkout';

export class ApiCallError extends Error {
  constructor(readonly cashier: CashierErrorView) {
    super(cashier.details ?? cashier.en);
    this.name = 'ApiCallError';
  }
}

/** Local errors (the renderer cannot reach the core's catalogue; these mirror its style). */
export function localError(key: string, ru: string, en: string, action: CashierErrorView['action'], details?: string): CashierErrorView {
  return { key, ru, en, action, severity: 'error', ...(details ? { details } : {}) };
}

export function asCashierError(error: unknown): CashierErrorView {
  if (error instanceof ApiCallError) return error.cashier;
  return localError('renderer.unexpected', 'Внутренняя ошибка кассы. Повторите действие.', 'Internal till error. Repeat the action.', 'retry',
    error instanceof Error ? error.message : String(error));
}

export function createApiClient(bridge: PaydeskBridge): PaydeskApi {
  type AnyListener = (payload: ApiEventPayload<ApiEventName>) => void;
  const listeners = new Map<ApiEventName, Set<AnyListener>>();
  let unsubscribeBridge: (() => void) | null = null;

  const onRaw = (raw: unknown): void => {
    const parsed = apiEventSchema.safeParse(raw);
    if (!parsed.success) {
      console.warn('paydesk: dropped an event that breaks the contract', parsed.error.message);
      return;
    }
    const event: ApiEvent = parsed.data;
    for (const listener of listeners.get(event.event) ?? []) listener(event.payload);
  };

  return {
    async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
      const spec = API_METHODS[method];
      const checkedInput = spec.input.safeParse(input);
      if (!checkedInput.success) {
        throw new ApiCallError(localError('ipc.invalid', 'Проверьте введённые данные.', 'Check the data you entered.', 'retry', checkedInput.error.message));
      }
      const raw = await bridge.invoke(method, input);
      const response = apiResponseSchema.safeParse(raw);
      if (!response.success) {
        throw new ApiCallError(localError('ipc.invalid', 'Внутренняя ошибка кассы. Повторите действие.', 'Invalid answer from the till core.', 'retry', response.error.message));
      }
      if (!response.data.ok) throw new ApiCallError(response.data.error);
      const output = spec.output.safeParse(response.data.data);
      if (!output.success) {
        throw new ApiCallError(localError('ipc.invalid', 'Внутренняя ошибка кассы. Повторите действие.', 'Invalid answer from the till core.', 'retry', output.error.message));
      }
      return output.data as ApiOutput<M>;
    },
    on<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void {
      if (!(event in API_EVENTS)) throw new Error(`unknown event ${event}`);
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const wrapped = listener as AnyListener;
      set.add(wrapped);
      unsubscribeBridge ??= bridge.subscribe(onRaw);
      return () => {
        set.delete(wrapped);
      };
    },
  };
}
