// The Electron glue, exercised against a recording stand-in for the `electron` module: the binary
// cannot run on every machine, but what the shell asks of Electron can be checked everywhere.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const h = vi.hoisted(() => {
  const appHandlers: Record<string, (...a: unknown[]) => void> = {};
  const ipcHandlers: Record<string, (event: unknown, payload: unknown) => Promise<unknown>> = {};
  const windows: Array<{ opts: Record<string, unknown>; url?: string; sent: unknown[] }> = [];
  const openExternal = vi.fn();
  const session = {
    permissionRequest: null as null | ((...a: unknown[]) => void),
    permissionCheck: null as null | ((...a: unknown[]) => boolean),
    devicePermission: null as null | ((...a: unknown[]) => boolean),
    setPermissionRequestHandler(fn: (...a: unknown[]) => void) {
      this.permissionRequest = fn;
    },
    setPermissionCheckHandler(fn: (...a: unknown[]) => boolean) {
      this.permissionCheck = fn;
    },
    setDevicePermissionHandler(fn: (...a: unknown[]) => boolean) {
      this.devicePermission = fn;
    },
  };
  class BrowserWindow {
    webContents: { send: (n: string, p: unknown) => void };
    record: { opts: Record<string, unknown>; url?: string; sent: unknown[] };
    constructor(opts: Record<string, unknown>) {
      this.record = { opts, sent: [] };
      windows.push(this.record);
      this.webContents = { send: (n, p) => this.record.sent.push([n, p]) };
    }
    once() {}
    isDestroyed() {
      return false;
    }
    loadURL(url: string) {
      this.record.url = url;
      return Promise.resolve();
    }
    static getAllWindows() {
      return instances;
    }
  }
  const instances: BrowserWindow[] = [];
  return { appHandlers, ipcHandlers, windows, openExternal, session, BrowserWindow, instances };
});

vi.mock('electron', () => ({
  shell: { openExternal: h.openExternal },
  ipcMain: { handle: (ch: string, fn: (e: unknown, p: unknown) => Promise<unknown>) => (h.ipcHandlers[ch] = fn) },
  BrowserWindow: h.BrowserWindow,
}));

import { hardenApp, hardenSession } from './hardening';
import { registerIpc } from './ipc';
import { createMainWindow } from './window';
import { createAppServices } from '../services/app-services';
import { CHANNEL_NAMES } from '../../shared/channels';
import { APP_ORIGIN } from '../security';

function fakeContents() {
  const on: Record<string, (...a: unknown[]) => void> = {};
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  return {
    on: (ev: string, fn: (...a: unknown[]) => void) => (on[ev] = fn),
    setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => (openHandler = fn),
    fire: (ev: string, url: string) => {
      const event = { prevented: false, preventDefault() { this.prevented = true; } };
      on[ev]?.(event, url);
      return event.prevented;
    },
    open: (url: string) => openHandler?.({ url }),
  };
}

describe('Electron shell', () => {
  beforeEach(() => {
    h.openExternal.mockClear();
  });

  it('blocks navigation away from the app, webviews, and opens only web links in the system browser', () => {
    const app = { on: (ev: string, fn: (...a: unknown[]) => void) => (h.appHandlers[ev] = fn) };
    hardenApp(app as never);
    const contents = fakeContents();
    h.appHandlers['web-contents-created']?.({}, contents);
    expect(contents.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.fire('will-navigate', `${APP_ORIGIN}/index.html`)).toBe(false);
    expect(contents.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-attach-webview', 'x')).toBe(true);
    expect(contents.open('https://laion.ai/')).toEqual({ action: 'deny' });
    expect(h.openExternal).toHaveBeenCalledWith('https://laion.ai/');
    expect(contents.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(contents.open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(h.openExternal).toHaveBeenCalledTimes(1);
  });

  it('denies every permission request and check but writing text to the clipboard', () => {
    hardenSession(h.session as never);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const cb = vi.fn();
      h.session.permissionRequest?.({}, permission, cb);
      expect(cb, permission).toHaveBeenCalledWith(false);
      expect(h.session.permissionCheck?.({}, permission)).toBe(false);
    }
    const cb = vi.fn();
    h.session.permissionRequest?.({}, 'clipboard-sanitized-write', cb);
    expect(cb).toHaveBeenCalledWith(true);
    expect(h.session.devicePermission?.({})).toBe(false);
  });

  it('creates the window with the secure preferences and loads the app scheme, never file://', () => {
    createMainWindow('/out/preload/index.cjs');
    const win = h.windows.at(-1)!;
    expect(win.opts.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: '/out/preload/index.cjs' });
    expect(win.url).toBe(`${APP_ORIGIN}/index.html`);
  });

  it('handles every channel, refuses senders that are not our top-level page, dispatches the rest', async () => {
    const services = createAppServices({ dataDir: '/tmp/lx-shell-test', demoPath: '/tmp/lx-shell-test/demo.lance', platform: { carrier: 'electron' } });
    registerIpc(services);
    expect(Object.keys(h.ipcHandlers).sort()).toEqual([...CHANNEL_NAMES].sort());
    const handler = h.ipcHandlers['app:info']!;
    const foreign = await handler({ senderFrame: { url: 'https://evil.example/', parent: null } }, {});
    expect(foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const iframe = await handler({ senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: {} } }, {});
    expect(iframe).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const own = await handler({ senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: null } }, {});
    expect(own).toMatchObject({ ok: true, value: { carrier: 'electron' } });
    const bad = await handler({ senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: null } }, { nope: 1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });
});
