// The index advisor: on the open dataset, the vector index it has against the others LanceDB offers
// (IVF_PQ with other settings, IVF_RQ, IVF_HNSW_SQ), each built on a hard-linked copy (the dataset is
// not touched), measured on the same sample of queries for latency and recall@10 against exact
// search; the fastest that keeps the current recall is offered to build on the dataset itself.
import { refuseRemote } from '../dataset/dataset-service';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { lancedb, type LanceTable } from '../dataset/lance';
import { errorText, failure } from '../support/errors';
import { linkCopy } from '../support/link-copy';
import { candidates, variantConfig } from './index-variants';
import type { DatasetService } from '../dataset/dataset-service';
import type { JobRegistry, ReportProgress } from '../jobs/jobs';
import { SIMILAR_DEFAULTS, type AdvisorReport, type IndexVariant, type Metric } from '../../../shared/types';

const RECALL_AT = 10;
/** Recall the advice may give up against the current index (sampling noise on 20-50 queries). */
const RECALL_SLACK = 0.005;

/** Results a search asks for: the app's k, as a find-similar view asks (recall is read on the first 10). */
const LIMIT: number = SIMILAR_DEFAULTS.k;

async function search(table: LanceTable, column: string, q: Float32Array, metric: Metric, s: IndexVariant['search'] | null, limit = LIMIT): Promise<{ ms: number; ids: string[] }> {
  let query = table.vectorSearch(q).column(column).distanceType(metric).limit(limit).withRowId().select([]);
  if (!s) query = query.bypassVectorIndex();
  else {
    query = query.nprobes(s.nprobes);
    if (s.refineFactor !== undefined) query = query.refineFactor(s.refineFactor);
    if (s.ef) query = query.ef(s.ef);
  }
  const t = performance.now();
  const r = await query.toArrow();
  return { ms: performance.now() - t, ids: Array.from(r.getChild('_rowid')?.toArray() ?? [], String) };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
};

export class IndexAdvisor {
  private readonly reports = new Map<string, AdvisorReport>();

  constructor(
    private readonly datasets: DatasetService,
    private readonly jobs: JobRegistry,
    private readonly dataDir: string,
  ) {}

  private running: string | null = null;

  start(datasetId: string, column: string, queries = 30, only?: IndexVariant[]): { jobId: string } {
    if (this.running) throw failure('BUSY', 'An index comparison is already running: wait for it, or stop it first.');
    const ds = this.datasets.get(datasetId);
    refuseRemote(ds, 'Comparing index settings');
    const col = ds.info.columns.find((c) => c.name === column);
    if (!col || col.kind !== 'vector' || !col.dim) throw failure('INVALID_PAYLOAD', `"${column}" is not a vector column.`);
    if (ds.info.rowCount < 1000) throw failure('INVALID_PAYLOAD', `With ${ds.info.rowCount} rows exact search is already fast: there is nothing for an index to win.`);
    const { jobId, done } = this.jobs.start('advisor', async (report, signal) => {
      const r = await this.run(datasetId, column, col.dim as number, queries, only ?? candidates(ds.info.rowCount, col.dim as number), report, signal);
      this.reports.set(jobId, r);
      return r;
    });
    this.running = jobId;
    void done.catch(() => {}).finally(() => this.running === jobId && (this.running = null));
    return { jobId };
  }

  report(jobId: string): AdvisorReport {
    const r = this.reports.get(jobId);
    if (!r) throw failure('NOT_FOUND', 'No advice for that job (it is still running, failed, or the app restarted).');
    return r;
  }

