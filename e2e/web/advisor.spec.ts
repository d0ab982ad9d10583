// The index advisor from a find-similar view: compare the bundled index with LanceDB's other kinds
// (built on a copy), read the table, build the fastest on the dataset, and the next search uses it.
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';

let dir = '';
let bridge: RunningBridge;

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-advisor-'));
  const { writeSyntheticTable } = await import('../../main/synthetic/synthetic-laion');
  const { lancedb } = await import('../../main/services/dataset/lance');
  (await writeSyntheticTable(dir, 'laion', { rows: 3000, imageSide: 16, clusters: 8, batchRows: 1000 })).close();
  const tbl = await (await lancedb.connect(dir)).openTable('laion');
  await tbl.createIndex('img_emb', { config: lancedb.Index.ivfPq({ numPartitions: 16, numSubVectors: 96 }) });
  tbl.close();
  bridge = await startServe({ dataset: path.join(dir, 'laion.lance') });
});
test.afterAll(async () => {
  await bridge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('compare indices from a similar view, then build the fastest on the dataset', async ({ page }) => {
  await page.goto(bridge.openUrl);
  const tile = page.locator('[data-testid=tile][data-index="0"]');
  await expect(tile.locator('img')).toBeVisible();
  await tile.click();
  await page.keyboard.press('s');
  await expect(page.getByTestId('view-count')).toContainText('nearest neighbours');
  await page.getByTestId('compare-indices').click();
  await page.getByTestId('advisor-start').click();
  await expect(page.getByTestId('advisor-table')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('advisor-row')).toHaveCount(4);
  await expect(page.getByTestId('advisor-table')).toContainText('IVF_HNSW_SQ');
  await expect(page.getByTestId('advisor-table')).toContainText('IVF_RQ');
  const best = page.getByTestId('advisor-build');
  if (await best.count()) {
    await best.click();
    await expect(page.getByTestId('advisor-build-status')).toContainText('Built', { timeout: 60_000 });
    await page.keyboard.press('Escape');
    // The build is a version of its own, said in the history.
    await page.getByTestId('versions-button').click();
    await expect(page.getByTestId('versions-dialog')).toContainText('built the');
  } else {
    await expect(page.getByTestId('advisor-verdict')).toContainText('already the fastest');
  }
});
