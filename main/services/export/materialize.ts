// Save the rows of a view (or the whole table) with chosen columns, images and vectors included, as a
// new local Lance table: streamed in batches into a staging folder next to the target, renamed into
// place only when complete, so a cancelled or failed run leaves nothing that opens as a dataset.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { arrow, lancedb, type LanceTable } from '../dataset/lance';
import { failure, errorText, isDiskFull } from '../support/errors';
import type { DatasetService } from '../dataset/dataset-service';
import type { ViewService } from '../views/views';
import type { JobRegistry, ReportProgress } from '../jobs/jobs';
import { takeRows } from '../dataset/take-rows';

export interface MaterializeRequest {
  datasetId: string;
  viewId: string | null;
  /** Empty: every column. */
  columns: string[];
  target: string;
  /** Build the source's indices again on the copy (Upgrade…: the copy should search as the original did). */
  indices?: boolean;
}

const BATCH = 2000;

/** An index of the source rebuilt on the copy, by kind; LanceDB's defaults for the kind's parameters. */
function indexFor(indexType: string, distanceType: string | undefined) {
  const t = indexType.toLowerCase().replace(/_/g, '');
  const distance = (distanceType?.toLowerCase() ?? 'l2') as 'l2' | 'cosine' | 'dot';
  if (t === 'btree') return lancedb.Index.btree();
  if (t === 'bitmap') return lancedb.Index.bitmap();
  if (t === 'labellist') return lancedb.Index.labelList();
  if (t === 'fts' || t === 'inverted') return lancedb.Index.fts();
  if (t === 'ivfhnswsq' || t === 'hnswsq') return lancedb.Index.hnswSq({ distanceType: distance });
  if (t === 'ivfhnswpq' || t === 'hnswpq') return lancedb.Index.hnswPq({ distanceType: distance });
  if (t === 'ivfflat') return lancedb.Index.ivfFlat({ distanceType: distance });
  if (t === 'ivfrq') return lancedb.Index.ivfRq({ distanceType: distance });
  if (/ivf|pq|vector/.test(t)) return lancedb.Index.ivfPq({ distanceType: distance });
  return null;
}

/** The source's indices on the kept columns, built on the copy; what could not be built is named. */
async function copyIndices(source: LanceTable, out: LanceTable, columns: string[], report: (message: string) => void, signal: AbortSignal): Promise<string[]> {
  const skipped: string[] = [];
  for (const i of await source.listIndices()) {
    const column = i.columns[0];
    if (i.columns.length !== 1 || !column || !columns.includes(column)) continue;
    if (signal.aborted) throw failure('CANCELLED', 'Saving the table was cancelled; nothing was kept.');
    const stats = await source.indexStats(i.name).catch(() => undefined);
    const config = indexFor(i.indexType, stats?.distanceType);
    if (!config) {
      skipped.push(`${i.indexType} on ${column}`);
      continue;
    }
    report(`Building the ${i.indexType} index on ${column}…`);
    try {
      await out.createIndex(column, { config });
    } catch (err) {
      if (isDiskFull(err)) throw err;
      skipped.push(`${i.indexType} on ${column} (${errorText(err).split('\n')[0]?.slice(0, 120)})`);
    }
  }
  return skipped;
}

export async function checkMaterialize(datasets: DatasetService, req: MaterializeRequest): Promise<string[]> {
  const ds = datasets.get(req.datasetId);
  const known = ds.info.columns.map((c) => c.name);
  const columns = req.columns.length ? [...new Set(req.columns)] : known;
  const unknown = columns.filter((c) => !known.includes(c));
  if (unknown.length) throw failure('INVALID_PAYLOAD', `There is no column ${unknown.map((c) => `"${c}"`).join(', ')} in this dataset.`);
  if (!path.isAbsolute(req.target)) throw failure('INVALID_PAYLOAD', 'Give the new table a full folder path (starting at the root of the disk).');
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*\.lance$/.test(path.basename(req.target))) {
    throw failure('INVALID_PAYLOAD', 'The new table folder should be named like "my-subset.lance" (letters, digits, dot, dash, underscore).');
  }
  if (await fs.stat(req.target).catch(() => null)) throw failure('INVALID_PAYLOAD', `${req.target} already exists. Choose another name.`);
  return columns;
}

