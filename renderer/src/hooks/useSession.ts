// The open dataset and how the window got there: start-up (the path given on the command line, or the
// built-in demo, built on first start), opening another dataset or version, and refreshing the same
// session after a write.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import { useJob } from './useJob';
import type { AppInfo, DatasetInfo, JobFinished, JobProgress } from '../../../shared/types';
import type { Requests } from '../../../shared/contract';

export type Phase = { kind: 'starting' } | { kind: 'opening'; path: string } | { kind: 'demo'; jobId: string | null; error: string | null } | { kind: 'ready' } | { kind: 'failed'; message: string; choose?: { path: string; tables: string[] } };

/**
 * A version or tag to open, and credentials typed for a dataset in object storage or LanceDB Cloud:
 * sent once; main keeps them for the bucket or database, so the window does not hold them.
 */
export type OpenAt = Pick<Requests['dataset:open'], 'storage' | 'remote' | 'version' | 'tag'>;

export interface Session {
  info: AppInfo | null;
  phase: Phase;
  dataset: DatasetInfo | null;
  demoJob: { progress: JobProgress | null; finished: JobFinished | null };
  /**
   * Open a dataset (or a version of it); resolves to an error message, or null once it is open.
   * `keepPlace`: the same dataset again (after an undo or a restore): focus and scroll stay.
   */
  open(path: string, table?: string, at?: OpenAt, keepPlace?: boolean): Promise<string | null>;
  startDemo(): void;
  /** The same session at a new version or schema (labels written, a column added, an index built). */
  refresh(id: string): Promise<void>;
  /** A write answered with the refreshed dataset: take it without asking again. */
  update(next: DatasetInfo): void;
}

/** `onOpened` runs when another dataset replaces the current one (reset focus, selection, panels). */
export function useSession(onOpened: () => void): Session {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });
  const [dataset, setDataset] = useState<DatasetInfo | null>(null);

  const open = useCallback(
    async (path: string, table?: string, at?: OpenAt, keepPlace = false): Promise<string | null> => {
      setPhase((p) => (p.kind === 'ready' ? p : { kind: 'opening', path }));
      const r = await api.openDataset({ path, ...(table ? { table } : {}), ...at });
      if (!r.ok) {
        // A folder of several tables: the start screen offers them as buttons, as the Open dialog does.
        const found = !table ? await api.inspectPath({ path }) : null;
        const choose = found?.ok && found.value.kind === 'database' && found.value.tables.length > 1 ? { path: found.value.path, tables: found.value.tables } : undefined;
        setPhase((p) => (p.kind === 'ready' ? p : { kind: 'failed', message: r.error.message, ...(choose ? { choose } : {}) }));
        return r.error.message;
      }
      setDataset((prev) => {
        if (prev) void api.closeDataset({ id: prev.id });
        return r.value;
      });
      if (!keepPlace) onOpened();
      setPhase({ kind: 'ready' });
      return null;
    },
    [onOpened],
  );

  // The page going away (closed, reloaded, navigated) closes its dataset session in main: each page
  // load used to leave one open in the bridge (+0.6 MB each).
  const openId = dataset?.id ?? null;
  useEffect(() => {
    if (!openId) return;
    const close = () => void api.closeDataset({ id: openId });
    window.addEventListener('pagehide', close);
    return () => window.removeEventListener('pagehide', close);
  }, [openId]);

  const startDemo = useCallback(async () => {
    const status = await api.demoStatus({});
    if (!status.ok) return setPhase({ kind: 'failed', message: status.error.message });
    if (status.value.state === 'ready') return void open(status.value.path);
    if (status.value.state === 'building') return setPhase({ kind: 'demo', jobId: status.value.jobId, error: null });
    const started = await api.buildDemo({});
    if (!started.ok) return setPhase({ kind: 'demo', jobId: null, error: started.error.message });
    setPhase({ kind: 'demo', jobId: started.value.jobId, error: null });
  }, [open]);

  useEffect(() => {
    void api.appInfo({}).then((r) => {
      if (!r.ok) return setPhase({ kind: 'failed', message: r.error.message });
      setInfo(r.value);
      if (r.value.startupPath) void open(r.value.startupPath);
      else void startDemo();
    });
  }, [open, startDemo]);

  const demoJob = useJob(phase.kind === 'demo' ? phase.jobId : null);
  useEffect(() => {
    const f = demoJob.finished;
    if (!f || !info) return;
    if (f.ok) void open(info.demoPath);
    else setPhase({ kind: 'demo', jobId: null, error: f.error ?? 'The build failed.' });
  }, [demoJob.finished, info, open]);

  const update = useCallback((next: DatasetInfo) => setDataset((d) => (d && d.id === next.id ? next : d)), []);
  const refresh = useCallback(
    async (id: string) => {
      const r = await api.datasetInfo({ id });
      if (r.ok) update(r.value);
    },
    [update],
  );

  return { info, phase, dataset, demoJob, open, startDemo: () => void startDemo(), refresh, update };
}
