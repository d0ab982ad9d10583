// Shared bits of the benchmark scripts: where generated tables live, percentiles, sizes, args.
import os from 'node:os';
import path from 'node:path';

export function benchCacheDir(): string {
  return process.env.LANCE_EXPLORER_BENCH_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'lance-explorer', 'bench');
}

export function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i] as number;
}

export { dirSize } from '../main/services/support/disk-usage';

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function parseArgs(argv: string[]): { command: string | undefined; flags: Record<string, string | boolean> } {
  const flags: Record<string, string | boolean> = {};
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--')) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags[a.slice(2)] = next;
        i++;
      } else flags[a.slice(2)] = true;
    } else if (!command) command = a;
  }
  return { command, flags };
}

/** A seeded shuffle of offsets so both sides of a comparison read the same rows. */
export function randomOffsets(count: number, max: number, seed = 1): number[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Math.floor(rand() * Math.max(1, max)));
}

/**
 * Run both sides of a comparison, alternating which goes first by round: whoever reads a region first
 * pays for its cold disk pages.
 */
export async function alternate(round: number, app: () => Promise<unknown>, raw: () => Promise<unknown>): Promise<void> {
  if (round % 2) {
    await app();
    await raw();
  } else {
    await raw();
    await app();
  }
}

/**
 * A plain client of the web bridge beside the page at `pageUrl` (its per-run path and token): the
 * raw side of the suites that compare the window with the bridge's own answers.
 */
export function bridgeClient(pageUrl: string, token: string) {
  const { origin, pathname } = new URL(pageUrl);
  const prefix = `${origin}${pathname.replace(/[^/]*$/, '')}`;
  const call = async (channel: string, payload: unknown) => {
    const res = await fetch(`${prefix}api/${channel}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
    const body = (await res.json()) as { ok: boolean; value: { id: string }; error?: { message: string } };
    if (!body.ok) throw new Error(`${channel}: ${body.error?.message}`);
    return body.value;
  };
  return { prefix, call };
}

/**
 * Pages of `pageRows` rows at `count` seeded random offsets, through the app's dispatch (rows:page)
 * and through raw LanceDB (query offset/limit of the same columns), alternating which goes first;
 * timed into round `r` of `page`. Each answer is checked for its length.
 */
export async function comparePages(o: {
  r: number;
  count: number;
  seed: number;
  rows: number;
  pageRows: number;
  page: import('./figures').Rounds;
  appPage: (offset: number) => Promise<{ ok: boolean; value?: unknown }>;
  raw: import('../main/services/dataset/lance').LanceTable;
  columns: string[];
}): Promise<void> {
  const offsets = randomOffsets(o.count, Math.max(1, o.rows - o.pageRows), o.seed);
  for (let i = 0; i < offsets.length; i++) {
    const at = offsets[i] as number;
    const want = Math.min(o.pageRows, o.rows - at);
    await alternate(i + o.r, async () => {
      const res = await o.page.timeApp(o.r, () => o.appPage(at));
      if (!res.ok || (res.value as { rows: unknown[] }).rows.length !== want) throw new Error('bad page');
    }, async () => {
      const tbl = await o.page.timeRaw(o.r, () => o.raw.query().select(o.columns).offset(at).limit(o.pageRows).toArrow());
      if (tbl.numRows !== want) throw new Error('bad raw page');
    });
  }
}
