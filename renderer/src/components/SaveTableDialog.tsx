// Save the current view (or the whole table) as a new local Lance table, images and vectors included,
// with progress and cancel; then open it.
import { useState } from 'react';
import { api } from '../api/client';
import { useJob } from '../hooks/useJob';
import { formatCount } from '../format';
import { Modal } from './Modal';
import { JobFooter } from './JobFooter';
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
    <Modal title={<>Save {view ? 'this view' : 'the table'} as a new table: {formatCount(rows)} rows</>} testId="save-table-dialog" onClose={onClose} canClose={!running}>
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
        <JobFooter jobId={jobId} job={job} name="save" done={() => `Saved ${formatCount(rows)} rows to ${saved}`} cancelLabel="Cancel" onClose={onClose}>
          {job.finished?.ok ? (
            <button type="button" className="primary" onClick={() => void open()} data-testid="save-open">
              Open it
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void start()} data-testid="save-start">
              Save
            </button>
          )}
        </JobFooter>
    </Modal>
  );
}
