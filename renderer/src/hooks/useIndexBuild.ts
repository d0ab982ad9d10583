// An index build outlives its dialog: the job is kept here, so reopening the dialog shows the same
// build, and a finished build refreshes the session and the view that asked for it.
import { useEffect, useState } from 'react';
import { useJob } from './useJob';
import type { IndexTarget } from '../components/IndexBuildDialog';
import type { DatasetInfo } from '../../../shared/types';

export interface IndexBuild {
  build: { datasetId: string; target: IndexTarget; jobId: string | null } | null;
  /** Show (or start anew) the build for this target. */
  offer(dataset: DatasetInfo, target: IndexTarget): void;
  started(jobId: string): void;
}

export function useIndexBuild(onBuilt: (datasetId: string) => void): IndexBuild {
  const [build, setBuild] = useState<IndexBuild['build']>(null);
  const job = useJob(build?.jobId ?? null);
  useEffect(() => {
    // A finished build is a new version with an index: refresh what the status bar and the view show.
    if (job.finished?.ok && build) onBuilt(build.datasetId);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job.finished]);
  return {
    build,
    offer(dataset, target) {
      const b = build;
      const sameRunning = b && b.datasetId === dataset.id && b.target.column === target.column && b.target.kind === target.kind && b.jobId && !job.finished;
      if (!sameRunning) setBuild({ datasetId: dataset.id, target, jobId: null });
    },
    started: (jobId) => setBuild((b) => (b ? { ...b, jobId } : b)),
  };
}
