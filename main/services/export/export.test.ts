import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createAppServices, type AppServices } from '../app-services';
import { createDispatch } from '../../dispatch';
import { exportRows } from './export';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { jobFinished, laionTable, tempDir } from '../../test-support/fixtures';
import type { DatasetInfo, ViewInfo } from '../../../shared/types';

const tmp = tempDir();
let services: AppServices;
let dispatch: ReturnType<typeof createDispatch>;
let info: DatasetInfo;
const out = (name: string) => path.join(tmp.dir, 'exports', name);

beforeAll(async () => {
  const p = await laionTable(tmp.dir, 'train', 2500, { batchRows: 1000 });
  services = createAppServices({ dataDir: path.join(tmp.dir, 'home'), demoPath: path.join(tmp.dir, 'demo.lance'), platform: { carrier: 'web' } });
  dispatch = createDispatch(services);
  info = ((await dispatch('dataset:open', { path: p })) as { value: DatasetInfo }).value;
});
afterAll(() => {
  services.dispose();
  tmp.cleanup();
});

const finished = (jobId: string) => jobFinished(services.events, jobId);

async function exportView(viewId: string | null, format: 'csv' | 'jsonl' | 'parquet', columns: string[], target: string, overwrite = false) {
  const r = await dispatch('export:start', { id: info.id, viewId, format, columns, path: target, overwrite });
  if (!r.ok) return r;
  const jobId = (r.value as { jobId: string }).jobId;
  // Listen first, then ask: the job may already be over.
  const event = finished(jobId);
  const status = (await dispatch('job:status', { jobId })) as { value: { finished: { ok: boolean; error: string | null } | null } };
  const f = status.value.finished ?? (await event);
  return { ok: f.ok, value: r.value, error: f.error };
}

describe('export', () => {
  it('writes the keys of a filtered view with chosen columns, as CSV that round-trips', async () => {
    const v = (await dispatch('view:open', { id: info.id, spec: { kind: 'browse', filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNSURE' }] } } })) as { value: ViewInfo };
    const target = out('unsure.csv');
    const r = await exportView(v.value.viewId, 'csv', ['caption', 'similarity'], target);
    expect(r.ok).toBe(true);
    const lines = (await fs.readFile(target, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('key,caption,similarity,score');
    expect(lines.length - 1).toBe(v.value.count);
    const keys = lines.slice(1).map((l) => Number(l.split(',')[0]));
    const page = await services.views.page(info.id, v.value.viewId, 0, 5000);
    expect(keys).toEqual(page.rows.map((row) => row.values.key));
  });

  it('writes a similar view as JSON Lines with distances, the query first', async () => {
    const rowId = (await services.datasets.page(info.id, 3, 1)).rows[0]!.rowId;
    const v = (await dispatch('view:open', { id: info.id, spec: { kind: 'similar', rowId, column: 'img_emb', k: 25, metric: 'l2', nprobes: 10, refineFactor: 5 } })) as { value: ViewInfo };
    const target = out('similar.jsonl');
    expect((await exportView(v.value.viewId, 'jsonl', ['url'], target)).ok).toBe(true);
    const rows = (await fs.readFile(target, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(26);
    expect(rows[0]).toMatchObject({ key: 100_000_003, score: 0 });
    expect(rows[1].url).toMatch(/^https:\/\//);
  });

  it('writes Parquet with typed columns that a Parquet reader gives back exactly', async () => {
    const v = (await dispatch('view:open', { id: info.id, spec: { kind: 'browse', filter: { conditions: [{ column: 'similarity', op: 'gte', value: 0.35 }] }, sort: { column: 'similarity', descending: true } } })) as { value: ViewInfo };
    const target = out('wide.parquet');
    const r = await exportView(v.value.viewId, 'parquet', ['caption', 'similarity', 'width', 'original_width', 'NSFW'], target);
    expect(r.ok).toBe(true);
    expect(v.value.count).toBeGreaterThan(100);
    expect(v.value.count).toBeLessThan(2500);
    const file = await asyncBufferFromFile(target);
    const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
    expect(rows).toHaveLength(v.value.count);
    const page = await services.views.page(info.id, v.value.viewId, 0, 1000);
    expect(rows.slice(0, page.rows.length).map((x) => Number(x.key))).toEqual(page.rows.map((row) => row.values.key));
    expect(rows[0]).toMatchObject({ caption: page.rows[0]!.values.caption, NSFW: page.rows[0]!.values.NSFW, width: BigInt(page.rows[0]!.values.width as number) });
    expect(rows[0]!.similarity).toBeCloseTo(page.rows[0]!.values.similarity as number, 6);
    expect(rows.every((x) => (x.similarity as number) >= 0.35 && x.original_width === 64n)).toBe(true);
    const sims = rows.map((x) => x.similarity as number);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
  });

  it('exports the whole table when no view is given, and refuses to overwrite unless asked', async () => {
    const target = out('all.csv');
    expect((await exportView(null, 'csv', [], target)).ok).toBe(true);
    expect((await fs.readFile(target, 'utf8')).trim().split('\n')).toHaveLength(2501);
    const again = await exportView(null, 'csv', [], target);
    expect(again).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/already exists/) } });
    expect((await exportView(null, 'csv', [], target, true)).ok).toBe(true);
  });

  it('refuses relative paths, wrong extensions, image and vector columns', async () => {
    expect(await exportView(null, 'csv', [], 'relative.csv')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/full path/) } });
    expect(await exportView(null, 'jsonl', [], out('x.csv'))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/end in .jsonl/) } });
    const r = await exportView(null, 'csv', ['image', 'img_emb'], out('bad.csv'));
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/cannot be exported: image, img_emb/) } });
    expect(existsSync(out('bad.csv'))).toBe(false);
  });

  it('leaves nothing behind when cancelled or when the disk is full', async () => {
    const controller = new AbortController();
    const target = out('cancelled.csv');
    const p = exportRows(
      { datasetId: info.id, viewId: null, count: 2500, format: 'csv', columns: ['caption'], path: target, overwrite: false },
      services,
      (done) => done >= 1000 && controller.abort(),
      controller.signal,
    );
    await expect(p).rejects.toThrow(/cancelled/);
    const full = out('full.csv');
    const diskFull = () =>
      new Writable({
        write(_chunk, _enc, cb) {
          cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
        },
      });
    await expect(
      exportRows(
        { datasetId: info.id, viewId: null, count: 2500, format: 'csv', columns: [], path: full, overwrite: false },
        { ...services, createStream: diskFull },
        () => {},
        new AbortController().signal,
      ),
    ).rejects.toThrow(/disk is full/);
    await expect(
      exportRows(
        { datasetId: info.id, viewId: null, count: 2500, format: 'parquet', columns: ['caption'], path: out('full.parquet'), overwrite: false },
        { ...services, createStream: diskFull },
        () => {},
        new AbortController().signal,
      ),
    ).rejects.toThrow(/disk is full/);
    const left = readdirSync(path.join(tmp.dir, 'exports'));
    expect(left.filter((f) => f.includes('cancelled') || f.includes('full'))).toEqual([]);
  });
});
