// Progress of one background job, from the job events.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { JobFinished, JobProgress } from '../../../shared/types';

export function useJob(jobId: string | null): { progress: JobProgress | null; finished: JobFinished | null } {
  const [progress, setProgress] = useState<JobProgress | null>(null);
  const [finished, setFinished] = useState<JobFinished | null>(null);
  useEffect(() => {
    setProgress(null);
    setFinished(null);
    if (!jobId) return;
    const offProgress = api.on('job:progress', (p) => {
      if (p.jobId === jobId) setProgress(p);
    });
    const offFinished = api.on('job:finished', (f) => {
      if (f.jobId === jobId) setFinished(f);
    });
    // Listening started after the job did: a quick job may already be over.
    void api.jobStatus({ jobId }).then((r) => {
      if (r.ok && r.value.finished) setFinished(r.value.finished);
      else if (r.ok && r.value.progress) setProgress(r.value.progress);
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, [jobId]);
  return { progress, finished };
}
