// Electron entry: the thin shell. Registers the app scheme before `ready`, hardens every web
// contents, wires IPC to the shared dispatch function, and opens the window. All real work lives
// in main/services (plain Node, tested without Electron).
import { commandLineLocation } from '../services/dataset/dataset-locate';
import { app, BrowserWindow, dialog, protocol, safeStorage, session } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_SCHEME } from '../../shared/channels';
import { createAppServices } from '../services/app-services';
import { encryptedFileStore } from '../services/hub/secret-file';
import { indexStaticFiles, serveAppRequest } from '../app-routes';
import { hardenApp, hardenSession } from './hardening';
import { devServerUrlFor } from '../security';
import { registerIpc } from './ipc';
import { createMainWindow } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
// Development only: a packaged build never loads its window from an environment-given URL.
const devServerUrl = devServerUrlFor(process.env, app.isPackaged);

// Must happen before `ready`: a standard, secure scheme gets an origin, so CSP 'self' and fetch work.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
]);
app.enableSandbox();
hardenApp(app, devServerUrl);

const startupPath = process.argv.slice(app.isPackaged ? 1 : 2).find((a) => !a.startsWith('-')) ?? null;

app.whenReady().then(async () => {
  const services = createAppServices({
    dataDir: app.getPath('userData'),
    platform: {
      carrier: 'electron',
      pickFolder: async () => {
        const win = BrowserWindow.getFocusedWindow();
        const opts = { title: 'Open a Lance dataset', properties: ['openDirectory' as const] };
        const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      // The Hub token typed in the download dialog is kept only as safeStorage ciphertext.
      secrets: encryptedFileStore(path.join(app.getPath('userData'), 'secrets'), {
        available: () => safeStorage.isEncryptionAvailable(),
        encrypt: (s) => safeStorage.encryptString(s),
        decrypt: (b) => safeStorage.decryptString(b),
      }),
    },
    version: app.getVersion(),
    startupPath: startupPath ? commandLineLocation(startupPath) : null,
  });
  const statics = await indexStaticFiles(path.join(here, '..', 'renderer'));
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, services.datasets, statics));
  hardenSession(session.defaultSession);
  registerIpc(services, devServerUrl);
  createMainWindow(path.join(here, '..', 'preload', 'index.cjs'), devServerUrl, app.isPackaged);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(path.join(here, '..', 'preload', 'index.cjs'), devServerUrl, app.isPackaged);
  });
  app.on('will-quit', () => services.dispose());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
