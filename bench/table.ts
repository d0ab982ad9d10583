// npm run bench -- table [--rows N] [--columns C] [--rounds R] [--frames F] [--no-build]
// The table view on a generated table of C columns (numbers, text, booleans, timestamps; no image),
// in Chromium through the web bridge, side by side with the raw way in one run:
//   - first paint: the page opened to the first rows' cells on screen, against a bare page on the
//     bridge's origin that opens the dataset, reads the same first rows and puts them in plain divs;
//   - a jump to the last row (End) to its cells on screen, against the same rows asked for alone;
//   - frame intervals while scrolling down and across, against a bare page (plain divs, no app code)
//     holding the same number of cells scrolled the same way: what the browser alone costs here.
// Chromium renders in software on this machine (no GPU); the report says so.
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { arrow, lancedb } from '../main/services/dataset/lance';
import { startServe } from '../e2e/support/bridge';
import { ensureEntry } from './cache';
import { bridgeClient, percentile } from './bench-support';
import { Rounds } from './figures';
import { num, type SuiteContext } from './suite';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 50_000;
const KINDS = ['int', 'float', 'text', 'bool', 'time'] as const;

/** A wide table: column c of kind KINDS[c % 5], values a cheap hash of (row, column). */
async function buildWide(tablePath: string, rows: number, columns: number): Promise<void> {
  const db = await lancedb.connect(path.dirname(tablePath));
  let table: import('@lancedb/lancedb').Table | null = null;
  for (let from = 0; from < rows; from += BATCH) {
    const n = Math.min(BATCH, rows - from);
    const cols: Record<string, import('apache-arrow').Vector> = { id: arrow.vectorFromArray(BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i))) };
    for (let c = 1; c < columns; c++) {
      const kind = KINDS[c % KINDS.length] as (typeof KINDS)[number];
      const at = (i: number) => ((from + i) * 2654435761 + c * 40503) % 1_000_003;
      const name = `${kind}_${String(c).padStart(3, '0')}`;
      if (kind === 'int') cols[name] = arrow.vectorFromArray(Int32Array.from({ length: n }, (_, i) => at(i)));
      else if (kind === 'float') cols[name] = arrow.vectorFromArray(Float64Array.from({ length: n }, (_, i) => at(i) / 977));
      else if (kind === 'text') cols[name] = arrow.vectorFromArray(Array.from({ length: n }, (_, i) => `value ${at(i)} of ${c}`), new arrow.Utf8());
      else if (kind === 'bool') cols[name] = arrow.vectorFromArray(Array.from({ length: n }, (_, i) => at(i) % 2 === 0), new arrow.Bool());
      else cols[name] = arrow.vectorFromArray(Array.from({ length: n }, (_, i) => 1_600_000_000_000 + at(i) * 1000), new arrow.TimestampMillisecond());
    }
    const batch = new arrow.Table(cols);
    if (!table) table = await db.createTable(path.basename(tablePath, '.lance'), batch);
    else await table.add(batch);
    process.stderr.write(`\r  wrote ${(from + n).toLocaleString('en-US')} / ${rows.toLocaleString('en-US')} rows`);
  }
  process.stderr.write('\n');
  table?.close();
}

const FRAMES_SCRIPT = `(() => { window.__lxFrames = []; let last = performance.now(); const tick = (now) => { window.__lxFrames.push(now - last); last = now; requestAnimationFrame(tick); }; requestAnimationFrame(tick); })()`;

/** Scroll down and across with the wheel over `box`, collecting the intervals between frames. */
async function scrollFrames(page: Page, box: { x: number; y: number; width: number; height: number }, frames: number): Promise<number[]> {
  await page.evaluate(FRAMES_SCRIPT);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < frames; i++) {
    if (i % 4 === 3) await page.mouse.wheel(i % 8 === 7 ? -400 : 400, 0);
    else await page.mouse.wheel(0, 600);
  }
  await page.waitForTimeout(100);
  return ((await page.evaluate('window.__lxFrames')) as number[]).slice(2);
}

/** The browser alone: plain divs in a scroller, as many cells as the table shows, no app code. */
function barePage(rows: number, cols: number, width: number, height: number): string {
  const cells = Array.from({ length: rows }, (_, r) => `<div class="r" style="top:${r * 32}px">${Array.from({ length: cols }, (_, c) => `<div class="c" style="left:${c * 150}px">value ${(r * 7919 + c) % 100_003}</div>`).join('')}</div>`).join('');
  return `<!doctype html><style>body{margin:0;font:14px system-ui;background:#111418;color:#e6e9ee}#s{width:${width}px;height:${height}px;overflow:auto;position:relative}.r{position:absolute;left:0;height:32px;width:${cols * 150}px}.c{position:absolute;top:0;width:150px;height:32px;padding:0 6px;overflow:hidden;white-space:nowrap;display:flex;align-items:center}</style><div id="s"><div style="height:${rows * 32 * 40}px;width:${cols * 150}px;position:relative">${cells}</div></div>`;
}

