// A LanceDB Cloud / Enterprise database opened from the Open dialog, against the local stand-in for
// its REST API that this test starts (answered by a real LanceDB table): the address, API key, region
// and host typed into the dialog; a wrong key said in the dialog; the grid with images from the
// service; find similar and caption search through the API; what the service does not offer is
// disabled with the reason; the key is not asked again for another table of the same database until
// it is forgotten.
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDialogOnFixture } from '../support/open-remote';
import { findSimilarFrom } from '../support/similar';

let peer: import('../../main/test-support/lancedb-cloud-peer').LanceDbCloudPeer;
let dir = '';
test.beforeAll(async () => {
  const { startLanceDbCloudPeer } = await import('../../main/test-support/lancedb-cloud-peer');
  const { writeSyntheticTable } = await import('../../main/synthetic/synthetic-laion');
  const { lancedb } = await import('../../main/services/dataset/lance');
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-e2e-cloud-'));
  const t = await writeSyntheticTable(dir, 'laion', { rows: 150, imageSide: 32, batchRows: 75, clusters: 3 });
  await t.createIndex('caption', { config: lancedb.Index.fts() });
  t.close();
  (await (await lancedb.connect(dir)).createTable('notes', [{ id: 1, text: 'hello' }])).close();
  peer = await startLanceDbCloudPeer({ dir, database: 'curators' });
});
test.afterAll(async () => {
  await peer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('open db:// with an API key: the grid from the service, similar and search through its API, the rest explained', async ({ page }) => {
  const { bridge: b, dialog } = await openDialogOnFixture(page);
  try {
    await dialog.getByTestId('path-input').fill('db://curators');
    const fields = dialog.getByTestId('storage-fields');
    await expect(fields).toContainText('LanceDB Cloud or Enterprise');
    await expect(fields.getByTestId('storage-apiKey')).toHaveAttribute('type', 'password');
    await expect(fields.getByTestId('storage-allowHttp')).toHaveCount(0);
    await fields.getByTestId('storage-apiKey').fill('sk-not-this-one');
    await fields.getByTestId('storage-region').fill('us-east-1');
    await fields.getByTestId('storage-host').fill(peer.host);
    await dialog.getByTestId('open-submit').click();
    await expect(dialog.getByTestId('open-error')).toContainText('refused the API key');
    await fields.getByTestId('storage-apiKey').fill(peer.apiKey);
    await dialog.getByTestId('open-submit').click();
    // Two tables there: chosen as for a folder.
    await dialog.getByTestId('table-choice').getByRole('button', { name: 'laion' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('status-rows')).toHaveText('150 rows');
    await expect(page.locator('[data-testid=tile][data-index="4"] img')).toBeVisible();
    await expect(page.getByTestId('readonly-banner')).toContainText('LanceDB Cloud');
    for (const id of ['stats-button', 'versions-button', 'map-button']) {
      await expect(page.getByTestId(id)).toBeDisabled();
      await expect(page.getByTestId(id)).toHaveAttribute('title', /Not offered for LanceDB Cloud/);
    }
    // Find similar: the query row first, its neighbours after, from a vector query to the service.
    const { caption } = await findSimilarFrom(page, page.locator('[data-testid=tile][data-index="4"]'));
    expect(peer.requests.some((r) => r.path === '/v1/table/laion/query/' && Array.isArray(r.body?.vector) && (r.body?.vector as unknown[]).length > 0)).toBe(true);
    // Caption search through the service's full-text index, from the table's own view (Back).
    await page.keyboard.press('Alt+ArrowLeft');
    await expect(page.getByTestId('view-count')).toHaveText(/^[\d,]+ rows$/);
    const word = (caption ?? '').split(/\s+/).find((w) => /^[a-z]{4,}$/i.test(w)) ?? 'photo';
    await page.keyboard.press('/');
    await page.keyboard.type(word);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('view-count')).toContainText('results');
    expect(peer.requests.some((r) => (r.body?.full_text_query as { query?: string } | undefined)?.query === word)).toBe(true);
    // Another table of the same database: the key kept in the bridge is used, nothing asked.
    await page.keyboard.press('Control+o');
    await dialog.getByTestId('path-input').fill('db://curators/notes');
    await dialog.getByTestId('open-submit').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('status-rows')).toHaveText('1 rows');
    // Every request carried the key typed (after the wrong one) and the database.
    expect(new Set(peer.requests.map((r) => r.database))).toEqual(new Set(['curators']));
    // Forgotten: the next open of that database asks for the key again, in the dialog.
    await page.keyboard.press('Control+o');
    await dialog.getByTestId('path-input').fill('db://curators/laion');
    await dialog.getByTestId('storage-forget').click();
    await expect(dialog.getByTestId('storage-fields')).toContainText('The credentials kept for db://curators are forgotten.');
    await dialog.getByTestId('open-submit').click();
    await expect(dialog.getByTestId('open-error')).toContainText('needs an API key');
  } finally {
    await b.stop();
  }
});
