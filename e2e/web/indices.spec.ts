// Building the indices a view lacks, from the UI: progress, cancel (dataset unchanged), completion
// (a new version; the view then uses the index). Each test works on its own copy of a dataset.
import { test, expect } from '@playwright/test';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';
import { DEMO } from '../support/paths';
import { writeSyntheticTable } from '../../main/synthetic/synthetic-laion';

let dir: string;
test.beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-e2e-index-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('caption search offers the missing full-text index, builds it with progress, then uses it', async ({ page }) => {
  const copy = path.join(dir, 'demo-copy.lance');
  cpSync(DEMO, copy, { recursive: true });
  const bridge: RunningBridge = await startServe({ dataset: copy });
  try {
    await page.goto(bridge.openUrl);
    await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
    const version = Number((await page.getByTestId('status-version').innerText()).replace('version ', ''));
    await page.getByTestId('search-input').fill('cat');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('view-notes')).toContainText('caption has no full-text index');
    await page.getByTestId('build-index').click();
    const dialog = page.getByTestId('index-dialog');
    await expect(dialog).toContainText('Build the full-text (BM25) index on caption');
    await page.getByTestId('index-start').click();
    await expect(page.getByTestId('index-status')).toContainText(/Built the full-text index on caption in .*The view now uses it/);
    await page.getByTestId('index-close').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('view-notes')).toBeHidden();
    await expect(page.getByTestId('build-index')).toBeHidden();
    await expect(page.getByTestId('status-version')).toHaveText(`version ${version + 1}`);
    await expect(page.getByTestId('tile').first().getByTestId('match').first()).toBeVisible();
  } finally {
    await bridge.stop();
  }
});

test('an IVF_PQ build shows progress, can be cancelled (nothing changes), and built again', async ({ page }) => {
  test.setTimeout(180_000);
  // 10k rows: long enough to cancel midway, short enough to finish in the test.
  (await writeSyntheticTable(dir, 'unindexed', { rows: 10_000, imageSide: 16, batchRows: 5000 })).close();
  const bridge: RunningBridge = await startServe({ dataset: path.join(dir, 'unindexed.lance') });
  try {
    await page.goto(bridge.openUrl);
    const tile = page.locator('[data-testid=tile][data-index="2"]');
    await expect(tile.locator('img')).toBeVisible();
    const version = await page.getByTestId('status-version').innerText();
    await tile.click();
    await page.keyboard.press('s');
    await expect(page.getByTestId('view-notes')).toContainText('img_emb has no vector index: this is an exact search');
    await page.getByTestId('build-index').click();
    await expect(page.getByTestId('index-dialog')).toContainText('Build the IVF_PQ vector index on img_emb (L2)');
    await page.getByTestId('index-start').click();
    const status = page.getByTestId('index-status');
    await expect(status).toContainText(/Building the IVF_PQ index on img_emb: \d+ s elapsed/);
    // The dialog can be closed while it builds; the status bar shows the job; reopening finds it.
    await page.getByTestId('index-close').click();
    await expect(page.getByTestId('status-bar')).toContainText('Building the IVF_PQ index');
    await page.getByTestId('build-index').click();
    await expect(status).toContainText('Building the IVF_PQ index');
    await page.getByTestId('index-cancel').click();
    await expect(status).toContainText(/cancelled\. The dataset is unchanged \(still version \d+\)/);
    await expect(page.getByTestId('status-version')).toHaveText(version);

    await page.getByTestId('index-start').click(); // "Build again"
    await expect(status).toContainText('The view now uses it', { timeout: 150_000 });
    await page.getByTestId('index-close').click();
    // No more "exact search" note or build offer; the notes now offer to compare indices.
    await expect(page.getByTestId('build-index')).toHaveCount(0);
    await expect(page.getByTestId('view-notes')).not.toContainText('exact search');
    await expect(page.getByTestId('compare-indices')).toBeVisible();
    await expect(page.getByTestId('status-version')).not.toHaveText(version);
    await expect(page.locator('[data-testid=tile][data-index="0"]').getByTestId('query-badge')).toBeVisible();
    await expect(page.locator('[data-testid=tile][data-index="5"] [data-testid=tile-score]')).toBeVisible();
  } finally {
    await bridge.stop();
  }
});
