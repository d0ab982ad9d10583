// The same smoke path in the real Electron app. Runs where an Electron binary is installed; elsewhere
// every test is skipped with the reason printed, and the web project covers the UI in Chromium.
import { test, expect, _electron as electron, type ElectronApplication } from '@playwright/test';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { DEMO, ROOT } from '../support/paths';

function electronBinary(): { path: string | null; why: string } {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown as string;
    if (typeof p === 'string' && existsSync(p)) return { path: p, why: '' };
    return { path: null, why: `the electron package is installed but its binary is missing (${p}): its download failed or was skipped (no internet here)` };
  } catch (err) {
    return { path: null, why: `the electron binary could not be located: ${(err as Error).message.split('\n')[0]}` };
  }
}

const bin = electronBinary();

/** The built app in Electron, with its own home folder and demo dataset. */
function launch(demo: string, home: string): Promise<ElectronApplication> {
  return electron.launch({
    executablePath: bin.path as string,
    args: [path.join(ROOT, 'out', 'main', 'index.js')],
    env: { ...process.env, LANCE_EXPLORER_DEMO: demo, LANCE_EXPLORER_HOME: home },
  });
}
if (!bin.path) console.warn(`[electron e2e] NOT RUN: ${bin.why}. The web project runs the same UI in Chromium.`);

test.describe('Electron app', () => {
  test.skip(!bin.path, `Electron binary unavailable: ${bin.why}`);
  let app: ElectronApplication;
  let home: string;

  test.beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'lx-electron-'));
    app = await launch(DEMO, home);
  });
  test.afterAll(async () => {
    await app?.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('opens the demo in a sandboxed, isolated window served from the app scheme', async () => {
    const win = await app.firstWindow();
    expect(win.url()).toMatch(/^lance-explorer:\/\/app\//);
    await expect(win.getByTestId('status-name')).toContainText('demo');
    await expect(win.getByTestId('tile').first().locator('img')).toBeVisible();
    // No Node in the page, and only the narrow API.
    expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await win.evaluate(() => Object.keys((window as unknown as { api: object }).api).sort())).toContain('getPage');
    // Context isolation: the page sees a frozen copy of the API, not the preload's world or ipcRenderer.
    expect(await win.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(await win.evaluate(() => typeof (window as unknown as { ipcRenderer?: unknown }).ipcRenderer)).toBe('undefined');
    expect(await win.evaluate(() => Object.isFrozen((window as unknown as { api: object }).api))).toBe(true);
  });

  test('keyboard navigation and the detail panel work in the app', async () => {
    const win = await app.firstWindow();
    await win.getByTestId('grid').focus();
    await win.keyboard.press('ArrowRight');
    await expect(win.getByTestId('status-position')).toContainText('row 2 of');
    await win.keyboard.press('Enter');
    await expect(win.getByTestId('detail')).toBeVisible();
  });

  test('the window refuses to navigate away', async () => {
    const win = await app.firstWindow();
    const before = win.url();
    await win.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await win.waitForTimeout(500);
    expect(win.url()).toBe(before);
  });
});

test.describe('Electron app, labelling', () => {
  test.skip(!bin.path, `Electron binary unavailable: ${bin.why}`);
  let app: ElectronApplication;
  let home: string;

  test.beforeAll(async () => {
    // A copy of the demo: labelling writes new versions.
    home = mkdtempSync(path.join(os.tmpdir(), 'lx-electron-labels-'));
    cpSync(DEMO, path.join(home, 'demo.lance'), { recursive: true });
    app = await launch(path.join(home, 'demo.lance'), home);
  });
  test.afterAll(async () => {
    await app?.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('add a category column through the form and label an image with a key', async () => {
    const win = await app.firstWindow();
    await expect(win.getByTestId('tile').first().locator('img')).toBeVisible();
    await win.getByTestId('add-column-button').click();
    await win.getByTestId('addcol-name').fill('quality');
    await win.getByTestId('addcol-categories').fill('good, blurry');
    await win.getByTestId('addcol-add').click();
    await expect(win.getByTestId('labelbar')).toBeVisible();
    await win.locator('[data-testid=tile][data-index="0"]').click();
    await win.keyboard.press('2');
    await expect(win.locator('[data-testid=tile][data-index="0"]').getByTestId('tile-label')).toHaveText('blurry');
  });
});
