// Versions and tags from the UI on a copy of the demo with one more version (a label column added).
import { test, expect } from '@playwright/test';
import { cpSync, existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';
import { DEMO } from '../support/paths';
import { lancedb } from '../../main/services/dataset/lance';

let dir: string;
let copy: string;
let bridge: RunningBridge;
let before: number;
test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-e2e-versions-'));
  copy = path.join(dir, 'demo.lance');
  cpSync(DEMO, copy, { recursive: true });
  const t = await (await lancedb.connect(dir)).openTable('demo');
  before = await t.version();
  await t.addColumns([{ name: 'label', valueSql: "CAST('unlabelled' AS STRING)" }]);
  t.close();
  bridge = await startServe({ dataset: copy });
});
test.afterAll(async () => {
  await bridge.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('history, a tag, an old version read-only, back to latest, restore', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await expect(page.getByTestId('status-version')).toHaveText(`version ${before + 1}`);
  await page.getByTestId('versions-button').click();
  const latest = page.locator(`[data-testid=version-row][data-version="${before + 1}"]`);
  const old = page.locator(`[data-testid=version-row][data-version="${before}"]`);
  await expect(latest).toContainText('(latest)');
  await expect(latest).toContainText('added column label');

  // Tag the version before the label column.
  await old.getByTestId('tag-add').click();
  await page.getByTestId('tag-input').fill('before-labels');
  await page.keyboard.press('Enter');
  await expect(old.getByTestId('tag-chip')).toContainText('before-labels');
  // A bad tag name says why.
  await latest.getByTestId('tag-add').click();
  await page.getByTestId('tag-input').fill('no spaces please');
  await page.getByTestId('tag-save').click();
  await expect(page.getByTestId('versions-error')).toContainText('cannot be a tag');

  // Compare the two.
  await old.getByRole('checkbox').check();
  await latest.getByRole('checkbox').check();
  await expect(page.getByTestId('versions-diff')).toContainText(`Version ${before} → ${before + 1}`);
  await expect(page.getByTestId('versions-diff')).toContainText('added label');
  await page.getByTestId('versions-dialog').screenshot({ path: path.join('test-results', 'playwright', 'versions-dialog.png') });

  // Open the tagged version read-only: banner, its own schema.
  await old.getByRole('button', { name: 'before-labels', exact: true }).click();
  await expect(page.getByTestId('readonly-banner')).toContainText(`Read-only: version ${before} (tag “before-labels”)`);
  await expect(page.getByTestId('status-version')).toHaveText(`version ${before}`);
  await page.getByTestId('tile').first().dblclick();
  await expect(page.getByTestId('detail').locator('[data-field=caption]')).toBeVisible();
  await expect(page.getByTestId('detail').locator('[data-field=label]')).toHaveCount(0);
  await page.keyboard.press('Escape');

  // Back to the latest: the label is there.
  await page.getByTestId('open-latest').click();
  await expect(page.getByTestId('readonly-banner')).toHaveCount(0);
  await page.getByTestId('tile').first().dblclick();
  await expect(page.getByTestId('detail').locator('[data-field=label]')).toContainText('unlabelled');
  await page.keyboard.press('Escape');

  // Restore the old version as a new one.
  await page.getByTestId('versions-button').click();
  await old.getByTestId('version-restore').click();
  await old.getByTestId('version-restore-confirm').click();
  await expect(page.getByTestId('versions-dialog')).toBeHidden();
  await expect(page.getByTestId('status-version')).toHaveText(`version ${before + 2}`);
  // the window says what happened, with Undo
  await expect(page.getByTestId('undo-bar')).toContainText(`Restored version ${before}`);
  await expect(page.getByTestId('undo')).toHaveText('Undo');
  await page.getByTestId('tile').first().dblclick();
  await expect(page.getByTestId('detail').locator('[data-field=caption]')).toBeVisible();
  await expect(page.getByTestId('detail').locator('[data-field=label]')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await page.getByTestId('versions-button').click();
  await expect(page.locator(`[data-testid=version-row][data-version="${before + 2}"]`)).toContainText('dropped column label');
  await expect(page.locator(`[data-testid=version-row][data-version="${before + 1}"]`)).toContainText('added column label');
});

test('add a category column through the form: it shows at once in the details, the filter bar and the history', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  const version = Number((await page.getByTestId('status-version').innerText()).replace('version ', ''));
  await page.getByTestId('add-column-button').click();
  const dialog = page.getByTestId('add-column-dialog');
  await page.getByTestId('addcol-name').fill('my quality');
  await page.getByTestId('addcol-categories').fill('good, blurry, watermark');
  await page.getByTestId('addcol-add').click();
  await expect(page.getByTestId('addcol-error')).toContainText('cannot be a column name');
  await page.getByTestId('addcol-name').fill('caption');
  await page.getByTestId('addcol-add').click();
  await expect(page.getByTestId('addcol-error')).toContainText('already a column named "caption"');
  await page.getByTestId('addcol-name').fill('quality');
  await page.getByTestId('addcol-default').selectOption('good');
  await page.getByTestId('addcol-add').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('status-version')).not.toHaveText(`version ${version}`);
  await expect(page.getByTestId('add-filter').locator('option', { hasText: 'quality' })).toHaveCount(1);
  await page.getByTestId('tile').first().dblclick();
  await expect(page.getByTestId('detail').locator('[data-field=quality]')).toContainText('good');
  await page.keyboard.press('Escape');
  await page.getByTestId('versions-button').click();
  await expect(page.getByTestId('version-row').first()).toContainText(/added column quality|index or metadata change/);
  await expect(page.getByTestId('versions-table')).toContainText('added column quality');
});

