// The narrow bridge between the sandboxed page and main: one function per contract channel and
// `on` for the listed events. No generic invoke, no Node, no Electron objects cross over.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNELS, EVENT_NAMES, type EventName } from '../shared/channels';

const api: Record<string, unknown> = {};
for (const [method, channel] of Object.entries(CHANNELS)) {
  api[method] = (request: unknown) => ipcRenderer.invoke(channel, request ?? {});
}
api.on = (event: EventName, listener: (payload: unknown) => void) => {
  if (!EVENT_NAMES.includes(event)) throw new Error(`Unknown event ${String(event)}`);
  const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(event, handler);
  return () => ipcRenderer.removeListener(event, handler);
};

contextBridge.exposeInMainWorld('api', Object.freeze(api));
