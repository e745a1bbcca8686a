// Adapter from the scanning capability (main/scanner ScanHub + the TOTP verifier) to the API
// session: scan events carry the cashier's instruction when rejected, the busy gate follows the
// core's payments in flight, and a scanner section edit (hot reload) restarts the hub.
import type { ScanEvent } from '../contract/scan';
import type { ScanResultView, ScannerStateView } from '../contract/api';
import type { OperationView } from '../contract/checkout';
import type { Core } from '../core/types';
import { describeError, isErrorKey } from '../errors/catalogue';
import { createScanHub, type ScanHub } from '../scanner';
import type { TotpVerifier } from '../totp';
import type { ScanPort } from './session';

/** Rejections that, for a split or unterminated wedge burst, mean "read badly" rather than "wrong card". */
const SPLIT_REASONS: ReadonlySet<string> = new Set(['wrong_prefix', 'bad_length', 'bad_characters', 'empty']);

export function toScanResult(scan: ScanEvent): ScanResultView {
  const parsed = scan.parsed;
  if (parsed.ok) return { scan, error: null };
  const key = isErrorKey(parsed.errorKey) ? parsed.errorKey : 'barcode.invalid';
  return { scan, error: describeError(key, [parsed.reason, parsed.detail].filter(Boolean).join(': ')) };
}

export async function createScanPort(core: Core): Promise<ScanPort> {
  // The core's verifier, looked up per scan: after a TOTP edit the new one is used at once, and there is
  // only ever one instance of the vendor library (the one that also makes the token header).
  const liveVerifier: TotpVerifier = {
    get kind() { return core.verifier().kind; },
    verifyBarcode: (raw, options) => core.verifier().verifyBarcode(raw, options),
    getToken: () => core.verifier().getToken(),
    close: async () => {},
  };
  const scanListeners = new Set<(scan: ScanResultView) => void>();
  const stateListeners = new Set<(state: ScannerStateView) => void>();
  const inFlight = new Set<string>();
  // Payments being started through the API: busy from the call on, not only from the core's first
  // operation event (which comes with the checkout answer, after sale.pay has already returned).
  let starting = 0;
  const refreshBusy = (): void => hub?.setBusy(starting > 0 || inFlight.size > 0);
  let hub: ScanHub | null = null;
  let offHub: (() => void)[] = [];

  const state = (): ScannerStateView => {
    const config = core.config.current().scanner;
    const status = hub?.status() ?? null;
    return { serial: status && status.state !== 'disabled' ? status : null, wedge: config.wedge };
  };
  const pushState = (): void => {
    const s = state();
    for (const l of stateListeners) l(s);
  };

  const open = async (): Promise<void> => {
    const config = core.config.current();
    const next = createScanHub(config.scanner, liveVerifier, { tokenFormats: () => core.checkout.tokenFormats?.() ?? [] });
    next.setBusy(starting > 0 || inFlight.size > 0);
    offHub = [
      next.onScan((event) => {
        const result = toScanResult(event);
        for (const l of scanListeners) l(result);
      }),
      next.onStatus(() => pushState()),
    ];
    hub = next;
    // A missing serial port must not stop the till: the hub reports the state and keeps reconnecting.
    void next.start().catch(() => pushState());
  };
  const shut = async (): Promise<void> => {
    for (const off of offHub) off();
    offHub = [];
    const old = hub;
    hub = null;
    await old?.stop();
  };

  await open();

  const offCore = core.onEvent((event) => {
    if (event.type !== 'operation' || event.operation.kind !== 'payment') return;
    if (event.operation.isFinal) inFlight.delete(event.operation.id);
    else inFlight.add(event.operation.id);
    refreshBusy();
  });
  const offConfig = core.config.onChange((config, previous) => {
    if (JSON.stringify(config.scanner) === JSON.stringify(previous.scanner) && JSON.stringify(config.totp) === JSON.stringify(previous.totp)) return;
    void shut().then(open).then(pushState).catch(() => pushState());
  });

  const ready = (): ScanHub => {
    if (!hub) throw new Error('scanner restarting');
    return hub;
  };

  return {
    state,
    submitWedge: async (code, _interKeyMs, suspect) => {
      const result = toScanResult(await ready().submitWedge(code));
      const parsed = result.scan.parsed;
      // Half a scan (the scanner paused, or its Enter never came) is a misread: ask to scan again,
      // never tell the cashier it is not the store's card.
      if (suspect && !parsed.ok && SPLIT_REASONS.has(parsed.reason)) {
        return { ...result, error: describeError('barcode.bad_length', `wedge burst split or unterminated (${parsed.reason}: ${parsed.detail ?? ''})`) };
      }
      return result;
    },
    submitManual: async (code) => toScanResult(await ready().submitManual(code)),
    submitImage: async (png) => toScanResult(await ready().submitImage(png)),
    submitDecoded: async (code, symbology) => toScanResult(await ready().submit(code, 'image', symbology)),
    async guardPayment<T extends OperationView>(start: () => Promise<T>): Promise<T> {
      starting += 1;
      refreshBusy();
      try {
        const operation = await start();
        // Still open (per the journal, read now): in flight until its final event.
        if (!core.checkout.get(operation.id)?.isFinal && !operation.isFinal) inFlight.add(operation.id);
        return operation;
      } finally {
        starting -= 1;
        refreshBusy();
      }
    },
    onScan(listener) {
      scanListeners.add(listener);
      return () => scanListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    async close() {
      offCore();
      offConfig();
      await shut();
    },
  };
}
