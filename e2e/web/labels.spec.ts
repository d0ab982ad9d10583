// Labelling from the grid, on a copy of the demo: add a category column through the form, label three
// images with the keyboard, see the labels after a reload, tag, and open the version before the labels.
import { test, expect, type Page } from '@playwright/test';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';
import { DEMO } from '../support/paths';

let dir: string;
let bridge: RunningBridge;
test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-e2e-labels-'));
  cpSync(DEMO, path.join(dir, 'demo.lance'), { recursive: true });
  bridge = await startServe({ dataset: path.join(dir, 'demo.lance') });
});
test.afterAll(async () => {
  await bridge.stop();
  rmSync(dir, { recursive: true, force: true });
});

const tile = (page: Page, i: number) => page.locator(`[data-testid=tile][data-index="${i}"]`);
const version = async (page: Page) => Number((await page.getByTestId('status-version').innerText()).replace('version ', ''));

test('add a category column, label three images with the keyboard, reload, tag, and see the labels absent before', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(tile(page, 0).locator('img')).toBeVisible();
  await expect(page.getByTestId('labelbar')).toHaveCount(0); // nothing to label yet

  // The form: a category column with three values.
  await page.getByTestId('add-column-button').click();
  await page.getByTestId('addcol-name').fill('quality');
  await page.getByTestId('addcol-categories').fill('good, blurry, watermark');
  await page.getByTestId('addcol-add').click();
  await expect(page.getByTestId('add-column-dialog')).toBeHidden();
  await expect(page.getByTestId('labelbar')).toContainText('1good');
  const unlabelled = await version(page);

  for (const i of [0, 1, 2, 3]) await expect(tile(page, i)).toHaveAttribute('data-key', /\d+/);
  const keys = await Promise.all([0, 1, 2, 3].map((i) => tile(page, i).getAttribute('data-key')));
  // Tile 0: focus it and press 1.
  await tile(page, 0).click();
  await expect(page.getByTestId('selection-count')).toHaveText('The focused image');
  await page.keyboard.press('1');
  await expect(tile(page, 0).getByTestId('tile-label')).toHaveText('good');
  await expect(page.getByTestId('undo-bar')).toContainText('Labelled 1 row: quality = good');
  // Tiles 2 and 3: Space selects, arrows move, 2 labels the selection.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('selection-count')).toHaveText('2 selected');
  await expect(tile(page, 2)).toHaveAttribute('aria-selected', 'true');
  await expect(tile(page, 1)).toHaveAttribute('aria-selected', 'false');
  await page.keyboard.press('2');
  await expect(tile(page, 2).getByTestId('tile-label')).toHaveText('blurry');
  await expect(tile(page, 3).getByTestId('tile-label')).toHaveText('blurry');
  await expect(tile(page, 1).getByTestId('tile-label')).toHaveCount(0);
  // The tiles stayed where they were (Lance rewrote the rows; the session follows them).
  expect(await Promise.all([0, 1, 2, 3].map((i) => tile(page, i).getAttribute('data-key')))).toEqual(keys);
  expect(await version(page)).toBe(unlabelled + 2);
  await page.screenshot({ path: path.join('test-results', 'playwright', 'labels-grid.png') });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('selection-count')).toHaveText('The focused image');

  // The detail panel shows and sets the label of the open row.
  await tile(page, 3).dblclick();
  const detail = page.getByTestId('detail-labels');
  await expect(detail.getByTestId('detail-label-quality-2')).toHaveAttribute('aria-pressed', 'true');
  await detail.getByTestId('detail-label-quality-3').click();
  await expect(tile(page, 3).getByTestId('tile-label')).toHaveText('watermark');
  await expect(detail.getByTestId('detail-label-quality-3')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('detail').locator('[data-field=quality]')).toContainText('watermark');
  await page.screenshot({ path: path.join('test-results', 'playwright', 'labels-detail.png') });
  await page.keyboard.press('Escape');
  const labelled = await version(page);

  // Reload: a new session reads the labels from disk.
  await page.reload();
  await expect(tile(page, 0).locator('img')).toBeVisible();
  await page.getByTestId('sql-input').fill('quality IS NOT NULL');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('3 of');
  const shown = new Map<string, string>();
  for (let i = 0; i < 3; i++) {
    const text = await tile(page, i).getByTestId('tile-label').innerText(); // waits for the row to load
    shown.set((await tile(page, i).getAttribute('data-key')) as string, text);
  }
  expect(shown).toEqual(new Map([[keys[0], 'good'], [keys[2], 'blurry'], [keys[3], 'watermark']]));

  // Tag the labelled version, then open the version before the labels: read-only, no labels.
  await page.getByTestId('versions-button').click();
  const current = page.locator(`[data-testid=version-row][data-version="${labelled}"]`);
  await current.getByTestId('tag-add').click();
  await page.getByTestId('tag-input').fill('first-labels');
  await page.keyboard.press('Enter');
  await expect(current.getByTestId('tag-chip')).toContainText('first-labels');
  await expect(current).toContainText('1 row updated');
  await expect(current.getByTestId('version-note')).toHaveText('quality = "watermark" on 1 row');
  // Comparing the two versions names the column whose values changed, and on how many rows.
  await page.locator(`[data-testid=version-row][data-version="${unlabelled}"]`).getByRole('checkbox').check();
  await current.getByRole('checkbox').check();
  await expect(page.getByTestId('versions-changed-values')).toContainText('values changed: quality (3 rows)');
  await page.locator(`[data-testid=version-row][data-version="${unlabelled}"]`).getByTestId('version-open').click();
  await expect(page.getByTestId('readonly-banner')).toContainText(`version ${unlabelled}`);
  await expect(tile(page, 0).locator('img')).toBeVisible();
  await expect(page.getByTestId('labelbar')).toHaveCount(0); // no labelling on a read-only version
  await page.getByTestId('sql-input').fill('quality IS NOT NULL');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('0 of');
  await page.getByTestId('clear-view').click();
  await tile(page, 0).dblclick();
  await expect(page.getByTestId('detail').locator('[data-field=quality]')).toContainText('—');
  await expect(page.getByTestId('detail-labels')).toHaveCount(0);
});