export async function materialize(
  req: MaterializeRequest,
  deps: { datasets: DatasetService; views: ViewService },
  report: ReportProgress,
  signal: AbortSignal,
): Promise<{ path: string; rows: number; indicesSkipped?: string[] }> {
  const columns = await checkMaterialize(deps.datasets, req);
  const ds = deps.datasets.get(req.datasetId);
  const ids = req.viewId ? deps.views.viewRowIds(req.datasetId, req.viewId) : null;
  const total = ids ? ids.length : ds.info.rowCount;
  const name = path.basename(req.target, '.lance');
  const staging = path.join(path.dirname(req.target), `.${name}.partial-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(staging, { recursive: true });
  let out: LanceTable | null = null;
  let written = 0;
  const append = async (batch: import('apache-arrow').Table) => {
    if (signal.aborted) throw failure('CANCELLED', 'Saving the table was cancelled; nothing was kept.');
    if (batch.numRows === 0) return;
    if (!out) out = await (await lancedb.connect(staging)).createTable(name, batch);
    else await out.add(batch);
    written += batch.numRows;
    report(written, total, `Saved ${written.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`);
  };
  try {
    report(0, total, 'Starting…');
    if (ids) {
      for (let i = 0; i < ids.length; i += BATCH) {
        await append(await takeRows(ds, Array.from(ids.subarray(i, i + BATCH)), columns));
      }
    } else {
      // Arrow through lance.ts's single copy: a second copy's classes fail LanceDB's instanceof checks.
      const { Table } = arrow;
      let pending: import('apache-arrow').RecordBatch[] = [];
      let rows = 0;
      for await (const batch of ds.table.query().select(columns)) {
        pending.push(batch);
        rows += batch.numRows;
        if (rows >= BATCH) {
          await append(new Table(pending));
          pending = [];
          rows = 0;
        }
      }
      if (pending.length) await append(new Table(pending));
    }
    if (!out) throw failure('INVALID_PAYLOAD', 'The view has no rows: there is nothing to save.');
    const skipped = req.indices ? await copyIndices(ds.table, out as LanceTable, columns, (m) => report(written, total, m), signal) : [];
    (out as LanceTable).close();
    await fs.rename(path.join(staging, `${name}.lance`), req.target);
    return { path: req.target, rows: written, ...(skipped.length ? { indicesSkipped: skipped } : {}) };
  } catch (err) {
    const text = errorText(err);
    if (isDiskFull(err)) throw failure('IO', 'Saving the table stopped: the disk is full. Nothing was kept.', text);
    throw err;
  } finally {
    try {
      (out as LanceTable | null)?.close();
    } catch {
      // already closed
    }
    await fs.rm(staging, { recursive: true, force: true });
  }
}

export function defaultSubsetPath(dataDir: string, name: string): string {
  const safe = name.replace(/\.lance$/, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'subset';
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return path.join(dataDir, 'subsets', `${safe}-subset-${stamp}.lance`);
}

/** Save-as-table as a job, checked first; the default target is in the app's subsets folder. */
export class MaterializeService {
  constructor(
    private readonly datasets: DatasetService,
    private readonly views: ViewService,
    private readonly jobs: JobRegistry,
    private readonly dataDir: string,
  ) {}

  async start(req: { id: string; viewId: string | null; columns: string[]; target?: string | undefined; indices?: boolean | undefined }): Promise<{ jobId: string; target: string; rows: number }> {
    const ds = this.datasets.get(req.id);
    const rows = req.viewId ? this.views.viewCount(req.id, req.viewId) : ds.info.rowCount;
    const request: MaterializeRequest = { datasetId: req.id, viewId: req.viewId, columns: req.columns, target: req.target ?? defaultSubsetPath(this.dataDir, ds.info.name), ...(req.indices ? { indices: true } : {}) };
    await fs.mkdir(path.dirname(request.target), { recursive: true }).catch(() => {});
    await checkMaterialize(this.datasets, request);
    const { jobId } = this.jobs.start('materialize', (report, signal) => materialize(request, { datasets: this.datasets, views: this.views }, report, signal));
    return { jobId, target: request.target, rows };
  }
}
