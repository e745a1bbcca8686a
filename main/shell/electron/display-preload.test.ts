// The customer display window's preload (preload/display.ts) gives its page a subscribe and nothing else: no
// invoke, so no request of any kind can leave that window (the main process also answers the till's window only).
import { describe, expect, it, vi } from 'vitest';

const exposed: Record<string, unknown> = {};
const listeners = new Map<string, (event: unknown, payload: unknown) => void>();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => { exposed[name] = api; } },
  ipcRenderer: {
    on: (channel: string, l: (event: unknown, payload: unknown) => void) => { listeners.set(channel, l); },
    removeListener: (channel: string) => { listeners.delete(channel); },
    invoke: () => { throw new Error('the display preload must never invoke'); },
  },
}));

describe('customer display preload (Electron)', () => {
  it('exposes only paydeskDisplay.subscribe, on the display channel, without the Electron event', async () => {
    await import('../../../preload/display');
    expect(Object.keys(exposed)).toEqual(['paydeskDisplay']);
    const api = exposed.paydeskDisplay as Record<string, unknown>;
    expect(Object.keys(api)).toEqual(['subscribe']);
    const got: unknown[] = [];
    const off = (api.subscribe as (l: (f: unknown) => void) => () => void)((f) => got.push(f));
    expect([...listeners.keys()]).toEqual(['paydesk:display']);
    listeners.get('paydesk:display')?.({ sender: 'electron internals' }, { display: { state: 'idle' } });
    expect(got).toEqual([{ display: { state: 'idle' } }]);
    off();
    expect(listeners.size).toBe(0);
  });
});
