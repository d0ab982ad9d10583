// npm run bench -- generate --rows N [--out DIR] [--image-side PX] [--no-index] [--force]
// Writes a LAION-shaped table (streamed in batches) to a cache folder outside the repository and
// reports its disk size and build time. Reuses an existing table with the same row count.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { lancedb } from '../main/services/lance';
import { writeSyntheticTable } from './synthetic-laion';
import { benchCacheDir, dirSize, formatBytes } from './bench-support';

export interface GenerateOptions {
  rows: number;
  out?: string;
  imageSide?: number;
  index?: boolean;
  force?: boolean;
  quiet?: boolean;
}

/** Path of the generated table for these options: `<dir>/laion.lance`. */
export async function generate(opts: GenerateOptions): Promise<{ path: string; seconds: number; bytes: number; reused: boolean }> {
  const side = opts.imageSide ?? 96;
  const dir = opts.out ?? path.join(benchCacheDir(), `laion-${opts.rows}-${side}px-emb2${opts.index === false ? '-noindex' : ''}`);
  const tablePath = path.join(dir, 'laion.lance');
  const marker = path.join(dir, 'COMPLETE');
  const log = (s: string) => !opts.quiet && process.stderr.write(s);
  if (!opts.force) {
    try {
      await fs.access(marker);
      return { path: tablePath, seconds: 0, bytes: await dirSize(tablePath), reused: true };
    } catch {
      // not there yet
    }
  }
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const table = await writeSyntheticTable(dir, 'laion', {
    rows: opts.rows,
    imageSide: side,
    batchRows: Math.min(50_000, Math.max(1000, Math.ceil(opts.rows / 20))),
    clusters: Math.max(16, Math.round(Math.sqrt(opts.rows) / 2)),
    onBatch: (w, t) => log(`${process.stderr.isTTY ? '\r' : ''}  wrote ${w.toLocaleString()} / ${t.toLocaleString()} rows${process.stderr.isTTY ? '' : '\n'}`),
  });
  log('\n');
  // A BTREE on key like the app will want for labels, then the vector index the real dataset ships.
  await table.createIndex('key', { config: lancedb.Index.btree() });
  if (opts.index !== false) {
    const t1 = performance.now();
    log('  building IVF_PQ index on img_emb…\n');
    await table.createIndex('img_emb', {
      config: lancedb.Index.ivfPq({ numPartitions: Math.max(4, Math.round(Math.sqrt(opts.rows))), numSubVectors: 48, distanceType: 'l2' }),
    });
    log(`  index built in ${((performance.now() - t1) / 1000).toFixed(1)} s\n`);
  }
  table.close();
  const seconds = (performance.now() - t0) / 1000;
  await fs.writeFile(marker, JSON.stringify({ rows: opts.rows, imageSide: side, seconds }));
  const bytes = await dirSize(tablePath);
  log(`  ${opts.rows.toLocaleString()} rows, ${formatBytes(bytes)} on disk, ${seconds.toFixed(1)} s\n`);
  return { path: tablePath, seconds, bytes, reused: false };
}
