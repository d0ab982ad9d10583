// npm run bench -- overview [--rows N] [--rounds R] [--filters F]
// The statistics panel through the app's dispatch, beside the same work done with raw LanceDB in one run:
//   - full statistics: the stats job (one scan of every column the panel shows, binned, saved per
//     version) against a raw scan of the same columns that only reads the batches;
//   - a filter's counts for every chart: stats:view for the view the grid opened for the filter,
//     against raw countRows(filter); and the whole change (view:open + stats:view) against raw
//     countRows plus the matching row ids (what a raw client needs to show the same screen);
//   - exact duplicate groups by md5 (the duplicates view) against a raw scan of the md5 column;
//   - the near-duplicate job (every row's 10 nearest neighbours by img_emb, cluster by cluster) against
//     a raw scan of img_emb (reading the vectors, which any method must) and against the vector index
//     queried once per row (timed on a sample, scaled to every row); its recall@10 against LanceDB's
//     exact search (no index) on a sample of rows.
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { lancedb } from '../main/services/dataset/lance';
import { createAppServices } from '../main/services/app-services';
import { createDispatch } from '../main/dispatch';
import { planStats } from '../main/services/stats/stats-service';
import { jobFinished } from '../main/test-support/fixtures';
import { generate } from './generate';
import { searchTable } from './index-table';
import { alternate } from './bench-support';
import { Rounds, median } from './figures';
import { num, type SuiteContext } from './suite';
import type { DatasetInfo, FilterSpec, NearCount, NearStatus, StatsStatus, ViewInfo, ViewStats } from '../shared/types';

