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
    // Listening started after the job did: a quick job may already be over. The answer can arrive
    // after newer events, so it only fills what the events have not.
    void api.jobStatus({ jobId }).then((r) => {
      if (!r.ok) return;
      if (r.value.finished) setFinished((f) => f ?? r.value.finished);
      if (r.value.progress) setProgress((p) => p ?? r.value.progress);
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, [jobId]);
  return { progress, finished };
}
