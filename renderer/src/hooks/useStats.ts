// The statistics panel's workflow: the open version's statistics (computed as a job the first time a
// version is shown, read from the data folder afterwards), and the current view's counts beside them,
// asked for again whenever the view changes.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { useJob } from './useJob';
import type { DatasetInfo, DatasetStats, JobFinished, JobProgress, ViewInfo, ViewStats } from '../../../shared/types';

/** After a dataset opens, the grid's first screen and images go first. */
const FIRST_OPEN_DELAY_MS = 1500;
/** After a write, a quiet moment before the new version is scanned. */
const WRITE_DEBOUNCE_MS = 2000;

export interface Stats {
  stats: DatasetStats | null;
  /** The statistics shown are of an older version (the open one's are being computed). */
  stale: boolean;
  job: { id: string | null; progress: JobProgress | null; finished: JobFinished | null };
  /** The current view's counts (null: not asked for yet, or the statistics are stale). */
  view: ViewStats | null;
  error: string | null;
  /** Compute the open version's statistics again (after a failed or stopped job). */
  compute(): void;
  stop(): void;
}

export function useStats(dataset: DatasetInfo | null, view: ViewInfo | null, active: boolean): Stats {
  const [stats, setStats] = useState<DatasetStats | null>(null);
  const [stale, setStale] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const [viewStats, setViewStats] = useState<ViewStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJob(jobId);
  const asked = useRef(0);
  const id = dataset?.id ?? null;
  const version = dataset?.version ?? 0;
  // Statistics read every row: over LanceDB Cloud's API that is the whole table, so never started by itself.
  const remote = dataset?.location === 'remote';

  const load = useCallback(
    async (startIfMissing: boolean) => {
      if (!id) return;
      const ticket = ++asked.current;
      const r = await api.statsStatus({ id });
      if (ticket !== asked.current) return;
      if (!r.ok) return setError(r.error.message);
      setError(null);
      setStats(r.value.stats);
      setStale(r.value.stale);
      if (r.value.jobId) setJobId(r.value.jobId);
      else if (startIfMissing && !remote && (!r.value.stats || r.value.stale)) {
        const s = await api.startStats({ id });
        if (ticket !== asked.current) return;
        if (!s.ok) return setError(s.error.message);
        setJobId(s.value.jobId);
      }
    },
    [id, remote],
  );

  // The first open of a dataset's version computes its statistics (after the first screen has had
  // its turn); a write's new version is computed when the panel is open (debounced: labelling
  // writes one version per key press), and otherwise when the panel opens.
  const opened = useRef<{ id: string | null; version: number }>({ id: null, version: 0 });
  useEffect(() => {
    if (!id) return;
    setViewStats(null);
    const first = opened.current.id !== id;
    const wrote = !first && opened.current.version !== version;
    opened.current = { id, version };
    if (!first && !active) return void load(false);
    // One status request per change: at once when the panel is open (a write's version after a
    // pause), else after the first screen has had its turn.
    const delay = active ? (wrote ? WRITE_DEBOUNCE_MS : 0) : first ? FIRST_OPEN_DELAY_MS : 0;
    const t = setTimeout(() => void load(true), delay);
    return () => clearTimeout(t);
  }, [id, version, active]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!job.finished) return;
    setJobId(null);
    if (!job.finished.ok) return setError(job.finished.error ?? 'The statistics failed.');
    void load(false);
  }, [job.finished, load]);

  // The view's counts, whenever the view or the statistics change.
  const viewId = view?.viewId ?? null;
  useEffect(() => {
    if (!id || !stats || stale || !active) return;
    let live = true;
    void api.viewStats({ id, viewId }).then((r) => {
      if (!live) return;
      if (r.ok) setViewStats(r.value);
      else setViewStats(null);
    });
    return () => {
      live = false;
    };
  }, [id, viewId, stats, stale, active]);

  return {
    stats,
    stale,
    job: { id: jobId, progress: job.progress, finished: job.finished },
    view: viewStats && viewStats.version === stats?.version ? viewStats : null,
    error,
    compute: () => void load(true),
    stop: () => {
      if (jobId) void api.cancelJob({ jobId });
    },
  };
}
