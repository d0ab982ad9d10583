import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createAppServices, type AppServices } from '../app-services';
import { createDispatch } from '../../dispatch';
import { materialize } from './materialize';
import { jobFinished, laionTable, tempDir } from '../../test-support/fixtures';
import type { DatasetInfo, RowPage, ViewInfo } from '../../../shared/types';

const tmp = tempDir('lx-subset-');
let services: AppServices;
let dispatch: ReturnType<typeof createDispatch>;
let info: DatasetInfo;

beforeAll(async () => {
  const p = await laionTable(tmp.dir, 'train', 5000, { batchRows: 1000 });
  services = createAppServices({ dataDir: path.join(tmp.dir, 'home'), demoPath: path.join(tmp.dir, 'demo.lance'), platform: { carrier: 'web' } });
  dispatch = createDispatch(services);
  info = ((await dispatch('dataset:open', { path: p })) as { value: DatasetInfo }).value;
}, 60_000);
afterAll(() => {
  services.dispose();
  tmp.cleanup();
});

const finished = (jobId: string) => jobFinished(services.events, jobId);

describe('save a view as a new table', () => {
  it('writes the rows of a filtered view with the chosen columns (images and vectors too), and it opens', async () => {
    const v = ((await dispatch('view:open', { id: info.id, spec: { kind: 'browse', filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNSURE' }] } } })) as { value: ViewInfo }).value;
    const target = path.join(tmp.dir, 'out', 'unsure.lance');
    const r = (await dispatch('view:materialize', { id: info.id, viewId: v.viewId, columns: ['key', 'image', 'caption', 'img_emb'], target })) as { ok: true; value: { jobId: string; rows: number } };
    expect(r.value.rows).toBe(v.count);
    expect(await finished(r.value.jobId)).toMatchObject({ ok: true, path: target });
    const sub = ((await dispatch('dataset:open', { path: target })) as { value: DatasetInfo }).value;
    expect(sub.rowCount).toBe(v.count);
    expect(sub.columns.map((c) => c.name)).toEqual(['key', 'image', 'caption', 'img_emb']);
    expect(sub.vectorColumns).toEqual(['img_emb']);
    const keys = new Set(((await dispatch('rows:page', { id: sub.id, offset: 0, limit: 1000 })) as { value: RowPage }).value.rows.map((x) => x.values.key));
    const want = ((await dispatch('view:page', { id: info.id, viewId: v.viewId, offset: 0, limit: 1000 })) as { value: RowPage }).value.rows.map((x) => x.values.key);
    expect(keys).toEqual(new Set(want));
    // Images come along as bytes that still decode.
    const img = await services.datasets.images.get(sub.id, ((await dispatch('rows:page', { id: sub.id, offset: 0, limit: 1 })) as { value: RowPage }).value.rows[0]!.rowId);
    expect(img.bytes.length).toBeGreaterThan(100);
  });

  it('saves the whole table when no view is given, with every column by default', async () => {
    const r = (await dispatch('view:materialize', { id: info.id, viewId: null, columns: [] })) as { ok: true; value: { jobId: string; target: string } };
    expect(r.value.target.startsWith(path.join(tmp.dir, 'home', 'subsets'))).toBe(true);
    expect((await finished(r.value.jobId)).ok).toBe(true);
    const sub = ((await dispatch('dataset:open', { path: r.value.target })) as { value: DatasetInfo }).value;
    expect(sub.rowCount).toBe(5000);
    expect(sub.columns.map((c) => c.name)).toEqual(info.columns.map((c) => c.name));
  });

  it('leaves nothing behind when cancelled, and refuses bad targets and unknown columns', async () => {
    const controller = new AbortController();
    const target = path.join(tmp.dir, 'out', 'cancelled.lance');
    await expect(
      materialize({ datasetId: info.id, viewId: null, columns: [], target }, services, (done) => done >= 2000 && controller.abort(), controller.signal),
    ).rejects.toThrow(/cancelled; nothing was kept/);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(path.join(tmp.dir, 'out')).filter((f) => f.includes('cancelled'))).toEqual([]);
    const bad = (req: object) => dispatch('view:materialize', { id: info.id, viewId: null, columns: [], ...req });
    expect(await bad({ target: 'rel.lance' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/full folder path/) } });
    expect(await bad({ target: path.join(tmp.dir, 'out', 'x y.lance') })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/named like/) } });
    expect(await bad({ target: path.join(tmp.dir, 'out', 'unsure.lance') })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/already exists/) } });
    expect(await bad({ columns: ['key', 'nope`; drop'], target: path.join(tmp.dir, 'out', 'c.lance') })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no column "nope/) } });
  });
});
