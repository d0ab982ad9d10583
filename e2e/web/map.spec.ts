// The embedding map in the browser on a generated LAION-shaped table with 8 embedding clusters: the
// map is made from the Map view (a job, then WebGL points), a lasso drawn with Shift+drag becomes a
// view of the grid, and that view is labelled like any other. The exactness of the region (rows
// inside the polygon, nothing else) is checked against an independent point-in-polygon in
// main/services/map/map.test.ts; here the person's path is checked end to end.
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';

let dir = '';
let bridge: RunningBridge;
const ROWS = 3000;

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-map-e2e-'));
  const { writeSyntheticTable } = await import('../../main/synthetic/synthetic-laion');
  const tbl = await writeSyntheticTable(dir, 'laion', { rows: ROWS, imageSide: 16, clusters: 8, batchRows: 1000 });
  const { lancedb } = await import('../../main/services/dataset/lance');
  await tbl.createIndex('key', { config: lancedb.Index.btree() });
  tbl.close();
  // A label column to label the lassoed rows with.
  const { openInApp } = await import('../../main/test-support/fixtures');
  const app = await openInApp(dir, path.join(dir, 'laion.lance'));
  const added = await app.dispatch('evolve:add-label-column', { id: app.info.id, name: 'quality', type: 'category', categories: ['good', 'bad'] });
  if (!added.ok) throw new Error(added.error.message);
  app.services.dispose();
  bridge = await startServe({ dataset: path.join(dir, 'laion.lance') });
});
test.afterAll(async () => {
  await bridge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the map: made from the Map view, a lasso opens its rows in the grid, and they are labelled', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  await page.getByTestId('map-button').click();
  await expect(page.getByTestId('map-button')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('map-make').click();
  // The PCA map first (seconds), then the UMAP one; each is a version that can be undone.
  await expect(page.getByTestId('map-meta')).toContainText(`${ROWS.toLocaleString('en-US')} rows of img_emb, UMAP (fitted on ${ROWS.toLocaleString('en-US')} rows)`, { timeout: 90_000 });
  await expect(page.getByTestId('undo-bar')).toContainText('Made the UMAP map');
  const canvas = page.getByTestId('map-canvas');
  await expect(canvas).toBeVisible();
  // Clusters are named on the map and listed; colour by a column shows its values.
  await expect(page.locator('.map-name:visible').first()).toBeVisible();
  await page.getByTestId('map-colour').selectOption('NSFW');
  await expect(page.getByTestId('map-legend')).toContainText('UNLIKELY');
  // A lasso around the middle of the map: Shift+drag a loop.
  const box = (await canvas.boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const r = Math.min(box.width, box.height) * 0.3;
  await page.keyboard.down('Shift');
  await page.mouse.move(cx + r, cy);
  await page.mouse.down();
  for (let i = 1; i <= 24; i++) await page.mouse.move(cx + r * Math.cos((i / 24) * 2 * Math.PI), cy + r * Math.sin((i / 24) * 2 * Math.PI), { steps: 2 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  // The rows inside become the grid's view.
  await expect(page.getByTestId('view-count')).toHaveText(/^[\d,]+ rows inside the region drawn on the map/);
  const n = Number(((await page.getByTestId('view-count').textContent()) ?? '').replace(/ rows.*$/, '').replace(/,/g, ''));
  expect(n).toBeGreaterThan(0);
  expect(n).toBeLessThan(ROWS);
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  // Label all of them.
  await page.locator('[data-testid=tile][data-index="0"]').click();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('1');
  await expect(page.getByTestId('label-view-summary')).toContainText(`Set quality to good on all ${n.toLocaleString('en-US')} rows of this view`);
  await page.getByTestId('label-view-confirm').click();
  await expect(page.getByTestId('label-view-dialog')).toBeHidden();
  await expect(page.locator('[data-testid=tile][data-index="0"] [data-testid=tile-label]')).toHaveText('good');
  // The labels are the lassoed rows: filter the table by them.
  await page.getByTestId('clear-view').click();
  await page.getByTestId('sql-input').fill("quality = 'good'");
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-count')).toHaveText(new RegExp(`^${n.toLocaleString('en-US')} of ${ROWS.toLocaleString('en-US')} rows match`));
  // Back on the map, the filter greys out the rows it leaves out.
  await page.getByTestId('map-button').click();
  await expect(page.getByTestId('map-shown')).toHaveText(`${n.toLocaleString('en-US')} of ${ROWS.toLocaleString('en-US')} points match the filter; the others are grey.`);
  // A cluster from the list opens as a view.
  await page.getByTestId('map-clusters-button').click();
  await page.getByTestId('map-cluster').first().click();
  await expect(page.getByTestId('view-count')).toHaveText(new RegExp(`^[\\d,]+ of ${ROWS.toLocaleString('en-US')} rows match`));
  await expect(page.locator('[data-testid=filter-chip][data-column=map_cluster]')).toHaveCount(1);
});
