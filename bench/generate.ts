// npm run bench -- generate --rows N [--image-side PX] [--out DIR] [--force]
// The pristine benchmark table every suite starts from: LAION-shaped rows streamed in batches, plus a
// BTREE on `key` (as the app wants for labels). It is a cache entry named for what it holds
// (bench/cache.ts): reused while it matches its record, rebuilt with a message when it does not.
// Suites never write to it; the search suite's indices live in an entry of their own (index-table.ts).
import path from 'node:path';
import { lancedb } from '../main/services/dataset/lance';
import { writeSyntheticTable } from '../main/synthetic/synthetic-laion';
import { ensureEntry, type CacheEntry } from './cache';
import { formatBytes } from './bench-support';

export interface GenerateOptions {
  rows: number;
  /** A folder of its own instead of the cache entry (the e2e suite keeps its table elsewhere). */
  out?: string;
  imageSide?: number;
  force?: boolean;
  quiet?: boolean;
}

/** The recipe's name: change it whenever what the generator writes changes. */
export function baseEntryName(rows: number, imageSide = 96): string {
  return `laion-${rows}-${imageSide}px-emb2+key-btree`;
}

export async function generate(opts: GenerateOptions): Promise<CacheEntry> {
  const side = opts.imageSide ?? 96;
  const log = (s: string) => !opts.quiet && process.stderr.write(s);
  const tty = process.stderr.isTTY;
  const entry = await ensureEntry(
    baseEntryName(opts.rows, side),
    opts.rows,
    async (tablePath) => {
      const table = await writeSyntheticTable(path.dirname(tablePath), path.basename(tablePath, '.lance'), {
        rows: opts.rows,
        imageSide: side,
        batchRows: Math.min(50_000, Math.max(1000, Math.ceil(opts.rows / 20))),
        clusters: Math.max(16, Math.round(Math.sqrt(opts.rows) / 2)),
        onBatch: (w, t) => log(`${tty ? '\r' : ''}  wrote ${w.toLocaleString()} / ${t.toLocaleString()} rows${tty ? '' : '\n'}`),
      });
      if (tty) log('\n');
      await table.createIndex('key', { config: lancedb.Index.btree() });
      table.close();
    },
    { ...(opts.out ? { dir: opts.out } : {}), ...(opts.force ? { force: true } : {}), log },
  );
  if (!entry.reused) log(`  ${opts.rows.toLocaleString()} rows, ${formatBytes(entry.record.bytes)} on disk, ${entry.record.seconds.toFixed(1)} s\n`);
  return entry;
}
