// npm run bench -- evolve [--rows N] [--iterations K]
// Adding a label column, labelling 100 selected rows, and opening the version history, through the
// app's own dispatch, side by side with the same operations done with raw LanceDB, in one run.
//
// Runs on a hard-linked copy of the cached generated table: Lance never changes a file once written
// (new versions add files), so the copy costs nothing and the cached table stays as generated.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arrow, lancedb } from '../main/services/lance';
import { createAppServices } from '../main/services/app-services';
import { createDispatch } from '../main/dispatch';
import { rowIdArray } from '../main/services/cells';
import { generate } from './generate';
import { alternate, dirSize, formatBytes, percentile, randomOffsets } from './bench-support';
import type { DatasetInfo, VersionEntry } from '../shared/types';

const SELECTED = 100;

async function linkCopy(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  for (const e of await fs.readdir(from, { withFileTypes: true })) {
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isDirectory()) await linkCopy(a, b);
    else await fs.link(a, b);
  }
}

export async function evolveBench(flags: Record<string, string | boolean>) {
  const rows = Number(flags.rows ?? 100_000);
  const iterations = Number(flags.iterations ?? 20);
  const gen = await generate({ rows, index: false });
  console.error(`table: ${gen.path} (${formatBytes(gen.bytes)}${gen.reused ? ', cached' : `, generated in ${gen.seconds.toFixed(0)} s`})`);
  const work = await fs.mkdtemp(path.join(path.dirname(path.dirname(gen.path)), 'evolve-run-'));
  const tablePath = path.join(work, 'laion.lance');
  await linkCopy(gen.path, tablePath);
  try {
    return await run(tablePath, rows, iterations);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

async function run(tablePath: string, rows: number, iterations: number) {
  const services = createAppServices({ platform: { carrier: 'web' }, dataDir: path.join(os.tmpdir(), 'lx-bench-home') });
  const dispatch = createDispatch(services);
  const open = async () => {
    const r = await dispatch('dataset:open', { path: tablePath });
    if (!r.ok) throw new Error(r.error.message);
    return r.value as DatasetInfo;
  };
  let info = await open();
  const raw = await (await lancedb.connect(path.dirname(tablePath))).openTable('laion');
  const tableBytes = await dirSize(tablePath);

  // 1. Add an empty label column: the app's form vs LanceDB's addColumns with a schema field.
  let t = performance.now();
  let r = await dispatch('evolve:add-label-column', { id: info.id, name: 'quality', type: 'category', categories: ['good', 'blurry', 'watermark'] });
  const addMs = performance.now() - t;
  if (!r.ok) throw new Error(r.error.message);
  const addBytes = (await dirSize(tablePath)) - tableBytes;
  await raw.checkoutLatest();
  const before = await dirSize(tablePath);
  t = performance.now();
  await raw.addColumns([new arrow.Field('quality_raw', new arrow.Utf8(), true)]);
  const rawAddMs = performance.now() - t;
  const rawAddBytes = (await dirSize(tablePath)) - before;

  // 2. Label 100 selected rows, many times over: app (positions in the grid, rows followed to their
  //    new ids) vs raw update of the same number of rows by row id.
  info = await open(); // a fresh session sees both new columns
  const appLabel: number[] = [];
  const rawLabel: number[] = [];
  let firstLabelMs = 0;
  await raw.checkoutLatest();
  for (let i = 0; i < iterations + 1; i++) {
    const positions = randomOffsets(SELECTED, rows, 100 + i);
    const unique = [...new Set(positions)];
    const app = async () => {
      const t0 = performance.now();
      const res = await dispatch('labels:set', { id: info.id, viewId: null, column: 'quality', value: i % 2 ? 'good' : 'blurry', positions: unique });
      const ms = performance.now() - t0;
      if (!res.ok) throw new Error(res.error.message);
      if ((res.value as { updated: number }).updated !== unique.length) throw new Error('not every row was labelled');
      if (i === 0) firstLabelMs = ms;
      else appLabel.push(ms);
    };
    const direct = async () => {
      // The same number of random rows by row id. Finding the ids is not timed (the app reads its
      // order once, ahead of the first label).
      const order = rowIdArray(await raw.query().withRowId().select([]).toArrow());
      const list = [...new Set(randomOffsets(SELECTED, rows, 500 + i))].sort((a, b) => a - b).map((p) => order[p] as bigint);
      const t0 = performance.now();
      const res = await raw.update({ where: `_rowid IN (${list.join(',')})`, valuesSql: { quality_raw: "CAST('good' AS STRING)" } });
      if (i > 0) rawLabel.push(performance.now() - t0);
      if (Number(res.rowsUpdated) !== list.length) throw new Error('raw: not every row was updated');
    };
    await alternate(i, app, direct);
  }

  // 3. Compare the version before the labels with the latest: which columns' values changed.
  const latestInfo = await open();
  t = performance.now();
  const cmp = await dispatch('versions:compare', { id: latestInfo.id, from: info.version, to: latestInfo.version });
  const compareMs = performance.now() - t;
  if (!cmp.ok) throw new Error(cmp.error.message);
  const changed = (cmp.value as import('../shared/types').VersionDiff).changedValues;

  // 4. Open the version history: a new session, cold, and again warm; raw listVersions alongside.
  const historyCold: number[] = [];
  const historyWarm: number[] = [];
  const rawHistory: number[] = [];
  let versions = 0;
  for (let i = 0; i < 5; i++) {
    const s = await open();
    let t0 = performance.now();
    const h = await dispatch('versions:list', { id: s.id });
    historyCold.push(performance.now() - t0);
    if (!h.ok) throw new Error(h.error.message);
    versions = (h.value as VersionEntry[]).length;
    t0 = performance.now();
    await dispatch('versions:list', { id: s.id });
    historyWarm.push(performance.now() - t0);
    await dispatch('dataset:close', { id: s.id });
    const fresh = await (await lancedb.connect(path.dirname(tablePath))).openTable('laion');
    t0 = performance.now();
    await fresh.listVersions();
    rawHistory.push(performance.now() - t0);
    fresh.close();
  }
  raw.close();
  services.dispose();

  const figures = {
    bench: 'evolve',
    rows,
    table_bytes: tableBytes,
    add_column_ms: round(addMs),
    add_column_bytes: addBytes,
    add_column_bytes_pct: round((addBytes / tableBytes) * 100, 4),
    raw_add_column_ms: round(rawAddMs),
    raw_add_column_bytes: rawAddBytes,
    add_column_ratio: round(addMs / rawAddMs),
    label_100_first_ms: round(firstLabelMs),
    label_100_p50_ms: round(percentile(appLabel, 50)),
    label_100_p95_ms: round(percentile(appLabel, 95)),
    raw_label_100_p50_ms: round(percentile(rawLabel, 50)),
    raw_label_100_p95_ms: round(percentile(rawLabel, 95)),
    label_p50_ratio: round(percentile(appLabel, 50) / percentile(rawLabel, 50)),
    versions,
    history_cold_p50_ms: round(percentile(historyCold, 50)),
    history_cold_max_ms: round(Math.max(...historyCold)),
    history_warm_p50_ms: round(percentile(historyWarm, 50)),
    raw_history_p50_ms: round(percentile(rawHistory, 50)),
    compare_ms: round(compareMs),
    compare_rows: changed?.rowsCompared ?? 0,
    compare_changed: changed?.columns.map((c) => `${c.name}:${c.rows}`).join(',') ?? '',
  };
  console.log(`\nevolve benchmark, ${rows.toLocaleString()} rows, ${formatBytes(tableBytes)} (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''})`);
  console.table({
    'add label column (app)': { ms: figures.add_column_ms, bytes_written: addBytes },
    'add column (raw addColumns)': { ms: figures.raw_add_column_ms, bytes_written: rawAddBytes },
    [`label ${SELECTED} rows (app, first)`]: { ms: figures.label_100_first_ms },
    [`label ${SELECTED} rows (app)`]: { p50_ms: figures.label_100_p50_ms, p95_ms: figures.label_100_p95_ms },
    [`update ${SELECTED} rows (raw)`]: { p50_ms: figures.raw_label_100_p50_ms, p95_ms: figures.raw_label_100_p95_ms },
    [`version history, ${versions} versions (app, cold)`]: { p50_ms: figures.history_cold_p50_ms, max_ms: figures.history_cold_max_ms },
    'version history (app, warm)': { p50_ms: figures.history_warm_p50_ms },
    'listVersions (raw, cold)': { p50_ms: figures.raw_history_p50_ms },
    [`compare before/after labels (${figures.compare_rows} rows)`]: { ms: figures.compare_ms },
  });
  console.log(JSON.stringify(figures));
  return figures;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
