// One background job's line in a panel: its progress bar, its latest message and a Stop button.
import { jobPercent } from './JobFooter';
import type { JobFinished, JobProgress } from '../../../shared/types';

interface Props {
  job: { progress: JobProgress | null; finished: JobFinished | null };
  onStop(): void;
  /** `<name>-job` and `<name>-stop` are the test ids. */
  name: string;
  stopTitle?: string;
}

export function JobLine({ job, onStop, name, stopTitle }: Props) {
  return (
    <div role="status" className="stats-job" data-testid={`${name}-job`}>
      <progress max={100} value={jobPercent(job)} />
      <span>{job.progress?.message ?? 'Starting…'}</span>
      <button type="button" onClick={onStop} data-testid={`${name}-stop`} title={stopTitle}>
        Stop
      </button>
    </div>
  );
}
