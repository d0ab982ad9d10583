// npm run bench -- browse [--rows N] [--rounds R] [--pages P] [--screens S]
// Page fetch (200 rows at random offsets) and thumbnail delivery, through the app's own dispatch and
// image route, side by side with the same reads done with raw LanceDB calls, in one run. Reads the
// pristine generated table (it writes nothing).
import os from 'node:os';
import path from 'node:path';
import { lancedb } from '../main/services/dataset/lance';
import { createAppServices } from '../main/services/app-services';
import { createDispatch } from '../main/dispatch';
import { serveAppRequest } from '../main/app-routes';
import { generate } from './generate';
import { alternate, comparePages, randomOffsets } from './bench-support';
import { Rounds } from './figures';
import { num, type SuiteContext } from './suite';
import type { DatasetInfo, RowPage } from '../shared/types';

const PAGE = 200;
const SCREEN = 40; // tiles visible at once on a 1440p window

export async function browseBench({ flags, figures, measure }: SuiteContext) {
  const rows = num(flags, 'rows', 100_000);
  const rounds = num(flags, 'rounds', 5);
  const pagesPerRound = num(flags, 'pages', 100);
  const screensPerRound = num(flags, 'screens', 40);
  const table = await generate({ rows });
  figures.set('rows', rows).set('page_rows', PAGE).set('screen_tiles', SCREEN);

  const services = createAppServices({ platform: { carrier: 'web' }, dataDir: path.join(os.tmpdir(), 'lx-bench-home') });
  const dispatch = createDispatch(services);
  const opened = await dispatch('dataset:open', { path: table.path });
  if (!opened.ok) throw new Error(opened.error.message);
  const info = opened.value as DatasetInfo;
  const raw = await (await lancedb.connect(path.dirname(table.path))).openTable('laion');
  const pageCols = info.columns.filter((c) => c.kind !== 'binary' && c.kind !== 'vector').map((c) => c.name);
  const statics = { files: new Map<string, string>() };
  await measure(table);

  // Warm both paths once, then alternate which goes first so neither gets the warmer cache.
  await dispatch('rows:page', { id: info.id, offset: 0, limit: PAGE });
  await raw.query().select(pageCols).offset(0).limit(PAGE).toArrow();
  const page = new Rounds(rounds);
  const screen = new Rounds(rounds);
  const tile = new Rounds(rounds);
  for (let r = 0; r < rounds; r++) {
    await comparePages({ r, count: pagesPerRound, seed: 11 + r, rows, pageRows: PAGE, page, appPage: (o) => dispatch('rows:page', { id: info.id, offset: o, limit: PAGE }), raw, columns: pageCols });
    // Thumbnails: a screen of tiles requested at once, as the browser does, through the image route.
    const screenOffsets = randomOffsets(screensPerRound, Math.max(1, rows - SCREEN), 23 + r);
    for (let k = 0; k < screenOffsets.length; k++) {
      const p = await dispatch('rows:page', { id: info.id, offset: screenOffsets[k] as number, limit: SCREEN });
      if (!p.ok) throw new Error(p.error.message);
      const ids = (p.value as RowPage).rows.map((x) => x.rowId);
      await alternate(k + r, () => screen.timeApp(r, () => Promise.all(ids.map(async (id) => {
        const t = performance.now();
        const res = await serveAppRequest(new Request(`http://bench/image/${info.id}/${id}`), services.datasets, statics);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`image ${res.status}`);
        tile.addApp(r, performance.now() - t);
      }))), async () => {
        const imgs = await screen.timeRaw(r, () => raw.takeRowIds(ids.map((x) => BigInt(x))).select(['image']).toArrow());
        if (imgs.numRows !== ids.length) throw new Error('bad raw images');
      });
    }
  }
  raw.close();
  services.dispose();

  const tilesPerSecond = (s: number[]) => (SCREEN * s.length) / (s.reduce((a, b) => a + b, 0) / 1000);
  figures
    .latency('page', `page of ${PAGE} rows (app dispatch vs raw query offset/limit)`, page)
    .latency('screen', `screen of ${SCREEN} thumbnails (app image route vs raw takeRowIds)`, screen)
    .pair('thumbs', 'per_s', `thumbnails per second`, screen.app.map(tilesPerSecond), screen.raw.map(tilesPerSecond), { higherIsBetter: true })
    .latency('thumb', 'one thumbnail within a screen (app route)', tile, [95]);
}