test('select with the mouse, label the whole view after a confirmation, and undo', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(tile(page, 0).locator('img')).toBeVisible();
  await expect(page.getByTestId('labelbar')).toBeVisible();
  // Ctrl-click and Shift-click.
  await tile(page, 4).click();
  await tile(page, 6).click({ modifiers: ['Control'] });
  await expect(page.getByTestId('selection-count')).toHaveText('2 selected');
  await tile(page, 9).click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('selection-count')).toHaveText('4 selected'); // 6..9
  await page.getByTestId('label-key-1').click();
  for (const i of [6, 7, 8, 9]) await expect(tile(page, i).getByTestId('tile-label')).toHaveText('good');
  await expect(tile(page, 4).getByTestId('tile-label')).toHaveCount(0);
  // The grid has the keyboard again after a click in the bar: the next key labels.
  await page.keyboard.press('2');
  for (const i of [6, 7, 8, 9]) await expect(tile(page, i).getByTestId('tile-label')).toHaveText('blurry');
  await page.keyboard.press('1');
  for (const i of [6, 7, 8, 9]) await expect(tile(page, i).getByTestId('tile-label')).toHaveText('good');

  // The whole view of "blurry or watermark" rows: Ctrl+A, then 1, then a confirmation with the count.
  await page.getByTestId('sql-input').fill("quality IN ('blurry', 'watermark')");
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('2 of');
  await tile(page, 0).click();
  await page.keyboard.press('Control+a');
  await expect(page.getByTestId('selection-count')).toHaveText('All 2 rows of this view');
  await page.keyboard.press('1');
  await expect(page.getByTestId('label-view-summary')).toContainText('Set quality to good on all 2 rows of this view');
  const before = await version(page);
  // the write is not the default: Enter cancels
  await expect(page.getByTestId('label-view-cancel')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('label-view-dialog')).toBeHidden();
  expect(await version(page)).toBe(before);
  await page.keyboard.press('1');
  await expect(page.getByTestId('label-view-summary')).toContainText('Set quality to good on all 2 rows of this view');
  await page.getByTestId('label-view-confirm').click();
  await expect(page.getByTestId('label-view-dialog')).toBeHidden();
  await expect(tile(page, 0).getByTestId('tile-label')).toHaveText('good');
  await expect(tile(page, 1).getByTestId('tile-label')).toHaveText('good');
  expect(await version(page)).toBe(before + 1);

  // Undo brings the old labels back (as a new version).
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('status-version')).toHaveText(`version ${before + 2}`);
  await page.getByTestId('sql-input').fill("quality IN ('blurry', 'watermark')");
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('2 of');
});

