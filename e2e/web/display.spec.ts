// Asking instead of guessing, and images by reference. A generated dataset keeps its images as
// relative paths and as URLs on a local server the test starts, beside a text blob and no column
// named like a caption: the paths show at once, the caption is asked for and remembered, URLs are
// fetched only once turned on, and the blob is never taken for an image.
import { test, expect } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startServe } from '../support/bridge';

let dir = '';
let server: Server;
let fetched = 0;
const N = 8;
test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-e2e-refs-'));
  mkdirSync(path.join(dir, 'photos'));
  const pngs: Buffer[] = [];
  for (let i = 0; i < N; i++) pngs.push(await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 30 * i, g: 160, b: 90 } } }).png().toBuffer());
  pngs.forEach((b, i) => writeFileSync(path.join(dir, 'photos', `p${i}.png`), b));
  server = createServer((req, res) => {
    const m = /^\/img\/(\d+)\.png$/.exec(req.url ?? '');
    if (!m || !pngs[Number(m[1])]) return res.writeHead(404).end();
    fetched++;
    res.writeHead(200, { 'Content-Type': 'image/png' }).end(pngs[Number(m[1])]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const { lancedb, arrow } = await import('../../main/services/dataset/lance');
  const rows = Array.from({ length: N }, (_, i) => ({ id: i, blob: Buffer.from(`plain text blob ${i}`), photo: `photos/p${i}.png`, link: `${base}/img/${i}.png`, note: `note about item ${i}` }));
  const schema = new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('blob', new arrow.Binary(), true),
    new arrow.Field('photo', new arrow.Utf8(), true),
    new arrow.Field('link', new arrow.Utf8(), true),
    new arrow.Field('note', new arrow.Utf8(), true),
  ]);
  (await (await lancedb.connect(dir)).createTable('refs', rows, { schema })).close();
});
test.afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('paths show at once, the caption is asked for and kept, URLs wait to be turned on, a text blob is no image', async ({ page }) => {
  const b = await startServe({ dataset: path.join(dir, 'refs.lance') });
  try {
    await page.goto(b.openUrl);
    const tile = page.locator('[data-testid=tile][data-index="3"]');
    await expect(tile.locator('img')).toBeVisible();
    // No column is named like a caption: asked, and answered once.
    const ask = page.getByTestId('ask-caption');
    await expect(ask).toContainText('Which text should the tiles show?');
    await ask.getByRole('combobox').selectOption('note');
    await expect(ask).toBeHidden();
    await expect(tile).toHaveAttribute('title', 'note about item 3');
    await page.reload();
    await expect(page.locator('[data-testid=tile][data-index="3"]')).toHaveAttribute('title', 'note about item 3');
    await expect(page.getByTestId('ask-caption')).toHaveCount(0);

    // Display…: what each column holds; the URLs need remote images turned on.
    await page.getByTestId('display-button').click();
    const dialog = page.getByTestId('display-dialog');
    await expect(dialog.getByTestId('display-image').locator('option', { hasText: 'blob' })).toHaveText(/none of 8 values is an image/);
    await expect(dialog.getByTestId('display-image-note')).toContainText('8 of 8 values are image paths');
    await dialog.getByTestId('display-image').selectOption('link');
    await dialog.getByTestId('display-done').click();
    const broken = page.locator('[data-testid=tile][data-index="2"]').getByTestId('tile-broken');
    await expect(broken).toHaveText('Remote images are off');
    await expect(broken).toHaveAttribute('title', /Turn them on in Display/);
    expect(fetched).toBe(0);
    await page.getByTestId('display-button').click();
    await dialog.getByTestId('display-remote').check();
    await dialog.getByTestId('display-done').click();
    await expect(page.locator('[data-testid=tile][data-index="2"] img')).toBeVisible();
    expect(fetched).toBeGreaterThan(0);

    // The blob chosen on purpose says what it is; "No image" opens the table.
    await page.getByTestId('display-button').click();
    await dialog.getByTestId('display-image').selectOption('blob');
    await dialog.getByTestId('display-done').click();
    await expect(page.locator('[data-testid=tile][data-index="1"]').getByTestId('tile-broken')).toHaveText('Not a readable image');
    await page.getByTestId('display-button').click();
    await dialog.getByTestId('display-image').selectOption('');
    await dialog.getByTestId('display-done').click();
    await expect(page.getByTestId('table')).toBeVisible();
    await expect(page.getByTestId('find-similar')).toHaveCount(0);
  } finally {
    await b.stop();
  }
});
