// A dataset in object storage, opened from the Open dialog: a local S3-compatible store started by
// the test (s3rver behind the front that makes it answer as S3 does), its address, endpoint, region
// and key typed into the dialog's storage fields; the grid shows the images from the bucket, and a
// version opened from the history reuses the credentials without asking again.
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDialogOnFixture } from '../support/open-remote';

let peer: import('../../main/test-support/s3-peer').S3Peer;
let dir = '';
test.beforeAll(async () => {
  const { startS3Peer } = await import('../../main/test-support/s3-peer');
  const { writeSyntheticTable } = await import('../../main/synthetic/synthetic-laion');
  const { lancedb } = await import('../../main/services/dataset/lance');
  peer = await startS3Peer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-e2e-s3-'));
  const local = await writeSyntheticTable(dir, 'src', { rows: 120, imageSide: 32, batchRows: 60, clusters: 3 });
  const data = await local.query().toArrow();
  local.close();
  const db = await lancedb.connect(`s3://${peer.bucket}/team`, { storageOptions: peer.storageOptions });
  const t = await db.createTable('laion', data);
  await t.createIndex('key', { config: lancedb.Index.btree() });
  t.close();
  // A longer one for scrolling: several pages of 200 rows.
  const long = await writeSyntheticTable(dir, 'long', { rows: 1200, imageSide: 16, batchRows: 400, clusters: 3 });
  const rows = await long.query().toArrow();
  long.close();
  (await db.createTable('long', rows)).close();
});
test.afterAll(async () => {
  await peer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('open s3:// with the storage fields: images from the bucket, and an older version without asking again', async ({ page }) => {
  const { bridge: b, dialog } = await openDialogOnFixture(page);
  try {
    await expect(dialog.getByTestId('storage-fields')).toHaveCount(0);
    await dialog.getByTestId('path-input').fill(`s3://${peer.bucket}/team/laion.lance`);
    const fields = dialog.getByTestId('storage-fields');
    await expect(fields).toContainText('Leave empty to use the usual sources');
    await fields.getByTestId('storage-endpoint').fill(peer.endpoint);
    await fields.getByTestId('storage-region').fill('us-east-1');
    await fields.getByTestId('storage-keyId').fill(peer.storageOptions.aws_access_key_id as string);
    await fields.getByTestId('storage-secret').fill(peer.storageOptions.aws_secret_access_key as string);
    await expect(fields.getByTestId('storage-secret')).toHaveAttribute('type', 'password');
    // Plain HTTP is refused until allowed: the message says so in the dialog.
    await dialog.getByTestId('open-submit').click();
    await expect(dialog.getByTestId('open-error')).toBeVisible();
    await fields.getByTestId('storage-allowHttp').check();
    await dialog.getByTestId('open-submit').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('status-rows')).toHaveText('120 rows');
    await expect(page.locator('[data-testid=tile][data-index="5"] img')).toBeVisible();
    await expect(page.getByTestId('toolbar-path')).toContainText(`s3://${peer.bucket}/team/laion.lance`);
    // Version 1 from the history: the same credentials, not asked again.
    await page.getByTestId('versions-button').click();
    const versions = page.getByTestId('versions-dialog');
    await expect(versions).toBeVisible();
    await versions.locator('[data-version="1"]').getByTestId('version-open').click();
    await expect(page.getByTestId('readonly-banner')).toContainText('version 1');
    await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  } finally {
    await b.stop();
  }
});

test('credentials revoked in the middle of a scroll: the tiles say the storage refused, Retry reads them once it accepts again', async ({ page }) => {
  const { bridge: b, dialog } = await openDialogOnFixture(page);
  try {
    await dialog.getByTestId('path-input').fill(`s3://${peer.bucket}/team/long.lance`);
    const fields = dialog.getByTestId('storage-fields');
    await fields.getByTestId('storage-endpoint').fill(peer.endpoint);
    await fields.getByTestId('storage-keyId').fill(peer.storageOptions.aws_access_key_id as string);
    await fields.getByTestId('storage-secret').fill(peer.storageOptions.aws_secret_access_key as string);
    await fields.getByTestId('storage-allowHttp').check();
    await dialog.getByTestId('open-submit').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('status-rows')).toHaveText('1,200 rows');
    await expect(page.locator('[data-testid=tile][data-index="3"] img')).toBeVisible();
    // The store starts refusing every data read (as S3 does when a key is revoked); the person scrolls on.
    peer.fail(/^GET .*long\.lance\/data\//, 403, 100_000);
    await page.locator('[data-testid=tile][data-index="3"]').click();
    await page.keyboard.press('End');
    const last = page.locator('[data-testid=tile][data-index="1199"]');
    await expect(last.getByTestId('tile-error-text')).toHaveText('Storage refused access');
    await expect(last.locator('.tile-error')).toHaveAttribute('title', /the storage refused access/);
    // Access comes back: Retry on a tile reads its rows; nothing else had to be reopened.
    peer.clearFaults();
    await last.getByRole('button', { name: 'Retry' }).click();
    await expect(last.locator('img')).toBeVisible();
    await expect(last).toHaveAttribute('title', /\S/);
  } finally {
    peer.clearFaults();
    await b.stop();
  }
});

test('open gs:// with a service account key file and az:// with an account key, from the same dialog', async ({ page }) => {
  const { startGcsPeer } = await import('../../main/test-support/gcs-peer');
  const { startAzurite } = await import('../../main/test-support/azurite');
  const { writeSyntheticTable } = await import('../../main/synthetic/synthetic-laion');
  const { lancedb } = await import('../../main/services/dataset/lance');
  const { writeFileSync } = await import('node:fs');
  const gcs = await startGcsPeer();
  const azurite = await startAzurite();
  const { bridge: b, dialog } = await openDialogOnFixture(page);
  try {
    const src = await writeSyntheticTable(dir, 'small', { rows: 60, imageSide: 24, batchRows: 60, clusters: 2 });
    const rows = await src.query().toArrow();
    src.close();
    (await (await lancedb.connect(`gs://${gcs.bucket}/team`, { storageOptions: gcs.storageOptions })).createTable('laion', rows)).close();
    await azurite.createContainer('data');
    (await (await lancedb.connect('az://data/team', { storageOptions: azurite.storageOptions })).createTable('laion', rows)).close();
    const keyFile = path.join(dir, 'service-account.json');
    writeFileSync(keyFile, gcs.keyJson);

    await dialog.getByTestId('path-input').fill(`gs://${gcs.bucket}/team/laion.lance`);
    const fields = dialog.getByTestId('storage-fields');
    await expect(fields).toContainText("Google's application default credentials");
    await fields.getByTestId('storage-serviceAccount').fill(keyFile);
    await fields.getByTestId('storage-allowHttp').check();
    await dialog.getByTestId('open-submit').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('status-rows')).toHaveText('60 rows');
    await expect(page.locator('[data-testid=tile][data-index="2"] img')).toBeVisible();
    await expect(page.getByTestId('toolbar-path')).toContainText(`gs://${gcs.bucket}/team/laion.lance`);

    await page.keyboard.press('Control+o');
    await dialog.getByTestId('path-input').fill('az://data/team/laion.lance');
    await expect(fields).toContainText('AZURE_STORAGE_');
    await fields.getByTestId('storage-account').fill(azurite.storageOptions.azure_storage_account_name as string);
    await fields.getByTestId('storage-accountKey').fill(azurite.storageOptions.azure_storage_account_key as string);
    await expect(fields.getByTestId('storage-accountKey')).toHaveAttribute('type', 'password');
    await fields.getByTestId('storage-endpoint').fill(azurite.endpoint);
    await fields.getByTestId('storage-allowHttp').check();
    await dialog.getByTestId('open-submit').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('status-rows')).toHaveText('60 rows');
    await expect(page.locator('[data-testid=tile][data-index="2"] img')).toBeVisible();
    await expect(page.getByTestId('toolbar-path')).toContainText('az://data/team/laion.lance');
  } finally {
    await b.stop();
    await gcs.stop();
    await azurite.stop();
  }
});
