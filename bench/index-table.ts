// Add the indices the search benchmarks need to a generated table, if it lacks them:
// IVF_PQ on img_emb (like the real dataset's) and a BM25 full-text index on caption.
import path from 'node:path';
import { lancedb } from '../main/services/lance';
import { ivfPqParams } from '../main/services/index-builder';

export async function ensureSearchIndices(tablePath: string, log: (s: string) => void = (s) => process.stderr.write(s)): Promise<void> {
  const db = await lancedb.connect(path.dirname(tablePath));
  const table = await db.openTable(path.basename(tablePath, '.lance'));
  const have = new Set((await table.listIndices()).flatMap((i) => i.columns));
  const rows = await table.countRows();
  if (!have.has('img_emb')) {
    const t = performance.now();
    log(`  building IVF_PQ on img_emb (${rows.toLocaleString()} rows)…\n`);
    await table.createIndex('img_emb', {
      config: lancedb.Index.ivfPq({ ...ivfPqParams(rows, 768), distanceType: 'l2' }),
    });
    log(`  IVF_PQ built in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  }
  if (!have.has('caption')) {
    const t = performance.now();
    await table.createIndex('caption', { config: lancedb.Index.fts({ withPosition: true }) });
    log(`  FTS on caption built in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  }
  table.close();
}