  private async run(datasetId: string, column: string, dim: number, queries: number, variants: IndexVariant[], report: ReportProgress, signal: AbortSignal): Promise<AdvisorReport> {
    const ds = this.datasets.get(datasetId);
    const steps = variants.length + 2;
    const stop = () => {
      if (signal.aborted) throw failure('CANCELLED', 'The comparison was stopped; the dataset was not touched.');
    };
    const current = (await ds.table.listIndices()).find((i) => i.columns[0] === column && /ivf|hnsw|pq/i.test(i.indexType));
    const metric = (current ? ((await ds.table.indexStats(current.name))?.distanceType?.toLowerCase() as Metric | undefined) : undefined) ?? 'l2';

    // The sample: vectors of rows spread over the table, and their exact top 10 (on the dataset).
    report(0, steps, `Choosing ${queries} sample queries and their exact nearest neighbours…`);
    const rows = ds.info.rowCount;
    const sample: Float32Array[] = [];
    for (let i = 0; i < queries; i++) {
      const at = Math.floor(((i + 0.5) * rows) / queries);
      const got = await ds.table.query().select([column]).offset(at).limit(1).toArrow();
      const v = got.getChild(column)?.get(0) as { toArray(): Float32Array } | null;
      if (v) sample.push(Float32Array.from(v.toArray()));
    }
    const exact: string[][] = [];
    for (const q of sample) {
      stop();
      exact.push((await search(ds.table, column, q, metric, null, RECALL_AT)).ids);
    }
    const measure = async (table: LanceTable, s: IndexVariant['search']) => {
      const times: number[] = [];
      let hits = 0;
      await search(table, column, sample[0] as Float32Array, metric, s); // warm
      for (let i = 0; i < sample.length; i++) {
        stop();
        const r = await search(table, column, sample[i] as Float32Array, metric, s);
        times.push(r.ms);
        const want = new Set(exact[i]);
        hits += r.ids.slice(0, RECALL_AT).filter((id) => want.has(id)).length;
      }
      return { p50Ms: pct(times, 50), p95Ms: pct(times, 95), recallAt10: hits / Math.max(1, sample.length * RECALL_AT) };
    };
    const out: AdvisorReport = { column, metric, queries: sample.length, rows, results: [], best: null };
    /** The recall the advice must keep: the current index's (less sampling noise), or 0.9 without one. */
    const floorOf = () => (out.results.find((r) => r.id === 'current')?.recallAt10 ?? 0.9) - RECALL_SLACK;
    const defaults = { nprobes: SIMILAR_DEFAULTS.nprobes, refineFactor: SIMILAR_DEFAULTS.refineFactor };
    if (current) {
      report(1, steps, `Measuring the current index (${current.indexType})…`);
      out.results.push({ id: 'current', label: `current: ${current.indexType.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()} (the app's nprobes ${defaults.nprobes}, refine ${defaults.refineFactor})`, variant: null, buildSeconds: null, ...(await measure(ds.table, defaults)) });
    }

    // Each candidate on a hard-linked copy: Lance never rewrites a file, so the copy shares the data.
    // Copies a killed run left behind go first (one comparison runs at a time).
    await fs.rm(path.join(this.dataDir, 'advisor'), { recursive: true, force: true });
    const work = path.join(this.dataDir, 'advisor', randomBytes(6).toString('hex'));
    try {
      await linkCopy(ds.connectDir ? path.join(ds.connectDir, `${ds.info.table}.lance`) : ds.info.path, path.join(work, 'copy.lance'));
      const copy = await (await lancedb.connect(work)).openTable('copy');
      try {
        for (let i = 0; i < variants.length; i++) {
          stop();
          const v = variants[i] as IndexVariant;
          report(2 + i, steps, `Building ${v.label} on a copy (${i + 1} of ${variants.length}; minutes at 1M rows)…`);
          const t = performance.now();
          const job = await copy.createIndexAsync(column, { config: variantConfig(v, metric), replace: true });
          const cancel = () => void job.cancel().catch(() => {});
          signal.addEventListener('abort', cancel);
          try {
            await job.wait();
          } catch (err) {
            stop();
            out.results.push({ id: v.type, label: v.label, variant: v, buildSeconds: null, p50Ms: 0, p95Ms: 0, recallAt10: 0, error: errorText(err).split('\n')[0]?.slice(0, 200) ?? 'failed' });
            continue;
          } finally {
            signal.removeEventListener('abort', cancel);
          }
          const buildSeconds = (performance.now() - t) / 1000;
          // How a graph is searched is free to choose after the build: its width (the narrowest that
          // keeps the current recall; the widest measured otherwise), and whether the results are
          // re-ranked by the full vectors (reading them costs more than the graph search at 1M rows).
          const settings: Array<{ ef: number | null; refine: boolean }> =
            v.type === 'ivf_hnsw_sq'
              ? [...new Set([v.search.ef ?? LIMIT * 2, 80, 64, LIMIT])].sort((a, b) => b - a).flatMap((ef) => [{ ef, refine: true }, { ef, refine: false }])
              : [{ ef: null, refine: true }];
          let chosen: { variant: IndexVariant; m: Awaited<ReturnType<typeof measure>> } | null = null;
          for (const s of settings) {
            const { refineFactor, ...rest } = v.search;
            const search = { ...rest, ...(s.ef !== null ? { ef: s.ef } : {}), ...(s.refine && refineFactor !== undefined ? { refineFactor } : {}) };
            const variant = s.ef === null ? v : { ...v, label: `${v.label}, ef ${s.ef}${s.refine ? '' : ', no re-ranking'}`, search };
            const m = await measure(copy, variant.search);
            if (!chosen || (m.recallAt10 >= floorOf() && m.p50Ms < chosen.m.p50Ms) || (chosen.m.recallAt10 < floorOf() && m.recallAt10 > chosen.m.recallAt10)) chosen = { variant, m };
          }
          if (chosen) out.results.push({ id: v.type, label: chosen.variant.label, variant: chosen.variant, buildSeconds, ...chosen.m });
        }
      } finally {
        copy.close();
      }
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
    // The current index again, now: minutes of index builds lie between its first timing and the
    // candidates', and the machine's load moves meanwhile. The faster of its two timings stands (the
    // comparison errs towards keeping what the dataset has).
    const cur = out.results.find((r) => r.id === 'current');
    if (cur && current) {
      stop();
      const again = await measure(ds.table, defaults);
      if (again.p50Ms < cur.p50Ms) Object.assign(cur, { p50Ms: again.p50Ms, p95Ms: again.p95Ms });
    }
    const floor = floorOf();
    const ok = out.results.filter((r) => !r.error && r.recallAt10 >= floor);
    const best = ok.sort((a, b) => a.p50Ms - b.p50Ms)[0];
    out.best = best && best.id !== 'current' ? best.id : null;
    report(steps, steps, out.best ? `Best: ${best?.label}` : 'The current index is already the best of these.');
    return out;
  }
}
