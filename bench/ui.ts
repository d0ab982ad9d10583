// npm run bench -- ui [--rows N] [--rounds R] [--fling-seconds S] [--jumps J] [--mem-jumps M] [--loads L]
// The grid in Chromium through the web bridge (the real `npm run serve` process), side by side with a
// bare page: plain <img> tags of the same size, under the same origin and cookie, loading the same
// screen of images from the same image route with no app around it. In one run:
//   - first screen: navigation to every visible tile showing its decoded image (app vs bare page);
//   - settle after a scrollTop fling (one screen per frame), a wheel fling and random jumps: from the
//     moment scrolling stops to every visible image (app vs the bare page showing that same screen);
//   - frame intervals during the fling (app vs the bare page scrolling a long page of the same images);
//   - renderer heap and bridge RSS over M jumps and L page loads after a warm-up (app, then the bare
//     page doing the same number of screens and loads).
// The bare page reads images the app has just read, so its server side is warm: the comparison leans
// against the app. Each first-screen load is a fresh browser context (a cold browser cache).
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Cookie, type Page } from '@playwright/test';
import { startServe, type RunningBridge } from '../e2e/support/bridge';
import { alternate, percentile, randomOffsets } from './bench-support';
import { median, Rounds } from './figures';
import { generate } from './generate';
import { barePage, PAGE_SCRIPT } from './ui-page';
import { num, type SuiteContext } from './suite';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VIEWPORT = { width: 1440, height: 900 };
const SETTLE_TIMEOUT_MS = 60_000;
/** Page loads before memory is first read: pools and JIT fill up first. */
const WARM_LOADS = 5;
const MB = 1024 * 1024;
/** The wheel fling: a fast flick of a wheel or trackpad, about 27 screens in a second. */
const WHEEL_PX_PER_S = 24_000;
const WHEEL_SECONDS = 1;

export async function ensureBuilt(flags: SuiteContext['flags']) {
  // A stale renderer would measure old code: build unless told not to (and always when there is none).
  if (flags['no-build'] && existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) return;
  process.stderr.write('  building the renderer (electron-vite build; --no-build skips)…\n');
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, maxBuffer: 64 << 20 });
}

/**
 * Leave a page the way a closed tab does (pagehide), and wait for the session close it sends: a
 * context closed straight after would cut that request off.
 */
async function leave(page: Page) {
  const closed = page.waitForResponse((r) => r.url().includes('api/dataset:close'), { timeout: 5000 }).catch(() => null);
  await page.goto('about:blank');
  await closed;
}

async function rssBytes(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status);
  if (!kb) throw new Error('no VmRSS for the bridge process');
  return Number(kb[1]) * 1024;
}

/** Image requests a page makes from now on, and the images they ask for (a batch names several). */
function countImages(page: Page): { requests: number; tiles: number } {
  const n = { requests: 0, tiles: 0 };
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.includes('/image/')) (n.requests++, n.tiles++);
    else if (u.pathname.includes('/images/')) (n.requests++, (n.tiles += (u.searchParams.get('rows') ?? '').split(',').length));
  });
  return n;
}

interface Visible {
  loaded: boolean;
  rowIds: string[];
  width: number;
  height: number;
}

