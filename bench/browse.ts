// npm run bench -- browse [--rows N] [--iterations K]
// Page fetch (200 rows at random offsets) and thumbnail delivery, through the app's own dispatch and
// image route, side by side with the same reads done with raw LanceDB calls, in one run.
import os from 'node:os';
import path from 'node:path';
import { lancedb } from '../main/services/lance';
import { createAppServices } from '../main/services/app-services';
import { createDispatch } from '../main/dispatch';
import { serveAppRequest } from '../main/app-routes';
import { generate } from './generate';
import { alternate, formatBytes, percentile, randomOffsets } from './bench-support';
import type { DatasetInfo, RowPage } from '../shared/types';

const PAGE = 200;
const SCREEN = 40; // tiles visible at once on a 1440p window

export async function browseBench(flags: Record<string, string | boolean>) {
  const rows = Number(flags.rows ?? 100_000);
  const iterations = Number(flags.iterations ?? 500);
  const screens = Number(flags.screens ?? 200);
  const gen = await generate({ rows, index: false });
  console.error(`table: ${gen.path} (${formatBytes(gen.bytes)}${gen.reused ? ', cached' : `, generated in ${gen.seconds.toFixed(0)} s`})`);

  const services = createAppServices({ platform: { carrier: 'web' }, dataDir: path.join(os.tmpdir(), 'lx-bench-home') });
  const dispatch = createDispatch(services);
  const opened = await dispatch('dataset:open', { path: gen.path });
  if (!opened.ok) throw new Error(opened.error.message);
  const info = opened.value as DatasetInfo;
  const raw = await (await lancedb.connect(path.dirname(gen.path))).openTable('laion');
  const pageCols = info.columns.filter((c) => c.kind !== 'binary' && c.kind !== 'vector').map((c) => c.name);

  const offsets = randomOffsets(iterations, rows - PAGE, 11);
  const appPage: number[] = [];
  const rawPage: number[] = [];
  // Warm both paths once, then alternate which goes first so neither gets the warmer cache.
  await dispatch('rows:page', { id: info.id, offset: 0, limit: PAGE });
  await raw.query().select(pageCols).offset(0).limit(PAGE).toArrow();
  for (let i = 0; i < offsets.length; i++) {
    const o = offsets[i] as number;
    const app = async () => {
      const t = performance.now();
      const r = await dispatch('rows:page', { id: info.id, offset: o, limit: PAGE });
      appPage.push(performance.now() - t);
      if (!r.ok || (r.value as RowPage).rows.length !== PAGE) throw new Error('bad page');
    };
    const direct = async () => {
      const t = performance.now();
      const tbl = await raw.query().select(pageCols).offset(o).limit(PAGE).toArrow();
      rawPage.push(performance.now() - t);
      if (tbl.numRows !== PAGE) throw new Error('bad raw page');
    };
    await alternate(i, app, direct);
  }

  // Thumbnails: a screen of tiles requested at once, as the browser does, through the image route.
  const statics = { files: new Map<string, string>() };
  const tileLatency: number[] = [];
  const appScreen: number[] = [];
  const rawScreen: number[] = [];
  const screenOffsets = randomOffsets(screens, rows - SCREEN, 23);
  for (let k = 0; k < screenOffsets.length; k++) {
    const page = await dispatch('rows:page', { id: info.id, offset: screenOffsets[k] as number, limit: SCREEN });
    if (!page.ok) throw new Error(page.error.message);
    const ids = (page.value as RowPage).rows.map((r) => r.rowId);
    const app = async () => {
      const t0 = performance.now();
      await Promise.all(
        ids.map(async (id) => {
          const t = performance.now();
          const res = await serveAppRequest(new Request(`http://bench/image/${info.id}/${id}`), services.datasets, statics);
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`image ${res.status}`);
          tileLatency.push(performance.now() - t);
        }),
      );
      appScreen.push(performance.now() - t0);
    };
    const direct = async () => {
      const t1 = performance.now();
      const imgs = await raw.takeRowIds(ids.map((x) => BigInt(x))).select(['image']).toArrow();
      rawScreen.push(performance.now() - t1);
      if (imgs.numRows !== ids.length) throw new Error('bad raw images');
    };
    // Whoever reads a screen first pays for the cold disk pages: alternate, as for pages.
    await alternate(k, app, direct);
  }
  raw.close();
  services.dispose();

  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const figures = {
    bench: 'browse',
    rows,
    page_rows: PAGE,
    page_p50_ms: round(percentile(appPage, 50)),
    page_p95_ms: round(percentile(appPage, 95)),
    raw_page_p50_ms: round(percentile(rawPage, 50)),
    raw_page_p95_ms: round(percentile(rawPage, 95)),
    page_p95_ratio: round(percentile(appPage, 95) / percentile(rawPage, 95)),
    thumb_p95_ms: round(percentile(tileLatency, 95)),
    thumb_tiles_per_s: Math.round((SCREEN * screens) / (sum(appScreen) / 1000)),
    raw_screen_p95_ms: round(percentile(rawScreen, 95)),
    raw_tiles_per_s: Math.round((SCREEN * screens) / (sum(rawScreen) / 1000)),
    screen_p95_ratio: round(percentile(appScreen, 95) / percentile(rawScreen, 95)),
  };
  console.log(`\nbrowse benchmark, ${rows.toLocaleString()} rows (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''})`);
  console.table({
    'page of 200 (app dispatch)': { p50_ms: figures.page_p50_ms, p95_ms: figures.page_p95_ms },
    'page of 200 (raw LanceDB)': { p50_ms: figures.raw_page_p50_ms, p95_ms: figures.raw_page_p95_ms },
    [`thumbnail, screen of ${SCREEN} (app route)`]: { p50_ms: round(percentile(tileLatency, 50)), p95_ms: figures.thumb_p95_ms, tiles_per_s: figures.thumb_tiles_per_s },
    [`screen of ${SCREEN} (raw takeRowIds)`]: { p50_ms: round(percentile(rawScreen, 50)), p95_ms: figures.raw_screen_p95_ms, tiles_per_s: figures.raw_tiles_per_s },
  });
  console.log(`page p95 ratio app/raw: ${figures.page_p95_ratio}x; screen p95 ratio app/raw: ${figures.screen_p95_ratio}x`);
  console.log(JSON.stringify(figures));
  return figures;
}

const round = (x: number) => Math.round(x * 100) / 100;
