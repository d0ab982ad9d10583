// Datasets not written by this app: data files of Lance's old format 0.1/0.2 (every read works,
// writes wait for Upgrade…), a folder of several tables given at start, and LanceDB's own error texts
// kept behind "Details" instead of on the screen.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { startServe } from '../support/bridge';
import { FIXTURES } from '../support/paths';
import { findSimilarFrom } from '../support/similar';

test('an old-format dataset shows its images, details and similar rows, and Upgrade… makes an editable copy', async ({ page }) => {
  const b = await startServe({ dataset: path.join(FIXTURES, 'old-format.lance') });
  try {
    await page.goto(b.openUrl);
    const banner = page.getByTestId('readonly-banner');
    await expect(banner).toContainText("old file format (0.1/0.2)");
    await expect(page.getByTestId('add-column-button')).toHaveCount(0);
    // Tiles far down the grid and the detail panel read rows by id: by position on these files.
    const tile = page.locator('[data-testid=tile][data-index="7"]');
    await expect(tile.locator('img')).toBeVisible();
    const caption = await tile.getAttribute('title');
    await tile.dblclick();
    await expect(page.getByTestId('detail').locator('[data-field=caption]')).toContainText(caption ?? '');
    await expect(page.getByTestId('detail-image')).toBeVisible();
    await page.keyboard.press('Escape');
    await findSimilarFrom(page, tile);
    await expect(page.locator('[data-testid=tile][data-index="3"] img')).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);

    await banner.getByTestId('upgrade').click();
    const dialog = page.getByTestId('save-table-dialog');
    await expect(dialog.getByTestId('upgrade-note')).toContainText('builds its indices again');
    await expect(dialog.getByTestId('save-target')).toHaveValue(path.join(FIXTURES, 'old-format-upgraded.lance'));
    // Beside the fixtures would leave a table there for the next run's table list: write it to the test's home.
    await dialog.getByTestId('save-target').fill(path.join(b.home, 'old-format-upgraded.lance'));
    await dialog.getByTestId('save-start').click();
    await expect(page.getByTestId('save-status')).toContainText('Saved');
    await dialog.getByTestId('save-open').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('readonly-banner')).toHaveCount(0);
    await expect(page.getByTestId('add-column-button')).toBeVisible();
    await expect(page.locator('[data-testid=tile][data-index="7"]')).toHaveAttribute('title', caption ?? '');
  } finally {
    await b.stop();
  }
});

test('a folder of several tables given at start offers them as buttons', async ({ page }) => {
  const b = await startServe({ dataset: FIXTURES });
  try {
    await page.goto(b.openUrl);
    const choice = page.getByTestId('start-table-choice');
    await expect(choice).toContainText('holds several tables');
    await choice.getByRole('button', { name: 'bad-images', exact: true }).click();
    await expect(page.getByTestId('status-rows')).toHaveText('40 rows');
  } finally {
    await b.stop();
  }
});

test("LanceDB's own words stay behind Details; the message says what happened", async ({ page }) => {
  const b = await startServe({ dataset: path.join(FIXTURES, 'missing-data.lance') });
  try {
    await page.goto(b.openUrl);
    const error = page.getByTestId('startup-error').getByRole('alert');
    await expect(error).toContainText('damaged or incomplete');
    await expect(error.getByTestId('error-message')).not.toContainText(/lance error|cargo|\.rs:\d|GenericFailure|Failed to get next batch/i);
    const details = error.getByTestId('error-details');
    await expect(details.locator('pre')).toBeHidden();
    await details.locator('summary').focus();
    await page.keyboard.press('Enter');
    await expect(details.locator('pre')).toBeVisible();
    await expect(details.locator('pre')).toContainText(/not ?found|No such file|does not exist|os error/i);
  } finally {
    await b.stop();
  }
});
