// Build the indices that make find-similar (IVF_PQ on a vector column) and caption search (BM25 on a
// text column) fast, as a cancellable job. LanceDB commits an index as one new version at the very
// end, so a cancelled build leaves the dataset exactly as it was; we check that before saying so.
import { lancedb } from '../dataset/lance';
import { errorText, failure } from '../support/errors';
import type { DatasetService } from '../dataset/dataset-service';
import type { JobRegistry, ReportProgress } from '../jobs/jobs';
import { MIN_VECTOR_INDEX_ROWS, indexLabel, type IndexCatalogue } from '../views/index-catalogue';
import type { IndexKind, IndexSummary, IndexVariant, Metric } from '../../../shared/types';
import { ivfPqParams, variantConfig } from './index-variants';
import { committedElsewhere, writeFailure } from './commit';
import type { IndexSettings } from '../views/index-settings';
import { formatDuration } from '../../../shared/format-duration';

export interface IndexRequest {
  datasetId: string;
  column: string;
  kind: IndexKind;
  metric: Metric;
  /** Another vector index than the default IVF_PQ (the advisor's), replacing the column's current one. */
  variant?: IndexVariant | undefined;
}

export { ivfPqParams };

/**
 * LanceDB reports no progress while it trains and writes an index, so the bar follows the elapsed
 * time against an estimate measured on a 2-core machine (1M × 768-d IVF_PQ with 96 sub-vectors: 452 s; 1M captions: 7 s),
 * and says that it is an estimate.
 */
export function estimateSeconds(kind: IndexKind, rows: number, dim: number): number {
  return kind === 'ivf_pq' ? 2 + rows * dim * 5.9e-7 : 1 + rows * 7e-6;
}

const TICK_MS = 250;

export async function buildIndex(
  req: IndexRequest,
  deps: { datasets: DatasetService; onBuilt(datasetId: string): void },
  report: ReportProgress,
  signal: AbortSignal,
): Promise<{ version: number; seconds: number }> {
  const ds = deps.datasets.get(req.datasetId);
  const { table, info } = ds;
  const col = info.columns.find((c) => c.name === req.column);
  const label = req.variant ? `${req.variant.label} index on ${req.column}` : req.kind === 'ivf_pq' ? `IVF_PQ index on ${req.column}` : `full-text index on ${req.column}`;
  const versionBefore = await table.version();
  const dim = col?.dim ?? 1;
  const estimate = estimateSeconds(req.kind, info.rowCount, dim);
  const config =
    req.variant
      ? variantConfig(req.variant, req.metric)
      : req.kind === 'ivf_pq'
      ? lancedb.Index.ivfPq({ ...ivfPqParams(info.rowCount, dim), distanceType: req.metric })
      : lancedb.Index.fts({ withPosition: true });
  const t0 = performance.now();
  const tick = () => {
    const elapsed = (performance.now() - t0) / 1000;
    const left = estimate - elapsed;
    const fraction = Math.min(0.95, elapsed / estimate);
    report(Math.round(fraction * 1000), 1000, `Building the ${label}: ${formatDuration(elapsed)} elapsed, ${left > 1 ? `about ${formatDuration(left)} left (estimated)` : 'taking longer than estimated'}`);
  };
  tick();
  const timer = setInterval(tick, TICK_MS);
  let job: Awaited<ReturnType<typeof table.createIndexAsync>> | null = null;
  const onAbort = () => void job?.cancel().catch(() => {});
  signal.addEventListener('abort', onAbort);
  try {
    if (signal.aborted) throw failure('CANCELLED', `The ${label} was not built: cancelled before it started.`);
    job = await table.createIndexAsync(req.column, { config, replace: !!req.variant });
    if (signal.aborted) onAbort();
    await job.wait();
  } catch (err) {
    if (signal.aborted || /cancel/i.test(errorText(err))) {
      await table.checkoutLatest().catch(() => {});
      const now = await table.version();
      if (now !== versionBefore) {
        // Cannot happen with LanceDB's commit-at-end, but never claim "unchanged" without checking.
        throw failure('CANCELLED', `The ${label} was cancelled, but the dataset moved from version ${versionBefore} to ${now}.`);
      }
      throw failure('CANCELLED', `The ${label} was cancelled. The dataset is unchanged (still version ${versionBefore}).`);
    }
    throw writeFailure(err, `The ${label} could not be written`, (text) =>
      /permission|read-only|EACCES|EROFS/i.test(text) ? failure('IO', `The ${label} could not be written: this dataset's folder is read-only.`, text) : failure('INTERNAL', `The ${label} could not be built.`, text),
    );
  } finally {
    clearInterval(timer);
    signal.removeEventListener('abort', onAbort);
  }
  // The build commits through its own handle; move ours to the version that has the index.
  await table.checkoutLatest();
  const version = await table.version();
  await committedElsewhere(deps.datasets, req.datasetId, version, `built the ${label}`);
  deps.onBuilt(req.datasetId);
  const seconds = (performance.now() - t0) / 1000;
  report(1000, 1000, `Built the ${label} in ${formatDuration(seconds)}`);
  return { version, seconds };
}

