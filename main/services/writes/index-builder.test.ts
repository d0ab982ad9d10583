import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createAppServices, type AppServices } from '../app-services';
import { createDispatch } from '../../dispatch';
import { ivfPqParams } from './index-builder';
import { jobFinished, laionTable, tempDir } from '../../test-support/fixtures';
import type { DatasetInfo, IndexSummary, JobProgress, ViewInfo } from '../../../shared/types';

const tmp = tempDir();
let services: AppServices;
let dispatch: ReturnType<typeof createDispatch>;

beforeAll(() => {
  services = createAppServices({ dataDir: path.join(tmp.dir, 'home'), demoPath: path.join(tmp.dir, 'demo.lance'), platform: { carrier: 'web' } });
  dispatch = createDispatch(services);
});
afterAll(() => {
  services.dispose();
  tmp.cleanup();
});

async function open(p: string): Promise<DatasetInfo> {
  return ((await dispatch('dataset:open', { path: p })) as { value: DatasetInfo }).value;
}
async function call<T>(channel: Parameters<typeof dispatch>[0], req: unknown): Promise<T> {
  const r = await dispatch(channel, req);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}
const finished = (jobId: string) => jobFinished(services.events, jobId);
const similarSpec = (rowId: string) => ({ kind: 'similar', rowId, column: 'img_emb', k: 10, metric: 'l2', nprobes: 10, refineFactor: 5 });

