// First start: the demo dataset is built from packaged images, with visible progress and a way out.
import type { JobProgress } from '../../../shared/types';
import { ErrorText } from './ErrorText';

interface Props {
  progress: JobProgress | null;
  error: string | null;
  onRetry(): void;
  onCancel(): void;
  onOpenOther(): void;
}

export function DemoBuildScreen({ progress, error, onRetry, onCancel, onOpenOther }: Props) {
  const pct = progress && progress.total > 0 ? Math.floor((100 * progress.done) / progress.total) : 0;
  return (
    <div className="center-panel" data-testid="demo-build">
      <h2>{error ? 'The demo dataset could not be built' : 'Building the demo dataset'}</h2>
      {error ? (
        <>
          <div className="error-box" role="alert">
            <ErrorText text={error} />
          </div>
          <div className="row">
            <button type="button" className="primary" onClick={onRetry}>
              Try again
            </button>
            <button type="button" onClick={onOpenOther}>
              Open another dataset…
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="muted">
            About 2,100 emoji and flag images with their real names, converted to a Lance table with the LAION-1M schema.
            This happens once.
          </p>
          <progress max={100} value={pct} aria-label="Demo build progress" data-testid="demo-progress" />
          <p role="status">
            {progress ? `${progress.message} (${pct}%)` : 'Starting…'}
          </p>
          <div className="row">
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
            <button type="button" onClick={onOpenOther}>
              Open another dataset…
            </button>
          </div>
        </>
      )}
    </div>
  );
}
