// Values for many rows written by key, as one version when LanceDB's memory allows it.
// Why one merge: every merge is a version of its own, and a job that writes a column for every row
// (the map, marked duplicates) should appear in the history as one change, with no version between
// that holds half of it. The memory pool is raised for this in dataset/lance.ts; measured on 1M keys,
// LanceDB's default 100 MB pool ran out ("Resources exhausted … MapIndexExecCandidates") and 2 GB took
// 0.8-1.9 s. Where the pool still runs out (a small machine, a huge table) the write falls back to
// chunks, each its own version; the caller rolls back all of them when one fails.
import { arrow } from '../dataset/lance';
import { errorText } from '../support/errors';
import { freshKeyIndex } from './commit';
import type { OpenDataset } from '../dataset/dataset-service';

const FALLBACK_CHUNK = 100_000;

const exhausted = (err: unknown) => /resources exhausted|memory pool|additional allocation failed/i.test(errorText(err));

/**
 * Merge `n` rows into `ds` by its key column; `batch(from, to)` builds the arrow table of rows
 * [from, to) (key column first). Returns how many merges it took.
 */
export async function mergeByKey(ds: OpenDataset, n: number, batch: (from: number, to: number) => import('apache-arrow').Table): Promise<number> {
  const keyCol = ds.info.keyColumn as string;
  if (n === 0) return 0;
  // A merge moves the rows it updates out of the key's index; a join against a stale index is slow
  // (measured at 1M rows: the map's second merge took 64 s against under 10 s for its first). The
  // rebuild is a version of its own, but no version holds part of the values.
  await freshKeyIndex(ds);
  try {
    await ds.table.mergeInsert(keyCol).whenMatchedUpdateAll().execute(batch(0, n));
    return 1;
  } catch (err) {
    if (!exhausted(err) || n <= FALLBACK_CHUNK) throw err;
  }
  // A merge that failed committed nothing. Each chunk leaves its rows outside the key's index, which
  // makes the next chunk's join slow (15-45 s per 100k at 1M rows): refresh it between chunks.
  let merges = 0;
  for (let at = 0; at < n; at += FALLBACK_CHUNK) {
    if (at) await freshKeyIndex(ds);
    await ds.table.mergeInsert(keyCol).whenMatchedUpdateAll().execute(batch(at, Math.min(n, at + FALLBACK_CHUNK)));
    merges++;
  }
  return merges;
}

/** An arrow vector of keys of the key column's type (64-bit integer keys arrive as numbers or strings). */
export function keyVector(keys: Array<string | number | bigint>, type: import('apache-arrow').DataType) {
  const big = arrow.DataType.isInt(type) && (type as import('apache-arrow').Int).bitWidth === 64;
  return arrow.vectorFromArray((big ? keys.map((k) => BigInt(k as never)) : keys) as never, type);
}
