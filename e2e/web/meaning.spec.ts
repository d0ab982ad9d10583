// Search by meaning with a model, as a person does it: type a description, choose or drop an image;
// and get the model from the Hub first when it is not here. The model is generated (clip-model.ts):
// CLIP's file layout, tokenizer and tower names, not CLIP's weights.
import { test, expect, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';
import { writeTinyClip } from '../../main/test-support/clip-model';
import { tinyClipTable } from '../../main/test-support/fixtures';
import { startMockHub, type MockHub } from '../../main/test-support/mock-hub';

const REPO = 'lance-explorer-tests/tiny-clip';
const COMMIT = 'c'.repeat(40);
let dir = '';
let images: Uint8Array[] = [];
let table = '';
let bridge: RunningBridge;
let empty: RunningBridge;
let hub: MockHub;
let plain: RunningBridge;

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-meaning-'));
  // A model already in the Hugging Face cache, as another Hub tool would have left it.
  const cache = path.join(dir, 'hf-hub');
  const snapshot = await writeTinyClip(path.join(cache, `models--${REPO.replace('/', '--')}`, 'snapshots', COMMIT), { dim: 32 });
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(path.join(cache, `models--${REPO.replace('/', '--')}`, 'refs'), { recursive: true });
  await writeFile(path.join(cache, `models--${REPO.replace('/', '--')}`, 'refs', 'main'), COMMIT);
  const made = await tinyClipTable(dir, 'blocks', snapshot);
  images = made.images;
  table = made.path;
  bridge = await startServe({ dataset: table, env: { HF_HUB_CACHE: cache, HF_ENDPOINT: 'http://127.0.0.1:9' } });
  // The same images without vectors, for the embedding job.
  const { arrow, lancedb } = await import('../../main/services/dataset/lance');
  const db = await lancedb.connect(dir);
  const schema = new arrow.Schema([new arrow.Field('key', new arrow.Int64(), false), new arrow.Field('image', new arrow.LargeBinary(), true), new arrow.Field('caption', new arrow.Utf8(), true)]);
  (await db.createTable('plain', images.map((image, i) => ({ key: BigInt(i), image, caption: `block ${i}` })), { schema })).close();
  plain = await startServe({ dataset: path.join(dir, 'plain.lance'), env: { HF_HUB_CACHE: cache, HF_ENDPOINT: 'http://127.0.0.1:9' } });
  hub = await startMockHub(snapshot, { kind: 'model', repo: REPO, lfsThreshold: 100_000 });
  empty = await startServe({ dataset: table, env: { HF_HUB_CACHE: path.join(dir, 'empty-cache'), HF_ENDPOINT: hub.endpoint } });
});
test.afterAll(async () => {
  await bridge?.stop();
  await empty?.stop();
  await plain?.stop();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

const firstKey = (page: Page) => page.locator('[data-testid=tile][data-index="0"]').getAttribute('data-key');

test('type a description: the model found in the Hugging Face cache encodes it, results with distances, code shows the encoding', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  await page.getByTestId('search-mode').selectOption('meaning');
  await expect(page.getByTestId('get-model')).toHaveText('Model…');
  await page.getByTestId('search-input').fill('a red block at the top');
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('nearest the description');
  await expect(page.getByTestId('view-notes')).toContainText('text tower (q8');
  await expect(page.locator('[data-testid=tile][data-index="3"] [data-testid=tile-score]')).toBeVisible();
  const distances = await page.getByTestId('tile-score').evaluateAll((els) => els.map((e) => Number(e.textContent?.replace('d ', ''))));
  expect(distances).toEqual([...distances].sort((a, b) => a - b));
  await page.getByTestId('code-button').click();
  await expect(page.getByTestId('code-dialog')).toContainText('get_text_features');
  await page.getByTestId('code-dialog').getByText('TypeScript (@lancedb/lancedb)').click();
  await expect(page.getByTestId('code-text')).toHaveValue(/CLIPTextModelWithProjection/);
  await page.keyboard.press('Escape');
  // Back returns to the plain table
  await page.goBack();
  await expect(page.getByTestId('view-count')).toContainText('24 rows');
});

test('choose an image, then drop another: each finds the row it came from first, each a view in the history', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  await page.getByTestId('search-mode').selectOption('meaning');
  await page.getByTestId('query-image-input').setInputFiles({ name: 'block7.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(images[7] as Uint8Array) });
  await expect(page.getByTestId('view-count')).toContainText('nearest block7.jpg');
  await expect.poll(() => firstKey(page)).toBe('7');
  await expect(page.getByTestId('view-notes')).toContainText('vision tower');

  // Drop a file from the desktop anywhere on the window.
  await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'block12.jpg', { type: 'image/jpeg' }));
    document.querySelector('[data-testid=grid]')?.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, Buffer.from(images[12] as Uint8Array).toString('base64'));
  await expect(page.getByTestId('view-count')).toContainText('nearest block12.jpg');
  await expect.poll(() => firstKey(page)).toBe('12');
  await page.goBack();
  await expect(page.getByTestId('view-count')).toContainText('nearest block7.jpg');

  // Not an image: said next to the search box, nothing else changes.
  await page.getByTestId('query-image-input').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
  await expect(page.getByTestId('meaning-error')).toContainText('not a JPEG, PNG, GIF or WebP');
  await expect(page.getByTestId('view-count')).toContainText('nearest block7.jpg');
});

