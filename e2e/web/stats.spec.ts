// The statistics panel on a generated LAION-shaped table: the first open computes them as a job,
// every column is there over the whole table, a click on a value or a bar filters the grid to exactly
// the rows the panel counted, "safe only" is one click, and the panel counts the view beside the whole.
import { test, expect, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';

let dir = '';
let bridge: RunningBridge;
const ROWS = 3000;

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-stats-e2e-'));
  const { writeSyntheticTable } = await import('../../main/synthetic/synthetic-laion');
  (await writeSyntheticTable(dir, 'laion', { rows: ROWS, imageSide: 16, clusters: 8, batchRows: 1000 })).close();
  // Planted exact duplicates: 300 rows share one md5, 30 others another.
  const { lancedb } = await import('../../main/services/dataset/lance');
  const tbl = await (await lancedb.connect(dir)).openTable('laion');
  await tbl.update({ where: "image_path LIKE '%7.jpg'", valuesSql: { md5: "'planted-a'" } });
  await tbl.update({ where: "image_path LIKE '%13.jpg'", valuesSql: { md5: "'planted-b'" } });
  tbl.close();
  bridge = await startServe({ dataset: path.join(dir, 'laion.lance') });
});
test.afterAll(async () => {
  await bridge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The view bar's count: "N of 3,000 rows match" (then how long it took). */
const matching = (n: number) => new RegExp(`^${n.toLocaleString('en-US')} of ${ROWS.toLocaleString('en-US')} rows match`);
const count = (s: string | null) => Number((s ?? '').replace(/[^\d]/g, ''));

/** The count the panel shows for a value of a values chart (overall, or "in view / overall"). */
async function valueCounts(page: Page, facet: string, value: string): Promise<{ all: number; view: number | null }> {
  const row = page.getByTestId(`stats-facet-${facet}`).getByTestId('stats-value').filter({ hasText: value }).first();
  const text = (await row.locator('.stats-value-count').textContent()) ?? '';
  const [a, b] = text.split('/');
  return b === undefined ? { all: count(a ?? ''), view: null } : { all: count(b), view: count(a ?? '') };
}

test('the statistics panel counts the whole table and filters the grid by a click', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  await page.getByTestId('stats-button').click();
  const panel = page.getByTestId('stats-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('stats-meta')).toContainText(`${ROWS.toLocaleString('en-US')} rows, every one counted`, { timeout: 30_000 });
  // Every value of NSFW, adding up to the table; captions get top values and a length histogram.
  const nsfw = page.getByTestId('stats-facet-NSFW:values');
  await expect(nsfw.getByTestId('stats-value')).toHaveCount(3);
  const unsure = await valueCounts(page, 'NSFW:values', 'UNSURE');
  const unlikely = await valueCounts(page, 'NSFW:values', 'UNLIKELY');
  const nsfwOnly = await valueCounts(page, 'NSFW:values', 'NSFW');
  expect(unsure.all + unlikely.all + nsfwOnly.all).toBe(ROWS);
  await expect(page.getByTestId('stats-hist-caption:length')).toBeVisible();
  await expect(page.getByTestId('stats-images')).toContainText('sizes from the width and height columns');

  // Click a value: the grid is filtered to exactly the rows counted there, and the filter bar says so.
  await nsfw.getByTestId('stats-value').filter({ hasText: 'UNSURE' }).click();
  await expect(page.getByTestId('view-count')).toHaveText(matching(unsure.all));
  await expect(page.locator('[data-testid=filter-chip][data-column=NSFW]')).toBeVisible();
  await expect(page.getByTestId('stats-view-count')).toContainText(unsure.all.toLocaleString('en-US'));
  expect((await valueCounts(page, 'NSFW:values', 'UNSURE')).view).toBe(unsure.all);
  expect((await valueCounts(page, 'NSFW:values', 'UNLIKELY')).view).toBe(0);

  // Hover a bar of similarity: the panel says how many of the view's rows it holds; clicking it
  // narrows the grid to exactly those.
  const hist = page.getByTestId('stats-hist-similarity:values');
  const box = (await hist.boundingBox())!;
  const bins = await hist.locator('[data-bin]').count();
  let inBar = 0;
  for (let b = Math.floor(bins / 2); b < bins && !inBar; b++) {
    await page.mouse.move(box.x + ((b + 0.5) / bins) * box.width, box.y + box.height / 2);
    const label = (await page.getByTestId('stats-facet-similarity:values').locator('.stats-hover').textContent()) ?? '';
    inBar = count(/, ([\d,]+) in the view/.exec(label)?.[1] ?? '0');
  }
  expect(inBar).toBeGreaterThan(0);
  await page.mouse.down();
  await page.mouse.up();
  await expect(page.getByTestId('view-count')).toHaveText(matching(inBar));
  await expect(page.locator('[data-testid=filter-chip][data-column=similarity]')).toBeVisible();

  // Back to the table, then "safe only": one click, the UNLIKELY rows.
  await page.getByTestId('clear-view').click();
  await expect(page.getByTestId('view-count')).toHaveText(new RegExp(`^${ROWS.toLocaleString('en-US')} rows`));
  // The box follows the view (checked once the filtered view is open), so it is clicked, not check()ed.
  await page.getByTestId('stats-safe').click();
  await expect(page.getByTestId('view-count')).toHaveText(matching(unlikely.all));
  await expect(page.getByTestId('stats-safe')).toBeChecked();
  await expect(page.locator('[data-testid=filter-chip][data-column=NSFW]')).toBeVisible();
  await page.getByTestId('stats-safe').click();
  await expect(page.getByTestId('view-count')).toHaveText(new RegExp(`^${ROWS.toLocaleString('en-US')} rows`));
});

test('a histogram filters from the keyboard, and the panel reopens with the statistics already computed', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  // Open from the last test's choice (kept), or open it now.
  if (!(await page.getByTestId('stats-panel').isVisible())) await page.getByTestId('stats-button').click();
  // Computed once for this version: shown at once, no job.
  await expect(page.getByTestId('stats-meta')).toContainText('every one counted');
  await expect(page.getByTestId('stats-job')).toHaveCount(0);
  const hist = page.getByTestId('stats-column-similarity').getByTestId('stats-hist-similarity:values');
  await hist.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  const label = (await page.getByTestId('stats-column-similarity').locator('.stats-hover').textContent()) ?? '';
  const rows = count(/: ([\d,]+) rows/.exec(label)?.[1] ?? '0');
  expect(rows).toBeGreaterThan(0);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-count')).toHaveText(matching(rows));
  await expect(page.locator('[data-testid=filter-chip][data-column=similarity]')).toBeVisible();
});

test('exact duplicates by md5: counted in the panel, shown grouped in the grid, resolved and undone', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  await page.getByTestId('stats-button').click();
  await expect(page.getByTestId('stats-redundant')).toHaveText('328');
  await page.getByTestId('stats-show-duplicates').click();
  await expect(page.getByTestId('view-count')).toHaveText(/^330 rows with an exact duplicate \(by md5\)/);
  await expect(page.locator('[data-testid=tile][data-index="0"] [data-testid=tile-score]')).toHaveText('×300');
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  // Resolve: a keeper per group by the rule shown, then the rest of every group marked in one write.
  await page.getByTestId('resolve-button').click();
  const dialog = page.getByTestId('resolve-dialog');
  await expect(dialog.getByTestId('resolve-group')).toHaveCount(2);
  await expect(dialog.getByTestId('resolve-keeper')).toHaveCount(2);
  await expect(dialog.getByTestId('resolve-rule')).toContainText('largest resolution');
  await dialog.getByTestId('resolve-mark-all').click();
  await expect(dialog.getByTestId('resolve-done')).toContainText('Marked 328 rows in 2 groups');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('undo-bar')).toContainText('Marked 328 duplicates in duplicate_of');
  await expect(page.locator('[data-testid=filter-chip]')).toHaveCount(0);
  // The marks are a label column like any other: filter the table by it.
  await page.getByTestId('clear-view').click();
  await expect(page.getByTestId('view-count')).toHaveText(new RegExp(`^${ROWS.toLocaleString('en-US')} rows`));
  await page.getByTestId('add-filter').selectOption('duplicate_of');
  await page.locator('[data-testid=filter-chip][data-column=duplicate_of] select').selectOption('notNull');
  await page.getByTestId('apply-view').click();
  await expect(page.getByTestId('view-count')).toHaveText(matching(328));
  // Undo takes the marks (and the column) back.
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('undo-bar')).toContainText('Undone: Marked 328 duplicates');
  await expect(page.getByTestId('view-count')).toHaveText(new RegExp(`^${ROWS.toLocaleString('en-US')} rows`));
  await expect(page.getByTestId('add-filter').locator('option', { hasText: 'duplicate_of' })).toHaveCount(0);
});
