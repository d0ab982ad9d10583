// Save the current view (or the whole table) as a new local Lance table, images and vectors included,
// with progress and cancel; then open it. `upgrade`: the whole of an old-format dataset, every column
// and its indices, copied beside it into the current format (the way to edit it).
import { useState } from 'react';
import { api } from '../api/client';
import { useJob } from '../hooks/useJob';
import { formatCount } from '../format';
import { Modal } from './Modal';
import { JobFooter } from './JobFooter';
import type { DatasetInfo, ViewInfo } from '../../../shared/types';
import { ErrorText } from './ErrorText';

interface Props {
  dataset: DatasetInfo;
  view: ViewInfo | null;
  onOpen(path: string): Promise<string | null>;
  onClose(): void;
  upgrade?: boolean;
}

/** Beside the dataset: "<table>-upgraded.lance" in the folder that holds it (either path separator). */
const upgradedPath = (p: string) => `${p.replace(/[\\/]+$/, '').replace(/\.lance$/, '')}-upgraded.lance`;

export function SaveTableDialog({ dataset, view, onOpen, onClose, upgrade }: Props) {
  const [columns, setColumns] = useState<string[]>(dataset.columns.map((c) => c.name));
  const [target, setTarget] = useState(upgrade ? upgradedPath(dataset.path) : '');
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const job = useJob(jobId);
  const running = !!jobId && !job.finished;
  const rows = view?.count ?? dataset.rowCount;

  const start = async () => {
    setError(null);
    if (!columns.length) return setError('Choose at least one column.');
    const r = await api.saveAsTable({ id: dataset.id, viewId: view?.viewId ?? null, columns, ...(target.trim() ? { target: target.trim() } : {}), ...(upgrade ? { indices: true } : {}) });
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
    <Modal
      title={upgrade ? <>Upgrade: copy {formatCount(rows)} rows into the current format</> : <>Save {view ? 'this view' : 'the table'} as a new table: {formatCount(rows)} rows</>}
      testId="save-table-dialog"
      onClose={onClose}
      canClose={!running}
    >
      {upgrade ? (
        <p className="muted" data-testid="upgrade-note">
          This dataset&apos;s data files are in Lance&apos;s old format (0.1/0.2). The app reads them but does not edit them. The upgrade writes a copy in the current format, with every column, and builds its indices again. The original is left as it is.
        </p>
      ) : (
        <>
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
        </>
      )}
        <label htmlFor="save-target">{upgrade ? 'Write the copy to (a folder ending in .lance)' : "Save to (a folder ending in .lance; empty for the app's subsets folder)"}</label>
        <div className="row">
          <input id="save-target" value={target} onChange={(e) => setTarget(e.target.value)} disabled={running} spellCheck={false} data-testid="save-target" />
        </div>
        {error && (
          <div className="error-box" role="alert" data-testid="save-error">
            <ErrorText text={error} />
          </div>
        )}
        <JobFooter jobId={jobId} job={job} name="save" done={() => `Saved ${formatCount(rows)} rows to ${saved}`} cancelLabel="Cancel" onClose={onClose}>
          {job.finished?.ok ? (
            <button type="button" className="primary" onClick={() => void open()} data-testid="save-open">
              Open it
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void start()} data-testid="save-start">
              {upgrade ? 'Upgrade' : 'Save'}
            </button>
          )}
        </JobFooter>
    </Modal>
  );
}
