// The table the search suite reads: the pristine generated table plus the indices a search needs,
// IVF_PQ on img_emb with the app's own parameters (like the real dataset's bundled index) and BM25 on
// caption. It is a cache entry of its own, built on a hard-linked copy of the generated one, so adding
// indices never changes the table other suites read.
import path from 'node:path';
import { lancedb } from '../main/services/dataset/lance';
import { ivfPqParams } from '../main/services/writes/index-builder';
import { EMBEDDING_DIM } from '../main/services/dataset/laion-schema';
import { ensureEntry, linkCopy, type CacheEntry } from './cache';
import { generate } from './generate';

export function searchEntryName(rows: number, imageSide = 96): string {
  const p = ivfPqParams(rows, EMBEDDING_DIM);
  return `laion-${rows}-${imageSide}px-emb2+key-btree+ivfpq-${p.numPartitions}x${p.numSubVectors}+caption-fts`;
}

export async function searchTable(opts: { rows: number; force?: boolean; log?: (s: string) => void }): Promise<CacheEntry> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s));
  const base = await generate({ rows: opts.rows });
  return ensureEntry(
    searchEntryName(opts.rows),
    opts.rows,
    async (tablePath) => {
      await linkCopy(base.path, tablePath);
      const db = await lancedb.connect(path.dirname(tablePath));
      const table = await db.openTable(path.basename(tablePath, '.lance'));
      let t = performance.now();
      log(`  building IVF_PQ on img_emb (${opts.rows.toLocaleString()} rows; minutes at 1M rows on 2 cores)…\n`);
      await table.createIndex('img_emb', { config: lancedb.Index.ivfPq({ ...ivfPqParams(opts.rows, EMBEDDING_DIM), distanceType: 'l2' }) });
      log(`  IVF_PQ built in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
      t = performance.now();
      await table.createIndex('caption', { config: lancedb.Index.fts({ withPosition: true }) });
      log(`  FTS on caption built in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
      table.close();
    },
    { ...(opts.force ? { force: true } : {}), log },
  );
}
