// Every benchmark suite at a tiny size, as `npm run bench -- all` runs them, so a suite that breaks
// fails CI. Also: the cache is left as generated, and an entry that was written to is rebuilt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { lancedb } from '../main/services/dataset/lance';
import { entryProblem } from './cache';
import { baseEntryName } from './generate';
import { searchEntryName } from './index-table';
import { BEGIN, END } from './report';
import { SUITES } from './suites';

const run = promisify(execFile);
const ROWS = 300;
const TINY = ['--rows', String(ROWS), '--rounds', '2', '--pages', '4', '--screens', '2', '--queries', '4', '--labels', '2', '--link-rounds', '1', '--requests', '200', '--file-mb', '5', '--fling-seconds', '1', '--jumps', '2', '--mem-jumps', '3', '--warm-jumps', '2', '--loads', '2', '--model', 'tiny', '--embed-rows', '4', '--no-build', '--no-settle'];
let dir: string;
let cache: string;
let doc: string;

const bench = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
    env: { ...process.env, LANCE_EXPLORER_BENCH_CACHE: cache, LANCEDB_LOG: 'error' },
    maxBuffer: 64 << 20,
    timeout: 240_000,
  });

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-bench-test-'));
  cache = path.join(dir, 'cache');
  doc = path.join(dir, 'BENCHMARKS.md');
  await fs.writeFile(doc, `# Benchmarks\n\nwritten by hand\n\n${BEGIN}\nstale\n${END}\n\n## Analysis\n\nkept\n`);
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('npm run bench -- all, at a tiny size', () => {
  let out: { stdout: string; stderr: string };
  beforeAll(async () => {
    out = await bench(['all', ...TINY, '--doc', doc]);
  }, 300_000);

  it('runs every suite and prints each one JSON line in the one shape', () => {
    const lines = jsonLines(out.stdout);
    const bySuite = new Map(lines.map((l) => [l.suite, l]));
    for (const name of Object.keys(SUITES)) {
      const j = bySuite.get(name);
      expect(j, `${name} printed no JSON line`).toBeDefined();
      for (const k of ['load_start', 'load_max', 'page_cache_pct', 'seconds', 'commit', 'unstable']) expect(j, `${name}.${k}`).toHaveProperty(k);
      const ratios = Object.keys(j!).filter((k) => k.endsWith('_ratio'));
      expect(ratios.length, `${name} has no ratio to raw`).toBeGreaterThan(0);
      for (const rk of ratios) {
        const name0 = rk.slice(0, -'_ratio'.length);
        const appKey = Object.keys(j!).find((k) => k.startsWith(`${name0}_`) && !/_(ratio|spread|rounds)$/.test(k) && `raw_${k}` in j!);
        expect(appKey, `${name}: ${rk} without ${name0}_<unit> beside raw_${name0}_<unit>`).toBeDefined();
        expect(typeof j![appKey!]).toBe('number');
        expect(typeof j![`raw_${appKey}`]).toBe('number');
        expect(typeof j![`${name0}_spread`]).toBe('number');
        expect(typeof j![rk]).toBe('number');
      }
    }
    expect(bySuite.get('search')!.recall_at_10_share).toBeGreaterThan(0.5);
    expect(bySuite.get('download')!.resume_fetched_exactly_missing).toBe(true);
    expect(bySuite.get('hostile')).toMatchObject({ crashes: 0, hangs: 0, total_5xx: 0, still_serving: true, images_refused: 200, requests_internal: 0, datasets_internal: 0 });
    // the ui suite ran the app in Chromium: every page's session closed, images shown after the fling
    expect(bySuite.get('ui')).toMatchObject({ sessions_left_open: 0, tiles_visible: expect.any(Number) });
    expect(bySuite.get('ui')!.fling_settle_ms).toBeGreaterThan(0);
    // the overview suite computed every chart over the whole table and counted a filter's rows
    expect(bySuite.get('overview')!.charts).toBeGreaterThan(10);
    expect(bySuite.get('overview')!.filtered_counts_p50_ms).toBeGreaterThan(0);
    // the map suite made the map and drew it in Chromium
    expect(bySuite.get('map')!.full_layout_ms).toBeGreaterThan(0);
    expect(bySuite.get('map')!.frames).toBeGreaterThan(10);
    // the table suite drew the wide table, jumped to its end and scrolled it, beside a bare page
    expect(bySuite.get('table')!.frames).toBeGreaterThan(10);
    expect(bySuite.get('table')!.cells_in_dom).toBeLessThan(2000);
    const all = bySuite.get('all')!;
    expect(all.failed).toEqual([]);
    expect(all.machine).toMatchObject({ cores: os.cpus().length, node: process.versions.node });
  });

  it('rewrites only the generated section of the document, with a table per suite and the machine', async () => {
    const text = await fs.readFile(doc, 'utf8');
    expect(text.startsWith('# Benchmarks\n\nwritten by hand\n\n')).toBe(true);
    expect(text.endsWith(`${END}\n\n## Analysis\n\nkept\n`)).toBe(true);
    expect(text).not.toContain('stale');
    expect(text).toMatch(/Machine: .+, \d+ cores, [\d.]+ GiB; .+; Node \d+\.\d+\.\d+; @lancedb\/lancedb \d+\.\d+\.\d+\./);
    for (const name of Object.keys(SUITES)) expect(text).toContain(`### ${name}\n`);
    expect(text).toMatch(/\| find similar k=50, neighbours, p95 \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+x \|/);
    expect(text).toMatch(/through a 100 MB\/s link/);
  });

  it('leaves the cached tables as they were generated, and no work copies behind', async () => {
    expect(await entryProblem(path.join(cache, baseEntryName(ROWS)), { name: baseEntryName(ROWS), rows: ROWS })).toBeNull();
    expect(await entryProblem(path.join(cache, searchEntryName(ROWS)), { name: searchEntryName(ROWS), rows: ROWS })).toBeNull();
    const left = (await fs.readdir(cache)).filter((n) => n.startsWith('work-'));
    expect(left).toEqual([]);
  });

  it('evolve passes after every other suite has run, and again', async () => {
    const a = await bench(['evolve', ...TINY]);
    expect(jsonLines(a.stdout).at(-1)!.suite).toBe('evolve');
  }, 120_000);

  it('rebuilds a cached table that something else wrote to, and says why', async () => {
    const base = path.join(cache, baseEntryName(ROWS));
    const db = await lancedb.connect(base);
    const t = await db.openTable('laion');
    await t.delete('key < 100000010');
    t.close();
    expect(await entryProblem(base, { name: baseEntryName(ROWS), rows: ROWS })).toMatch(/holds 290 rows/);
    const r = await bench(['browse', ...TINY]);
    expect(r.stderr).toMatch(/laion-300-96px-emb2\+key-btree: it holds 290 rows, not 300; rebuilding it/);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ suite: 'browse', rows: ROWS });
    expect(await entryProblem(base, { name: baseEntryName(ROWS), rows: ROWS })).toBeNull();
    // a version written without changing the row count is caught by its version number
    const t2 = await (await lancedb.connect(base)).openTable('laion');
    await t2.update({ where: 'key = 100000001', values: { caption: 'changed' } });
    t2.close();
    expect(await entryProblem(base, { name: baseEntryName(ROWS), rows: ROWS })).toMatch(/written to since it was cached/);
  }, 120_000);

  it('refuses bad flags with a message instead of a stack trace', async () => {
    const e = (await bench(['browse', '--rows', 'lots']).catch((x: unknown) => x)) as { code: number; stderr: string };
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/--rows takes a positive number \(got lots\)/);
    const u = (await bench(['nonsense']).catch((x: unknown) => x)) as { code: number; stderr: string };
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/usage: npm run bench/);
  });
});