test('a text label column takes typed values; digits explain themselves', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(tile(page, 0).locator('img')).toBeVisible();
  await page.getByTestId('add-column-button').click();
  await page.getByTestId('addcol-name').fill('note');
  await page.getByTestId('addcol-type').selectOption('text');
  await page.getByTestId('addcol-add').click();
  await expect(page.getByTestId('add-column-dialog')).toBeHidden();
  await page.getByTestId('label-column').selectOption('note');
  await tile(page, 5).click();
  await page.keyboard.press('1');
  await expect(page.getByTestId('label-error')).toContainText('takes text: type it in the label bar');
  await page.getByTestId('label-free').fill("it's a flag; DROP TABLE x");
  await page.keyboard.press('Enter');
  await expect(tile(page, 5).getByTestId('tile-label')).toContainText("note=it's a flag; DROP TABLE x");
});

test('merge labels from a CSV keyed by key: preview, problems, merge, and the tiles show them', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(tile(page, 0).locator('img')).toBeVisible();
  for (const i of [10, 11]) await expect(tile(page, i)).toHaveAttribute('data-key', /\d+/);
  const [k0, k1] = await Promise.all([tile(page, 10).getAttribute('data-key'), tile(page, 11).getAttribute('data-key')]);
  const bad = path.join(dir, 'bad.csv');
  writeFileSync(bad, `key,quality\n${k0},excellent\n`);
  const good = path.join(dir, 'labels.csv');
  writeFileSync(good, `key,quality,source\n${k0},watermark,"stock, agency"\n${k1},good,\n12345,good,nowhere\n`);

  await page.getByTestId('merge-button').click();
  await page.getByTestId('merge-path').fill(bad);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('merge-problems')).toContainText('Row 1, quality: "excellent" is not one of good, blurry, watermark');
  await expect(page.getByTestId('merge-confirm')).toBeDisabled();

  await page.getByTestId('merge-path').fill(good);
  await page.getByTestId('merge-preview-button').click();
  await expect(page.getByTestId('merge-counts')).toContainText('3 rows in the file: 2 match a row of the dataset, 1 do not (e.g. 12345)');
  await expect(page.getByTestId('merge-column')).toHaveCount(2);
  await expect(page.getByTestId('merge-column').nth(1)).toContainText('source new');
  await page.getByTestId('merge-confirm').click();
  await expect(page.getByTestId('merge-dialog')).toBeHidden();
  await expect(page.getByTestId('undo-bar')).toContainText('Merged labels into 2 rows (new columns: source)');

  await page.getByTestId('sql-input').fill('source IS NOT NULL OR quality IS NOT NULL');
  await page.keyboard.press('Enter');
  const keys = new Map<string, string>();
  await expect(page.getByTestId('view-count')).toContainText(' of ');
  const n = Number((await page.getByTestId('view-count').innerText()).split(' ')[0]!.replace(/,/g, ''));
  expect(n).toBeGreaterThanOrEqual(2);
  for (let i = 0; i < n; i++) {
    await expect(tile(page, i).getByTestId('tile-label').first()).toBeVisible();
    keys.set((await tile(page, i).getAttribute('data-key')) as string, (await tile(page, i).getByTestId('tile-label').allInnerTexts()).join(' | '));
  }
  expect(keys.get(k0 as string)).toBe('watermark | source=stock, agency');
  expect(keys.get(k1 as string)).toBe('good');
});

test('a large labels file shows how far the reading got, and Stop ends it with nothing written', async ({ page }) => {
  // ~150 MB of CSV: long enough to read that the progress and Stop can be seen and used.
  const big = path.join(dir, 'big.csv');
  const line = (i: number) => `${100_000_000 + i},a long enough comment about this picture so the file gets big\n`;
  const chunk = Array.from({ length: 10_000 }, (_, i) => line(i)).join('');
  writeFileSync(big, 'key,comment\n' + chunk.repeat(240));
  await page.goto(bridge.openUrl);
  await expect(tile(page, 0).locator('img')).toBeVisible();
  const before = await version(page);
  await page.getByTestId('merge-button').click();
  await page.getByTestId('merge-path').fill(big);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('merge-progress')).toContainText(/Reading big\.csv: \d+(\.\d)? MB of 1\d\d MB/);
  await page.getByTestId('merge-stop').click();
  await expect(page.getByTestId('merge-note')).toContainText('Stopped. Nothing was written.');
  await expect(page.getByTestId('merge-progress')).toBeHidden();
  await expect(page.getByTestId('merge-error')).toBeHidden();
  await page.keyboard.press('Escape');
  expect(await version(page)).toBe(before);
});
