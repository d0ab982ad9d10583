// More like these, less like that: a search by several images, each step a view in the history, with
// code that reproduces it.
import { test, expect, type Page } from '@playwright/test';
import { startServe, type RunningBridge } from '../support/bridge';

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startServe();
});
test.afterAll(async () => bridge.stop());

const keysShown = (page: Page) => page.locator('[data-testid=tile][data-key]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));

test('select three images, S finds more like all of them; X on a result searches away from it; Back returns', async ({ page }) => {
  await page.goto(bridge.openUrl);
  const tile = (i: number) => page.locator(`[data-testid=tile][data-index="${i}"]`);
  await expect(tile(0).locator('img')).toBeVisible();
  const examples = await Promise.all([0, 7, 12].map((i) => tile(i).getAttribute('data-key')));
  await tile(0).click();
  await tile(7).click({ modifiers: ['Control'] });
  await tile(12).click({ modifiers: ['Control'] });
  await page.keyboard.press('s');
  await expect(page.getByTestId('view-count')).toContainText('50 nearest neighbours of 3 images');
  await expect(tile(0).getByTestId('query-badge')).toBeVisible();
  // the focused tile (the last clicked) is the query shown first; the other two are examples, not results
  await expect(tile(0)).toHaveAttribute('data-key', examples[2]!);
  await expect(tile(10).getByTestId('tile-score')).toBeVisible();
  const shown = await keysShown(page);
  expect(shown).not.toContain(examples[0]);
  expect(shown).not.toContain(examples[1]);
  const distances = await page.getByTestId('tile-score').evaluateAll((els) => els.slice(0, 12).map((e) => Number(e.textContent?.replace('d ', ''))));
  expect(distances).toEqual([...distances].sort((a, b) => a - b));

  // Less like the first result: a new search that leaves it out
  await tile(1).click();
  const unliked = await tile(1).getAttribute('data-key');
  await page.keyboard.press('x');
  await expect(page.getByTestId('view-count')).toContainText('of 3 images, away from 1');
  await expect.poll(async () => (await keysShown(page)).length).toBeGreaterThan(10);
  expect(await keysShown(page)).not.toContain(unliked);
  await page.getByTestId('code-button').click();
  await expect(page.getByTestId('code-dialog')).toContainText('0.5 * vectors(away).mean(0)');
  await page.keyboard.press('Escape');

  // Back: the search by three images again, then the plain table
  await page.goBack();
  await expect(page.getByTestId('view-count')).toContainText('50 nearest neighbours of 3 images');
  await expect.poll(() => keysShown(page)).toContain(unliked);
});

test('the detail panel offers "Less like this" on a result, not on the query', async ({ page }) => {
  await page.goto(bridge.openUrl);
  const tile = (i: number) => page.locator(`[data-testid=tile][data-index="${i}"]`);
  await expect(tile(0).locator('img')).toBeVisible();
  await tile(3).click();
  await page.keyboard.press('s');
  await expect(tile(0).getByTestId('query-badge')).toBeVisible();
  // The new view's grid has just mounted: open rows once their images show, from the keyboard.
  await expect(tile(2).locator('img')).toBeVisible();
  await tile(0).click();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('detail')).toBeVisible();
  await expect(page.getByTestId('detail-less-like')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await tile(2).click();
  await page.keyboard.press('Enter');
  await page.getByTestId('detail-less-like').click();
  await expect(page.getByTestId('view-count')).toContainText('of 1 image, away from 1');
});

test('"by meaning" without a model: the images nearest the best caption matches, said honestly, with Back', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  await page.getByTestId('search-mode').selectOption('meaning');
  await expect(page.getByTestId('search-input')).toHaveAttribute('placeholder', /Describe an image/);
  await page.getByTestId('search-input').fill('flag');
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('50 nearest by meaning');
  await expect(page.getByTestId('view-notes')).toContainText('By captions (no text model)');
  await expect(page.locator('[data-testid=tile][data-index="10"] [data-testid=tile-score]')).toBeVisible();
  const distances = await page.getByTestId('tile-score').evaluateAll((els) => els.slice(0, 12).map((e) => Number(e.textContent?.replace('d ', ''))));
  expect(distances).toEqual([...distances].sort((a, b) => a - b));
  // the knobs of a vector search are there, and the mode stays on meaning
  await expect(page.getByTestId('similar-k')).toHaveValue('50');
  await expect(page.getByTestId('search-mode')).toHaveValue('meaning');
  await page.getByTestId('code-button').click();
  await expect(page.getByTestId('code-dialog')).toContainText('query_type="fts"');
  await page.keyboard.press('Escape');
  // the same words by words: a BM25 list, another view; Back returns to the meaning one
  await page.getByTestId('search-mode').selectOption('words');
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('results');
  await page.goBack();
  await expect(page.getByTestId('view-count')).toContainText('nearest by meaning');
});
