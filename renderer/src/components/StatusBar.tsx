import { formatCount } from '../format';
import type { DatasetInfo, JobProgress } from '../../../shared/types';

interface Props {
  dataset: DatasetInfo | null;
  /** Rows in the current view (filters, similar, search); the dataset's row count otherwise. */
  viewCount: number | null;
  focused: number;
  job: JobProgress | null;
}

export function StatusBar({ dataset, viewCount, focused, job }: Props) {
  const shown = viewCount ?? dataset?.rowCount ?? 0;
  return (
    <footer className="status-bar" data-testid="status-bar">
      {dataset ? (
        <>
          <span data-testid="status-name" title={dataset.path}>
            {dataset.name}
            {dataset.isDemo && <span className="badge">demo</span>}
          </span>
          <span data-testid="status-version">version {dataset.version}</span>
          <span data-testid="status-rows">{formatCount(dataset.rowCount)} rows</span>
          {shown > 0 && (
            <span data-testid="status-position">
              row {formatCount(focused + 1)} of {formatCount(shown)}
              {viewCount !== null && ' in this view'}
            </span>
          )}
        </>
      ) : (
        <span>No dataset open</span>
      )}
      {job && job.done < job.total && (
        <span className="status-job" role="status">
          {job.message} <progress max={job.total} value={job.done} />
        </span>
      )}
    </footer>
  );
}
