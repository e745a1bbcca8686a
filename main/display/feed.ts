// The customer display's state over time: follows the till's payments (core operation events), the
// cashier's basket total and the live config, and tells its listeners when what the customer sees changes.
// One per core; both shells hand its views to the display window only (docs/ui.md "Customer display").
import { customerDisplayViewSchema, type CustomerDisplayView } from '../contract/display';
import type { OperationView } from '../contract/checkout';
import type { PaydeskConfig } from '../config/schema';
import { customerDisplayView, follows } from './view';

/** What the feed needs of the core. */
export interface DisplayCore {
  config: { current(): PaydeskConfig; onChange(listener: (config: PaydeskConfig) => void): () => void };
  onEvent(listener: (event: { type: string; operation?: OperationView }) => void): () => void;
}

export interface CustomerDisplayFeed {
  current(): CustomerDisplayView;
  /** config customerDisplay.enabled right now (the shells open / close the window on it). */
  enabled(): boolean;
  subscribe(listener: (view: CustomerDisplayView) => void): () => void;
  /** The cashier's basket total (display.basket). */
  setBasket(totalKop: number): void;
  close(): void;
}

export function createCustomerDisplayFeed(core: DisplayCore): CustomerDisplayFeed {
  let payment: OperationView | null = null;
  let basketKop: number | null = null;
  let resultFresh = false;
  let resultTimer: NodeJS.Timeout | null = null;
  const listeners = new Set<(view: CustomerDisplayView) => void>();
  const settings = (): PaydeskConfig['customerDisplay'] => core.config.current().customerDisplay;

  const compute = (): CustomerDisplayView => customerDisplayViewSchema.parse(customerDisplayView({
    enabled: settings().enabled, storeName: core.config.current().till.storeName, basketKop, payment, resultFresh,
  }));
  // A view that does not parse (a bug) must never throw into the core's event loop: the display keeps the last one.
  const safe = (): CustomerDisplayView | null => {
    try {
      return compute();
    } catch {
      return null;
    }
  };
  let lastView: CustomerDisplayView = safe() ?? { state: 'off', storeName: '', totalKop: null, qr: null };
  let last = JSON.stringify(lastView);
  const publish = (): void => {
    const view = safe();
    if (view === null) return;
    lastView = view;
    const key = JSON.stringify(view);
    if (key === last) return;
    last = key;
    for (const listener of listeners) {
      try {
        listener(view);
      } catch {
        // one broken display connection must not starve the others
      }
    }
  };
  const endResult = (): void => {
    if (resultTimer) clearTimeout(resultTimer);
    resultTimer = null;
    resultFresh = false;
  };

  const offEvent = core.onEvent((event) => {
    const op = event.type === 'operation' ? event.operation : undefined;
    if (!op || op.kind !== 'payment') return;
    const isCurrent = payment?.id === op.id;
    // A payment ending in the background (parked, recovered) never takes the screen from the customer at the till.
    if (!isCurrent && (op.isFinal || !follows(op))) return;
    payment = op;
    if (op.isFinal) {
      basketKop = null; // that basket is paid (or given up): the next one starts from the cashier's next total
      endResult();
      resultFresh = true;
      resultTimer = setTimeout(() => {
        resultTimer = null;
        resultFresh = false;
        publish();
      }, settings().resultSeconds * 1000);
      resultTimer.unref();
    }
    publish();
  });
  const offConfig = core.config.onChange(() => publish());

  return {
    current: () => safe() ?? lastView,
    enabled: () => settings().enabled,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setBasket(totalKop) {
      basketKop = totalKop;
      // A new basket after a result: the next customer is at the till.
      if (totalKop > 0 && payment?.isFinal) endResult();
      publish();
    },
    close() {
      endResult();
      offEvent();
      offConfig();
      listeners.clear();
    },
  };
}
