// npm run bench -- search [--rows N] [--rounds R] [--queries Q per round] [--k K] [--nprobes N] [--refine F] [--advisor [--advisor-queries Q]]
// --advisor also runs the app's index advisor (tens of minutes at 1M rows: it builds three indices on
// a copy) and records each candidate's latency and recall@10 beside the bundled index's.
// Find-similar (IVF_PQ), its recall@10 against exact search, caption search (BM25) and filtered
// pages, through the app's dispatch, beside the same operations with raw LanceDB, in one run. Reads a
// cache entry that holds the generated table plus those indices (built once, on a copy).
import os from 'node:os';
import path from 'node:path';
import { lancedb } from '../main/services/dataset/lance';
import { createAppServices } from '../main/services/app-services';
import { createDispatch } from '../main/dispatch';
import { searchTable } from './index-table';
import { alternate, randomOffsets } from './bench-support';
import { Rounds } from './figures';
import { num, type SuiteContext } from './suite';
import { SIMILAR_DEFAULTS, type AdvisorReport, type DatasetInfo, type RowPage, type ViewInfo } from '../shared/types';

const RECALL_AT = 10;
const WORDS = ['wedding cake', 'red car', 'vintage photo', 'mountain river', 'cat', 'beach night', 'modern house', 'flower'];