export async function tableBench({ flags, figures, measure }: SuiteContext) {
  const rows = num(flags, 'rows', 100_000);
  const columns = num(flags, 'columns', 100);
  const rounds = num(flags, 'rounds', 1);
  const frames = num(flags, 'frames', 120);
  const entry = await ensureEntry(`wide-${rows}x${columns}`, rows, (p) => buildWide(p, rows, columns));
  await measure(entry);
  figures.set('rows', rows).set('columns', columns).set('table_cached', entry.reused);
  if (!flags['no-build'] || !existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) {
    process.stderr.write('  building the renderer (electron-vite build; --no-build skips)…\n');
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, maxBuffer: 64 << 20 });
  }
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-bench-table-'));
  const bridge = await startServe({ dataset: entry.path, demo: path.join(home, 'no-demo.lance'), env: { LANCEDB_LOG: 'error' } });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const token = new URL(bridge.openUrl).searchParams.get('token') as string;
  const viewport = { width: 1440, height: 900 };
  try {
    const paint = new Rounds(rounds);
    const jump = new Rounds(rounds);
    const appFrames: number[] = [];
    const bareFrames: number[] = [];
    let shownCells = 0;
    let shownRows = 0;
    for (let r = 0; r < rounds; r++) {
      const ctx = await browser.newContext({ viewport });
      const page = await ctx.newPage();
      const t = Date.now();
      await page.goto(bridge.openUrl);
      await page.locator('[data-testid=table-row][data-index="0"] [role=gridcell]').first().waitFor({ timeout: 120_000 });
      paint.addApp(r, Date.now() - t);
      // The raw floor: the same rows asked of the bridge by a plain client (its own session).
      const { prefix, call } = bridgeClient(page.url(), token);
      // The same work in a bare page on the bridge's origin: open the dataset, read the first page of
      // rows as the window asks for it (200: useRowPages' PAGE_SIZE),
      // and put their cells in plain divs. No app code, no React, no virtualizer.
      const bareCtx = await browser.newContext({ viewport, bypassCSP: true });
      const barePaint = await bareCtx.newPage();
      await barePaint.goto(`${prefix}bare-page`).catch(() => {});
      const bareMs = (await barePaint.evaluate(`(async () => {
        const t = performance.now();
        const call = async (c, p) => (await (await fetch('${prefix}api/' + c, { method: 'POST', headers: { Authorization: 'Bearer ${token}', 'Content-Type': 'application/json' }, body: JSON.stringify(p) })).json()).value;
        const s = await call('dataset:open', { path: ${JSON.stringify(entry.path)} });
        const page = await call('rows:page', { id: s.id, offset: 0, limit: 200 });
        document.body.innerHTML = page.rows.map((r) => '<div>' + Object.values(r.values).map((v) => '<span>' + String(v) + '</span>').join('') + '</div>').join('');
        await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
        await call('dataset:close', { id: s.id });
        return performance.now() - t + performance.getEntriesByType('navigation')[0].duration;
      })()`)) as number;
      paint.addRaw(r, bareMs);
      await bareCtx.close();
      const session = await call('dataset:open', { path: entry.path });
      let t0 = performance.now();
      // End: the last row on screen.
      await page.getByTestId('table').focus();
      const tj = Date.now();
      await page.keyboard.press('End');
      await page.locator(`[data-testid=table-row][data-index="${rows - 1}"] [role=gridcell]`).first().waitFor({ timeout: 60_000 });
      jump.addApp(r, Date.now() - tj);
      t0 = performance.now();
      await call('rows:page', { id: session.id, offset: Math.max(0, rows - 200), limit: 200 }); // the window's page (PAGE_SIZE)
      jump.addRaw(r, performance.now() - t0);
      await call('dataset:close', { id: session.id });
      await page.keyboard.press('Home');
      await page.locator('[data-testid=table-row][data-index="0"] [role=gridcell]').first().waitFor({ timeout: 60_000 });
      shownCells = await page.locator('[data-testid=table-row] [role=gridcell]').count();
      shownRows = await page.getByTestId('table-row').count();
      const box = (await page.getByTestId('table').boundingBox())!;
      appFrames.push(...(await scrollFrames(page, box, frames)));
      // The bare page: the same cells, scrolled the same way.
      const bare = await ctx.newPage();
      await bare.setContent(barePage(shownRows, Math.max(1, Math.round(shownCells / Math.max(1, shownRows))), Math.round(box.width), Math.round(box.height)));
      const bareBox = (await bare.locator('#s').boundingBox())!;
      bareFrames.push(...(await scrollFrames(bare, bareBox, frames)));
      await ctx.close();
    }
    figures.pair('first_paint', 'ms', `the table: page opened to the first rows' cells on screen vs a bare page doing the same requests`, paint.app.map((x) => x[0] as number), paint.raw.map((x) => x[0] as number), { rawLabel: 'a bare page: dataset:open + 200 rows + plain divs' });
    figures.pair('jump_end', 'ms', `End to the last row's cells on screen vs rows:page for them alone`, jump.app.map((x) => x[0] as number), jump.raw.map((x) => x[0] as number), { rawLabel: 'rows:page (the last 200 rows)' });
    for (const q of [50, 95]) {
      figures.pair(`frames_p${q}`, 'ms', `frame interval p${q} while scrolling down and across vs a bare page of the same cells`, [percentile(appFrames, q)], [percentile(bareFrames, q)], { rawLabel: 'a bare page (plain divs)' });
    }
    figures.set('cells_in_dom', shownCells).set('rows_in_dom', shownRows).set('frames', appFrames.length).set('rendering', 'software (SwiftShader, no GPU)');
  } finally {
    await browser.close();
    await bridge.stop();
    await fs.rm(home, { recursive: true, force: true });
  }
}
