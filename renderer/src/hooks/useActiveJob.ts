// The progress of whichever background job last reported, for the status bar.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { JobProgress } from '../../../shared/types';

export function useActiveJob(): JobProgress | null {
  const [job, setJob] = useState<JobProgress | null>(null);
  useEffect(() => api.on('job:progress', setJob), []);
  useEffect(() => api.on('job:finished', () => setJob(null)), []);
  return job;
}
