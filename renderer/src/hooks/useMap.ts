// The map's workflow: whether the dataset has a map (and how many rows it lacks), the job that makes
// or extends it, and the points for drawing, read once per version.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { useJob } from './useJob';
import { base64Bytes } from '../map/base64';
import type { DatasetInfo, JobFinished, JobProgress, MapInfo, MapStatus } from '../../../shared/types';

export interface MapData {
  info: MapInfo;
  count: number;
  x: Float32Array;
  y: Float32Array;
  cluster: Uint8Array;
  rowIds: Float64Array;
}

export interface MapState {
  status: MapStatus | null;
  points: MapData | null;
  loading: boolean;
  job: { id: string | null; progress: JobProgress | null; finished: JobFinished | null };
  error: string | null;
  start(column: string, mode: 'make' | 'extend'): void;
  stop(): void;
}


export function useMap(dataset: DatasetInfo | null, active: boolean, onWritten: (before: DatasetInfo, what: string, next: DatasetInfo) => void): MapState {
  const id = dataset?.id ?? null;
  const version = dataset?.version ?? 0;
  const [status, setStatus] = useState<MapStatus | null>(null);
  const [points, setPoints] = useState<MapData | null>(null);
  const [loading, setLoading] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJob(jobId);
  const asked = useRef(0);
  const before = useRef<DatasetInfo | null>(null);
  const mode = useRef<'make' | 'extend'>('make');

  const load = useCallback(async () => {
    if (!id) return;
    const ticket = ++asked.current;
    const r = await api.mapStatus({ id });
    if (ticket !== asked.current) return;
    if (!r.ok) return setError(r.error.message);
    setStatus(r.value);
    if (r.value.jobId) setJobId(r.value.jobId);
    if (!r.value.map) return setPoints(null);
    setLoading(true);
    const p = await api.mapPoints({ id });
    if (ticket !== asked.current) return;
    setLoading(false);
    if (!p.ok) return setError(p.error.message);
    const v = p.value;
    setPoints({
      info: v.map,
      count: v.count,
      x: new Float32Array(base64Bytes(v.x).buffer),
      y: new Float32Array(base64Bytes(v.y).buffer),
      cluster: base64Bytes(v.cluster),
      rowIds: new Float64Array(base64Bytes(v.rowIds).buffer),
    });
  }, [id]);

  useEffect(() => {
    setError(null);
    if (active) void load();
  }, [load, active, version]);

  // The job commits on its way (the PCA map, then the UMAP one): the window takes each version as it
  // comes, so the map shows in seconds and each write can be undone.
  const committedVersion = job.progress?.committedVersion;
  useEffect(() => {
    if (committedVersion === undefined || !dataset || committedVersion === dataset.version) return;
    void api.datasetInfo({ id: dataset.id }).then((r) => {
      if (!r.ok || !before.current) return;
      onWritten(before.current, 'Made the PCA map', r.value);
      before.current = r.value;
    });
  }, [committedVersion]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!job.finished || !dataset) return;
    setJobId(null);
    if (!job.finished.ok) {
      if (!/stopped/i.test(job.finished.error ?? '')) setError(job.finished.error ?? 'The map could not be made.');
      return;
    }
    // The map is a write: the window takes the new version (and offers to undo it).
    void api.datasetInfo({ id: dataset.id }).then((r) => {
      if (r.ok && before.current && r.value.version !== before.current.version) onWritten(before.current, mode.current === 'extend' ? 'Placed the new rows on the map' : 'Made the UMAP map', r.value);
    });
  }, [job.finished]); // eslint-disable-line react-hooks/exhaustive-deps

  return {
    status,
    points,
    loading,
    job: { id: jobId, progress: job.progress, finished: job.finished },
    error,
    start: (column, m) => {
      if (!id) return;
      setError(null);
      before.current = dataset;
      mode.current = m;
      void api.startMap({ id, column, mode: m }).then((r) => (r.ok ? setJobId(r.value.jobId) : setError(r.error.message)));
    },
    stop: () => {
      if (jobId) void api.cancelJob({ jobId });
    },
  };
}
