// Every write the app makes ends the same way: its error mapped to something a person can act on (a
// full disk says the dataset is unchanged), the session moved to the new version and schema, and a
// line in the journal saying what the app did (Lance records no description of an operation). Write
// replies carry the refreshed dataset, so the window takes the new version without asking again.
import { lancedb } from '../dataset/lance';
import { AppFailure, errorText, failure, isDiskFull } from '../support/errors';
import type { DatasetService, OpenDataset } from '../dataset/dataset-service';
import type { Committed } from '../../../shared/contract';

export type { Committed };

export const firstLine = (text: string, max = 300) => (text.split('\n')[0] ?? '').slice(0, max);

/**
 * A failed write as a person reads it: `what` says what did not happen ("The column could not be
 * added"); a full disk is always IO and says the dataset is unchanged; anything else is `otherwise`.
 */
export function writeFailure(err: unknown, what: string, otherwise?: (text: string) => AppFailure): AppFailure {
  if (err instanceof AppFailure) return err;
  const text = errorText(err);
  if (isDiskFull(err)) return failure('IO', `${what}: the disk is full. The dataset is unchanged.`, text);
  return otherwise ? otherwise(text) : failure('INTERNAL', `${what}: ${firstLine(text)}`, text);
}

/** A write has committed: the session takes the new version and schema; the journal notes it. */
export async function committed(datasets: DatasetService, datasetId: string, note: string): Promise<Committed> {
  const dataset = await datasets.refresh(datasetId);
  await datasets.noteChange(datasetId, note);
  return { version: dataset.version, dataset };
}

/** One write through a writable session, from the call to LanceDB to the journal. */
export async function commitWrite(
  datasets: DatasetService,
  datasetId: string,
  op: { what: string; note: string; otherwise?: (text: string) => AppFailure },
  write: (ds: OpenDataset) => Promise<unknown>,
): Promise<Committed> {
  const ds = datasets.writable(datasetId);
  try {
    await write(ds);
  } catch (err) {
    throw writeFailure(err, op.what, op.otherwise);
  }
  return committed(datasets, datasetId, op.note);
}

/**
 * A write that committed through another handle (an index build's job, a restore's checkout): the
 * session takes the version it made; the journal notes it.
 */
export async function committedElsewhere(datasets: DatasetService, datasetId: string, version: number, note: string): Promise<void> {
  datasets.moved(datasetId, version);
  await datasets.noteChange(datasetId, note);
}

/** Put the dataset's content back to `version` after a failed multi-step write (Lance records it as a new version). */
export async function rollBack(datasets: DatasetService, datasetId: string, version: number, what: string): Promise<void> {
  const ds = datasets.writable(datasetId);
  // Nothing committed yet (the first step failed): a restore would only add an identical version.
  if ((await ds.table.version().catch(() => -1)) === version) return;
  try {
    await ds.table.checkout(version);
    await ds.table.restore();
  } finally {
    await ds.table.checkoutLatest().catch(() => {});
  }
  datasets.rows.lost(datasetId);
  await committed(datasets, datasetId, `${what} rolled back to version ${version}`);
}

/**
 * Bring the key's BTREE up to date before a merge by key. A merge moves the rows it updates out of
 * the index's reach; measured at 1M rows, a second merge of 100k keys then took 15-45 s (a join
 * without the index) against 0.1 s with the index rebuilt, which itself took 0.1 s. Best effort:
 * without an index on the key, or when the rebuild fails, the merge runs as it would have.
 */
export async function freshKeyIndex(ds: OpenDataset): Promise<void> {
  const key = ds.info.keyColumn;
  if (!key) return;
  try {
    const index = (await ds.table.listIndices()).find((i) => i.columns.length === 1 && i.columns[0] === key && /btree/i.test(i.indexType));
    if (!index) return;
    const stats = await ds.table.indexStats(index.name);
    if (!stats?.numUnindexedRows) return;
    await ds.table.createIndex(key, { config: lancedb.Index.btree(), replace: true });
  } catch {
    // the merge goes on without it
  }
}
