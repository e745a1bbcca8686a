// What the till's config offers the sale screen: the payment methods of the configured providers
// (`sale.methods`, each ready or with its problem) and the sale line enums (`sale.catalogue`).
// Read when the link to the core opens and again when the status says config or health changed; the
// last good answer stays on screen while a read fails.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { PaydeskApi, StatusView } from '../../main/contract/api';
import type { PaymentMethodView } from '../../main/contract/checkout';

export interface TillSetup {
  methods: readonly PaymentMethodView[];
  taxes: readonly string[];
  measures: readonly string[];
  /** Reads the methods again (before the cashier chooses: readiness may have changed). */
  refreshMethods: () => Promise<readonly PaymentMethodView[]>;
}

const EMPTY: TillSetup = { methods: [], taxes: [], measures: [], refreshMethods: () => Promise.resolve([]) };
export const TillSetupContext = createContext<TillSetup>(EMPTY);

export function useTillSetup(): TillSetup {
  return useContext(TillSetupContext);
}

/** What in the status can change the methods' readiness or the config's lists. */
function statusSignature(status: StatusView | null): string {
  if (!status) return '';
  const providers = status.providers.map((p) => `${p.provider}:${String(p.ready)}:${p.problem?.key ?? ''}`).join(',');
  return [status.config.version, status.health.payApi, status.environment.blocked?.key ?? '', status.environment.mode, providers].join('|');
}

export function TillSetupProvider({ api, open, status, children }: { api: PaydeskApi; open: boolean; status: StatusView | null; children: ReactNode }): ReactNode {
  const [methods, setMethods] = useState<readonly PaymentMethodView[]>([]);
  const [lists, setLists] = useState<{ taxes: readonly string[]; measures: readonly string[] }>({ taxes: [], measures: [] });
  const methodsRef = useRef(methods);
  methodsRef.current = methods;
  const refreshMethods = useCallback(async (): Promise<readonly PaymentMethodView[]> => {
    try {
      const next = await api.call('sale.methods', {});
      setMethods(next);
      return next;
    } catch {
      return methodsRef.current;
    }
  }, [api]);
  const signature = statusSignature(status);
  useEffect(() => {
    if (!open) return;
    void refreshMethods();
    api.call('sale.catalogue', {}).then((c) => setLists({ taxes: c.taxes, measures: c.measures }), () => undefined);
  }, [api, open, signature, refreshMethods]);
  return (
    <TillSetupContext.Provider value={{ methods, taxes: lists.taxes, measures: lists.measures, refreshMethods }}>
      {children}
    </TillSetupContext.Provider>
  );
}