/** Filters a curator applies from the panel: a value, a range, both. */
const FILTERS: Array<{ spec: FilterSpec; sql: string }> = [
  { spec: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNLIKELY' }] }, sql: "`NSFW` = 'UNLIKELY'" },
  { spec: { conditions: [{ column: 'similarity', op: 'between', min: 0.3, max: 0.32 }] }, sql: '`similarity` >= 0.3 AND `similarity` <= 0.32' },
  { spec: { conditions: [{ column: 'width', op: 'gte', value: 200 }, { column: 'NSFW', op: 'neq', value: 'NSFW' }] }, sql: "`width` >= 200 AND `NSFW` != 'NSFW'" },
];

export async function overviewBench({ flags, figures, measure }: SuiteContext) {
  const rows = num(flags, 'rows', 100_000);
  const rounds = num(flags, 'rounds', 3);
  const filters = FILTERS.slice(0, num(flags, 'filters', FILTERS.length));
  const base = await generate({ rows });
  const home = path.join(os.tmpdir(), `lx-bench-overview-${process.pid}`);
  const services = createAppServices({ platform: { carrier: 'web' }, dataDir: home });
  const dispatch = createDispatch(services);
  try {
    const opened = await dispatch('dataset:open', { path: base.path });
    if (!opened.ok) throw new Error(opened.error.message);
    const info = opened.value as DatasetInfo;
    const raw = await (await lancedb.connect(path.dirname(base.path))).openTable(path.basename(base.path, '.lance'));
    const columns = planStats(info).columns;
    figures.set('rows', rows).set('columns_scanned', columns.length).set('filters', filters.length);
    await measure(base);

    // 1. Full statistics vs a raw scan of the same columns.
    const full = new Rounds(rounds);
    let charts = 0;
    for (let r = 0; r < rounds; r++) {
      await alternate(
        r,
        () =>
          full.timeApp(r, async () => {
            const s = await dispatch('stats:start', { id: info.id });
            if (!s.ok) throw new Error(s.error.message);
            const done = await jobFinished(services.events, (s.value as { jobId: string }).jobId);
            if (done.error) throw new Error(done.error);
          }),
        () =>
          full.timeRaw(r, async () => {
            let n = 0;
            for await (const b of raw.query().select(columns).withRowId()) n += b.numRows;
            if (n !== info.rowCount) throw new Error(`raw scan read ${n} rows of ${info.rowCount}`);
          }),
      );
    }
    const st = (await dispatch('stats:status', { id: info.id })) as { ok: true; value: StatsStatus };
    charts = (st.value.stats?.columns.reduce((a, c) => a + c.facets.length, 0) ?? 0) + (st.value.stats?.images?.facets.length ?? 0);
    figures.set('charts', charts);
    figures.pair('full_stats', 'ms', `statistics of ${columns.length} columns (${charts} charts) vs a raw scan of them`, full.app.map((s) => s[0] as number), full.raw.map((s) => s[0] as number));

    // 2. The panel's counts under a filter vs raw countRows(filter): the counts of every chart for
    //    the rows of a view (stats:view, once the grid's view of the filter is open), and the whole
    //    change of filter (the view, then the panel) against what a raw client needs for the same
    //    screen (countRows, and the matching row ids to page through).
    const panel = new Rounds(rounds);
    const change = new Rounds(rounds);
    for (let r = 0; r < rounds; r++) {
      for (const f of filters) {
        await alternate(
          r,
          async () => {
            const t = performance.now();
            const v = await dispatch('view:open', { id: info.id, spec: { kind: 'browse', filter: f.spec } });
            if (!v.ok) throw new Error(v.error.message);
            const s = await panel.timeApp(r, () => dispatch('stats:view', { id: info.id, viewId: (v.value as ViewInfo).viewId }));
            change.addApp(r, performance.now() - t);
            if (!s.ok) throw new Error(s.error.message);
            if ((s.value as ViewStats).matched !== (v.value as ViewInfo).count) throw new Error('the panel lost rows of the view');
          },
          async () => {
            const t = performance.now();
            await panel.timeRaw(r, () => raw.countRows(f.sql));
            await raw.query().where(f.sql).withRowId().select([]).toArrow();
            change.addRaw(r, performance.now() - t);
          },
        );
      }
    }
    figures.latency('filtered_counts', "a filter's counts for every chart (stats:view, the view open) vs raw countRows(filter)", panel, [50, 95], 'raw countRows');
    figures.latency('filter_change', 'a change of filter: the view, then the panel, vs raw countRows + the row ids', change, [50], 'raw count + row ids');
    // 3. Exact duplicate groups by md5 (the view the panel opens) vs a raw scan of the md5 column.
    const exact = new Rounds(rounds);
    let groupRows = 0;
    for (let r = 0; r < rounds; r++) {
      await alternate(
        r,
        () =>
          exact.timeApp(r, async () => {
            const v = await dispatch('view:open', { id: info.id, spec: { kind: 'duplicates', column: 'md5' } });
            if (!v.ok) throw new Error(v.error.message);
            groupRows = (v.value as ViewInfo).count;
          }),
        () =>
          exact.timeRaw(r, async () => {
            let n = 0;
            for await (const b of raw.query().select(['md5']).withRowId()) n += b.numRows;
            if (n !== info.rowCount) throw new Error(`raw md5 scan read ${n} rows`);
          }),
      );
    }
    figures.set('duplicate_rows', groupRows);
    figures.pair('exact_groups', 'ms', 'exact duplicate groups by md5 vs a raw scan of md5', exact.app.map((s) => s[0] as number), exact.raw.map((s) => s[0] as number));

    // 4. Near duplicates: the job (one round unless asked: a minute and more at 1M rows), the raw
    //    scan of the vectors, and the index queried for every row, timed on a sample.
    const nearRounds = new Rounds(num(flags, 'near-rounds', 1));
    for (let r = 0; r < nearRounds.count; r++) {
      await alternate(
        r,
        () =>
          nearRounds.timeApp(r, async () => {
            const s = await dispatch('near:start', { id: info.id, column: 'img_emb' });
            if (!s.ok) throw new Error(s.error.message);
            const done = await jobFinished(services.events, (s.value as { jobId: string }).jobId);
            if (done.error) throw new Error(done.error);
          }),
        () =>
          nearRounds.timeRaw(r, async () => {
            let n = 0;
            for await (const b of raw.query().select(['img_emb']).withRowId()) n += b.numRows;
            if (n !== info.rowCount) throw new Error(`raw img_emb scan read ${n} rows`);
          }),
      );
    }
    figures.pair('near_job', 'ms', 'near-duplicate job (10 neighbours of every row) vs a raw scan of img_emb', nearRounds.app.map((x) => x[0] as number), nearRounds.raw.map((x) => x[0] as number), { rawLabel: 'raw scan of the vectors' });
    const nearMs = median(nearRounds.app.map((x) => x[0] as number));
    figures.set('near_per_100k_s', Math.round((nearMs / 1000 / (rows / 100_000)) * 100) / 100);
    const ns = (await dispatch('near:status', { id: info.id, column: 'img_emb' })) as { ok: true; value: NearStatus };
    figures.set('near_clusters', ns.value.result?.clusters ?? 0);
    const nc = (await dispatch('near:count', { id: info.id, column: 'img_emb', threshold: 0.94 })) as { ok: true; value: NearCount };
    figures.set('near_groups_at_0_94', nc.value.groups).set('near_redundant_at_0_94', nc.value.redundant);
    // A sample of rows: their vectors, the index's 10 nearest (per-row queries, the way a raw client
    // would find every row's neighbours) and the exact 10 nearest (no index) for recall.
    const sampleSize = Math.min(num(flags, 'recall-sample', 40), info.rowCount);
    const step = Math.floor(info.rowCount / sampleSize);
    const sample = await raw.takeOffsets(Array.from({ length: sampleSize }, (_, i) => i * step)).withRowId().select(['img_emb']).toArray();
    const vec = (x: { img_emb: { toArray(): Float32Array } }) => Float32Array.from(x.img_emb.toArray());
    // The same rows in the table with the bundled-style IVF_PQ index (the search suite's entry): the
    // same row ids, as it is a copy of this table with indices added.
    const indexedEntry = await searchTable({ rows });
    const indexed = await (await lancedb.connect(path.dirname(indexedEntry.path))).openTable(path.basename(indexedEntry.path, '.lance'));
    const tIndex = performance.now();
    for (const x of sample) await indexed.vectorSearch(vec(x)).column('img_emb').limit(11).nprobes(20).refineFactor(5).select([]).withRowId().toArray();
    const perQuery = (performance.now() - tIndex) / sample.length;
    indexed.close();
    figures.set('index_query_ms', Math.round(perQuery * 10) / 10).set('index_every_row_estimate_s', Math.round((perQuery * info.rowCount) / 1000));
    const kept = await services.near.neighboursOf(info.id, 'img_emb', sample.map((x) => BigInt(x._rowid)));
    let hits = 0;
    for (const [i, x] of sample.entries()) {
      const exact = await raw.vectorSearch(vec(x)).column('img_emb').distanceType('cosine').bypassVectorIndex().limit(11).select([]).withRowId().toArray();
      const truth = exact.map((e) => BigInt(e._rowid)).filter((id) => id !== BigInt(x._rowid)).slice(0, 10);
      const got = new Set((kept[i] ?? []).map((n) => n.rowId));
      hits += truth.filter((id) => got.has(id)).length;
    }
    figures.set('near_recall_at_10', Math.round((hits / (sample.length * 10)) * 1000) / 1000).set('near_recall_sample', sample.length);

    // The cached statistics on reopen: a file read, against the scan it replaces.
    const reopen: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const fresh = createAppServices({ platform: { carrier: 'web' }, dataDir: home });
      const d = createDispatch(fresh);
      const o = await d('dataset:open', { path: base.path });
      if (!o.ok) throw new Error(o.error.message);
      const t = performance.now();
      const s = await d('stats:status', { id: (o.value as DatasetInfo).id });
      reopen.push(performance.now() - t);
      if (!s.ok || !(s.value as StatsStatus).stats) throw new Error('the cached statistics were not read on reopen');
      fresh.dispose();
    }
    figures.single('reopen_stats', 'ms', 'statistics on reopen (read from the data folder)', reopen);
    raw.close();
  } finally {
    services.dispose();
    await fs.rm(home, { recursive: true, force: true });
  }
}
