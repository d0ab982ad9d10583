// How to see this dataset: which column is the image (what its first values are: "24 of 24 PNG",
// "0 of 24 images", "paths"), which text is the tiles' caption, which vector searches use first,
// whether images by URL may be fetched, and the folder relative image paths start from. Choices
// apply at once and are remembered for this dataset; nothing is written to the dataset.
import { useState } from 'react';
import { api } from '../api/client';
import { Modal } from './Modal';
import { ErrorText } from './ErrorText';
import type { DatasetInfo, ImageCandidate } from '../../../shared/types';

interface Props {
  dataset: DatasetInfo;
  onChanged(next: DatasetInfo): void;
  onClose(): void;
}

/** What the app saw in a column's first values, in words. */
export function candidateText(c: ImageCandidate): string {
  if (c.kind === 'bytes') return c.sampled === 0 ? 'no values' : c.images ? `${c.images} of ${c.sampled} values are ${c.formats.map((f) => f.toUpperCase()).join('/')} images` : `none of ${c.sampled} values is an image`;
  const where = c.formats.map((f) => (f === 'http' ? 'URLs' : f === 'path' ? 'paths' : f === 'file' ? 'file URLs' : 'object storage')).join(', ');
  return `${c.images} of ${c.sampled} values are image ${where}`;
}

export function DisplayDialog({ dataset, onChanged, onClose }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [root, setRoot] = useState(dataset.imageRoot ?? '');
  // Shown at once; put back if main refuses.
  const [remote, setRemote] = useState(!!dataset.remoteImages);
  const candidates = new Map((dataset.imageCandidates ?? []).map((c) => [c.column, c]));
  const imageChoices = dataset.columns.filter((c) => (c.kind === 'binary' || c.kind === 'string') && !c.unreadable);
  const strings = dataset.columns.filter((c) => c.kind === 'string' && !c.unreadable);
  const image = dataset.imageColumn ? candidates.get(dataset.imageColumn) : undefined;
  const byReference = dataset.imageKind === 'reference';

  const change = async (c: { image?: string | null; caption?: string | null; vector?: string; remote?: boolean; root?: string }) => {
    setError(null);
    const r = await api.setDisplay({ id: dataset.id, ...c });
    if (!r.ok) {
      setError(r.error.message);
      return false;
    }
    onChanged(r.value);
    return true;
  };

  return (
    <Modal title="Display" testId="display-dialog" onClose={onClose}>
      <p className="muted">How this dataset is shown. Remembered for it on this computer; nothing is written to the dataset.</p>
      <label htmlFor="display-image">Image</label>
      <select id="display-image" data-testid="display-image" value={dataset.imageColumn ?? ''} onChange={(e) => void change({ image: e.target.value || null })}>
        <option value="">No image</option>
        {imageChoices.map((c) => {
          const cand = candidates.get(c.name);
          return (
            <option key={c.name} value={c.name}>
              {c.name} ({cand ? candidateText(cand) : c.kind === 'binary' ? 'bytes' : 'text'})
            </option>
          );
        })}
      </select>
      {image && <p className="muted" data-testid="display-image-note">{candidateText(image)}.</p>}
      {byReference && (
        <>
          <label>
            <input
              type="checkbox"
              checked={remote}
              onChange={(e) => {
                const on = e.target.checked;
                setRemote(on);
                void change({ remote: on }).then((ok) => ok || setRemote(!on));
              }}
              data-testid="display-remote"
            /> Fetch images from their URLs (http, https) for this dataset
          </label>
          <label htmlFor="display-root">Folder relative paths start from (empty: the folder that holds the dataset)</label>
          <div className="row">
            <input id="display-root" value={root} onChange={(e) => setRoot(e.target.value)} spellCheck={false} data-testid="display-root" onKeyDown={(e) => e.key === 'Enter' && void change({ root: root.trim() })} />
            <button type="button" onClick={() => void change({ root: root.trim() })} data-testid="display-root-apply">
              Use this folder
            </button>
          </div>
        </>
      )}
      <label htmlFor="display-caption">Caption on the tiles</label>
      <select id="display-caption" data-testid="display-caption" value={dataset.captionColumn ?? ''} onChange={(e) => void change({ caption: e.target.value || null })}>
        <option value="">No caption</option>
        {strings.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      {dataset.vectorColumns.length > 1 && (
        <>
          <label htmlFor="display-vector">Vector column searches use first</label>
          <select id="display-vector" data-testid="display-vector" value={dataset.vectorColumns[0]} onChange={(e) => void change({ vector: e.target.value })}>
            {dataset.vectorColumns.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </>
      )}
      {error && (
        <div className="error-box" role="alert" data-testid="display-error">
          <ErrorText text={error} />
        </div>
      )}
      <div className="modal-actions">
        <button type="button" className="primary" onClick={onClose} data-testid="display-done">
          Done
        </button>
      </div>
    </Modal>
  );
}
