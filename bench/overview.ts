// npm run bench -- overview [--rows N] [--rounds R] [--filters F]
// The statistics panel through the app's dispatch, beside the same work done with raw LanceDB in one run:
//   - full statistics: the stats job (one scan of every column the panel shows, binned, saved per
//     version) against a raw scan of the same columns that only reads the batches;
//   - a filter's counts for every chart: stats:view for the view the grid opened for the filter,
//     against raw countRows(filter); and the whole change (view:open + stats:view) against raw
//     countRows plus the matching row ids (what a raw client needs to show the same screen);
//   - exact duplicate groups by md5 (the duplicates view) against a raw scan of the md5 column.
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { lancedb } from '../main/services/dataset/lance';
import { createAppServices } from '../main/services/app-services';
import { createDispatch } from '../main/dispatch';
import { planStats } from '../main/services/stats/stats-service';
import { jobFinished } from '../main/test-support/fixtures';
import { generate } from './generate';
import { alternate } from './bench-support';
import { Rounds } from './figures';
import { num, type SuiteContext } from './suite';
import type { DatasetInfo, FilterSpec, StatsStatus, ViewInfo, ViewStats } from '../shared/types';

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