test('no model yet: nothing is fetched until asked; Get the model… shows the size, downloads with progress into the cache, then it searches', async ({ page }) => {
  await page.goto(empty.openUrl);
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  await page.getByTestId('search-mode').selectOption('meaning');
  await expect(page.getByTestId('get-model')).toHaveText('Get the model…');
  expect(hub.requests.resolve).toBe(0);
  // Without the model a description still searches, by captions, and says so.
  await page.getByTestId('search-input').fill('red');
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('view-notes')).toContainText('By captions (no text model)');

  await page.getByTestId('get-model').click();
  await expect(page.getByTestId('model-dialog')).toContainText(REPO);
  await page.getByTestId('model-dtype').selectOption('fp32');
  await expect(page.getByTestId('model-plan')).toContainText('files');
  await expect(page.getByTestId('model-plan')).toContainText('models--lance-explorer-tests--tiny-clip');
  await page.getByTestId('model-download').click();
  await expect(page.getByTestId('dl-summary')).toContainText('every file verified', { timeout: 30_000 });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('get-model')).toHaveText('Model…');
  await page.getByTestId('search-input').fill('a blue block');
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('nearest the description');
  await expect(page.getByTestId('view-notes')).toContainText('text tower (fp32');
});

test('a dataset without vectors: Embed images… with the cached model, progress, then the new column searches by an image', async ({ page }) => {
  await page.goto(plain.openUrl);
  await expect(page.locator('[data-testid=tile][data-index="0"] img')).toBeVisible();
  await expect(page.getByTestId('search-mode')).toHaveCount(0); // no vectors: words only
  await page.getByTestId('embed-button').click();
  await expect(page.getByTestId('embed-model')).toContainText(REPO);
  await expect(page.getByTestId('embed-column')).toHaveValue('img_emb');
  await expect(page.getByTestId('embed-plan')).toContainText('24 images');
  await page.getByTestId('embed-start').click();
  await expect(page.getByTestId('embed-status')).toContainText('Embedded 24 images', { timeout: 30_000 });
  await expect(page.getByTestId('embed-build-index')).toBeVisible();
  await page.getByTestId('embed-close').click();
  await expect(page.getByTestId('search-mode')).toBeVisible();
  await page.getByTestId('search-mode').selectOption('meaning');
  await page.getByTestId('query-image-input').setInputFiles({ name: 'block3.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(images[3] as Uint8Array) });
  await expect.poll(() => firstKey(page)).toBe('3');
});
