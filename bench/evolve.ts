// npm run bench -- evolve [--rows N] [--rounds R] [--labels L per round]
// Adding a label column, labelling 100 selected rows, comparing versions and opening the version
// history, through the app's own dispatch, side by side with the same operations done with raw LanceDB,
// in one run.
//
// Each side writes to its own hard-linked copy of the pristine generated table (bench/cache.ts): the
// cached table stays as generated, and neither side's writes move rows under the other's feet (a raw
// update by row id on a table the app has just rewritten would miss the rows that moved).
import os from 'node:os';
import path from 'node:path';
import { arrow, lancedb } from '../main/services/dataset/lance';
import { createAppServices } from '../main/services/app-services';
import { createDispatch } from '../main/dispatch';
import { rowIdArray } from '../main/services/dataset/cells';
import { generate } from './generate';
import { workCopy } from './cache';
import { alternate, dirSize, randomOffsets } from './bench-support';
import { Rounds } from './figures';
import { num, type SuiteContext } from './suite';
import type { DatasetInfo, VersionDiff, VersionEntry } from '../shared/types';

const SELECTED = 100;

export async function evolveBench(ctx: SuiteContext) {
  const rows = num(ctx.flags, 'rows', 100_000);
  const base = await generate({ rows });
  const appCopy = await workCopy(base, 'evolve-app');
  const rawCopy = await workCopy(base, 'evolve-raw');
  try {
    await run(ctx, base, appCopy.path, rawCopy.path, rows);
  } finally {
    await appCopy.dispose();
    await rawCopy.dispose();
  }
}

async function run({ flags, figures, measure }: SuiteContext, base: { path: string }, appPath: string, rawPath: string, rows: number) {
  const rounds = num(flags, 'rounds', 4);
  const labelsPerRound = num(flags, 'labels', 10);
  figures.set('rows', rows).set('selected_rows', SELECTED);
  const services = createAppServices({ platform: { carrier: 'web' }, dataDir: path.join(os.tmpdir(), 'lx-bench-home') });
  const dispatch = createDispatch(services);
  const open = async () => {
    const r = await dispatch('dataset:open', { path: appPath });
    if (!r.ok) throw new Error(r.error.message);
    return r.value as DatasetInfo;
  };
  const rawOpen = async () => (await lancedb.connect(path.dirname(rawPath))).openTable('laion');
  let info = await open();
  const raw = await rawOpen();
  const tableBytes = await dirSize(appPath);
  figures.set('table_bytes', tableBytes);
  await measure(base);

  // 1. Add an empty label column: the app's form vs LanceDB's addColumns with a schema field. One per
  //    round, each side on its own copy; bytes written = growth of the table folder.
  const addColumn = new Rounds(rounds);
  const addBytes: number[] = [];
  const rawAddBytes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await alternate(r, async () => {
      const before = await dirSize(appPath);
      const res = await addColumn.timeApp(r, () =>
        dispatch('evolve:add-label-column', { id: info.id, name: r ? `quality_${r}` : 'quality', type: 'category', categories: ['good', 'blurry', 'watermark'] }),
      );
      if (!res.ok) throw new Error(res.error.message);
      addBytes.push((await dirSize(appPath)) - before);
    }, async () => {
      const before = await dirSize(rawPath);
      await addColumn.timeRaw(r, () => raw.addColumns([new arrow.Field(r ? `quality_${r}` : 'quality', new arrow.Utf8(), true)]));
      rawAddBytes.push((await dirSize(rawPath)) - before);
    });
  }

  // 2. Label 100 random rows, many times over: the app (positions in the grid, rows followed to their
  //    new ids) vs a raw update of as many random rows by row id on its own copy.
  info = await open(); // a fresh session, as after reopening: its first label reads the row order
  const label = new Rounds(rounds);
  const first: number[] = [];
  let order = rowIdArray(await raw.query().withRowId().select([]).toArrow());
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < labelsPerRound; i++) {
      const n = r * labelsPerRound + i;
      const positions = [...new Set(randomOffsets(SELECTED, rows, 100 + n))];
      await alternate(n, async () => {
        const t0 = performance.now();
        const res = await dispatch('labels:set', { id: info.id, viewId: null, column: 'quality', value: n % 2 ? 'good' : 'blurry', positions });
        const ms = performance.now() - t0;
        if (!res.ok) throw new Error(res.error.message);
        if ((res.value as { updated: number }).updated !== positions.length) throw new Error('app: not every row was labelled');
        if (n === 0) first.push(ms);
        else label.addApp(r, ms);
      }, async () => {
        // Finding the ids is not timed: the app reads its order once, ahead of the first label.
        const ids = positions.map((p) => order[p] as bigint);
        const t0 = performance.now();
        const res = await raw.update({ where: `_rowid IN (${ids.join(',')})`, valuesSql: { quality: "CAST('good' AS STRING)" } });
        if (n > 0) label.addRaw(r, performance.now() - t0);
        if (Number(res.rowsUpdated) !== ids.length) throw new Error(`raw: ${res.rowsUpdated} of ${ids.length} rows updated`);
        order = rowIdArray(await raw.query().withRowId().select([]).toArrow());
      });
    }
  }

  // 3. Compare the version before the labels with the latest: which columns' values changed.
  const latest = await open();
  const t = performance.now();
  const cmp = await dispatch('versions:compare', { id: latest.id, from: info.version, to: latest.version });
  const compareMs = performance.now() - t;
  if (!cmp.ok) throw new Error(cmp.error.message);
  const changed = (cmp.value as VersionDiff).changedValues;
  figures.set('compare_rows', changed?.rowsCompared ?? 0).set('compare_changed', changed?.columns.map((c) => `${c.name}:${c.rows}`).join(',') ?? '');

  // 4. Open the version history: a new session, cold, then warm; raw listVersions on a fresh handle.
  const history = new Rounds(rounds);
  const warm: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const s = await open();
    await alternate(r, async () => {
      const h = await history.timeApp(r, () => dispatch('versions:list', { id: s.id }));
      if (!h.ok) throw new Error(h.error.message);
      figures.set('versions', (h.value as VersionEntry[]).length);
      const t0 = performance.now();
      await dispatch('versions:list', { id: s.id });
      warm.push(performance.now() - t0);
    }, async () => {
      const fresh = await rawOpen();
      await history.timeRaw(r, () => fresh.listVersions());
      fresh.close();
    });
    await dispatch('dataset:close', { id: s.id });
  }
  raw.close();
  services.dispose();

  figures
    .pair('add_column', 'ms', 'add a label column (app form vs raw addColumns)', addColumn.app.map((x) => x[0] as number), addColumn.raw.map((x) => x[0] as number))
    .pair('add_column_bytes', 'B', 'bytes written by adding a column', addBytes, rawAddBytes)
    .single('label_first', 'ms', `label ${SELECTED} rows, first of a session (reads the row order)`, first)
    .latency('label', `label ${SELECTED} random rows (app labels:set vs raw update by row id)`, label)
    .single('compare', 'ms', 'compare the version before the labels with the latest (app)', [compareMs])
    .pair('history', 'ms', 'version history, new session (app versions:list vs raw listVersions)', history.app.map((x) => x[0] as number), history.raw.map((x) => x[0] as number))
    .single('history_warm', 'ms', 'version history again, same session (app)', warm);
}
