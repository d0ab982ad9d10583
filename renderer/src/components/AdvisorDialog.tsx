// "Compare indices…": the index advisor's run (each candidate built on a copy, measured on a sample of
// queries), its table of latency and recall@10 against exact search, and the offer to build the best
// one on the dataset (replacing the current index, as a new version).
import { useEffect, useState } from 'react';
import { Modal } from './Modal';
import { jobPercent } from './JobFooter';
import { api } from '../api/client';
import { useJob } from '../hooks/useJob';
import { formatDuration } from '../format';
import type { AdvisorReport, DatasetInfo } from '../../../shared/types';

export function AdvisorDialog({ dataset, column, onBuilt, onClose }: { dataset: DatasetInfo; column: string; onBuilt(): void; onClose(): void }) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [buildJob, setBuildJob] = useState<string | null>(null);
  const [report, setReport] = useState<AdvisorReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJob(jobId);
  const build = useJob(buildJob);
  const running = !!jobId && !job.finished;
  const building = !!buildJob && !build.finished;

  useEffect(() => {
    if (!job.finished || !jobId) return;
    if (!job.finished.ok) return setError(job.finished.error);
    void api.advisorReport({ jobId }).then((r) => (r.ok ? setReport(r.value) : setError(r.error.message)));
  }, [job.finished, jobId]);
  useEffect(() => {
    if (build.finished?.ok) onBuilt();
    else if (build.finished) setError(build.finished.error);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [build.finished]);

  const start = async () => {
    setError(null);
    setReport(null);
    const r = await api.adviseIndex({ id: dataset.id, column, queries: 30 });
    if (!r.ok) return setError(r.error.message);
    setJobId(r.value.jobId);
  };
  const best = report?.results.find((x) => x.id === report.best) ?? null;
  const buildBest = async () => {
    if (!best?.variant || !report) return;
    setError(null);
    const r = await api.buildIndex({ id: dataset.id, column, kind: 'ivf_pq', metric: report.metric, variant: best.variant });
    if (!r.ok) return setError(r.error.message);
    setBuildJob(r.value.jobId);
  };

  return (
    <Modal title={`Compare indices on ${column}`} testId="advisor-dialog" onClose={onClose} canClose wide>
      <p>
        The current index against IVF_PQ with other settings, IVF_RQ and IVF_HNSW_SQ. Each is built on a copy that shares the dataset's files (the dataset is not touched), then timed on 30
        sample queries and checked against exact search (recall@10). Building takes minutes per index at a million rows.
      </p>
      {jobId && !report && (
        <div role="status" data-testid="advisor-status">
          <progress max={100} value={jobPercent(job)} style={{ width: '100%' }} aria-label="Comparison progress" />
          <div>{job.finished ? job.finished.error : (job.progress?.message ?? 'Starting…')}</div>
        </div>
      )}
      {report && (
        <table className="advisor" data-testid="advisor-table">
          <thead>
            <tr>
              <th>index</th>
              <th>p50</th>
              <th>p95</th>
              <th>recall@10</th>
              <th>build</th>
            </tr>
          </thead>
          <tbody>
            {report.results.map((x) => (
              <tr key={x.id} className={x.id === report.best ? 'best' : ''} data-testid="advisor-row" data-id={x.id}>
                <td>
                  {x.label}
                  {x.id === report.best ? ' ★ fastest at the current recall' : ''}
                </td>
                <td>{x.error ? '—' : `${x.p50Ms.toFixed(1)} ms`}</td>
                <td>{x.error ? '—' : `${x.p95Ms.toFixed(1)} ms`}</td>
                <td>{x.error ? `failed: ${x.error}` : x.recallAt10.toFixed(3)}</td>
                <td>{x.buildSeconds === null ? '—' : formatDuration(x.buildSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report && !best && <p data-testid="advisor-verdict">The current index is already the fastest of these at its recall.</p>}
      {buildJob && (
        <div role="status" data-testid="advisor-build-status">
          <progress max={100} value={jobPercent(build)} style={{ width: '100%' }} aria-label="Index build progress" />
          <div>{build.finished ? (build.finished.ok ? `Built: ${best?.label}.` : build.finished.error) : (build.progress?.message ?? 'Starting…')}</div>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="advisor-error">
          {error}
        </p>
      )}
      <div className="row">
        {running ? (
          <button type="button" onClick={() => jobId && void api.cancelJob({ jobId })} data-testid="advisor-stop">
            Stop
          </button>
        ) : (
          <button type="button" className={report ? '' : 'primary'} onClick={() => void start()} disabled={building} data-testid="advisor-start">
            {report ? 'Compare again' : 'Compare'}
          </button>
        )}
        {best?.variant && !dataset.readOnly && !build.finished?.ok && (
          <button type="button" className="primary" onClick={() => void buildBest()} disabled={building || running} data-testid="advisor-build">
            {building ? 'Building…' : `Build ${best.variant.type.toUpperCase()} on the dataset`}
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
