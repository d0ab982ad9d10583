// Every window width from 640 px: no horizontal scroll on the page or in a dialog; a long path is
// shortened in the middle with the whole path on hover.
import { test, expect, type Page } from '@playwright/test';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';
import { DIALOGS } from '../support/dialogs';
import { DEMO } from '../support/paths';

let dir: string;
let deep: string;
let bridge: RunningBridge;
test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-e2e-widths-'));
  deep = path.join(dir, 'a-rather-long-folder-name-for-datasets', 'laion-subsets', '2026-12-01-curated', 'demo.lance');
  cpSync(DEMO, deep, { recursive: true });
  bridge = await startServe({ dataset: deep });
});
test.afterAll(async () => {
  await bridge.stop();
  rmSync(dir, { recursive: true, force: true });
});

const overflow = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((els) => els.map((e) => e.scrollWidth - e.clientWidth).reduce((a, b) => Math.max(a, b), 0));

for (const width of [640, 800, 1024, 1440]) {
  test(`at ${width} px nothing is cut off or scrolls sideways`, async ({ page }) => {
    await page.setViewportSize({ width, height: 760 });
    await page.goto(bridge.openUrl);
    await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);
    for (const id of ['apply-view', 'view-count', 'versions-button', 'merge-button']) {
      const box = await page.getByTestId(id).boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.x + box!.width, id).toBeLessThanOrEqual(width);
    }
    const shown = page.getByTestId('toolbar-path');
    await expect(shown).toHaveAttribute('title', deep);
    if (deep.length > 64) await expect(shown).toContainText('…');
    for (const [button, dialog] of DIALOGS) {
      const b = page.getByTestId(button);
      if (!(await b.count())) continue;
      await b.click();
      await expect(page.getByTestId(dialog)).toBeVisible();
      await page.waitForTimeout(100);
      expect(await overflow(page, '.modal'), `${dialog} at ${width}`).toBeLessThanOrEqual(0);
      expect(await page.locator('.modal').evaluate((m) => m.scrollLeft)).toBe(0);
      await page.keyboard.press('Escape');
      await expect(page.getByTestId(dialog)).toBeHidden();
    }
  });
}
