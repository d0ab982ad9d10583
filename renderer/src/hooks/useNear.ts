// The near-duplicate workflow of the statistics panel: the newest result for a vector column (or a
// stopped job to go on from), the job that finds them, and the groups a threshold gives, counted
// again (debounced) as the threshold moves. The threshold is remembered per dataset.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { useJob } from './useJob';
import type { DatasetInfo, JobFinished, JobProgress, NearCount, NearStatus } from '../../../shared/types';

const COUNT_DEBOUNCE_MS = 150;

export interface Near {
  column: string | null;
  setColumn(c: string): void;
  status: NearStatus | null;
  job: { id: string | null; progress: JobProgress | null; finished: JobFinished | null };
  threshold: number;
  setThreshold(t: number): void;
  count: NearCount | null;
  error: string | null;
  start(): void;
  stop(): void;
}

const storageKey = (d: DatasetInfo) => `lx.near:${d.path}\u0000${d.table}`;

function remembered(d: DatasetInfo | null): { column?: string; threshold?: number } {
  if (!d) return {};
  try {
    return JSON.parse(localStorage.getItem(storageKey(d)) ?? '{}') as { column?: string; threshold?: number };
  } catch {
    return {};
  }
}

export function useNear(dataset: DatasetInfo | null, active: boolean): Near {
  const id = dataset?.id ?? null;
  const [column, setColumnState] = useState<string | null>(null);
  const [threshold, setThresholdState] = useState(0.94);
  const [status, setStatus] = useState<NearStatus | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [count, setCount] = useState<NearCount | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJob(jobId);
  const asked = useRef(0);

  // A dataset's column and threshold: what the person chose last time, else its first vector column and the default.
  useEffect(() => {
    const r = remembered(dataset);
    const cols = dataset?.vectorColumns ?? [];
    setColumnState(r.column && cols.includes(r.column) ? r.column : (cols[0] ?? null));
    if (r.threshold !== undefined) setThresholdState(r.threshold);
    setStatus(null);
    setCount(null);
    setError(null);
  }, [id]); // eslint-disable-line react-hooks/exhaustive-deps

  const save = (patch: { column?: string; threshold?: number }) => {
    if (!dataset) return;
    try {
      localStorage.setItem(storageKey(dataset), JSON.stringify({ ...remembered(dataset), ...patch }));
    } catch {
      // private mode or a full store: the choice lasts this session
    }
  };

  const load = useCallback(async () => {
    if (!id || !column) return;
    const ticket = ++asked.current;
    const r = await api.nearStatus({ id, column });
    if (ticket !== asked.current) return;
    if (!r.ok) return setError(r.error.message);
    setStatus(r.value);
    if (r.value.jobId) setJobId(r.value.jobId);
    if (!remembered(dataset).threshold) setThresholdState((t) => (t === 0.94 ? r.value.defaultThreshold : t));
  }, [id, column]); // eslint-disable-line react-hooks/exhaustive-deps

  const version = dataset?.version ?? 0;
  useEffect(() => {
    if (active) void load();
  }, [load, active, version]);

  useEffect(() => {
    if (!job.finished) return;
    setJobId(null);
    // A stop is the person's choice, not an error: the panel offers to go on.
    if (!job.finished.ok && !/^Stopped/.test(job.finished.error ?? '')) setError(job.finished.error ?? 'Finding near duplicates failed.');
    void load();
  }, [job.finished, load]);

  // The groups at the threshold, counted again when it settles.
  const usable = !!status?.result && status.usable;
  useEffect(() => {
    if (!id || !column || !usable) return setCount(null);
    let live = true;
    const t = setTimeout(() => {
      void api.nearCount({ id, column, threshold }).then((r) => {
        if (!live) return;
        if (r.ok) setCount(r.value);
        else setError(r.error.message);
      });
    }, COUNT_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [id, column, threshold, usable, status]);

  return {
    column,
    setColumn: (c) => {
      setColumnState(c);
      setStatus(null);
      save({ column: c });
    },
    status,
    job: { id: jobId, progress: job.progress, finished: job.finished },
    threshold,
    setThreshold: (t) => {
      const v = Math.round(Math.max(0.5, Math.min(1, t)) * 1000) / 1000;
      setThresholdState(v);
      save({ threshold: v });
    },
    count,
    error,
    start: () => {
      if (!id || !column) return;
      setError(null);
      void api.startNear({ id, column }).then((r) => (r.ok ? setJobId(r.value.jobId) : setError(r.error.message)));
    },
    stop: () => {
      if (jobId) void api.cancelJob({ jobId });
    },
  };
}
