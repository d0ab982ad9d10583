// The embedding job on the generated CLIP model: every image through the vision tower in batches into
// a new column with the model in its metadata; stopped mid-way and resumed by a new process, no row is
// embedded twice; the column then searches by meaning.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices } from '../app-services';
import { createDispatch } from '../../dispatch';
import { jobFinished, tempDir, tinyClipTable } from '../../test-support/fixtures';
import { writeTinyClip } from '../../test-support/clip-model';
import { arrow, lancedb } from '../dataset/lance';
import { Encoder } from '../models/encoder';
import { EMBEDDING_METADATA_KEY } from '../dataset/cells';
import { EMBED_BATCH } from './embed-column';
import type { DatasetInfo, JobProgress } from '../../../shared/types';

const t = tempDir('lx-embed-');
let modelDir = '';
let tablePath = '';
let images: Uint8Array[] = [];
const ROWS = 40;

const servicesOver = () => {
  const services = createAppServices({ dataDir: path.join(t.dir, 'home'), demoPath: path.join(t.dir, 'demo.lance'), platform: { carrier: 'web' }, env: { HF_HUB_CACHE: path.join(t.dir, 'hf') } });
  return { services, dispatch: createDispatch(services) as (c: string, r: unknown) => Promise<{ ok: boolean; value?: any; error?: { code: string; message: string } }> };
};

beforeAll(async () => {
  modelDir = await writeTinyClip(path.join(t.dir, 'model'), { dim: 32 });
  // A dataset with images and no vectors: the blocks, without their img_emb.
  images = (await tinyClipTable(t.dir, 'with-emb', modelDir, { rows: ROWS })).images;
  const db = await lancedb.connect(t.dir);
  const schema = new arrow.Schema([new arrow.Field('key', new arrow.Int64(), false), new arrow.Field('image', new arrow.LargeBinary(), true), new arrow.Field('caption', new arrow.Utf8(), true)]);
  (await db.createTable('plain', images.map((image, i) => ({ key: BigInt(i), image, caption: `block ${i}` })), { schema })).close();
  tablePath = path.join(t.dir, 'plain.lance');
}, 60_000);
afterAll(() => t.cleanup());

describe('embedding a dataset that has no vectors', () => {
  it('stops mid-way keeping what it made, resumes in a new process where it stopped, and writes the column once', async () => {
    const first = servicesOver();
    const opened = await first.dispatch('dataset:open', { path: tablePath });
    const info = opened.value as DatasetInfo;
    const req = { id: info.id, imageColumn: 'image', column: 'clip_emb', model: { dir: modelDir, dtype: 'fp32' } };
    const models = await first.dispatch('embed:models', {});
    expect(models.ok).toBe(true);
    const plan = await first.dispatch('embed:plan', req);
    expect(plan.value).toMatchObject({ rows: ROWS, done: 0, model: { space: 'lance-explorer-tests/tiny-clip', dim: 32 } });

    const started = await first.dispatch('embed:start', req);
    if (!started.ok) throw new Error(started.error?.message);
    const jobId = started.value.jobId as string;
    const off = first.services.events.on('job:progress', (p: JobProgress) => {
      if (p.jobId === jobId && p.done >= EMBED_BATCH) void first.dispatch('job:cancel', { jobId });
    });
    const stopped = await jobFinished(first.services.events, jobId);
    off();
    expect(stopped.ok).toBe(false);
    expect(stopped.error).toMatch(/Stopped with \d+ of 40 images embedded and kept/);
    // Nothing was written into the dataset.
    const after = await first.dispatch('dataset:info', { id: info.id });
    expect(after.value.columns.some((c: { name: string }) => c.name === 'clip_emb')).toBe(false);
    first.services.dispose();

    // "Restart": a new set of services over the same data folder.
    const second = servicesOver();
    const reopened = (await second.dispatch('dataset:open', { path: tablePath })).value as DatasetInfo;
    const req2 = { ...req, id: reopened.id };
    const plan2 = await second.dispatch('embed:plan', req2);
    const kept = plan2.value.done as number;
    expect(kept).toBeGreaterThanOrEqual(EMBED_BATCH);
    expect(kept).toBeLessThan(ROWS);
    const again = await second.dispatch('embed:start', req2);
    const done = await jobFinished(second.services.events, again.value.jobId);
    expect(done.error).toBeNull();
    const last = await second.dispatch('job:status', { jobId: again.value.jobId });
    // This run embedded only what was left.
    expect(last.value.progress?.message).toContain(`Embedded ${ROWS - kept} images`);
    expect(last.value.progress?.message).toContain(`(${kept} were kept from an earlier run)`);

    const db = await lancedb.connect(t.dir);
    const tbl = await db.openTable('plain');
    const field = (await tbl.schema()).fields.find((f) => f.name === 'clip_emb');
    expect(JSON.parse(field?.metadata.get(EMBEDDING_METADATA_KEY) ?? '{}')).toMatchObject({ space: 'lance-explorer-tests/tiny-clip', tower: 'image', dtype: 'fp32' });
    const rows = await tbl.query().select(['key', 'clip_emb']).toArray();
    expect(rows).toHaveLength(ROWS);
    expect(rows.every((r) => r.clip_emb && r.clip_emb.length === 32)).toBe(true);
    // The raw way for one row: the same vector.
    const enc = new Encoder(modelDir, 'fp32');
    const [v] = await enc.images([images[5] as Uint8Array]);
    await enc.close();
    const row5 = rows.find((r) => Number(r.key) === 5);
    expect(Array.from(row5.clip_emb as Float32Array).map((x) => x.toFixed(5))).toEqual(Array.from(v as Float32Array).map((x) => x.toFixed(5)));
    tbl.close();

    // The new column now searches by meaning with that model (its metadata says which).
    const status = await second.dispatch('model:status', { id: reopened.id, column: 'clip_emb' });
    expect(status.value.space).toMatchObject({ source: 'metadata', space: 'lance-explorer-tests/tiny-clip' });
    expect(status.value.model).toMatchObject({ dir: modelDir, dtype: 'fp32', from: 'folder' });
    const put = await second.dispatch('query:image', { id: reopened.id, bytes: Buffer.from(images[9] as Uint8Array).toString('base64') });
    const view = await second.dispatch('view:open', { id: reopened.id, spec: { kind: 'encoded', imageId: put.value.imageId, column: 'clip_emb', k: 3, metric: 'l2', nprobes: 20, refineFactor: 1 } });
    if (!view.ok) throw new Error(view.error?.message);
    const page = await second.dispatch('view:page', { id: reopened.id, viewId: view.value.viewId, offset: 0, limit: 3 });
    expect(page.value.rows[0].values.key).toBe(9);
    second.services.dispose();
  }, 90_000);
});
