// Save the current view (or the whole table) as a new local Lance table, images and vectors included,
// with progress and cancel; then open it.
import { useState } from 'react';
import { api } from '../api/client';
import { useJob } from '../hooks/useJob';
import { formatCount } from '../format';
import type { DatasetInfo, ViewInfo } from '../../../shared/types';

interface Props {
  dataset: DatasetInfo;
  view: ViewInfo | null;
  onOpen(path: string): Promise<string | null>;
  onClose(): void;
}

export function SaveTableDialog({ dataset, view, onOpen, onClose }: Props) {
  const [columns, setColumns] = useState<string[]>(dataset.columns.map((c) => c.name));
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const job = useJob(jobId);
  const running = !!jobId && !job.finished;
  const rows = view?.count ?? dataset.rowCount;
  const pct = job.finished?.ok ? 100 : job.progress?.total ? Math.floor((100 * job.progress.done) / job.progress.total) : 0;

  const start = async () => {
    setError(null);
    if (!columns.length) return setError('Choose at least one column.');
    const r = await api.saveAsTable({ id: dataset.id, viewId: view?.viewId ?? null, columns, ...(target.trim() ? { target: target.trim() } : {}) });
    if (!r.ok) return setError(r.error.message);
    setSaved(r.value.target);
    setJobId(r.value.jobId);
  };
  const open = async () => {
    if (!saved) return;
    const err = await onOpen(saved);
    if (err) setError(err);
  };

  return (
    <div className="modal-backdrop" onKeyDown={(e) => e.key === 'Escape' && !running && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="save-title" data-testid="save-table-dialog">
        <h2 id="save-title">Save {view ? 'this view' : 'the table'} as a new table: {formatCount(rows)} rows</h2>
        <p className="muted">A local Lance table with the columns you keep, images and vectors included. Indices are not copied; build them from the new table when you need them.</p>
        <fieldset className="columns-pick">
          <legend>Columns</legend>
          {dataset.columns.map((c) => (
            <label key={c.name}>
              <input
                type="checkbox"
                checked={columns.includes(c.name)}
                disabled={running}
                onChange={(e) => setColumns((cs) => (e.target.checked ? [...cs, c.name] : cs.filter((x) => x !== c.name)))}
              />{' '}
              {c.name}
            </label>
          ))}
        </fieldset>
        <label htmlFor="save-target">Save to (a folder ending in .lance; empty for the app's subsets folder)</label>
        <div className="row">
          <input id="save-target" value={target} onChange={(e) => setTarget(e.target.value)} disabled={running} spellCheck={false} data-testid="save-target" />
        </div>
        {error && (
          <div className="error-box" role="alert" data-testid="save-error">
            {error}
          </div>
        )}
        {jobId && (
          <div role="status" data-testid="save-status">
            <progress max={100} value={pct} style={{ width: '100%' }} />
            {job.finished ? (job.finished.ok ? `Saved ${formatCount(rows)} rows to ${saved}` : job.finished.error) : (job.progress?.message ?? 'Starting…')}
          </div>
        )}
        <div className="modal-actions">
          {running ? (
            <button type="button" onClick={() => void api.cancelJob({ jobId: jobId as string })} data-testid="save-cancel">
              Cancel
            </button>
          ) : job.finished?.ok ? (
            <button type="button" className="primary" onClick={() => void open()} data-testid="save-open">
              Open it
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void start()} data-testid="save-start">
              Save
            </button>
          )}
          <button type="button" onClick={onClose} disabled={running}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
