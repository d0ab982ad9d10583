// The README's picture: a real-looking view (a filtered grid of the demo with the detail panel open).
// In `npm test` it is a check that this view renders, saved under test-results; `npm run screenshot`
// sets LX_SCREENSHOT to write docs/screenshot.png on purpose.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';
import { ROOT } from '../support/paths';

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startServe();
});
test.afterAll(async () => bridge.stop());

test('the README view: flags of the demo, filtered, with one open in the detail panel', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await page.getByTestId('add-filter').selectOption('caption');
  await page.getByLabel('caption value').fill('national flag');
  await page.getByTestId('apply-view').click();
  await expect(page.getByTestId('view-count')).toContainText('rows match');
  const tile = page.locator('[data-testid=tile][data-index="2"]');
  await expect(tile.locator('img')).toBeVisible();
  await tile.dblclick();
  const detail = page.getByTestId('detail');
  await expect(detail.locator('[data-field=caption]')).toContainText('flag');
  await expect.poll(() => detail.getByTestId('detail-image').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
  // every visible tile has its picture before the shot
  await expect
    .poll(() =>
      page.getByTestId('grid').evaluate((grid) => {
        const box = grid.getBoundingClientRect();
        return [...grid.querySelectorAll('[data-testid=tile]')]
          .filter((t) => t.getBoundingClientRect().top < box.bottom - 50)
          .every((t) => !!t.querySelector('img') && (t.querySelector('img') as HTMLImageElement).naturalWidth > 0);
      }),
    )
    .toBe(true);
  await page.screenshot({ path: process.env.LX_SCREENSHOT ? path.resolve(ROOT, process.env.LX_SCREENSHOT) : path.join(ROOT, 'test-results', 'playwright', 'readme-view.png') });
});