export async function searchBench({ flags, figures, measure }: SuiteContext) {
  const rows = num(flags, 'rows', 100_000);
  const rounds = num(flags, 'rounds', 5);
  const perRound = num(flags, 'queries', 40);
  // What a person gets by default: k = 50, the app's nprobes and refine factor.
  const K = num(flags, 'k', SIMILAR_DEFAULTS.k);
  const NPROBES = num(flags, 'nprobes', SIMILAR_DEFAULTS.nprobes);
  const REFINE = num(flags, 'refine', SIMILAR_DEFAULTS.refineFactor);
  const table = await searchTable({ rows });
  figures.set('rows', rows).set('k', K).set('nprobes', NPROBES).set('refine', REFINE);

  const services = createAppServices({ platform: { carrier: 'web' }, dataDir: path.join(os.tmpdir(), 'lx-bench-home') });
  const dispatch = createDispatch(services);
  const opened = await dispatch('dataset:open', { path: table.path });
  if (!opened.ok) throw new Error(opened.error.message);
  const info = opened.value as DatasetInfo;
  const raw = await (await lancedb.connect(path.dirname(table.path))).openTable('laion');
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
  const pageCols = info.columns.filter((c) => c.kind !== 'binary' && c.kind !== 'vector').map((c) => c.name);
  const where = "`NSFW` = 'UNSURE' AND `similarity` >= 0.3";
  const filterSpec = { kind: 'browse', filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNSURE' }, { column: 'similarity', op: 'gte', value: 0.3 }] } };
  await measure(table);

  // find similar. "Neighbours": view:open (the query row's vector + ANN search → ranked row ids and
  // distances) vs raw takeRowIds for the vector + vectorSearch. "Shown": the same plus the first page
  // of results with every displayed column, which the grid asks for next. Both sides ask the search
  // for row ids and distances only.
  const similar = new Rounds(rounds);
  const shown = new Rounds(rounds);
  const caption = new Rounds(rounds);
  const filteredPage = new Rounds(rounds);
  const viewOpen: number[] = [];
  const recall: number[] = [];
  const exactEvery = Math.max(1, Math.floor(perRound / 10)); // recall on a tenth of the queries
  for (let r = 0; r < rounds; r++) {
    let hits = 0;
    let truth = 0;
    const probes = randomOffsets(perRound, rows - 1, 31 + r);
    for (let i = 0; i < probes.length; i++) {
      const rowId = await rowIdAt(probes[i] as number);
      let found: string[] = [];
      let vec: Float32Array = new Float32Array();
      await alternate(i + r, async () => {
        const t = performance.now();
        const v = await open({ kind: 'similar', rowId, column: 'img_emb', k: K, metric: 'l2', nprobes: NPROBES, refineFactor: REFINE });
        similar.addApp(r, performance.now() - t);
        const page = await firstPage(v, K + 1);
        shown.addApp(r, performance.now() - t);
        found = page.rows.slice(1, RECALL_AT + 1).map((x) => x.rowId);
      }, async () => {
        const t = performance.now();
        const q = await raw.takeRowIds([BigInt(rowId)]).select(['img_emb']).toArrow();
        vec = (q.getChild('img_emb')!.get(0) as { toArray(): Float32Array }).toArray();
        const hit = await raw.vectorSearch(vec).column('img_emb').distanceType('l2').nprobes(NPROBES).refineFactor(REFINE).limit(K + 1).withRowId().select([]).toArrow();
        similar.addRaw(r, performance.now() - t);
        await raw.takeRowIds(Array.from(hit.getChild('_rowid')!.toArray() as BigUint64Array)).select(pageCols).toArrow();
        shown.addRaw(r, performance.now() - t);
      });
      if (i % exactEvery === 0) {
        const exact = await raw.vectorSearch(vec).column('img_emb').distanceType('l2').bypassVectorIndex().limit(RECALL_AT + 1).withRowId().select([]).toArray();
        const want = new Set(exact.map((x) => String(x._rowid)).filter((id) => id !== rowId).slice(0, RECALL_AT));
        for (const id of found) if (want.has(id)) hits++;
        truth += want.size;
      }
    }
    recall.push(hits / Math.max(1, truth));

    // caption search (BM25): app view:open search + first page vs raw fullTextSearch
    for (let i = 0; i < perRound; i++) {
      const text = WORDS[(i + r) % WORDS.length] as string;
      await alternate(i + r, () => caption.timeApp(r, async () => firstPage(await open({ kind: 'search', text, column: 'caption', limit: 100 }), 100)), () =>
        caption.timeRaw(r, () => raw.query().fullTextSearch(text, { columns: 'caption' }).select(['key', 'caption']).limit(100).toArray()),
      );
    }

    // filtered pages: the app computes a view once, then pages it by row id; raw pages with where + offset
    const t0 = performance.now();
    const filtered = await open(filterSpec);
    viewOpen.push(performance.now() - t0);
    figures.set('filtered_rows', filtered.count);
    const offs = randomOffsets(perRound, Math.max(1, filtered.count - 200), 41 + r);
    for (let i = 0; i < offs.length; i++) {
      const o = offs[i] as number;
      await alternate(i + r, () => filteredPage.timeApp(r, () => dispatch('view:page', { id: info.id, viewId: filtered.viewId, offset: o, limit: 200 })), () =>
        filteredPage.timeRaw(r, () => raw.query().where(where).select(pageCols).offset(o).limit(200).toArrow()),
      );
    }
  }
  if (flags.advisor) {
    const q = num(flags, 'advisor-queries', 50);
    process.stderr.write(`  index advisor: ${q} queries, three indices built on a copy (tens of minutes at 1M rows)…\n`);
    const started = await dispatch('advisor:start', { id: info.id, column: 'img_emb', queries: q });
    if (!started.ok) throw new Error(started.error.message);
    const jobId = (started.value as { jobId: string }).jobId;
    const { jobFinished } = await import('../main/test-support/fixtures');
    const done = await jobFinished(services.events, jobId);
    if (!done.ok) throw new Error(`advisor: ${done.error}`);
    const rep = ((await dispatch('advisor:report', { jobId })) as { value: AdvisorReport }).value;
    const current = rep.results.find((x) => x.id === 'current');
    for (const x of rep.results) {
      figures.set(`advisor_${x.id}_p50_ms`, Math.round(x.p50Ms * 100) / 100).set(`advisor_${x.id}_recall_at_10`, Math.round(x.recallAt10 * 1000) / 1000);
      if (x.buildSeconds !== null) figures.set(`advisor_${x.id}_build_s`, Math.round(x.buildSeconds));
      if (x.error) figures.set(`advisor_${x.id}_error`, x.error);
    }
    const best = rep.results.find((x) => x.id === rep.best);
    figures.set('advisor_best', rep.best ?? 'current');
    if (best) figures.set('advisor_best_label', best.label);
    if (best && current) figures.set('advisor_best_latency_ratio', Math.round((best.p50Ms / current.p50Ms) * 1000) / 1000);
    figures.table({
      title: `index advisor: ${rep.queries} queries, recall@10 against exact search`,
      header: ['index', 'p50 ms', 'p95 ms', 'recall@10', 'build s'],
      rows: rep.results.map((x) => [x.label, x.p50Ms.toFixed(2), x.p95Ms.toFixed(2), x.error ? `failed: ${x.error}` : x.recallAt10.toFixed(3), x.buildSeconds === null ? '—' : String(Math.round(x.buildSeconds))]),
      keys: Object.keys(figures.info).filter((k) => k.startsWith('advisor_')),
    });
  }
  raw.close();
  services.dispose();

  figures
    .latency('similar', `find similar k=${K}, neighbours`, similar)
    .latency('shown', '+ first page of results shown', shown)
    .single('recall_at_10', 'share', 'recall@10 of find similar against exact search (app)', recall, { higherIsBetter: true })
    .latency('caption', 'caption search, 100 hits (BM25)', caption)
    .latency('filtered_page', 'filtered page of 200 (app view vs raw where + offset)', filteredPage)
    .single('filtered_view_open', 'ms', 'open a filtered view (app, counts and orders the matches)', viewOpen);
}
