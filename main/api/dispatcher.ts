// One validating dispatcher, used by both shells (Electron IPC and the kiosk WebSocket): check the
// method name, parse the input with the contract's schema, call the handler, parse the output, and
// turn every failure into a catalogue entry for the cashier. Nothing else crosses to the renderer.
import {
  API_METHODS, isApiMethod, type ApiMethod, type ApiOutput, type ApiParsedInput, type ApiResponse,
} from '../contract/api';
import { describeError, toCashierError } from '../errors/catalogue';
import { PreSerialized } from './pre-serialized';

/** Methods whose handler may answer with text already checked against their output schema (X and Z reports). */
export type PreSerializable = 'report.x' | 'report.z' | 'shift.close';
type HandlerOutput<M extends ApiMethod> = M extends PreSerializable ? ApiOutput<M> | PreSerialized<ApiOutput<M>> : ApiOutput<M>;

export type ApiHandlers = {
  [M in ApiMethod]: (input: ApiParsedInput<M>) => Promise<HandlerOutput<M>> | HandlerOutput<M>;
};

export type Dispatch = (method: unknown, input: unknown) => Promise<ApiResponse>;

function issues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(input)'}: ${i.message}`).join('; ');
}

export function createDispatcher(handlers: ApiHandlers, onError?: (method: string, error: unknown) => void): Dispatch {
  return async (method, input) => {
    if (!isApiMethod(method)) {
      return { ok: false, error: describeError('ipc.invalid', `unknown method ${String(method).slice(0, 64)}`) };
    }
    return dispatchKnown(method, input);
  };

  async function dispatchKnown<M extends ApiMethod>(method: M, input: unknown): Promise<ApiResponse> {
    const spec = API_METHODS[method];
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      return { ok: false, error: describeError('ipc.invalid', `${method}: ${issues(parsed.error)}`) };
    }
    let result: unknown;
    try {
      const handler = handlers[method] as (input: unknown) => Promise<unknown> | unknown;
      result = await handler(parsed.data);
    } catch (error) {
      onError?.(method, error);
      return { ok: false, error: toCashierError(error) };
    }
    // Checked with this method's output schema where it was made (main/api/pre-serialized.ts): the shells
    // splice the text into their frame; parsing it here is the cost the report worker exists to avoid.
    if (result instanceof PreSerialized) return { ok: true, data: result };
    const checked = spec.output.safeParse(result);
    if (!checked.success) {
      onError?.(method, new Error(`output of ${method} broke the contract: ${issues(checked.error)}`));
      return { ok: false, error: describeError('internal.unexpected', `${method}: invalid output`) };
    }
    return { ok: true, data: checked.data };
  }
}
