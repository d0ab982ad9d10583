// npm run bench -- remote [--rows N] [--rounds R] [--rtt-ms 20] [--pages P] [--queries Q] [--scroll-seconds S]
// The dataset in object storage, far away: the benchmark table (with its IVF_PQ index) copied into
// the local S3 peer (s3rver behind the front that answers as S3 does), reached through a delaying
// proxy that adds --rtt-ms of round trip to every request (bench/slow-link.ts). In one run, side by
// side with raw LanceDB reading the same store through the same proxy:
//   - first screen: open the dataset, its first page of rows and the first screen's thumbnails
//     (app: dataset:open + rows:page + the image batch route; raw: connect/openTable/countRows/schema +
//     a query page + takeRowIds of the images);
//   - pages of 200 rows at random offsets (app rows:page vs raw query offset/limit);
//   - a row's details (app rows:get vs raw takeRowIds of every column);
//   - find similar (app view:open similar + its first page vs raw takeRowIds of the vector + one
//     vectorSearch returning the same columns);
//   - and in Chromium through the bridge (the real `npm run serve` process, reading the same store
//     through the same proxy): the grid scrolled at a steady pace, counting frames where a tile in view
//     has no row yet (a blank) and where one has no image yet.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { lancedb } from '../main/services/dataset/lance';
import { createAppServices } from '../main/services/app-services';
import { createDispatch } from '../main/dispatch';
import { serveAppRequest } from '../main/app-routes';
import { startS3Peer } from '../main/test-support/s3-peer';
import { startServe } from '../e2e/support/bridge';
import { searchTable } from './index-table';
import { slowLink } from './slow-link';
import { alternate, comparePages, randomOffsets } from './bench-support';
import { Rounds } from './figures';
import { ensureBuilt } from './ui';
import { num, type SuiteContext } from './suite';
import { filesUnder } from './machine';
import type { DatasetInfo, RowPage, ViewInfo } from '../shared/types';

const PAGE = 200;
const SCREEN = 40;
const BATCH = 12; // the renderer's image batch (renderer/src/image-queue.ts)

/**
 * Scroll the grid at two screens a second for `seconds`, noting on each frame whether a tile in view
 * has no row yet (a blank) or no image yet. A string: the bench runs under tsx, whose helpers a
 * function's source would name, and the page does not have them.
 */
const STEADY_SCROLL = `async (seconds) => {
  const grid = document.querySelector('[data-testid=grid]');
  const perFrame = (grid.clientHeight * 2) / 60;
  const box = grid.getBoundingClientRect();
  let blank = 0;
  let noImage = 0;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  await new Promise((done) => {
    const step = () => {
      grid.scrollTop += perFrame;
      let b = false;
      let i = false;
      for (const tile of grid.querySelectorAll('[data-testid=tile]')) {
        const rc = tile.getBoundingClientRect();
        if (rc.bottom <= box.top || rc.top >= box.bottom) continue;
        if (tile.querySelector('.tile-placeholder[aria-label=loading]')) b = true;
        else if (!tile.querySelector('img')) i = true;
      }
      n++;
      if (b) blank++;
      if (i) noImage++;
      if (performance.now() < end) requestAnimationFrame(step);
      else done();
    };
    requestAnimationFrame(step);
  });
  return { blank, noImage, n };
}`;

