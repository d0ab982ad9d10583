// The main window: served from the app scheme (never file://), with the checklist's web preferences.
import { BrowserWindow } from 'electron';
import { APP_ORIGIN, secureWebPreferences } from '../security';

export function createMainWindow(preloadPath: string, devServerUrl?: string, packaged = false): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 640,
    minHeight: 480,
    title: 'Lance Explorer',
    backgroundColor: '#111418',
    show: false,
    webPreferences: secureWebPreferences(preloadPath, { packaged }),
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return win;
}
