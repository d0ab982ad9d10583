import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { test, expect, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';
import { findSimilarFrom } from '../support/similar';

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startServe();
});
test.afterAll(async () => bridge.stop());

async function viewCount(page: Page): Promise<number> {
  const text = await page.getByTestId('view-count').innerText();
  return Number(text.split(' ')[0]!.replace(/,/g, ''));
}

test('click a tile, see similar images with distances, add a filter, the count changes, Back restores it', async ({ page }) => {
  await page.goto(bridge.openUrl);
  const tile = page.locator('[data-testid=tile][data-index="5"]');
  await expect(tile.locator('img')).toBeVisible();
  const { first, caption } = await findSimilarFrom(page, tile);
  await expect(page.getByTestId('view-count')).toContainText('50 nearest neighbours');
  await expect(page.locator('[data-testid=tile][data-index="10"] [data-testid=tile-score]')).toBeVisible();
  const distances = await page.getByTestId('tile-score').evaluateAll((els) => els.slice(0, 12).map((e) => Number(e.textContent?.replace('d ', ''))));
  expect(distances.length).toBeGreaterThan(5);
  expect(distances).toEqual([...distances].sort((a, b) => a - b));

  // Chaining: similar of a result.
  const second = page.locator('[data-testid=tile][data-index="3"]');
  const secondCaption = await second.getAttribute('title');
  await second.click();
  await page.keyboard.press('s');
  await expect(first).toHaveAttribute('title', secondCaption ?? '');

  // A filter narrows the neighbours (as a prefilter).
  await page.getByTestId('add-filter').selectOption('caption');
  await page.getByLabel('caption value').fill('emoji');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('filter-chip')).toBeVisible();
  await expect(page).toHaveURL(/emoji/); // the filtered view is open and in the history
  // Every neighbour shown (once its row has loaded: a tile shows "#N" until then) matches the filter.
  await expect
    .poll(async () => {
      const captions = await page.locator('[data-testid=tile]:not([data-index="0"]) .tile-caption').allInnerTexts();
      return captions.length > 5 && captions.every((c) => c.toLowerCase().includes('emoji'));
    })
    .toBe(true);

  await page.goBack();
  await expect(page.getByTestId('filter-chip')).toHaveCount(0);
  await expect(first).toHaveAttribute('title', secondCaption ?? '');
  await page.keyboard.press('Alt+ArrowLeft'); // what the desktop window offers instead of browser chrome
  await expect(first).toHaveAttribute('title', caption ?? '');
  await page.getByTestId('history-back').click();
  await expect(page.getByTestId('view-count')).toHaveText(/^[\d,]+ rows$/);
  await page.goForward();
  await expect(first).toHaveAttribute('title', caption ?? '');
  await page.getByTestId('clear-view').click();
  await expect(page.getByTestId('view-count')).toHaveText(/^[\d,]+ rows$/);
});

test('filters from the schema and raw SQL change the count; a bad expression says what is wrong', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  const all = await viewCount(page);
  await page.getByTestId('add-filter').selectOption('caption');
  await page.getByLabel('caption value').fill('national flag');
  await page.getByTestId('apply-view').click();
  await expect(page.getByTestId('view-count')).toContainText('rows match');
  const flags = await viewCount(page);
  expect(flags).toBeGreaterThan(200);
  expect(flags).toBeLessThan(all);
  await expect(page.getByTestId('status-position')).toContainText(`of ${flags.toLocaleString('en-US')} in this view`);
  // removing the only condition shows the whole table again at once, no Apply needed
  await page.getByRole('button', { name: 'Remove the caption filter' }).click();
  await expect(page.getByTestId('filter-chip')).toHaveCount(0);
  await expect.poll(() => viewCount(page)).toBe(all);
  await page.getByTestId('add-filter').selectOption('caption');
  await page.getByLabel('caption value').fill('national flag');
  await page.getByTestId('apply-view').click();
  await expect(page.getByTestId('view-count')).toContainText('rows match');

  await page.getByTestId('sql-input').fill("caption = 'The national flag of Japan'");
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('1 of');
  await expect(page.locator('[data-testid=tile][data-index="0"]')).toHaveAttribute('title', 'The national flag of Japan');

  await page.getByTestId('sql-input').fill('no_such_column > 3');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-error')).toContainText('No field named no_such_column');
  await page.getByTestId('sql-input').fill("caption = 'x'; DROP TABLE t");
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-error')).toContainText('remove the ";"');
  // refused by the app before LanceDB sees them: a memory bomb, and what its planner panics on
  await page.getByTestId('sql-input').fill('length(repeat(caption, 150000)) > 0');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-error')).toContainText('repeat() is not allowed');
  await page.getByTestId('sql-input').fill("caption = N'x'");
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-error')).toContainText("Prefixed strings such as N'…' are not supported");
});