/** Starts index builds as jobs, one at a time per dataset, after checking they make sense. */
export class IndexService {
  private readonly building = new Map<string, string>(); // datasetId → jobId

  constructor(
    private readonly datasets: DatasetService,
    private readonly catalogue: IndexCatalogue,
    private readonly jobs: JobRegistry,
    private readonly settings: IndexSettings | null = null,
  ) {}

  list(datasetId: string): Promise<IndexSummary[]> {
    return this.catalogue.summaries(datasetId);
  }

  async start(req: IndexRequest): Promise<{ jobId: string; estimateSeconds: number }> {
    const { info } = this.datasets.writable(req.datasetId);
    const col = info.columns.find((c) => c.name === req.column);
    if (!col) throw failure('INVALID_PAYLOAD', `There is no column "${req.column}" in this dataset.`);
    if (req.kind === 'ivf_pq' && col.kind !== 'vector') throw failure('INVALID_PAYLOAD', `"${req.column}" is not a vector column: an IVF_PQ index needs fixed-size float vectors.`);
    if (req.kind === 'fts' && col.kind !== 'string') throw failure('INVALID_PAYLOAD', `"${req.column}" is not a text column: a full-text index needs strings.`);
    if (req.kind === 'ivf_pq' && info.rowCount < MIN_VECTOR_INDEX_ROWS) {
      throw failure('INVALID_PAYLOAD', `An IVF_PQ index needs at least ${MIN_VECTOR_INDEX_ROWS} rows to train; this table has ${info.rowCount}, where exact search is already fast.`);
    }
    const existing = req.variant ? undefined : await this.catalogue.find(req.datasetId, req.column, req.kind);
    if (existing) throw failure('INVALID_PAYLOAD', `"${req.column}" already has an index (${indexLabel(existing.indexType)}${existing.distanceType ? `, ${existing.distanceType.toUpperCase()}` : ''}).`);
    const running = this.building.get(req.datasetId);
    if (running) throw failure('BUSY', 'An index is already being built on this dataset. Wait for it, or cancel it first.');
    const { jobId, done } = this.jobs.start('index', async (report, signal) => {
      const built = await buildIndex(req, { datasets: this.datasets, onBuilt: (id) => this.catalogue.forget(id) }, report, signal);
      // How the new index is searched: the advisor's ef for a graph, LanceDB's defaults otherwise.
      const graph = req.variant?.type === 'ivf_hnsw_sq' ? req.variant.search : undefined;
      await this.settings?.set(info.path, info.table, req.column, graph ? { indexType: 'IVF_HNSW_SQ', ...(graph.ef ? { ef: graph.ef } : {}), refineFactor: graph.refineFactor ?? null } : null).catch(() => {});
      return built;
    });
    this.building.set(req.datasetId, jobId);
    void done.catch(() => {}).finally(() => this.building.get(req.datasetId) === jobId && this.building.delete(req.datasetId));
    return { jobId, estimateSeconds: Math.round(estimateSeconds(req.kind, info.rowCount, col.dim ?? 1)) };
  }
}
