// The index advisor on a real table: the current index against LanceDB's other kinds, each built on a
// copy (the dataset untouched), measured for latency and recall@10; then the chosen one built for real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobFinished, laionTable, openInApp, tempDir } from '../../test-support/fixtures';
import { lancedb } from '../dataset/lance';
import { candidates } from './index-variants';
import type { AdvisorReport, DatasetInfo } from '../../../shared/types';

const t = tempDir('lx-advisor-');
let app: Awaited<ReturnType<typeof openInApp>>;
let info: DatasetInfo;

beforeAll(async () => {
  const p = await laionTable(t.dir, 'laion', 3000);
  const tbl = await (await lancedb.connect(t.dir)).openTable('laion');
  await tbl.createIndex('img_emb', { config: lancedb.Index.ivfPq({ numPartitions: 16, numSubVectors: 96 }) });
  tbl.close();
  app = await openInApp(t.dir, p);
  info = app.info;
}, 120_000);
afterAll(() => {
  app?.services.dispose();
  t.cleanup();
});

describe('the index advisor', () => {
  it('measures the current index and IVF_PQ, IVF_RQ, IVF_HNSW_SQ on a copy, and leaves the dataset as it was', async () => {
    const before = info.version;
    const r = (await app.dispatch('advisor:start', { id: info.id, column: 'img_emb', queries: 10 })) as { ok: boolean; value: { jobId: string } };
    expect(r.ok).toBe(true);
    const done = await jobFinished(app.services.events, r.value.jobId);
    expect(done.error).toBeNull();
    const rep = ((await app.dispatch('advisor:report', { jobId: r.value.jobId })) as { value: AdvisorReport }).value;
    expect(rep.queries).toBe(10);
    expect(rep.results.map((x) => x.id)).toEqual(['current', 'ivf_pq', 'ivf_rq', 'ivf_hnsw_sq']);
    for (const x of rep.results) {
      expect(x.error ?? null).toBeNull();
      expect(x.recallAt10).toBeGreaterThan(0.3);
      expect(x.recallAt10).toBeLessThanOrEqual(1);
      expect(x.p50Ms).toBeGreaterThan(0);
    }
    expect(rep.best === null || ['ivf_pq', 'ivf_rq', 'ivf_hnsw_sq'].includes(rep.best)).toBe(true);
    const after = (await app.dispatch('dataset:info', { id: info.id })) as { value: DatasetInfo };
    expect(after.value.version).toBe(before);
    const idx = (await app.dispatch('index:list', { id: info.id })) as { value: Array<{ indexType: string }> };
    expect(idx.value.map((i) => i.indexType)).toContain('IVF_PQ');
  }, 120_000);

  it('builds the chosen kind on the dataset, replacing the current index, and find similar uses it', async () => {
    const candidate = candidates(3000, 768).find((c) => c.type === 'ivf_hnsw_sq');
    // As the advisor offers it when re-ranking did not pay: the search settings without refineFactor.
    const hnsw = candidate && { ...candidate, label: `${candidate.label}, ef 50, no re-ranking`, search: { nprobes: candidate.search.nprobes, ef: 50 } };
    const r = (await app.dispatch('index:build', { id: info.id, column: 'img_emb', kind: 'ivf_pq', metric: 'l2', variant: hnsw })) as { ok: boolean; value: { jobId: string }; error?: { message: string } };
    if (!r.ok) throw new Error(r.error?.message);
    const done = await jobFinished(app.services.events, r.value.jobId);
    expect(done.error).toBeNull();
    const idx = (await app.dispatch('index:list', { id: info.id })) as { value: Array<{ column: string; indexType: string }> };
    expect(idx.value.filter((i) => i.column === 'img_emb').map((i) => i.indexType)).toEqual(['IVF_HNSW_SQ']);
    // The graph's search width and re-ranking are kept for the app's own searches of it.
    const { readFile } = await import('node:fs/promises');
    const settings = JSON.parse(await readFile(`${t.dir}/home/index-search.json`, 'utf8')) as Record<string, { indexType: string; ef: number }>;
    expect(Object.values(settings)).toEqual([{ indexType: 'IVF_HNSW_SQ', ef: 50, refineFactor: null }]);
    const page = (await app.dispatch('rows:page', { id: info.id, offset: 5, limit: 1 })) as { value: { rows: Array<{ rowId: string }> } };
    const v = (await app.dispatch('view:open', { id: info.id, spec: { kind: 'similar', rowId: page.value.rows[0]?.rowId, column: 'img_emb', k: 10, metric: 'l2', nprobes: 20, refineFactor: 1 } })) as { ok: boolean; value: { usedIndex: boolean; count: number; notes: string[] } };
    expect(v.ok).toBe(true);
    expect(v.value.notes.join(' ')).toMatch(/advisor measured this IVF_HNSW_SQ index: ef 50, no re-ranking/);
    expect(v.value.usedIndex).toBe(true);
    expect(v.value.count).toBeGreaterThan(5);
  }, 120_000);
});