test('caption search highlights the matched words', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await page.keyboard.press('/');
  await expect(page.getByTestId('search-input')).toBeFocused();
  await page.keyboard.type('cat face');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('results');
  const firstCaption = page.locator('[data-testid=tile][data-index="0"] .tile-caption');
  await expect(firstCaption.getByTestId('match').first()).toBeVisible();
  expect((await firstCaption.innerText()).toLowerCase()).toContain('cat face');
});

test('export the current view as a manifest and check its content; copy the view as code', async ({ page }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lx-export-'));
  try {
    await page.goto(bridge.openUrl);
    await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
    await page.getByTestId('add-filter').selectOption('caption');
    await page.getByLabel('caption value').fill('national flag of');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('view-count')).toContainText('rows match');
    const count = await viewCount(page);

    await page.getByTestId('export-button').click();
    const dialog = page.getByTestId('export-dialog');
    await expect(dialog).toContainText(`${count.toLocaleString('en-US')} rows`);
    const target = path.join(dir, 'flags.csv');
    await page.getByTestId('export-path').fill(target);
    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-status')).toContainText('Done');
    const lines = readFileSync(target, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('key,caption,score');
    expect(lines).toHaveLength(count + 1);
    for (const l of lines.slice(1)) expect(l).toMatch(/^\d+,"?The national flag of [^\n]+,$/); // quoted when the name has a comma

    // Exporting again to the same file is refused unless replacing is allowed.
    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-error')).toContainText('already exists');

    // Parquet: the typed path follows the format, and a Parquet reader finds the same keys.
    await page.getByTestId('export-format').selectOption('parquet');
    await expect(page.getByTestId('export-path')).toHaveValue(path.join(dir, 'flags.parquet'));
    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-status')).toContainText(`Done: ${count.toLocaleString('en-US')} rows written to ${path.join(dir, 'flags.parquet')}`);
    const parquetRows = (await parquetReadObjects({ file: await asyncBufferFromFile(path.join(dir, 'flags.parquet')) })) as { key: bigint; caption: string }[];
    expect(parquetRows.map((r) => String(r.key))).toEqual(lines.slice(1).map((l) => l.split(',')[0]));
    expect(parquetRows.every((r) => r.caption.startsWith('The national flag of'))).toBe(true);
    await page.keyboard.press('Escape');

    await page.getByTestId('code-button').click();
    const code = page.getByTestId('code-text');
    await expect(code).toHaveValue(/import lancedb/);
    await expect(code).toHaveValue(/strpos\(lower\(`caption`\), 'national flag of'\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('save a filtered view as a new table and open it', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await page.getByTestId('add-filter').selectOption('caption');
  await page.getByLabel('caption value').fill('national flag of');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('rows match');
  const count = await viewCount(page);
  await page.getByTestId('save-table-button').click();
  const dialog = page.getByTestId('save-table-dialog');
  await expect(dialog).toContainText(`${count.toLocaleString('en-US')} rows`);
  await dialog.getByLabel('exif').uncheck();
  await page.getByTestId('save-start').click();
  await expect(page.getByTestId('save-status')).toContainText(`Saved ${count.toLocaleString('en-US')} rows to ${bridge.home}`);
  await page.getByTestId('save-open').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('status-rows')).toHaveText(`${count.toLocaleString('en-US')} rows`);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  expect((await page.getByTestId('tile').first().getAttribute('title'))?.startsWith('The national flag of')).toBe(true);
  await page.getByTestId('tile').first().dblclick();
  await expect(page.getByTestId('detail').locator('[data-field=caption]')).toBeVisible();
  await expect(page.getByTestId('detail').locator('[data-field=exif]')).toHaveCount(0);
});

test('a bad k says why next to the field and is not kept', async ({ page }) => {
  await page.goto(bridge.openUrl);
  const tile = page.locator('[data-testid=tile][data-index="3"]');
  await expect(tile.locator('img')).toBeVisible();
  await tile.hover();
  await tile.getByTestId('find-similar').click();
  await expect(page.getByTestId('view-count')).toContainText('nearest neighbours');
  const k = page.getByTestId('similar-k');
  const before = await k.inputValue();
  await k.fill('5000');
  await expect(page.getByTestId('similar-k-error')).toHaveText('k is a whole number from 1 to 1,000');
  await k.press('Enter'); // refused: nothing is sent, the error stays
  await expect(page.getByTestId('view-error')).toHaveCount(0);
  await k.fill('1.5');
  await expect(page.getByTestId('similar-k-error')).toBeVisible();
  await k.blur();
  await expect(k).toHaveValue(before);
  await expect(page.getByTestId('similar-k-error')).toHaveCount(0);
  await k.fill('7');
  await k.press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('7 nearest neighbours');
});

test('filter values suggest the column\'s most frequent values', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await page.getByTestId('add-filter').selectOption('NSFW');
  const field = page.getByLabel('NSFW value');
  await field.focus();
  const options = page.getByTestId('filter-suggestions').locator('option');
  await expect.poll(() => options.count()).toBeGreaterThan(0);
  const values = await options.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(values).toContain('UNLIKELY');
  expect(await options.first().textContent()).toMatch(/[\d,]+ rows/);
});
