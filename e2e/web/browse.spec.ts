import { test, expect, type Page } from '@playwright/test';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';
import { ROOT } from '../support/paths';

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startServe();
});
test.afterAll(async () => bridge.stop());

async function rowsInStatus(page: Page): Promise<number> {
  const text = await page.getByTestId('status-rows').innerText();
  return Number(text.replace(/[^\d]/g, ''));
}

test('opens the built-in demo and shows real thumbnails with their captions', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('status-name')).toContainText('demo');
  // the token left the address bar (and no stray "#"): the page is at the bridge's per-run path
  await expect(page).toHaveURL(new RegExp(`^${bridge.url}/[A-Za-z0-9_-]{16}/$`));
  await expect(page.getByTestId('status-name')).toContainText('demo');
  expect(await rowsInStatus(page)).toBeGreaterThan(2000);
  await expect(page.getByTestId('status-version')).toHaveText(/version \d+/);
  const first = page.getByTestId('tile').first();
  await expect(first.locator('img')).toBeVisible();
  await expect.poll(() => first.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  const captions = await page.locator('.tile-caption').allInnerTexts();
  expect(captions.filter((c) => / emoji \(|national flag of/.test(c)).length).toBeGreaterThan(10);
});

test('keyboard: arrows, Page Down, End, Home move the focus; Enter opens details; Escape closes them', async ({ page }) => {
  await page.goto(bridge.openUrl);
  const grid = page.getByTestId('grid');
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  const total = await rowsInStatus(page);
  const cols = Number(await grid.getAttribute('data-cols'));
  expect(cols).toBeGreaterThan(1);
  await grid.focus();
  const position = page.getByTestId('status-position');
  await page.keyboard.press('ArrowRight');
  await expect(position).toHaveText(`row 2 of ${total.toLocaleString('en-US')}`);
  await page.keyboard.press('ArrowDown');
  await expect(position).toHaveText(`row ${2 + cols} of ${total.toLocaleString('en-US')}`);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowUp');
  await expect(position).toHaveText(`row 1 of ${total.toLocaleString('en-US')}`);
  await page.keyboard.press('PageDown');
  const afterPageDown = Number((await position.innerText()).split(' ')[1]);
  expect(afterPageDown).toBeGreaterThan(cols * 2);
  await expect(page.locator(`[data-testid=tile][data-index="${afterPageDown - 1}"]`)).toHaveAttribute('aria-selected', 'true');

  await page.keyboard.press('End');
  await expect(position).toHaveText(`row ${total.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`);
  const last = page.locator(`[data-testid=tile][data-index="${total - 1}"]`);
  await expect(last).toBeInViewport();
  await expect(last.locator('img')).toBeVisible();

  await page.keyboard.press('Home');
  await expect(position).toHaveText(`row 1 of ${total.toLocaleString('en-US')}`);
  await expect(page.locator('[data-testid=tile][data-index="0"]')).toBeInViewport();

  await page.keyboard.press('ArrowRight');
  const title = await page.locator('[data-testid=tile][data-index="1"]').getAttribute('title');
  await page.keyboard.press('Enter');
  const detail = page.getByTestId('detail');
  await expect(detail).toBeVisible();
  await expect(detail.locator('[data-field=caption] td')).toHaveText(title ?? '');
  await page.keyboard.press('Escape');
  await expect(detail).toBeHidden();
  await expect(grid).toBeFocused();
});

test('the detail panel shows the full image and every field, EXIF as a readable table', async ({ page }) => {
  await page.goto(bridge.openUrl);
  const tile = page.locator('[data-testid=tile][data-index="3"]');
  await expect(tile.locator('img')).toBeVisible();
  await tile.dblclick();
  const detail = page.getByTestId('detail');
  await expect(detail.getByTestId('detail-image')).toBeVisible();
  await expect.poll(() => detail.getByTestId('detail-image').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
  for (const field of ['key', 'image', 'caption', 'url', 'NSFW', 'LICENSE', 'similarity', 'width', 'height', 'exif', 'md5', 'img_emb']) {
    await expect(detail.locator(`[data-field="${field}"]`)).toBeVisible();
  }
  await expect(detail.locator('[data-field=img_emb] td')).toContainText('768-d vector');
  const exif = detail.getByTestId('exif-table');
  await expect(exif).toContainText('ImageDescription');
  await expect(exif).toContainText(await detail.locator('[data-field=caption] td').innerText());
  // The README's picture is made by e2e/web/screenshot.spec.ts (npm run screenshot); this one stays in test-results.
  await page.screenshot({ path: path.join(ROOT, 'test-results', 'playwright', 'detail-panel.png') });
});

test('scrolling fetches the rows around the view and the DOM stays small', async ({ page }) => {
  await page.goto(bridge.openUrl);
  const grid = page.getByTestId('grid');
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await grid.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  // The tiles swap after the scroll event: poll one snapshot rather than read twice.
  let indices: number[] = [];
  await expect
    .poll(async () => {
      indices = await page.getByTestId('tile').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))));
      return Math.min(...indices);
    })
    .toBeGreaterThan(500);
  expect(indices.length).toBeLessThan(120);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
});

test('? lists every key, and the keys it lists work without a mouse', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await page.getByTestId('grid').focus();
  await page.keyboard.press('?');
  const overlay = page.getByTestId('keys-overlay');
  await expect(overlay).toBeVisible();
  for (const k of ['Page Up / Page Down', 'Home / End', 'Enter (or double click)', 'S', 'Space', '1 – 9', '/', 'Ctrl+O / ⌘O', 'Alt+← / Alt+→']) await expect(overlay).toContainText(k);
  await page.keyboard.press('Escape');
  await expect(overlay).toBeHidden();
  // back on the grid: the keys go on working
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('status-position')).toContainText('row 2 of');
  // typing ? in a field is a character, not the overlay
  await page.getByTestId('sql-input').fill('');
  await page.getByTestId('sql-input').press('?');
  await expect(overlay).toBeHidden();
  // and the toolbar button opens it too, reachable with Tab
  await page.getByTestId('keys-button').focus();
  await page.keyboard.press('Enter');
  await expect(overlay).toBeVisible();
});

test('Tab walks the window in a few stops, each one visibly focused', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  const stops: Array<{ id: string; visible: boolean }> = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    stops.push(
      await page.evaluate(() => {
        const e = document.activeElement as HTMLElement;
        const cs = getComputedStyle(e);
        const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
        return { id: e.getAttribute('data-testid') ?? e.getAttribute('aria-label') ?? e.tagName, visible: ring };
      }),
    );
    if (stops.length > 1 && stops.at(-1)!.id === stops[0]!.id) break; // back at the start
  }
  // BODY is the browser's own stop (its address bar) between the end and the start again
  expect(stops.filter((s) => !s.visible && s.id !== 'BODY'), JSON.stringify(stops)).toEqual([]);
  // the grid is one stop, not one per tile
  expect(stops.filter((s) => s.id === 'grid')).toHaveLength(1);
  expect(stops.filter((s) => s.id === 'find-similar')).toHaveLength(0);
});
