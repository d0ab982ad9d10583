// Export the current view (or the whole table) as a manifest of keys plus chosen columns.
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { useJob } from '../hooks/useJob';
import { formatCount } from '../format';
import { Modal } from './Modal';
import { JobFooter } from './JobFooter';
import type { DatasetInfo, ExportFormat, ViewInfo } from '../../../shared/types';
import { ErrorText } from './ErrorText';

interface Props {
  dataset: DatasetInfo;
  view: ViewInfo | null;
  onClose(): void;
}

export function ExportDialog({ dataset, view, onClose }: Props) {
  const exportable = dataset.columns.filter((c) => c.kind !== 'binary' && c.kind !== 'vector' && c.name !== dataset.keyColumn);
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [columns, setColumns] = useState<string[]>(dataset.captionColumn ? [dataset.captionColumn] : []);
  const [path, setPath] = useState('');
  // A ref, not state: a suggestion still in flight must see the person's typing at once.
  const pathTouched = useRef(false);
  const [overwrite, setOverwrite] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJob(jobId);
  const rows = view?.count ?? dataset.rowCount;

  useEffect(() => {
    // Suggest a path until the person types one; never overwrite what they typed.
    if (pathTouched.current) return;
    void api.defaultExportPath({ id: dataset.id, format }).then((r) => r.ok && !pathTouched.current && setPath(r.value.path));
  }, [dataset.id, format]);

  // A typed path keeps its name and folder; only its extension follows the format.
  const changeFormat = (next: ExportFormat) => {
    setFormat(next);
    if (pathTouched.current) setPath((p) => p.replace(/\.(csv|jsonl|parquet)$/i, `.${next}`));
  };

  const start = async () => {
    setError(null);
    setJobId(null); // the previous export's outcome must not stand for this one
    const r = await api.startExport({ id: dataset.id, viewId: view?.viewId ?? null, format, columns, path, overwrite });
    if (!r.ok) return setError(r.error.message);
    setJobId(r.value.jobId);
  };
  const running = !!jobId && !job.finished;

  return (
    <Modal title={<>Export {view ? 'this view' : 'the table'}: {formatCount(rows)} rows</>} testId="export-dialog" onClose={onClose} canClose={!running}>
        <p className="muted">
          A manifest: {dataset.keyColumn ? `“${dataset.keyColumn}” first, then ` : ''}the columns you choose{view && view.spec.kind !== 'browse' ? ', and the distance or score' : ''}.
          Images and vectors are left out.
        </p>
        <div className="row">
          <label>
            Format{' '}
            <select value={format} onChange={(e) => changeFormat(e.target.value as ExportFormat)} data-testid="export-format">
              <option value="csv">CSV</option>
              <option value="jsonl">JSON Lines</option>
              <option value="parquet">Parquet (typed columns)</option>
            </select>
          </label>
        </div>
        <fieldset className="columns-pick">
          <legend>Columns</legend>
          {exportable.map((c) => (
            <label key={c.name}>
              <input
                type="checkbox"
                checked={columns.includes(c.name)}
                onChange={(e) => setColumns((cs) => (e.target.checked ? [...cs, c.name] : cs.filter((x) => x !== c.name)))}
              />{' '}
              {c.name}
            </label>
          ))}
        </fieldset>
        <label htmlFor="export-path">Save to</label>
        <div className="row">
          <input id="export-path" value={path} onChange={(e) => {
              pathTouched.current = true;
              setPath(e.target.value);
            }} spellCheck={false} data-testid="export-path" />
        </div>
        <label>
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> Replace the file if it exists
        </label>
        {error && (
          <div className="error-box" role="alert" data-testid="export-error">
            <ErrorText text={error} />
          </div>
        )}
        <JobFooter
          jobId={jobId}
          job={job}
          name="export"
          done={(f) => `Done: ${formatCount(rows)} rows written to ${f.path ?? path}`}
          failed={(f) => `Export failed: ${f.error}`}
          cancelLabel="Cancel export"
          onClose={onClose}
        >
          <button type="button" className="primary" onClick={() => void start()} disabled={!path.trim()} data-testid="export-start">
            Export
          </button>
        </JobFooter>
    </Modal>
  );
}
