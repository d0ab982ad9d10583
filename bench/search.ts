// npm run bench -- search [--rows N] [--queries Q]
// Find-similar (IVF_PQ), its recall@10 against exact search, caption search (BM25) and filtered
// pages, through the app's dispatch, beside the same operations with raw LanceDB, in one run.
import os from 'node:os';
import path from 'node:path';
import { lancedb } from '../main/services/lance';
import { createAppServices } from '../main/services/app-services';
import { createDispatch } from '../main/dispatch';
import { generate } from './generate';
import { ensureSearchIndices } from './index-table';
import { alternate, percentile, randomOffsets } from './bench-support';
import { SIMILAR_DEFAULTS, type DatasetInfo, type RowPage, type ViewInfo } from '../shared/types';

// What a person gets by default: k = 50, the app's nprobes and refine factor (override with flags).
const RECALL_AT = 10;
let K: number = SIMILAR_DEFAULTS.k;
let NPROBES: number = SIMILAR_DEFAULTS.nprobes;
let REFINE: number = SIMILAR_DEFAULTS.refineFactor;
const WORDS = ['wedding cake', 'red car', 'vintage photo', 'mountain river', 'cat', 'beach night', 'modern house', 'flower'];

export async function searchBench(flags: Record<string, string | boolean>) {
  const rows = Number(flags.rows ?? 100_000);
  const queries = Number(flags.queries ?? 200);
  K = Number(flags.k ?? K);
  NPROBES = Number(flags.nprobes ?? NPROBES);
  REFINE = Number(flags.refine ?? REFINE);
  const gen = await generate({ rows, index: false });
  await ensureSearchIndices(gen.path);
  const services = createAppServices({ platform: { carrier: 'web' }, dataDir: path.join(os.tmpdir(), 'lx-bench-home') });
  const dispatch = createDispatch(services);
  const opened = await dispatch('dataset:open', { path: gen.path });
  if (!opened.ok) throw new Error(opened.error.message);
  const info = opened.value as DatasetInfo;
  const raw = await (await lancedb.connect(path.dirname(gen.path))).openTable('laion');
  const open = async (spec: unknown) => {
    const r = await dispatch('view:open', { id: info.id, spec });
    if (!r.ok) throw new Error(r.error.message);
    return r.value as ViewInfo;
  };
  const firstPage = async (v: ViewInfo, limit = 200) => {
    const r = await dispatch('view:page', { id: info.id, viewId: v.viewId, offset: 0, limit });
    if (!r.ok) throw new Error(r.error.message);
    return r.value as RowPage;
  };
  const rowIdAt = async (offset: number) => ((await dispatch('rows:page', { id: info.id, offset, limit: 1 })) as { value: RowPage }).value.rows[0]!.rowId;

  // ---- find similar. "Neighbours": view:open (query vector + ANN search → ranked row ids and
  // distances) vs raw (takeRowIds for the vector + vectorSearch). "Shown": the same plus
  // the first page of results with every displayed column, which the grid asks for next. Both sides
  // ask the search for row ids and distances only.
  const pageCols = info.columns.filter((c) => c.kind !== 'binary' && c.kind !== 'vector').map((c) => c.name);
  const appSim: number[] = [];
  const rawSim: number[] = [];
  const appShown: number[] = [];
  const rawShown: number[] = [];
  let hits = 0;
  let truth = 0;
  const probes = randomOffsets(queries, rows - 1, 31);
  const exactEvery = Math.max(1, Math.floor(queries / 50)); // recall on 50 of the queries
  for (let i = 0; i < probes.length; i++) {
    const rowId = await rowIdAt(probes[i] as number);
    const app = async () => {
      const t = performance.now();
      const v = await open({ kind: 'similar', rowId, column: 'img_emb', k: K, metric: 'l2', nprobes: NPROBES, refineFactor: REFINE });
      appSim.push(performance.now() - t);
      const page = await firstPage(v, K + 1);
      appShown.push(performance.now() - t);
      return page.rows.slice(1, RECALL_AT + 1).map((r) => r.rowId);
    };
    const direct = async () => {
      const t = performance.now();
      const q = await raw.takeRowIds([BigInt(rowId)]).select(['img_emb']).toArrow();
      const vec = (q.getChild('img_emb')!.get(0) as { toArray(): Float32Array }).toArray();
      const found = await raw.vectorSearch(vec).column('img_emb').distanceType('l2').nprobes(NPROBES).refineFactor(REFINE).limit(K + 1).withRowId().select([]).toArrow();
      rawSim.push(performance.now() - t);
      await raw.takeRowIds(Array.from(found.getChild('_rowid')!.toArray() as BigUint64Array)).select(pageCols).toArrow();
      rawShown.push(performance.now() - t);
      return vec;
    };
    let found: string[];
    let vec: Float32Array;
    if (i % 2) {
      found = await app();
      vec = await direct();
    } else {
      vec = await direct();
      found = await app();
    }
    if (i % exactEvery === 0) {
      const exact = await raw.vectorSearch(vec).column('img_emb').distanceType('l2').bypassVectorIndex().limit(RECALL_AT + 1).withRowId().select(['key']).toArray();
      const want = new Set(exact.map((r) => String(r._rowid)).filter((id) => id !== rowId).slice(0, RECALL_AT));
      for (const id of found) if (want.has(id)) hits++;
      truth += want.size;
    }
  }

  // ---- caption search (BM25): app view:open search + first page vs raw fullTextSearch
  const appFts: number[] = [];
  const rawFts: number[] = [];
  for (let i = 0; i < Math.min(queries, 200); i++) {
    const text = WORDS[i % WORDS.length] as string;
    const app = async () => {
      const t = performance.now();
      await firstPage(await open({ kind: 'search', text, column: 'caption', limit: 100 }), 100);
      appFts.push(performance.now() - t);
    };
    const direct = async () => {
      const t = performance.now();
      await raw.query().fullTextSearch(text, { columns: 'caption' }).select(['key', 'caption']).limit(100).toArray();
      rawFts.push(performance.now() - t);
    };
    await alternate(i, app, direct);
  }

  // ---- filtered pages: a view is computed once, then paged by row id; raw pages with where + offset
  const where = "`NSFW` = 'UNSURE' AND `similarity` >= 0.3";
  const t0 = performance.now();
  const filtered = await open({ kind: 'browse', filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNSURE' }, { column: 'similarity', op: 'gte', value: 0.3 }] } });
  const openMs = performance.now() - t0;
  const appPage: number[] = [];
  const rawPage: number[] = [];
  const offs = randomOffsets(Math.min(queries, 100), Math.max(1, filtered.count - 200), 41);
  for (let i = 0; i < offs.length; i++) {
    const o = offs[i] as number;
    const app = async () => {
      const t = performance.now();
      await dispatch('view:page', { id: info.id, viewId: filtered.viewId, offset: o, limit: 200 });
      appPage.push(performance.now() - t);
    };
    const direct = async () => {
      const t = performance.now();
      await raw.query().where(where).select(pageCols).offset(o).limit(200).toArrow();
      rawPage.push(performance.now() - t);
    };
    await alternate(i, app, direct);
  }
  raw.close();
  services.dispose();

  const r2 = (x: number) => Math.round(x * 100) / 100;
  const figures = {
    bench: 'search',
    rows,
    k: K,
    nprobes: NPROBES,
    refine: REFINE,
    similar_p50_ms: r2(percentile(appSim, 50)),
    similar_p95_ms: r2(percentile(appSim, 95)),
    raw_similar_p50_ms: r2(percentile(rawSim, 50)),
    raw_similar_p95_ms: r2(percentile(rawSim, 95)),
    similar_p50_ratio: r2(percentile(appSim, 50) / percentile(rawSim, 50)),
    similar_p95_ratio: r2(percentile(appSim, 95) / percentile(rawSim, 95)),
    shown_p50_ms: r2(percentile(appShown, 50)),
    shown_p95_ms: r2(percentile(appShown, 95)),
    raw_shown_p50_ms: r2(percentile(rawShown, 50)),
    raw_shown_p95_ms: r2(percentile(rawShown, 95)),
    recall_at_10: r2(hits / Math.max(1, truth)),
    caption_p95_ms: r2(percentile(appFts, 95)),
    raw_caption_p95_ms: r2(percentile(rawFts, 95)),
    filtered_view_open_ms: Math.round(openMs),
    filtered_rows: filtered.count,
    filtered_page_p95_ms: r2(percentile(appPage, 95)),
    raw_filtered_page_p95_ms: r2(percentile(rawPage, 95)),
  };
  console.log(`\nsearch benchmark, ${rows.toLocaleString()} rows (${os.cpus().length} cores)`);
  console.table({
    [`find similar k=${K}, neighbours (app)`]: { p50_ms: figures.similar_p50_ms, p95_ms: figures.similar_p95_ms },
    [`find similar k=${K}, neighbours (raw)`]: { p50_ms: figures.raw_similar_p50_ms, p95_ms: figures.raw_similar_p95_ms },
    [`  + first page shown (app)`]: { p50_ms: figures.shown_p50_ms, p95_ms: figures.shown_p95_ms },
    [`  + first page shown (raw)`]: { p50_ms: figures.raw_shown_p50_ms, p95_ms: figures.raw_shown_p95_ms },
    'caption search, 100 hits (app)': { p50_ms: r2(percentile(appFts, 50)), p95_ms: figures.caption_p95_ms },
    'caption search, 100 hits (raw)': { p50_ms: r2(percentile(rawFts, 50)), p95_ms: figures.raw_caption_p95_ms },
    'filtered page of 200 (app view)': { p50_ms: r2(percentile(appPage, 50)), p95_ms: figures.filtered_page_p95_ms },
    'filtered page of 200 (raw where+offset)': { p50_ms: r2(percentile(rawPage, 50)), p95_ms: figures.raw_filtered_page_p95_ms },
  });
  console.log(`nprobes ${NPROBES}, refine ${REFINE}; recall@10 against exact search: ${figures.recall_at_10}; filtered view of ${filtered.count.toLocaleString()} rows opened in ${figures.filtered_view_open_ms} ms`);
  console.log(JSON.stringify(figures));
  return figures;
}