export async function remoteBench({ flags, figures, measure }: SuiteContext) {
  const rows = num(flags, 'rows', 100_000);
  const rounds = num(flags, 'rounds', 5);
  const rtt = num(flags, 'rtt-ms', 20);
  const pagesPerRound = num(flags, 'pages', 30);
  const queries = num(flags, 'queries', 10);
  const scrollSeconds = flags['no-browser'] ? 0 : num(flags, 'scroll-seconds', 6);
  const table = await searchTable({ rows });
  figures.set('rows', rows).set('rtt_ms', rtt).set('page_rows', PAGE).set('screen_tiles', SCREEN);

  // The table's files, as they are, into the bucket: a copy of the dataset in object storage.
  const peer = await startS3Peer({ bucket: 'bench' });
  const link = slowLink({ bytesPerSecond: 1e9, rttMs: rtt });
  let bridge: Awaited<ReturnType<typeof startServe>> | null = null;
  try {
    const t0 = performance.now();
    const files = await filesUnder(table.path);
    let bytes = 0;
    for (let i = 0; i < files.length; i += 4) {
      await Promise.all(
        files.slice(i, i + 4).map(async (f) => {
          const body = await fs.readFile(f);
          bytes += body.byteLength;
          const res = await fetch(`${peer.endpoint}/bench/remote/laion.lance/${path.relative(table.path, f).split(path.sep).join('/')}`, { method: 'PUT', body: new Uint8Array(body) });
          if (!res.ok) throw new Error(`upload of ${f}: HTTP ${res.status}`);
        }),
      );
    }
    figures.set('upload_s', Math.round((performance.now() - t0) / 100) / 10).set('store_mb', Math.round(bytes / 2 ** 20));
    const far = await link.front(peer.endpoint);
    const storage = { ...peer.storageOptions, aws_endpoint: far };
    const uri = 's3://bench/remote/laion.lance';

    const services = createAppServices({ platform: { carrier: 'web' }, dataDir: path.join(os.tmpdir(), 'lx-bench-remote-home') });
    const dispatch = createDispatch(services);
    const statics = { files: new Map<string, string>() };
    const openApp = async () => {
      const r = await dispatch('dataset:open', { path: uri, storage });
      if (!r.ok) throw new Error(r.error.message);
      return r.value as DatasetInfo;
    };
    const info = await openApp();
    const raw = await (await lancedb.connect('s3://bench/remote', { storageOptions: storage })).openTable('laion');
    const pageCols = info.columns.filter((c) => c.kind !== 'binary' && c.kind !== 'vector').map((c) => c.name);
    const allCols = info.columns.map((c) => c.name);
    await measure(table);

    const first = new Rounds(rounds);
    const page = new Rounds(rounds);
    const detail = new Rounds(rounds);
    const similar = new Rounds(rounds);
    for (let r = 0; r < rounds; r++) {
      // First screen, cold for both: a new session (app) or a new connection (raw) each time.
      await alternate(r, async () => {
        // A session of its own, closed after: the one measured below keeps its warm handle, as raw's does.
        let screen: DatasetInfo | null = null;
        await first.timeApp(r, async () => {
          screen = await openApp();
          const p = await dispatch('rows:page', { id: screen.id, offset: 0, limit: PAGE });
          if (!p.ok) throw new Error(p.error.message);
          const ids = (p.value as RowPage).rows.slice(0, SCREEN).map((x) => x.rowId);
          await Promise.all(
            Array.from({ length: Math.ceil(ids.length / BATCH) }, async (_, b) => {
              const res = await serveAppRequest(new Request(`http://bench/images/${(screen as DatasetInfo).id}?rows=${ids.slice(b * BATCH, (b + 1) * BATCH).join(',')}`), services.datasets, statics);
              await res.arrayBuffer();
              if (res.status !== 200) throw new Error(`images ${res.status}`);
            }),
          );
        });
        await dispatch('dataset:close', { id: (screen as DatasetInfo | null)?.id ?? '' });
      }, async () => {
        await first.timeRaw(r, async () => {
          const t = await (await lancedb.connect('s3://bench/remote', { storageOptions: storage })).openTable('laion');
          await Promise.all([t.countRows(), t.schema(), t.version()]);
          const p = await t.query().withRowId().select(pageCols).offset(0).limit(PAGE).toArrow();
          const ids = Array.from(p.getChild('_rowid')!.toArray() as BigUint64Array).slice(0, SCREEN);
          const imgs = await t.takeRowIds(ids).select(['image']).toArrow();
          if (imgs.numRows !== SCREEN) throw new Error('bad raw screen');
          t.close();
        });
      });
      await comparePages({ r, count: pagesPerRound, seed: 31 + r, rows, pageRows: PAGE, page, appPage: (o) => dispatch('rows:page', { id: info.id, offset: o, limit: PAGE }), raw, columns: pageCols });
      const picks = await dispatch('rows:page', { id: info.id, offset: randomOffsets(1, Math.max(1, rows - queries), 51 + r)[0] as number, limit: queries });
      if (!picks.ok) throw new Error(picks.error.message);
      const ids = (picks.value as RowPage).rows.map((x) => x.rowId);
      for (let q = 0; q < ids.length; q++) {
        const id = ids[q] as string;
        await alternate(q + r, () => detail.timeApp(r, async () => {
          const d = await dispatch('rows:get', { id: info.id, rowId: id });
          if (!d.ok) throw new Error(d.error.message);
        }), () => detail.timeRaw(r, async () => {
          const d = await raw.takeRowIds([BigInt(id)]).select(allCols).toArrow();
          if (d.numRows !== 1) throw new Error('bad raw detail');
        }));
        await alternate(q + r, () => similar.timeApp(r, async () => {
          const v = await dispatch('view:open', { id: info.id, spec: { kind: 'similar', rowId: id, column: 'img_emb', k: 50, metric: 'l2', nprobes: 20, refineFactor: 5 } });
          if (!v.ok) throw new Error(v.error.message);
          const p = await dispatch('view:page', { id: info.id, viewId: (v.value as ViewInfo).viewId, offset: 0, limit: SCREEN });
          if (!p.ok) throw new Error(p.error.message);
        }), () => similar.timeRaw(r, async () => {
          const vec = await raw.takeRowIds([BigInt(id)]).select(['img_emb']).toArrow();
          const q2 = Array.from(vec.getChild('img_emb')!.get(0)!.toArray() as Float32Array);
          const res = await raw.vectorSearch(q2).column('img_emb').distanceType('l2').nprobes(20).refineFactor(5).limit(51).select([...pageCols, '_distance']).withRowId().toArrow();
          if (res.numRows < 2) throw new Error('bad raw similar');
        }));
      }
    }
    raw.close();
    services.dispose();

    figures
      .latency('first_screen', `first screen: open, ${PAGE} rows, ${SCREEN} thumbnails (app vs raw connect/open/count/page/takeRowIds)`, first)
      .latency('page', `page of ${PAGE} rows at ${rtt} ms round trip (app dispatch vs raw query offset/limit)`, page)
      .latency('detail', "a row's details, every column (app rows:get vs raw takeRowIds)", detail)
      .latency('similar', `find similar: 50 neighbours and the first ${SCREEN} rows (app view + page vs raw vector + vectorSearch)`, similar);

    if (scrollSeconds > 0) {
      await ensureBuilt(flags);
      const home = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-bench-remote-serve-'));
      // The bridge reads the store with the environment's credentials, through the same proxy.
      bridge = await startServe({
        dataset: uri,
        demo: path.join(home, 'no-demo.lance'),
        env: { LANCEDB_LOG: 'error', AWS_ACCESS_KEY_ID: peer.storageOptions.aws_access_key_id as string, AWS_SECRET_ACCESS_KEY: peer.storageOptions.aws_secret_access_key as string, AWS_REGION: 'us-east-1', AWS_ENDPOINT: far, AWS_ALLOW_HTTP: 'true', AWS_VIRTUAL_HOSTED_STYLE_REQUEST: 'false' },
      });
      const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
      try {
        const p = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
        await p.goto(bridge.openUrl);
        await p.locator('[data-testid=tile][data-index="0"] img').waitFor({ timeout: 60_000 });
        const blankRounds: number[] = [];
        const noImageRounds: number[] = [];
        const frames: number[] = [];
        for (let r = 0; r < rounds; r++) {
          // A steady pace: two screens a second, as a person reading captions while scrolling does.
          const sample = (await p.evaluate(`(${STEADY_SCROLL})(${scrollSeconds})`)) as { blank: number; noImage: number; n: number };
          blankRounds.push(sample.blank);
          noImageRounds.push(sample.noImage);
          frames.push(sample.n);
        }
        figures
          .single('scroll_blank_frames', 'count', `frames with a tile in view that has no row yet, scrolling 2 screens/s for ${scrollSeconds} s at ${rtt} ms (the bridge in Chromium)`, blankRounds)
          .single('scroll_waiting_image_frames', 'count', 'frames with a tile in view whose thumbnail is still on its way', noImageRounds)
          .single('scroll_frames', 'count', 'frames sampled per round', frames);
      } finally {
        await browser.close();
        await fs.rm(home, { recursive: true, force: true });
      }
    }
  } finally {
    await bridge?.stop();
    await link.close();
    await peer.stop();
  }
}
