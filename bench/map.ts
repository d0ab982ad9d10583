// npm run bench -- map [--rows N] [--rounds R] [--frames F] [--no-build]
// The embedding map, side by side with the raw way in one run:
//   - the layout of the UMAP sample (the job's exact neighbour graph + umap-js's 200 epochs, from the
//     job's own stage timings) against umap-js alone fitting the same rows (its own neighbour search,
//     the same epochs), each on the same number of points;
//   - the whole job at N rows (read, clusters, PCA map written, UMAP on the sample, every other row
//     placed, written), with its stages, against a raw scan of the vectors (the floor any layout pays);
//   - in Chromium (software WebGL here: no GPU), the first paint of the cached map (Map clicked to the
//     points on screen) against a raw fetch of the same points from the bridge, and the frame
//     intervals while panning and zooming it.
// The job writes columns, so it runs on a hard-linked work copy of the generated table.
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from '@playwright/test';
import { UMAP } from 'umap-js';
import { lancedb } from '../main/services/dataset/lance';
import { createAppServices } from '../main/services/app-services';
import { createDispatch } from '../main/dispatch';
import { jobFinished } from '../main/test-support/fixtures';
import { sampleOf, UMAP_SAMPLE } from '../main/services/map/map-service';
import { seeded } from '../main/services/near/vectors';
import { startServe } from '../e2e/support/bridge';
import { workCopy } from './cache';
import { generate } from './generate';
import { alternate, bridgeClient, percentile } from './bench-support';
import { Rounds } from './figures';
import { num, type SuiteContext } from './suite';
import type { DatasetInfo, MapStatus } from '../shared/types';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function mapBench({ flags, figures, measure }: SuiteContext) {
  const rows = num(flags, 'rows', 100_000);
  const rounds = num(flags, 'rounds', 1);
  const frames = num(flags, 'frames', 120);
  const base = await generate({ rows });
  await measure(base);
  const copy = await workCopy(base, 'map');
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-bench-map-'));
  try {
    const services = createAppServices({ platform: { carrier: 'web' }, dataDir: path.join(home, 'data') });
    const dispatch = createDispatch(services);
    const opened = await dispatch('dataset:open', { path: copy.path });
    if (!opened.ok) throw new Error(opened.error.message);
    const info = opened.value as DatasetInfo;
    const raw = await (await lancedb.connect(path.dirname(copy.path))).openTable(path.basename(copy.path, '.lance'));
    const sample = Math.min(rows, UMAP_SAMPLE);
    figures.set('rows', rows).set('sample', sample);

    // 1 and 2: the job (whole, and its sample layout) against umap-js alone and a raw scan.
    const layout = new Rounds(rounds);
    const whole = new Rounds(rounds);
    let stages: Record<string, number> = {};
    for (let r = 0; r < rounds; r++) {
      await alternate(
        r,
        async () => {
          const t = performance.now();
          const s = await dispatch('map:start', { id: info.id, column: 'img_emb', mode: 'make' });
          if (!s.ok) throw new Error(s.error.message);
          const done = await jobFinished(services.events, (s.value as { jobId: string }).jobId);
          if (done.error) throw new Error(done.error);
          whole.addApp(r, performance.now() - t);
          const st = (await dispatch('map:status', { id: info.id })) as { ok: true; value: MapStatus };
          stages = st.value.map?.stages ?? {};
          layout.addApp(r, (stages.graph ?? 0) + (stages.umap ?? 0));
        },
        async () => {
          // The raw side: read the vectors, then umap-js alone on the same sample rows.
          const t = performance.now();
          const vectors: Float32Array[] = [];
          for await (const b of raw.query().select(['img_emb'])) {
            const col = b.getChild('img_emb')!;
            for (let i = 0; i < b.numRows; i++) vectors.push(Float32Array.from((col.get(i) as { toArray(): Float32Array }).toArray()));
          }
          whole.addRaw(r, performance.now() - t);
          const picked = sampleOf(Int32Array.from({ length: vectors.length }, (_, i) => i), UMAP_SAMPLE);
          const X = Array.from(picked, (i) => Array.from(vectors[i] as Float32Array));
          const t2 = performance.now();
          const umap = new UMAP({ nNeighbors: 15, nComponents: 2, nEpochs: 200, minDist: 0.1, distanceFn: cosine, random: seeded(1) });
          const epochs = umap.initializeFit(X);
          for (let e = 0; e < epochs; e++) umap.step();
          layout.addRaw(r, performance.now() - t2);
        },
      );
    }
    figures.pair('sample_layout', 'ms', `UMAP of a ${sample.toLocaleString('en-US')}-row sample: the job (exact neighbours + umap-js epochs) vs umap-js alone`, layout.app.map((x) => x[0] as number), layout.raw.map((x) => x[0] as number), { rawLabel: 'umap-js alone' });
    figures.pair('full_layout', 'ms', `the whole map job at ${rows.toLocaleString('en-US')} rows vs a raw scan of img_emb`, whole.app.map((x) => x[0] as number), whole.raw.map((x) => x[0] as number), { rawLabel: 'raw scan of the vectors' });
    for (const [k, v] of Object.entries(stages)) figures.set(`stage_${k}_ms`, v);
    // The final write happens after the stages are recorded (they are written with it): the rest.
    figures.set('stage_umap_write_ms', Math.round((whole.app[0]?.[0] ?? 0) - Object.values(stages).reduce((a, b) => a + b, 0)));
    figures.set('full_layout_per_100k_s', Math.round(((whole.app[0]?.[0] ?? 0) / 1000 / (rows / 100_000)) * 100) / 100);
    raw.close();
    services.dispose();

    // 3. The cached map in Chromium: first paint and frames while panning and zooming.
    if (!flags['no-build'] || !existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) {
      process.stderr.write('  building the renderer (electron-vite build; --no-build skips)…\n');
      await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, maxBuffer: 64 << 20 });
    }
    const bridge = await startServe({ dataset: copy.path, demo: path.join(home, 'no-demo.lance'), env: { LANCEDB_LOG: 'error' } });
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const token = new URL(bridge.openUrl).searchParams.get('token') as string;
    try {
      const paint = new Rounds(Math.max(1, rounds));
      const frameTimes: number[] = [];
      for (let r = 0; r < paint.count; r++) {
        const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const page = await ctx.newPage();
        await page.goto(bridge.openUrl);
        await page.locator('[data-testid=tile][data-index="0"]').waitFor({ timeout: 60_000 });
        const t = Date.now();
        await page.getByTestId('map-button').click();
        await page.locator('[data-testid=map-canvas][data-drawn]').waitFor({ timeout: 120_000 });
        paint.addApp(r, Date.now() - t);
        // The raw floor: the same points asked of the bridge by a plain client (its own session).
        const { call } = bridgeClient(page.url(), token);
        const session = await call('dataset:open', { path: copy.path });
        const t0 = performance.now();
        await call('map:points', { id: session.id });
        paint.addRaw(r, performance.now() - t0);
        await call('dataset:close', { id: session.id });
        // Frames: drag to pan and wheel to zoom, measuring the intervals between animation frames.
        const box = (await page.getByTestId('map-canvas').boundingBox())!;
        // A string, not a function: the bench's compiler would add helpers the page does not have.
        await page.evaluate(`(() => { window.__lxFrames = []; let last = performance.now(); const tick = (now) => { window.__lxFrames.push(now - last); last = now; requestAnimationFrame(tick); }; requestAnimationFrame(tick); })()`);
        const cx = box.x + box.width / 2;
        const cy = box.y + box.height / 2;
        await page.mouse.move(cx, cy);
        await page.mouse.down();
        for (let i = 0; i < frames / 2; i++) await page.mouse.move(cx + Math.sin(i / 8) * 200, cy + Math.cos(i / 8) * 120);
        await page.mouse.up();
        for (let i = 0; i < frames / 2; i++) await page.mouse.wheel(0, i < frames / 4 ? -120 : 120);
        const intervals = ((await page.evaluate('window.__lxFrames')) as number[]).slice(2);
        frameTimes.push(...intervals);
        await ctx.close();
      }
      figures.pair('first_paint', 'ms', 'the cached map: Map clicked to its points on screen vs the points request alone', paint.app.map((x) => x[0] as number), paint.raw.map((x) => x[0] as number), { rawLabel: 'the points request' });
      figures.set('frame_p50_ms', Math.round(percentile(frameTimes, 50) * 10) / 10).set('frame_p95_ms', Math.round(percentile(frameTimes, 95) * 10) / 10).set('frames', frameTimes.length).set('webgl', 'software (SwiftShader, no GPU)');
    } finally {
      await browser.close();
      await bridge.stop();
    }
  } finally {
    await copy.dispose();
    await fs.rm(home, { recursive: true, force: true });
  }
}

function cosine(a: number[], b: number[]): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return 1 - d / Math.sqrt(na * nb || 1);
}