/** The bridge as a client script sees it: bearer token, its own dataset session for the bare page. */
class BridgeClient {
  constructor(readonly origin: string, readonly base: string, private readonly token: string) {}
  async call<T>(channel: string, payload: unknown): Promise<T> {
    const res = await fetch(`${this.origin}${this.base}api/${channel}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
    if (!body.ok) throw new Error(`${channel}: ${body.error?.message}`);
    return body.value as T;
  }
}

/** Read random rows' images until main's image cache is full (or every row has been read). */
async function fillImageCache(client: BridgeClient, id: string, rows: number, imageUrl: (rowId: string) => string, token: string) {
  const info = () => client.call<{ imageCache: { bytes: number; capacityBytes: number } }>('app:info', {}).then((i) => i.imageCache);
  let state = await info();
  const PAGE = 500;
  const offsets = Array.from({ length: Math.ceil(rows / PAGE) }, (_, i) => i * PAGE);
  for (let i = offsets.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1); // a fixed shuffle: pages from all over the table
    [offsets[i], offsets[j]] = [offsets[j] as number, offsets[i] as number];
  }
  for (const offset of offsets) {
    if (state.bytes >= state.capacityBytes * 0.97) break;
    const page = await client.call<{ rows: Array<{ rowId: string }> }>('rows:page', { id, offset, limit: PAGE });
    const ids = page.rows.map((r) => r.rowId);
    for (let k = 0; k < ids.length; k += 6) {
      await Promise.all(ids.slice(k, k + 6).map(async (r) => (await fetch(imageUrl(r), { headers: { Authorization: `Bearer ${token}` } })).arrayBuffer()));
    }
    state = await info();
  }
  return state;
}

export async function uiBench({ flags, figures, measure }: SuiteContext) {
  const rows = num(flags, 'rows', 100_000);
  const rounds = num(flags, 'rounds', 3);
  const flingSeconds = num(flags, 'fling-seconds', 10);
  const jumpsPerRound = num(flags, 'jumps', 10);
  const memJumps = num(flags, 'mem-jumps', 200);
  const loads = num(flags, 'loads', 50);
  const warmJumps = num(flags, 'warm-jumps', 20);
  const table = await generate({ rows });
  await ensureBuilt(flags);

  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-bench-ui-'));
  let bridge: RunningBridge | null = null;
  let browser: Browser | null = null;
  try {
    bridge = await startServe({ dataset: table.path, demo: path.join(home, 'no-demo.lance'), env: { LANCEDB_LOG: 'error' } });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const b = browser;
    const pid = bridge.pid;
    const token = new URL(bridge.openUrl).searchParams.get('token') as string;

    // Trade the printed URL for the cookie once; every later context gets the cookie directly, so
    // the app and the bare page both start from one plain navigation.
    const primer = await b.newContext({ viewport: VIEWPORT });
    await primer.addInitScript({ content: PAGE_SCRIPT });
    const primerPage = await primer.newPage();
    await primerPage.goto(bridge.openUrl);
    await primerPage.evaluate(`window.__lxb.settle(${SETTLE_TIMEOUT_MS})`); // its dataset is open: leaving closes it
    const appUrl = primerPage.url();
    const { origin, pathname: base } = new URL(appUrl);
    const cookies: Cookie[] = await primer.cookies();
    await leave(primerPage);
    await primer.close();
    const client = new BridgeClient(origin, base, token);
    const session = await client.call<{ id: string }>('dataset:open', { path: table.path });
    const imageUrl = (rowId: string) => `${origin}${base}image/${session.id}/${rowId}`;
    const asBare = (rowIds: string[]) => rowIds.map(imageUrl);

    const newContext = async (): Promise<BrowserContext> => {
      const ctx = await b.newContext({ viewport: VIEWPORT });
      await ctx.addCookies(cookies);
      await ctx.addInitScript({ content: PAGE_SCRIPT });
      return ctx;
    };
    let barePages = 0;
    /**
     * Serve a bare page under the bridge's path (so the cookie goes with its image requests), with the
     * browser cache off: each screen it shows is fetched, as a new screen in the app is.
     */
    const bareUrl = async (ctx: BrowserContext, html: string, page: Page) => {
      const url = `${origin}${base}__bench/bare-${barePages++}.html`;
      await ctx.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      return url;
    };
    const visible = (page: Page) => page.evaluate('window.__lxb.visible()') as Promise<Visible>;
    const settleAt = (page: Page) => page.evaluate(`window.__lxb.settle(${SETTLE_TIMEOUT_MS})`) as Promise<number>;

    /** A cold app start in a fresh context: navigation to the whole first screen shown. */
    const appFirstScreen = async () => {
      const ctx = await newContext();
      const page = await ctx.newPage();
      const asked = countImages(page);
      await page.goto(appUrl, { waitUntil: 'commit' });
      const ms = await settleAt(page);
      const v = await visible(page);
      return { ctx, page, ms, v, asked };
    };
    const bareFirstScreen = async (v: Visible) => {
      const ctx = await newContext();
      const page = await ctx.newPage();
      await page.goto(await bareUrl(ctx, barePage(asBare(v.rowIds), v.width, v.height), page), { waitUntil: 'commit' });
      const ms = await settleAt(page);
      return { ctx, page, ms };
    };

    const warm = await appFirstScreen();
    const screen = warm.v;
    if (!screen.rowIds.length) throw new Error('the app showed no images');
    await leave(warm.page);
    await warm.ctx.close();
    figures.set('rows', rows).set('viewport', `${VIEWPORT.width}x${VIEWPORT.height}`).set('tiles_visible', screen.rowIds.length);
    figures.set('fling_seconds', flingSeconds).set('jumps_per_round', jumpsPerRound);
    await measure(table);

    const first = new Rounds(rounds);
    const fling = new Rounds(rounds);
    const wheel = new Rounds(rounds);
    const jump = new Rounds(rounds);
    const frame = { p50: new Rounds(rounds), p95: new Rounds(rounds), max: new Rounds(rounds) };
    const longFrames: { app: number[]; raw: number[] } = { app: [], raw: [] };
    const flingRequests: number[] = [];
    const flingTiles: number[] = [];
    const firstTiles: number[] = [];
    const flingVsFirst: number[] = [];
    const firstRequests: number[] = [];
    const addFrames = (side: 'app' | 'raw', r: number, frames: number[]) => {
      const f = frames.slice(1); // the first interval spans the call into the page
      for (const [k, p] of [['p50', 50], ['p95', 95], ['max', 100]] as const) frame[k][side === 'app' ? 'addApp' : 'addRaw'](r, percentile(f, p));
      longFrames[side].push(f.filter((x) => x > 50).length);
    };

    for (let r = 0; r < rounds; r++) {
      let app: Awaited<ReturnType<typeof appFirstScreen>> | null = null;
      await alternate(r, async () => {
        app = await appFirstScreen();
        first.addApp(r, app.ms);
        firstRequests.push(app.asked.requests);
        firstTiles.push(app.asked.tiles);
      }, async () => {
        const bare = await bareFirstScreen(screen);
        first.addRaw(r, bare.ms);
        await bare.ctx.close();
      });
      const a = app as unknown as Awaited<ReturnType<typeof appFirstScreen>>;
      const page = a.page;
      const bareCtx = await newContext();
      const bare = await bareCtx.newPage();
      await bare.goto(await bareUrl(bareCtx, barePage([], 0, 0), bare));
      const bareShow = async (v: Visible) => (await bare.evaluate(`window.__lxb.show(${JSON.stringify(asBare(v.rowIds))}, ${v.width}, ${v.height}, ${SETTLE_TIMEOUT_MS})`)) as number;

      // scrollTop fling: one screen per frame, then the settle.
      const asked = countImages(page);
      const flung = (await page.evaluate(`window.__lxb.fling(${flingSeconds}, ${SETTLE_TIMEOUT_MS})`)) as { frames: number[]; settleMs: number };
      fling.addApp(r, flung.settleMs);
      flingRequests.push(asked.requests);
      flingTiles.push(asked.tiles);
      flingVsFirst.push(flung.settleMs / a.ms);
      addFrames('app', r, flung.frames);
      fling.addRaw(r, await bareShow(await visible(page)));

      // The bare page's frames: the same images on a long plain page, scrolled the same way.
      const longCtx = await newContext();
      const long = await longCtx.newPage();
      await long.goto(await bareUrl(longCtx, barePage(asBare(screen.rowIds), screen.width, screen.height, 40), long));
      await settleAt(long);
      const bareFlung = (await long.evaluate(`window.__lxb.fling(${flingSeconds}, ${SETTLE_TIMEOUT_MS})`)) as { frames: number[] };
      addFrames('raw', r, bareFlung.frames);
      await longCtx.close();

      // Wheel fling: Chromium's own synthetic gesture (real wheel events at a set speed, as its
      // scrolling benchmarks use), then the settle.
      const grid = await page.getByTestId('grid').boundingBox();
      if (!grid) throw new Error('no grid');
      const appCdp = await page.context().newCDPSession(page);
      await appCdp.send('Input.synthesizeScrollGesture', {
        x: Math.round(grid.x + grid.width / 2),
        y: Math.round(grid.y + grid.height / 2),
        yDistance: -WHEEL_PX_PER_S * WHEEL_SECONDS, // negative: down
        speed: WHEEL_PX_PER_S,
        gestureSourceType: 'mouse',
      });
      const stopped = (await page.evaluate('performance.now()')) as number;
      wheel.addApp(r, (await settleAt(page)) - stopped);
      wheel.addRaw(r, await bareShow(await visible(page)));

      // Random jumps (a click on the scrollbar, a drag let go).
      for (const f of randomOffsets(jumpsPerRound, 10_000, 31 + r).map((x) => x / 10_000)) {
        jump.addApp(r, (await page.evaluate(`window.__lxb.jump(${f}, ${SETTLE_TIMEOUT_MS})`)) as number);
        jump.addRaw(r, await bareShow(await visible(page)));
      }
      await bareCtx.close();
      await leave(page);
      await a.ctx.close();
    }

    // Memory: the app over many jumps and page loads, then the bare page doing the same work.
    const ctx = await newContext();
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN;
    };
    const rss = async () => {
      await new Promise((res) => setTimeout(res, 500)); // let the last replies finish
      return rssBytes(pid);
    };
    await page.goto(appUrl, { waitUntil: 'commit' });
    await settleAt(page);
    const fractions = randomOffsets(warmJumps + memJumps, 10_000, 97).map((x) => x / 10_000);
    for (const f of fractions.slice(0, warmJumps)) await page.evaluate(`window.__lxb.jump(${f}, ${SETTLE_TIMEOUT_MS})`);
    // Main keeps recent images in a bounded cache (96 MB): filling it is growth by design, not a
    // leak, so it is filled before memory is first read (through the bench's own session).
    const cache = await fillImageCache(client, session.id, rows, imageUrl, token);
    const j0 = { heap: await heap(), rss: await rss() };
    for (const [i, f] of fractions.slice(warmJumps).entries()) {
      await page.evaluate(`window.__lxb.jump(${f}, ${SETTLE_TIMEOUT_MS})`);
      if (i % 50 === 49) process.stderr.write(`  ${i + 1} jumps after the warm-up: bridge RSS ${Math.round((await rssBytes(pid)) / MB)} MB\n`);
    }
    const j1 = { heap: await heap(), rss: await rss() };

    const reload = async (p: Page) => {
      const url = p.url();
      try {
        await p.reload({ waitUntil: 'commit' });
      } catch (err) {
        // Chromium sometimes refuses a reload while the last load's frame is being swapped (seen on a
        // loaded machine): load the same address again instead, which is what this measures.
        if (!/Not attached to an active page/.test((err as Error).message)) throw err;
        await p.goto(url, { waitUntil: 'commit' });
      }
      await settleAt(p);
    };
    for (let i = 0; i < WARM_LOADS; i++) await reload(page);
    const l0 = { heap: await heap(), rss: await rss() };
    for (let i = 0; i < loads; i++) await reload(page);
    const l1 = { heap: await heap(), rss: await rss() };
    await leave(page);
    await ctx.close();
    await new Promise((res) => setTimeout(res, 500)); // the keepalive close sent on pagehide
    const sessionsLeft = (await client.call<{ openSessions: number }>('app:info', {})).openSessions - 1; // less the bench's own

    // The bare page: the same number of screens (random pages of rows) and of loads.
    const bareCtx = await newContext();
    const bare = await bareCtx.newPage();
    await bare.goto(await bareUrl(bareCtx, barePage([], 0, 0), bare));
    const bareScreens = async (n: number, seed: number) => {
      for (const o of randomOffsets(n, Math.max(1, rows - screen.rowIds.length), seed)) {
        const p = await client.call<{ rows: Array<{ rowId: string }> }>('rows:page', { id: session.id, offset: o, limit: screen.rowIds.length });
        await bare.evaluate(`window.__lxb.show(${JSON.stringify(p.rows.map((x) => imageUrl(x.rowId)))}, ${screen.width}, ${screen.height}, ${SETTLE_TIMEOUT_MS})`);
      }
    };
    await bareScreens(warmJumps, 5);
    const b0 = await rss();
    await bareScreens(memJumps, 6);
    const b1 = await rss();
    // Loaded and shown before the first reload: a reload racing the navigation's end was refused
    // ("not attached to an active page") on a busy machine.
    await bare.goto(await bareUrl(bareCtx, barePage(asBare(screen.rowIds), screen.width, screen.height), bare), { waitUntil: 'load' });
    await settleAt(bare);
    for (let i = 0; i < WARM_LOADS; i++) await reload(bare);
    const bl0 = await rss();
    for (let i = 0; i < loads; i++) await reload(bare);
    const bl1 = await rss();
    await bareCtx.close();

    // Raw LanceDB doing the same reads in a process of its own: what a table this size costs anyway.
    const rawRun = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'ui-raw-memory.ts'), table.path, String(warmJumps), String(memJumps)], { cwd: ROOT, env: { ...process.env, LANCEDB_LOG: 'error' }, maxBuffer: 16 << 20 });
    const rawMemory = JSON.parse(rawRun.stdout.trim().split('\n').at(-1) as string) as { before: number; after: number };

    const mb = (x: number) => Math.round((x / MB) * 10) / 10;
    figures
      .pair('first_screen', 'ms', 'first screen, navigation to every visible image (app vs bare page)', first.app.map((s) => s[0] as number), first.raw.map((s) => s[0] as number), { rawLabel: 'bare page' })
      .pair('fling_settle', 'ms', `after a ${flingSeconds} s scrollTop fling, every visible image (vs bare page showing that screen)`, fling.app.map((s) => s[0] as number), fling.raw.map((s) => s[0] as number), { rawLabel: 'bare page' })
      .pair('wheel_settle', 'ms', `after a ${WHEEL_SECONDS} s wheel fling at ${WHEEL_PX_PER_S.toLocaleString('en-US')} px/s, every visible image`, wheel.app.map((s) => s[0] as number), wheel.raw.map((s) => s[0] as number), { rawLabel: 'bare page' })
      .latency('jump_settle', 'after a random jump, every visible image', jump, [50, 95], 'bare page')
      .pair('frame_p50', 'ms', 'frame interval during the fling, p50 (vs bare page scrolled the same way)', frame.p50.app.map((s) => s[0] as number), frame.p50.raw.map((s) => s[0] as number), { rawLabel: 'bare page' })
      .pair('frame_p95', 'ms', 'frame interval during the fling, p95', frame.p95.app.map((s) => s[0] as number), frame.p95.raw.map((s) => s[0] as number), { rawLabel: 'bare page' })
      .pair('frame_max', 'ms', 'frame interval during the fling, max', frame.max.app.map((s) => s[0] as number), frame.max.raw.map((s) => s[0] as number), { rawLabel: 'bare page' })
      .single('long_frames', 'count', 'frames over 50 ms during the fling (app)', longFrames.app)
      .single('bare_long_frames', 'count', 'frames over 50 ms during the fling (bare page)', longFrames.raw);
    const growth = {
      jumps_heap_growth_mb: mb(j1.heap - j0.heap),
      jumps_rss_growth_mb: mb(j1.rss - j0.rss),
      loads_heap_growth_mb: mb(l1.heap - l0.heap),
      loads_rss_growth_mb: mb(l1.rss - l0.rss),
      bare_jumps_rss_growth_mb: mb(b1 - b0),
      bare_loads_rss_growth_mb: mb(bl1 - bl0),
      raw_jumps_rss_growth_mb: mb(rawMemory.after - rawMemory.before),
    };
    for (const [k, v] of Object.entries(growth)) figures.set(k, v);
    figures
      .set('renderer_heap_mb', mb(j1.heap))
      .set('bridge_rss_mb', mb(l1.rss))
      .set('memory_flat', [growth.jumps_heap_growth_mb, growth.jumps_rss_growth_mb, growth.loads_heap_growth_mb, growth.loads_rss_growth_mb].every((g) => g <= 10))
      .set('sessions_left_open', sessionsLeft)
      .set('image_cache_mb', mb(cache.capacityBytes))
      .set('image_cache_filled_mb', mb(cache.bytes))
      .set('first_screen_image_requests', median(firstRequests))
      .set('first_screen_images_asked', median(firstTiles))
      .set('fling_image_requests', median(flingRequests))
      .set('fling_images_asked', median(flingTiles))
      .set('fling_settle_vs_first_screen', Math.round(median(flingVsFirst) * 100) / 100);
    figures.table({
      title: `Memory after a warm-up (${warmJumps} jumps, ${WARM_LOADS} loads): growth over ${memJumps} jumps and ${loads} page loads`,
      header: ['', 'renderer heap', 'bridge RSS', 'bridge RSS under the bare page', 'raw LanceDB RSS, same reads'],
      rows: [
        [`${memJumps} jumps`, `${growth.jumps_heap_growth_mb} MB`, `${growth.jumps_rss_growth_mb} MB`, `${growth.bare_jumps_rss_growth_mb} MB`, `${growth.raw_jumps_rss_growth_mb} MB`],
        [`${loads} page loads`, `${growth.loads_heap_growth_mb} MB`, `${growth.loads_rss_growth_mb} MB`, `${growth.bare_loads_rss_growth_mb} MB`, '—'],
      ],
      keys: Object.keys(growth),
    });
  } finally {
    await browser?.close();
    await bridge?.stop();
    await fs.rm(home, { recursive: true, force: true });
  }
}
