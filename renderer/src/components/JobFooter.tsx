// The bottom of a dialog that runs a job: its progress and outcome, then the actions: Cancel while it
// runs, the dialog's own buttons otherwise, and Close.
import type { ReactNode } from 'react';
import { api } from '../api/client';
import type { JobFinished, JobProgress } from '../../../shared/types';
import { ErrorText } from './ErrorText';

export function jobPercent(job: { progress: JobProgress | null; finished: JobFinished | null }): number {
  if (job.finished?.ok) return 100;
  return job.progress?.total ? Math.floor((100 * job.progress.done) / job.progress.total) : 0;
}

interface Props {
  jobId: string | null;
  job: { progress: JobProgress | null; finished: JobFinished | null };
  /** `<name>-status` and `<name>-cancel` are the test ids. */
  name: string;
  /** What a successful finish says. */
  done(finished: JobFinished): ReactNode;
  /** What a failure says; the job's error by default. */
  failed?(finished: JobFinished): ReactNode;
  cancelLabel: string;
  /** The dialog's buttons while no job runs. */
  children: ReactNode;
  onClose(): void;
  /** A job that goes on without its dialog may be left running; others keep the dialog open. */
  closeWhileRunning?: string;
  closeTestId?: string;
}

export function JobFooter({ jobId, job, name, done, failed, cancelLabel, children, onClose, closeWhileRunning, closeTestId }: Props) {
  const running = !!jobId && !job.finished;
  return (
    <>
      {jobId && (
        <div role="status" data-testid={`${name}-status`}>
          <progress max={100} value={jobPercent(job)} style={{ width: '100%' }} />
          {job.finished ? (job.finished.ok ? done(job.finished) : failed ? failed(job.finished) : <ErrorText text={job.finished.error} />) : (job.progress?.message ?? 'Starting…')}
        </div>
      )}
      <div className="modal-actions">
        {running ? (
          <button type="button" onClick={() => void api.cancelJob({ jobId: jobId as string })} data-testid={`${name}-cancel`}>
            {cancelLabel}
          </button>
        ) : (
          children
        )}
        <button type="button" onClick={onClose} disabled={running && !closeWhileRunning} {...(closeTestId ? { 'data-testid': closeTestId } : {})}>
          {running && closeWhileRunning ? closeWhileRunning : 'Close'}
        </button>
      </div>
    </>
  );
}
