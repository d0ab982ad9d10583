// Download from a mock Hub on 127.0.0.1 through the dialog: check, watch progress, close and reopen,
// pause, resume, open the copy; and browse the same dataset online.
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';
import { startMockHub, type MockHub } from '../../main/test-support/mock-hub';
import { writeSyntheticTable } from '../../main/synthetic/synthetic-laion';

let dir: string;
let hub: MockHub;
let bridge: RunningBridge;
test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-e2e-hub-'));
  (await writeSyntheticTable(dir, 'train', { rows: 3000, imageSide: 32, batchRows: 500 })).close();
  hub = await startMockHub(path.join(dir, 'train.lance'));
  bridge = await startServe({ env: { HF_ENDPOINT: hub.endpoint, HF_TOKEN: '' } });
});
test.afterAll(async () => {
  await bridge.stop();
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

test('download the mock dataset with progress, pause, resume, then open it', async ({ page }) => {
  const total = hub.files.reduce((a, f) => a + f.bytes.length, 0);
  hub.faults.bytesPerSecond = Math.ceil(total / 30); // about 30 s with one transfer, 8 s with four
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await page.getByTestId('download-button').click();
  const dialog = page.getByTestId('download-dialog');
  await expect(page.getByTestId('dl-repo')).toHaveValue('lance-format/laion-1m');
  await expect(page.getByTestId('dl-revision')).toHaveValue('main');
  await expect(page.getByTestId('dl-folder')).toHaveValue('data/train.lance');
  await page.getByTestId('dl-check').click();
  await expect(page.getByTestId('dl-plan')).toContainText(`${hub.files.length} files`);
  await expect(page.getByTestId('dl-plan')).toContainText('free');
  await expect(page.getByTestId('dl-target')).toHaveValue(path.join(bridge.home, 'hub', 'lance-format--laion-1m', 'train.lance'));

  await page.getByTestId('dl-start').click();
  const summary = page.getByTestId('dl-summary');
  await expect(summary).toContainText(/\d+% · .* of .* · \d+ of \d+ files · .*\/s · ETA/);
  await expect(page.getByTestId('dl-in-flight').locator('li').first()).toBeVisible();
  await dialog.screenshot({ path: path.join('test-results', 'playwright', 'download-dialog.png') });
  // Close it: the download goes on, and the status bar shows it.
  await page.getByTestId('dl-close').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('status-bar')).toContainText(/of .* files/);
  await page.getByTestId('download-button').click();
  await expect(summary).toContainText('%');
  await page.getByTestId('dl-pause').click();
  await expect(summary).toContainText(/Stopped with .* kept\. Resume continues from there/);
  // what it says is kept is what is on disk, never "0 B" once bytes have arrived
  await expect(summary).not.toContainText('Stopped with 0 B');

  hub.faults.bytesPerSecond = undefined;
  await page.getByTestId('dl-start').click(); // "Resume"
  await expect(summary).toContainText('every file verified', { timeout: 30_000 });
  // after a finish the dialog can also start afresh
  await expect(page.getByTestId('dl-new')).toBeVisible();
  await page.getByTestId('dl-open').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('status-rows')).toHaveText('3,000 rows');
  await expect(page.getByTestId('status-name')).toHaveAttribute('title', path.join(bridge.home, 'hub', 'lance-format--laion-1m', 'train.lance'));
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  // the dialog remembers the finished download until asked for a new one
  await page.getByTestId('download-button').click();
  await expect(page.getByTestId('dl-open')).toBeVisible();
  await page.getByTestId('dl-new').click();
  await expect(page.getByTestId('dl-check')).toBeVisible();
  await expect(page.getByTestId('dl-summary')).toHaveCount(0);
  await expect(page.getByTestId('dl-target')).toHaveValue('');
  await page.getByTestId('dl-close').click();
  await page.getByTestId('download-button').click();
  await expect(page.getByTestId('dl-check')).toBeVisible();
  await page.getByTestId('dl-close').click();
});

test('errors from the Hub show in the dialog; browse online opens the dataset without downloading', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await page.getByTestId('download-button').click();
  await page.getByTestId('dl-repo').fill('someone/missing');
  await page.getByTestId('dl-check').click();
  await expect(page.getByTestId('dl-error')).toContainText('the repository does not exist, or it is private and needs a token');
  await page.getByTestId('dl-repo').fill('lance-format/laion-1m');
  await page.getByTestId('dl-browse-online').click();
  await expect(page.getByTestId('download-dialog')).toBeHidden();
  await expect(page.getByTestId('status-name')).toHaveAttribute('title', 'hf://datasets/lance-format/laion-1m/data/train.lance');
  await expect(page.getByTestId('status-rows')).toHaveText('3,000 rows');
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  // Read from the Hub, it is read-only and says so: no labelling, no columns, no merge
  await expect(page.getByTestId('readonly-banner')).toContainText('is read from the Hub. Download it');
  for (const id of ['add-column-button', 'merge-button']) await expect(page.getByTestId(id)).toHaveCount(0);
  await page.getByTestId('tile').first().click();
  await page.keyboard.press('1');
  await expect(page.getByTestId('label-error')).toHaveCount(0);
});
