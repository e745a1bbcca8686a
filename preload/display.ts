// Preload of the customer display window (sandboxed, bundled to one CommonJS file): a subscribe to the
// display's frames and nothing else — no invoke, so the page has no way to ask the core for anything.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_DISPLAY } from '../main/contract/display';

contextBridge.exposeInMainWorld('paydeskDisplay', {
  subscribe(listener: (frame: unknown) => void): () => void {
    const handler = (_event: IpcRendererEvent, frame: unknown): void => listener(frame);
    ipcRenderer.on(IPC_DISPLAY, handler);
    return () => {
      ipcRenderer.removeListener(IPC_DISPLAY, handler);
    };
  },
});
