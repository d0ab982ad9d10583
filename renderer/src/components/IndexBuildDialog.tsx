// Build the index a view lacks (IVF_PQ for find-similar, BM25 for caption search) with progress and
// cancel. The build is a job: closing this dialog leaves it running, the status bar keeps showing it,
// and reopening the dialog picks it up again.
import { useState } from 'react';
import { api } from '../api/client';
import { useJob } from '../hooks/useJob';
import { formatCount, formatDuration } from '../format';
import { Modal } from './Modal';
import { JobFooter } from './JobFooter';
import type { DatasetInfo, IndexKind, Metric } from '../../../shared/types';
import { ErrorText } from './ErrorText';

export interface IndexTarget {
  column: string;
  kind: IndexKind;
  metric: Metric;
}

interface Props {
  dataset: DatasetInfo;
  target: IndexTarget;
  jobId: string | null;
  onStarted(jobId: string): void;
  onClose(): void;
}

const NAMES: Record<IndexKind, string> = { ivf_pq: 'IVF_PQ vector index', fts: 'full-text (BM25) index' };

export function IndexBuildDialog({ dataset, target, jobId, onStarted, onClose }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [estimate, setEstimate] = useState<number | null>(null);
  const [starting, setStarting] = useState(false);
  const job = useJob(jobId);
  const what = `${NAMES[target.kind]} on ${target.column}${target.kind === 'ivf_pq' ? ` (${target.metric.toUpperCase()})` : ''}`;

  const start = async () => {
    setError(null);
    setStarting(true);
    const r = await api.buildIndex({ id: dataset.id, column: target.column, kind: target.kind, metric: target.metric });
    setStarting(false);
    if (!r.ok) return setError(r.error.message);
    setEstimate(r.value.estimateSeconds);
    onStarted(r.value.jobId);
  };

  return (
    <Modal title={`Build the ${what}`} testId="index-dialog" onClose={onClose}>
        <p className="muted">
          {target.kind === 'ivf_pq'
            ? `Find similar over ${formatCount(dataset.rowCount)} rows then reads a few partitions instead of every vector.`
            : `Caption search over ${formatCount(dataset.rowCount)} rows then ranks with BM25 from the index instead of scanning every caption.`}{' '}
          The index is committed as a new version of the dataset; no existing data is rewritten. Cancelling leaves the dataset as it is.
        </p>
        <p className="muted">
          LanceDB does not report progress while it builds, so the bar follows an estimate{estimate !== null ? ` (about ${formatDuration(estimate, { approximate: true })})` : ''}. You can close this window: the build goes on and the status bar shows it.
        </p>
        {error && (
          <div className="error-box" role="alert" data-testid="index-error">
            <ErrorText text={error} />
          </div>
        )}
        <JobFooter
          jobId={jobId}
          job={job}
          name="index"
          done={() => `${job.progress?.message ?? 'Built.'} The view now uses it.`}
          cancelLabel="Cancel build"
          onClose={onClose}
          closeWhileRunning="Close (keep building)"
          closeTestId="index-close"
        >
          {!job.finished?.ok && (
            <button type="button" className="primary" disabled={starting} onClick={() => void start()} data-testid="index-start">
              {job.finished ? 'Build again' : 'Build index'}
            </button>
          )}
        </JobFooter>
    </Modal>
  );
}
