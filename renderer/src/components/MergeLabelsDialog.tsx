// Merge labels from a CSV, JSON Lines or Parquet file keyed by `key`: preview first (matched and
// unmatched keys, each column and its type, every problem with its row), then merge.
import { useState } from 'react';
import { api } from '../api/client';
import { formatCount } from '../format';
import { useJob } from '../hooks/useJob';
import type { DatasetInfo, MergePreview } from '../../../shared/types';
import { Modal } from './Modal';

interface Props {
  dataset: DatasetInfo;
  /** Called after the merge, with a sentence for the Undo bar. */
  onMerged(what: string, next: DatasetInfo): void;
  onClose(): void;
}

/** A job id of the contract's pattern, minted here (random, 12 base64url characters). */
function newJobId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

export function MergeLabelsDialog({ dataset, onMerged, onClose }: Props) {
  const [file, setFile] = useState('');
  const [preview, setPreview] = useState<MergePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Reading a large file takes a while: the page mints the job id, so it can show how far the
  // reading got and stop it before the reply comes.
  const [jobId, setJobId] = useState<string | null>(null);
  const { progress } = useJob(jobId);
  const [note, setNote] = useState<string | null>(null);

  const begin = () => {
    const id = newJobId();
    setJobId(id);
    setBusy(true);
    setError(null);
    setNote(null);
    return id;
  };
  const end = (r: { ok: boolean; error?: { code: string; message: string } }) => {
    setBusy(false);
    setJobId(null);
    if (r.ok || !r.error) return true;
    if (r.error.code === 'CANCELLED') setNote('Stopped. Nothing was written.');
    else setError(r.error.message);
    return false;
  };
  const runPreview = async () => {
    setPreview(null);
    const r = await api.previewMerge({ id: dataset.id, path: file.trim(), jobId: begin() });
    if (end(r) && r.ok) setPreview(r.value);
  };
  const merge = async () => {
    if (!preview) return;
    const r = await api.mergeLabels({ id: dataset.id, path: preview.file, expectedMatched: preview.matched, jobId: begin() });
    if (!end(r) || !r.ok) return;
    onMerged(`Merged labels into ${formatCount(r.value.updated)} rows${r.value.added.length ? ` (new columns: ${r.value.added.join(', ')})` : ''}.`, r.value.dataset);
  };
  const canMerge = !!preview && !preview.problems.length && preview.matched > 0 && preview.columns.length > 0;

  return (
    <Modal title="Merge labels from a file" testId="merge-dialog" onClose={onClose}>
        <p className="muted">
          A CSV (with a header line), JSON Lines or Parquet file with a <code>{dataset.keyColumn ?? 'key'}</code> column and one column per label. Rows are
          matched on the key; keys the dataset lacks are left out. Columns the dataset does not have yet become label columns. Empty cells clear a label.
        </p>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void runPreview();
          }}
        >
          <input
            className="grow"
            autoFocus
            value={file}
            onChange={(e) => {
              setFile(e.target.value);
              setPreview(null);
            }}
            placeholder="/home/me/labels.csv"
            aria-label="Labels file"
            spellCheck={false}
            data-testid="merge-path"
          />
          <button type="submit" disabled={busy || !file.trim()} data-testid="merge-preview-button">
            Preview
          </button>
        </form>
        {preview && (
          <div className="plan-box" data-testid="merge-preview">
            <p data-testid="merge-counts">
              {formatCount(preview.rows)} rows in the file: <strong>{formatCount(preview.matched)} match</strong> a row of the dataset,{' '}
              {formatCount(preview.unmatched)} do not{preview.unmatched ? ` (e.g. ${preview.unmatchedSample.slice(0, 3).join(', ')})` : ''}.
            </p>
            {preview.columns.length > 0 && (
              <table className="versions">
                <thead>
                  <tr>
                    <th>Column</th>
                    <th>Type</th>
                    <th>Values</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.columns.map((c) => (
                    <tr key={c.name} data-testid="merge-column">
                      <td>
                        {c.name} {c.isNew && <span className="badge">new</span>}
                      </td>
                      <td>{c.spec.type === 'category' ? `category (${c.spec.categories?.join(', ')})` : c.spec.type}</td>
                      <td>{formatCount(c.values)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {preview.ignored.length > 0 && <p className="muted">Not merged: {preview.ignored.join('; ')}.</p>}
            {preview.problems.length > 0 && (
              <div className="error-box" role="alert" data-testid="merge-problems">
                {preview.problems.join('\n')}
              </div>
            )}
          </div>
        )}
        {busy && jobId && (
          <div className="row" data-testid="merge-progress">
            <span className="grow">
              {progress?.message ?? 'Reading the file…'}
              <progress max={Math.max(1, progress?.total ?? 1)} value={progress?.done ?? 0} style={{ width: '100%' }} aria-label="Reading the labels file" />
            </span>
            <button type="button" onClick={() => void api.cancelJob({ jobId })} data-testid="merge-stop">
              Stop
            </button>
          </div>
        )}
        {note && (
          <p className="muted" role="status" data-testid="merge-note">
            {note}
          </p>
        )}
        {error && (
          <div className="error-box" role="alert" data-testid="merge-error">
            {error}
          </div>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={busy || !canMerge} onClick={() => void merge()} data-testid="merge-confirm">
            {busy ? 'Working…' : preview ? `Merge into ${formatCount(preview.matched)} rows` : 'Merge'}
          </button>
        </div>
    </Modal>
  );
}