describe('building indices from the app', () => {
  it('offers, builds and then uses an IVF_PQ index, as a new version, with progress', async () => {
    const info = await open(await laionTable(tmp.dir, 'novec', 3000, { batchRows: 1000 }));
    const rowId = (await services.datasets.page(info.id, 7, 1)).rows[0]!.rowId;
    const before = await call<ViewInfo>('view:open', { id: info.id, spec: similarSpec(rowId) });
    expect(before.usedIndex).toBe(false);
    expect(before.missingIndex).toEqual({ column: 'img_emb', kind: 'ivf_pq' });
    expect(before.notes.join(' ')).toMatch(/no vector index/);

    const progress: JobProgress[] = [];
    const off = services.events.on('job:progress', (p) => progress.push(p));
    const { jobId, estimateSeconds } = await call<{ jobId: string; estimateSeconds: number }>('index:build', { id: info.id, column: 'img_emb', kind: 'ivf_pq' });
    expect(estimateSeconds).toBeGreaterThan(0);
    const done = await finished(jobId);
    off();
    expect(done).toMatchObject({ ok: true, error: null });
    const mine = progress.filter((p) => p.jobId === jobId);
    expect(mine[0]!.message).toMatch(/Building the IVF_PQ index on img_emb/);
    expect(mine.at(-1)).toMatchObject({ done: 1000, total: 1000, message: expect.stringMatching(/^Built the IVF_PQ index/) });

    const refreshed = await call<DatasetInfo>('dataset:info', { id: info.id });
    expect(refreshed.version).toBe(info.version + 1);
    const indices = await call<IndexSummary[]>('index:list', { id: info.id });
    expect(indices).toContainEqual(expect.objectContaining({ column: 'img_emb', indexType: expect.stringMatching(/IVF_PQ/i), metric: 'l2' }));
    const after = await call<ViewInfo>('view:open', { id: info.id, spec: similarSpec(rowId) });
    expect(after.usedIndex).toBe(true);
    expect(after.missingIndex).toBeNull();
    // The index answers like exact search on this small, clustered table.
    const exact = await call<ViewInfo>('view:open', { id: info.id, spec: { ...similarSpec(rowId), metric: 'cosine' } });
    expect(exact.usedIndex).toBe(false);
    expect(exact.notes.join(' ')).toMatch(/built for L2; cosine runs as an exact search/);
    // Building it again is refused with a reason.
    const again = await dispatch('index:build', { id: info.id, column: 'img_emb', kind: 'ivf_pq' });
    expect(again).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/already has an index \(IVF_PQ/) } });
  });

  it('builds the caption full-text index and search uses it', async () => {
    const info = await open(await laionTable(tmp.dir, 'notext', 1500, { batchRows: 500 }));
    const spec = { kind: 'search', text: 'red car', column: 'caption', limit: 50 };
    const before = await call<ViewInfo>('view:open', { id: info.id, spec });
    expect(before).toMatchObject({ usedIndex: false, missingIndex: { column: 'caption', kind: 'fts' } });
    const { jobId } = await call<{ jobId: string }>('index:build', { id: info.id, column: 'caption', kind: 'fts' });
    expect((await finished(jobId)).ok).toBe(true);
    const after = await call<ViewInfo>('view:open', { id: info.id, spec });
    expect(after).toMatchObject({ usedIndex: true, missingIndex: null });
    expect(after.count).toBeGreaterThan(0);
  });

  it('a build cancelled halfway leaves the dataset unchanged, and it still opens and searches', async () => {
    const p = await laionTable(tmp.dir, 'cancel', 40_000, { batchRows: 5000, imageSide: 8 });
    const info = await open(p);
    const indicesBefore = await call<IndexSummary[]>('index:list', { id: info.id });
    const filesBefore = readdirSync(path.join(p, '_versions')).sort();
    const { jobId } = await call<{ jobId: string }>('index:build', { id: info.id, column: 'img_emb', kind: 'ivf_pq' });
    const end = finished(jobId);
    // Let it get going (progress flowing), then cancel.
    await new Promise<void>((resolve) => {
      const off = services.events.on('job:progress', (pr) => {
        if (pr.jobId === jobId && pr.done > 0) {
          off();
          resolve();
        }
      });
    });
    expect((await call<{ running: boolean }>('job:status', { jobId })).running).toBe(true);
    expect(await call<{ cancelled: boolean }>('job:cancel', { jobId })).toEqual({ cancelled: true });
    const f = await end;
    expect(f).toMatchObject({ ok: false, error: expect.stringMatching(/cancelled\. The dataset is unchanged \(still version \d+\)/) });

    expect(readdirSync(path.join(p, '_versions')).sort()).toEqual(filesBefore);
    expect((await call<DatasetInfo>('dataset:info', { id: info.id })).version).toBe(info.version);
    expect(await call<IndexSummary[]>('index:list', { id: info.id })).toEqual(indicesBefore);
    // A fresh open sees the same version, no vector index, and exact search still works.
    const reopened = await open(p);
    expect(reopened.version).toBe(info.version);
    const rowId = (await services.datasets.page(reopened.id, 0, 1)).rows[0]!.rowId;
    const v = await call<ViewInfo>('view:open', { id: reopened.id, spec: similarSpec(rowId) });
    expect(v).toMatchObject({ usedIndex: false, count: 11 });
    // And it can be built afterwards (a cancelled build blocks nothing).
    const retry = await dispatch('index:build', { id: reopened.id, column: 'caption', kind: 'fts' });
    expect(retry.ok).toBe(true);
    expect((await finished((retry as { value: { jobId: string } }).value.jobId)).ok).toBe(true);
  }, 120_000);

  it('refuses what cannot work, with reasons, before starting anything', async () => {
    const small = await open(await laionTable(tmp.dir, 'tiny', 100));
    const r = (req: object) => dispatch('index:build', { id: small.id, ...req });
    expect(await r({ column: 'img_emb', kind: 'ivf_pq' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/at least 256 rows/) } });
    expect(await r({ column: 'caption', kind: 'ivf_pq' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/"caption" is not a vector column/) } });
    expect(await r({ column: 'img_emb', kind: 'fts' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/"img_emb" is not a text column/) } });
    expect(await r({ column: 'caption`; DROP TABLE x; --', kind: 'fts' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no column "caption`; DROP/) } });
    expect(await r({ column: 'caption', kind: 'hnsw' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await r({ column: 'caption', kind: 'fts', metric: 'manhattan' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    // A similar view on a table too small to index does not offer to build one.
    const rowId = (await services.datasets.page(small.id, 0, 1)).rows[0]!.rowId;
    expect((await call<ViewInfo>('view:open', { id: small.id, spec: similarSpec(rowId) })).missingIndex).toBeNull();
    expect(existsSync(path.join(tmp.dir, 'tiny.lance', '_indices'))).toBe(false);
  });

  it('allows one build at a time per dataset', async () => {
    const info = await open(await laionTable(tmp.dir, 'busy', 2000, { batchRows: 1000 }));
    const first = await call<{ jobId: string }>('index:build', { id: info.id, column: 'img_emb', kind: 'ivf_pq' });
    const second = await dispatch('index:build', { id: info.id, column: 'caption', kind: 'fts' });
    expect(second).toMatchObject({ ok: false, error: { code: 'BUSY', message: expect.stringMatching(/already being built/) } });
    expect((await finished(first.jobId)).ok).toBe(true);
    const third = await dispatch('index:build', { id: info.id, column: 'caption', kind: 'fts' });
    expect(third.ok).toBe(true);
    expect((await finished((third as { value: { jobId: string } }).value.jobId)).ok).toBe(true);
  });

  it('chooses IVF_PQ parameters that split the vector exactly', () => {
    expect(ivfPqParams(1_000_000, 768)).toEqual({ numPartitions: 1000, numSubVectors: 96 });
    expect(ivfPqParams(3000, 768)).toEqual({ numPartitions: 55, numSubVectors: 96 });
    expect(ivfPqParams(10_000, 100)).toEqual({ numPartitions: 100, numSubVectors: 10 });
    expect(ivfPqParams(10_000, 7)).toEqual({ numPartitions: 100, numSubVectors: 1 });
  });
});
