// Runs one benchmark suite the same way whether it is called alone or by `all`: waits for the machine
// to settle, records its load before and during the measurement and the page-cache state of the
// table, prints the figures as a table and ends with the suite's one JSON line.
import { Figures } from './figures';
import { commitId, LOAD_WARNING, loadNow, pageCachePercent, sampleLoad } from './machine';
import type { CacheEntry } from './cache';

export type Flags = Record<string, string | boolean>;

export interface SuiteContext {
  flags: Flags;
  figures: Figures;
  /** The table is ready: settle, note its state, start watching the load. Call once, before measuring. */
  measure(entry: CacheEntry | { path: string }): Promise<void>;
}

export type SuiteFn = (ctx: SuiteContext) => Promise<void>;

export interface SuiteResult {
  suite: string;
  figures: Figures;
  json: Record<string, unknown>;
  warnings: string[];
}

const log = (s: string) => process.stderr.write(s);

/** Wait (up to `seconds`) for the 1-minute load average to drop below the warning level. */
async function settle(seconds: number): Promise<void> {
  if (loadNow() <= LOAD_WARNING || seconds <= 0) return;
  log(`  waiting up to ${seconds} s for the load (${loadNow()}) to drop below ${LOAD_WARNING}…\n`);
  const until = Date.now() + seconds * 1000;
  while (loadNow() > LOAD_WARNING && Date.now() < until) await new Promise((r) => setTimeout(r, 2000));
}

export function num(flags: Flags, name: string, fallback: number): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a positive number (got ${String(v)})`);
  return n;
}

export async function runSuite(suite: string, fn: SuiteFn, flags: Flags): Promise<SuiteResult> {
  const figures = new Figures(suite);
  const warnings: string[] = [];
  let sampler: ReturnType<typeof sampleLoad> | null = null;
  let started = 0;
  const ctx: SuiteContext = {
    flags,
    figures,
    async measure(entry) {
      await settle(flags['no-settle'] ? 0 : num(flags, 'settle', 90));
      const load = loadNow();
      if (load > LOAD_WARNING) {
        const w = `${suite}: the load average was ${load} when measuring began (above ${LOAD_WARNING}): something else is running, figures may be off`;
        warnings.push(w);
        log(`WARNING ${w}\n`);
      }
      figures.set('load_start', load);
      figures.set('page_cache_pct', await pageCachePercent(entry.path));
      if ('reused' in entry) figures.set('table_cached', entry.reused);
      sampler = sampleLoad();
      started = performance.now();
    },
  };
  await fn(ctx);
  if (!sampler) throw new Error(`${suite}: the suite never called measure()`);
  const load = (sampler as ReturnType<typeof sampleLoad>).stop();
  figures.set('load_max', load.max).set('load_mean', load.mean);
  figures.set('seconds', Math.round((performance.now() - started) / 100) / 10);
  figures.set('commit', await commitId());
  const unstable = figures.unstable();
  if (unstable.length) warnings.push(`${suite}: unstable (rounds spread over 2x): ${unstable.join(', ')}`);
  console.log(`\n${suite}: ${Object.entries(figures.info).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.table(figures.rows());
  const json = figures.json();
  console.log(JSON.stringify(json));
  return { suite, figures, json, warnings };
}
