import { test, expect, type Page } from '@playwright/test';
import { startServe, type RunningBridge } from '../support/bridge';
import { BIG, BIG_ROWS } from '../support/paths';

// The generated table's keys are 100,000,000 + row index: every tile can be checked for being the right row.
const KEY0 = 100_000_000;
let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startServe({ dataset: BIG });
});
test.afterAll(async () => bridge.stop());

async function renderedTiles(page: Page) {
  return page.getByTestId('tile').evaluateAll((els) =>
    els.map((e) => ({ index: Number(e.getAttribute('data-index')), key: e.getAttribute('data-key') })),
  );
}

async function expectRightRows(page: Page) {
  // Wait until the visible tiles have their rows, then check every one against its index.
  await expect.poll(async () => (await renderedTiles(page)).filter((t) => t.key !== null).length).toBeGreaterThan(10);
  const tiles = (await renderedTiles(page)).filter((t) => t.key !== null);
  for (const t of tiles) expect(Number(t.key), `tile ${t.index}`).toBe(KEY0 + t.index);
  return tiles;
}

test('scrolls a 100k-row table to its end and back with the right rows and a small DOM', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('status-rows')).toHaveText('100,000 rows');
  const grid = page.getByTestId('grid');
  await expectRightRows(page);

  await grid.focus();
  await page.keyboard.press('End');
  const last = page.locator(`[data-testid=tile][data-index="${BIG_ROWS - 1}"]`);
  await expect(last).toBeInViewport();
  await expect(last).toHaveAttribute('data-key', String(KEY0 + BIG_ROWS - 1));
  await expect(last.locator('img')).toBeVisible();
  const atEnd = await expectRightRows(page);
  expect(Math.max(...atEnd.map((t) => t.index))).toBe(BIG_ROWS - 1);

  // Drag-like jumps through the middle: each lands on correct rows.
  for (const fraction of [0.37, 0.81, 0.05]) {
    await grid.evaluate((el, f) => (el.scrollTop = (el.scrollHeight - el.clientHeight) * f), fraction);
    const tiles = await expectRightRows(page);
    const expected = Math.floor(BIG_ROWS * fraction);
    expect(Math.abs((tiles[0]?.index ?? 0) - expected)).toBeLessThan(BIG_ROWS * 0.02);
  }

  await page.keyboard.press('Home');
  await expect(page.locator('[data-testid=tile][data-index="0"]')).toHaveAttribute('data-key', String(KEY0));
  await expectRightRows(page);

  const domSize = await page.evaluate(() => ({
    tiles: document.querySelectorAll('[data-testid=tile]').length,
    nodes: document.querySelectorAll('*').length,
  }));
  expect(domSize.tiles).toBeLessThan(120);
  expect(domSize.nodes).toBeLessThan(1500);
});

test('web links in a row open outside the app (new browsing context, no opener)', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await page.locator('[data-testid=tile][data-index="0"]').dblclick();
  const link = page.getByTestId('detail').getByTestId('external-link');
  await expect(link).toHaveText(`https://example.com/images/${KEY0}.jpg`);
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', /noopener/);
});
