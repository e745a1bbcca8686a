import { createContext, useContext, useEffect, useRef } from 'react';
import type { ApiEventName, ApiEventPayload, PaydeskApi } from '../../main/contract/api';

export const ApiContext = createContext<PaydeskApi | null>(null);

export function useApi(): PaydeskApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('ApiContext missing');
  return api;
}

/** Subscribe to one core event for the component's lifetime (latest handler always used). */
export function useApiEvent<E extends ApiEventName>(event: E, handler: (payload: ApiEventPayload<E>) => void): void {
  const api = useApi();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => api.on(event, (payload) => ref.current(payload)), [api, event]);
}
