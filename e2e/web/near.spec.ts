// Near duplicates from the statistics panel on a generated LAION-shaped table with planted copies:
// 40 rows whose image was re-encoded (other bytes, so another md5) and whose embedding moved to a
// similarity of 0.96-0.99, and 40 decoys moved to 0.90-0.92. The job runs from the panel, the
// histogram and the threshold give the groups, the grid shows them grouped, and resolving writes
// the keepers' keys.
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';

let dir = '';
let bridge: RunningBridge;
const ROWS = 3000;
const PLANTED = 40;

/** A unit vector at cosine similarity c to unit v (v plus orthogonal noise). */
function moved(v: Float32Array, c: number, rand: () => number): Float32Array {
  const e = Float32Array.from(v, () => rand() - 0.5);
  const along = e.reduce((s, x, i) => s + x * (v[i] as number), 0);
  for (let i = 0; i < e.length; i++) e[i] = (e[i] as number) - along * (v[i] as number);
  const r = Math.sqrt(1 / (c * c) - 1) / Math.hypot(...e);
  const out = v.map((x, i) => x + (e[i] as number) * r);
  const n = Math.hypot(...out);
  return out.map((x) => x / n);
}

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-near-e2e-'));
  const { syntheticBatches } = await import('../../main/synthetic/synthetic-laion');
  const { laionBatch } = await import('../../main/services/dataset/laion-schema');
  const { lancedb } = await import('../../main/services/dataset/lance');
  const sharp = (await import('sharp')).default;
  const { createHash } = await import('node:crypto');
  const rows = [];
  for await (const b of syntheticBatches({ rows: ROWS, imageSide: 32, clusters: 8, batchRows: ROWS })) rows.push(...b);
  let seed = 3;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < PLANTED; i++) {
    const original = rows[i * 7]!;
    const copy = rows[ROWS - 1 - i]!;
    copy.image = new Uint8Array(await sharp(original.image).jpeg({ quality: 40 }).toBuffer());
    copy.md5 = createHash('md5').update(copy.image).digest('hex');
    copy.img_emb = moved(original.img_emb, 0.96 + (i % 4) / 100, rand);
    const decoy = rows[ROWS - 1 - PLANTED - i]!;
    decoy.img_emb = moved(original.img_emb, 0.9 + (i % 3) / 100, rand);
  }
  const db = await lancedb.connect(dir);
  const tbl = await db.createTable('laion', laionBatch(rows.slice(0, 1500)));
  await tbl.add(laionBatch(rows.slice(1500)));
  await tbl.createIndex('key', { config: lancedb.Index.btree() });
  tbl.close();
  bridge = await startServe({ dataset: path.join(dir, 'laion.lance') });
});
test.afterAll(async () => {
  await bridge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('near duplicates: found from the panel, shown grouped at the threshold, resolved into a label', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  await page.getByTestId('stats-button').click();
  const near = page.getByTestId('stats-near');
  await expect(near).toContainText('by img_emb');
  await near.getByTestId('near-start').click();
  // The job's result: the histogram of every row's nearest neighbour, the default threshold and its groups.
  await expect(near.getByTestId('near-hist')).toBeVisible({ timeout: 60_000 });
  await expect(near.getByTestId('near-meta')).toContainText(`${ROWS.toLocaleString('en-US')} rows`);
  await expect(near.getByTestId('near-threshold')).toHaveValue('0.94');
  await expect(near.getByTestId('near-count')).toContainText(`${PLANTED} groups, ${PLANTED * 2} rows`);
  await expect(near.getByTestId('near-redundant')).toHaveText(String(PLANTED));
  // Higher, only the closer half of the copies (0.98 and 0.99) stay; from the keyboard, back to 0.94.
  await near.getByTestId('near-threshold').fill('0.975');
  await expect(near.getByTestId('near-count')).toContainText(`At 0.975 or more: ${PLANTED / 2} groups, ${PLANTED} rows`);
  // Lower, the decoys (0.90-0.92) and this synthetic table's own close rows join.
  await near.getByTestId('near-threshold').fill('0.895');
  await expect(near.getByTestId('near-count')).toContainText('At 0.895 or more');
  expect(Number(((await near.getByTestId('near-redundant').textContent()) ?? '').replace(/\D/g, ''))).toBeGreaterThan(PLANTED * 2);
  const slider = near.getByTestId('near-threshold');
  await slider.fill('0.935');
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect(slider).toHaveValue('0.94');
  await expect(near.getByTestId('near-count')).toContainText('At 0.94 or more');
  await expect(near.getByTestId('near-redundant')).toHaveText(String(PLANTED));
  await near.getByTestId('near-show').click();
  await expect(page.getByTestId('view-count')).toHaveText(/^80 rows with a near duplicate \(by img_emb, similarity 0\.94 or more\)/);
  await expect(page.locator('[data-testid=tile][data-index="0"] [data-testid=tile-score]')).toHaveText('×2');
  await expect(page.locator('[data-testid=tile][data-index="1"] img')).toBeVisible();
  // Resolve every group: the keeper by the rule, the other row marked with its key.
  await page.getByTestId('resolve-button').click();
  const dialog = page.getByTestId('resolve-dialog');
  await expect(dialog.getByTestId('resolve-group')).toHaveCount(PLANTED);
  await dialog.getByTestId('resolve-mark-all').click();
  await expect(dialog.getByTestId('resolve-done')).toContainText(`Marked ${PLANTED} rows in ${PLANTED} groups`);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('undo-bar')).toContainText(`Marked ${PLANTED} duplicates in duplicate_of`);
  // The panel keeps the result for the new version (same rows, only a label added).
  await expect(near.getByTestId('near-meta')).toContainText('the rows are unchanged');
  await page.getByTestId('clear-view').click();
  await page.getByTestId('add-filter').selectOption('duplicate_of');
  await page.locator('[data-testid=filter-chip][data-column=duplicate_of] select').selectOption('notNull');
  await page.getByTestId('apply-view').click();
  await expect(page.getByTestId('view-count')).toHaveText(new RegExp(`^${PLANTED} of ${ROWS.toLocaleString('en-US')} rows match`));
});
