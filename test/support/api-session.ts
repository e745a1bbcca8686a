// Test harness for the API layer: a real till (core + SQLite + emulator), the scanner port and one API
// session over them, with an event log and typed `call` / `fail` through the validating dispatcher.
import { API_METHODS, type ApiEvent, type ApiMethod, type ApiOutput } from '../../main/contract/api';
import type { CashierErrorView } from '../../main/contract/checkout';
import { plainResponse } from '../../main/api/pre-serialized';
import { createScanPort } from '../../main/api/scan-port';
import { createApiSession, type ApiSession, type ApiSessionOptions } from '../../main/api/session';
import { startTill, type Till } from './till';

export interface ApiHarness {
  till: Till;
  session: ApiSession;
  events: ApiEvent[];
  call<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>>;
  fail(method: ApiMethod, input: unknown): Promise<CashierErrorView>;
  /** Session, scanner port, core and emulator, in that order. */
  close(): Promise<void>;
}

export async function startApiHarness(
  tillOptions: Parameters<typeof startTill>[0] = {},
  sessionOptions: Partial<Pick<ApiSessionOptions, 'printerTransport' | 'osPrint'>> = {},
): Promise<ApiHarness> {
  // Scans carry the emulator's public TOTP key, which only the emulator environment accepts (docs/safety.md).
  const till = await startTill({ mode: 'emulator', ...tillOptions });
  const scans = await createScanPort(till.core);
  const session = createApiSession({ core: till.core, scans, shell: 'kiosk', statusTickMs: 0, ...sessionOptions });
  const events: ApiEvent[] = [];
  session.subscribe((e) => events.push(e));
  return {
    till, session, events,
    async call<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>> {
      // As the window receives it: a pre-serialised result (the X report) as plain values.
      const r = plainResponse(await session.dispatch(method, input));
      if (!r.ok) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
      return API_METHODS[method].output.parse(r.data) as ApiOutput<M>;
    },
    async fail(method, input) {
      const r = await session.dispatch(method, input);
      if (r.ok) throw new Error(`${method} unexpectedly succeeded`);
      return r.error;
    },
    async close() {
      await session.close();
      await scans.close();
      await till.close();
    },
  };
}