test('a derived column: preview first, a bad expression says why, then it is added', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await page.getByTestId('add-column-button').click();
  await page.getByTestId('addcol-name').fill('aspect_ratio');
  await page.getByTestId('addcol-type').selectOption('derived');
  await expect(page.getByTestId('addcol-add')).toBeDisabled(); // no commit before a preview
  await page.getByTestId('addcol-expression').fill('CAST(widht AS DOUBLE) / CAST(height AS DOUBLE)');
  await page.getByTestId('addcol-preview-button').click();
  await expect(page.getByTestId('addcol-error')).toContainText('does not work on this table');
  await expect(page.getByTestId('addcol-error')).toContainText('widht');
  await page.getByTestId('addcol-expression').fill('CAST(width AS DOUBLE) / CAST(height AS DOUBLE)');
  await page.getByTestId('addcol-preview-button').click();
  await expect(page.getByTestId('addcol-preview')).toContainText(/Float64|Double/i);
  await page.getByTestId('addcol-add').click();
  await expect(page.getByTestId('add-column-dialog')).toBeHidden();
  await page.getByTestId('tile').first().dblclick();
  const detail = page.getByTestId('detail');
  await expect(detail.locator('[data-field=aspect_ratio]')).toBeVisible();
  const num = async (field: string) => Number((await detail.locator(`[data-field=${field}] td`).last().innerText()).replace(/,/g, ''));
  expect(await num('aspect_ratio')).toBeCloseTo((await num('width')) / (await num('height')), 4);
});

test('rename and drop columns: LAION columns need "I am sure"; the grid and details follow', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await page.getByTestId('add-column-button').click();
  await page.getByTestId('alter-column').selectOption('caption');
  await page.getByTestId('alter-new-name').fill('text');
  await page.getByTestId('alter-rename').click();
  await expect(page.getByTestId('addcol-error')).toContainText('original LAION columns');
  await page.getByTestId('alter-column').selectOption('quality');
  await page.getByTestId('alter-new-name').fill('image_quality');
  await page.getByTestId('alter-rename').click();
  await expect(page.getByTestId('add-column-dialog')).toBeHidden();
  await expect(page.getByTestId('add-filter').locator('option', { hasText: 'image_quality' })).toHaveCount(1);
  await page.getByTestId('add-column-button').click();
  await page.getByTestId('alter-column').selectOption('exif');
  await page.getByTestId('alter-sure').check();
  await page.getByTestId('alter-drop').click();
  await page.getByTestId('alter-drop-confirm').click();
  await expect(page.getByTestId('add-column-dialog')).toBeHidden();
  await page.getByTestId('tile').first().dblclick();
  await expect(page.getByTestId('detail').locator('[data-field=image_quality]')).toBeVisible();
  await expect(page.getByTestId('detail').locator('[data-field=exif]')).toHaveCount(0);
});

