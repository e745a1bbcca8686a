// Preload (sandboxed, bundled to one CommonJS file): exposes exactly the contract's bridge as
// window.paydesk. No raw ipcRenderer, no channel names outside the contract; the Electron event
// object never reaches the page; unknown methods are refused before they reach IPC.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { PaydeskBridge } from '../main/contract/api';
import { IPC_EVENT, IPC_INVOKE, isApiMethodName } from '../main/contract/api-names';

const bridge: PaydeskBridge = {
  invoke(method, input) {
    if (!isApiMethodName(method)) {
      return Promise.resolve({ ok: false, error: { key: 'ipc.invalid', ru: 'Внутренняя ошибка кассы. Повторите действие.', en: 'Invalid request from the UI.', action: 'retry', severity: 'error', details: 'unknown method' } });
    }
    return ipcRenderer.invoke(IPC_INVOKE, method, input) as Promise<unknown>;
  },
  subscribe(listener) {
    const handler = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
};

contextBridge.exposeInMainWorld('paydesk', bridge);
