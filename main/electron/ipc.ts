// One ipcMain.handle per contract channel, each checking its sender before the shared dispatch.
// Events from services are forwarded to every window.
import { BrowserWindow, ipcMain } from 'electron';
import { CHANNEL_NAMES, EVENT_NAMES } from '../../shared/channels';
import { fail } from '../../shared/result';
import { createDispatch } from '../dispatch';
import { isTrustedSender } from '../security';
import type { AppServices } from '../services/app-services';

export function registerIpc(services: AppServices, devServerUrl?: string): void {
  const dispatch = createDispatch(services);
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      const frame = event.senderFrame;
      if (!isTrustedSender(frame ? { url: frame.url, isMainFrame: frame.parent === null } : null, devServerUrl)) {
        return fail('FORBIDDEN', 'Request refused: it did not come from the app\'s own page.');
      }
      return dispatch(channel, payload);
    });
  }
  for (const name of EVENT_NAMES) {
    services.events.on(name, (payload) => {
      for (const win of BrowserWindow.getAllWindows()) {
        if (!win.isDestroyed()) win.webContents.send(name, payload);
      }
    });
  }
}