test('undo after adding a column restores the version before, as a new version', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  const version = Number((await page.getByTestId('status-version').innerText()).replace('version ', ''));
  await page.getByTestId('add-column-button').click();
  await page.getByTestId('addcol-name').fill('reviewed');
  await page.getByTestId('addcol-type').selectOption('boolean');
  await page.getByTestId('addcol-add').click();
  await expect(page.getByTestId('undo-bar')).toContainText(`Added the column reviewed. (version ${version + 1})`);
  await expect(page.getByTestId('add-filter').locator('option', { hasText: 'reviewed' })).toHaveCount(1);
  // Undo keeps the place: focus a row further down first
  await page.getByTestId('grid').focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('PageDown');
  const place = await page.getByTestId('status-position').innerText();
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('status-version')).toHaveText(`version ${version + 2}`);
  // it says what it did, and offers Redo
  await expect(page.getByTestId('undo-bar')).toContainText('Undone: Added the column reviewed.');
  await expect(page.getByTestId('undo')).toHaveText('Redo');
  await expect(page.getByTestId('add-filter').locator('option', { hasText: 'reviewed' })).toHaveCount(0);
  await expect(page.getByTestId('status-position')).toHaveText(place);
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('status-version')).toHaveText(`version ${version + 3}`);
  await expect(page.getByTestId('undo-bar')).toContainText('Redone: Added the column reviewed.');
  await expect(page.getByTestId('add-filter').locator('option', { hasText: 'reviewed' })).toHaveCount(1);
  await expect(page.getByTestId('status-position')).toHaveText(place);
});

test('Clean up… counts what an unfinished write left, shows what goes and how much comes back, then removes it', async ({ page }) => {
  // A write killed before it committed leaves a data file no version uses.
  const data = path.join(copy, 'data');
  const orphan = path.join(data, 'left-by-a-killed-write.lance');
  writeFileSync(orphan, Buffer.alloc(300_000, 1));
  const old = new Date(Date.now() - 30 * 86_400_000);
  utimesSync(orphan, old, old);
  const t = await (await lancedb.connect(dir)).openTable('demo');
  await (await t.tags()).create('keep-me', before);
  t.close();
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await page.getByTestId('versions-button').click();
  await expect(page.getByTestId('cleanup-unfinished')).toContainText('1 file (293 kB) belongs to no version');
  await expect(page.getByTestId('version-row').first()).toBeVisible(); // the list has loaded
  const rowsBefore = await page.getByTestId('version-row').count();
  await page.getByTestId('cleanup-open').click();
  await expect(page.getByTestId('cleanup-plan')).toContainText('No version goes');
  await expect(page.getByTestId('cleanup-plan')).toContainText('1 file is deleted');
  await page.getByTestId('cleanup-days').fill('0');
  await expect(page.getByTestId('cleanup-plan')).toContainText(/\d+ versions? go/);
  await expect(page.getByTestId('cleanup-plan')).toContainText('back');
  await page.getByTestId('cleanup-confirm').click();
  await expect(page.getByTestId('cleanup-done')).toContainText(/Cleaned up: \d+ old versions and \d+ files removed/);
  await expect.poll(() => page.getByTestId('version-row').count()).toBeLessThan(rowsBefore);
  // the tagged version stays, and opens
  const tagged = page.locator(`[data-testid=version-row][data-version="${before}"]`);
  await expect(tagged.getByTestId('tag-chip').filter({ hasText: 'keep-me' })).toBeVisible();
  expect(existsSync(orphan)).toBe(false);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
});
